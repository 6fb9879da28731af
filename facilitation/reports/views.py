"""The monthly analysis report: web page, editing the analysis, and the PDF."""
import re

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from . import charts
from ..accounts.context import roles_required
from ..errors import DomainError
from ..extensions import db
from ..timeutil import local_today
from . import queries, services

bp = Blueprint("reports", __name__)
MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
READERS = ("organizer", "viewer", "lead")


def _parse_month(month_text):
    match = MONTH_RE.match(month_text or "")
    if not match or not 2000 <= int(match.group(1)) <= 2100:
        abort(404)
    return int(match.group(1)), int(match.group(2))


def report_document(year, month):
    """Plain data for the page and the PDF: figures, month-on-month, charts, analysis text."""
    figures = queries.monthly_figures(year, month)
    previous = queries.monthly_figures(*queries.previous_month(year, month))
    month_text = f"{year:04d}-{month:02d}"
    stored = services.get_report(month_text)
    from ..live.services import kind_label
    figures["charts"] = {
        "tiers": charts.bar_chart(_("各层级慧谈：计划与召开"), [t["tier"] for t in figures["tiers"]],
                                  [(_("计划"), [t["planned"] for t in figures["tiers"]]),
                                   (_("召开"), [t["held"] for t in figures["tiers"]])], width=760),
        "kinds": charts.pie_chart(_("事项类型"), [(kind_label(k["kind"]), k["count"]) for k in figures["by_kind"]]),
        "topics": charts.horizontal_bar_chart(_("热点话题（提及条数）"),
                                              [(t["word"], t["count"]) for t in figures["hot_topics"][:10]],
                                              height=340),
        "departments": charts.bar_chart(_("各科室承办情况"), [d["department"] for d in figures["departments"]],
                                        [(_("交办"), [d["issued"] for d in figures["departments"]]),
                                         (_("已答复"), [d["replied"] for d in figures["departments"]]),
                                         (_("逾期"), [d["overdue"] for d in figures["departments"]])], width=760),
    }
    for row in figures["by_kind"]:
        row["label"] = kind_label(row["kind"])
    figures["mom"] = queries.month_on_month(figures, previous)
    figures["analysis"] = stored.analysis if stored and stored.analysis else queries.draft_analysis(figures)
    figures["is_final"] = bool(stored and stored.status == "final")
    figures["month_text"] = month_text
    return figures


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
        from ..forms import EmptyForm
        if not EmptyForm().validate_on_submit():
            flash(_("页面已过期，请刷新后重试。"), "error")
        else:
            try:
                services.save_analysis(current_user, month, request.form.get("analysis", ""),
                                       finalize=request.form.get("finalize") == "1")
                db.session.commit()
                flash(_("已定稿。") if request.form.get("finalize") == "1" else _("已保存。"), "success")
                return redirect(url_for("reports.monthly", month=month))
            except DomainError as error:
                db.session.rollback()
                flash(error.message, "error")
    from ..forms import EmptyForm
    return render_template("reports/monthly.html", doc=report_document(year, mon), form=EmptyForm(),
                           can_edit=current_user.has_role("organizer"))


@bp.route("/reports/monthly/<month>.pdf")
@roles_required(*READERS)
def monthly_pdf(month):
    from ..pdf import render_pdf
    year, mon = _parse_month(month)
    data = render_pdf("pdf/monthly_report.html", doc=report_document(year, mon))
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f"inline; filename=monthly-report-{month}.pdf"})
