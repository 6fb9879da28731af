"""The monthly analysis report: web page, editing the analysis, and the PDF."""
import re

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.auth import roles_required
from ..edges import attempt
from ..forms import EmptyForm
from ..timeutil import local_today
from . import documents, services

bp = Blueprint("reports", __name__)
MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
READERS = ("organizer", "viewer", "lead")


def _parse_month(month_text):
    match = MONTH_RE.match(month_text or "")
    if not match or not 2000 <= int(match.group(1)) <= 2100:
        abort(404)
    return int(match.group(1)), int(match.group(2))


@bp.route("/reports/monthly/")
@roles_required(*READERS)
def current_month():
    """This month's report, or the month picked in the page's month field (?month=YYYY-MM)."""
    picked = request.args.get("month", "")
    if MONTH_RE.match(picked):
        return redirect(url_for("reports.monthly", month=picked))
    today = local_today()
    return redirect(url_for("reports.monthly", month=f"{today.year:04d}-{today.month:02d}"))


@bp.route("/reports/monthly/<month>", methods=["GET", "POST"])
@roles_required(*READERS)
def monthly(month):
    year, mon = _parse_month(month)
    if request.method == "POST":
        if not current_user.has_role("organizer"):
            abort(403)
        finalize = request.form.get("finalize") == "1"
        if not EmptyForm().validate_on_submit():
            flash(_("页面已过期，请刷新后重试。"), "error")
        elif attempt(services.save_analysis, current_user, month, request.form.get("analysis", ""),
                     finalize=finalize, success=_("已定稿。") if finalize else _("已保存。")).ok:
            return redirect(url_for("reports.monthly", month=month))
    return render_template("reports/monthly.html", doc=documents.report_document(year, mon), form=EmptyForm(),
                           can_edit=current_user.has_role("organizer"))


@bp.route("/reports/monthly/<month>.pdf")
@roles_required(*READERS)
def monthly_pdf(month):
    from ..pdf import render_pdf
    year, mon = _parse_month(month)
    data = render_pdf("pdf/monthly_report.html", doc=documents.report_document(year, mon))
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f"inline; filename=monthly-report-{month}.pdf"})
