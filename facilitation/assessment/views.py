"""Pages of the annual department assessment: the year's table, and the same as PDF and Excel.
Organizers, viewers (mine leaders), leads and admins read it."""
import io

from flask import Blueprint, Response, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..accounts.context import roles_required
from ..timeutil import local_today
from . import services

bp = Blueprint("assessment", __name__, url_prefix="/assessment")
READERS = ("organizer", "viewer", "lead")


@bp.route("/")
@roles_required(*READERS)
def index():
    year = request.args.get("year", type=int) or local_today().year
    return redirect(url_for("assessment.annual", year=year))


@bp.route("/<int:year>")
@roles_required(*READERS)
def annual(year):
    return render_template("assessment/annual.html", doc=services.annual_assessment(year),
                           this_year=local_today().year)


@bp.route("/<int:year>.pdf")
@roles_required(*READERS)
def annual_pdf(year):
    from ..pdf import render_pdf
    data = render_pdf("pdf/annual_assessment.html", doc=services.annual_assessment(year))
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f"inline; filename=department-assessment-{year}.pdf"})


def annual_workbook(doc):
    """The assessment as an openpyxl workbook: a title row, the header, one row per department
    in rank order (rates in percent, deductions as counts and points), and the totals."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("%(y)d年度考核", y=doc["year"])
    sheet.append([_("%(y)d 年度职能科室承办考核表", y=doc["year"])])
    reason_headers = []
    for reason in doc["reasons"]:
        reason_headers += [_("%(r)s（次）", r=reason["label"]), _("%(r)s扣分", r=reason["label"])]
    sheet.append([_("名次"), _("科室"), _("交办"), _("已答复"), _("已办结"), _("逾期未答复"), _("答复率%"),
                  _("按期答复率%"), _("办结率%"), _("满意率%"), _("平均答复天数")] + reason_headers + [_("合计扣分")])
    for row in doc["rows"]:
        cells = [row["rank"], row["department"], row["issued"], row["replied"], row["closed"], row["overdue"]]
        cells += [row[key] for key in services.RATE_KEYS] + [row["avg_days_to_reply"]]
        for reason in doc["reasons"]:
            entry = row["deductions"][reason["code"]]
            cells += [entry["count"], entry["points"]]
        sheet.append(cells + [row["points"]])
    totals = doc["totals"]
    cells = [None, _("合计"), totals["issued"], totals["replied"], totals["closed"], totals["overdue"]] + [None] * 5
    for reason in doc["reasons"]:
        cells += [totals["deductions"][reason["code"]]["count"], totals["deductions"][reason["code"]]["points"]]
    sheet.append(cells + [totals["points"]])
    sheet["A1"].font = Font(bold=True, size=14)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for index, width in enumerate((6, 18) + (9,) * 9 + (10,) * (2 * len(doc["reasons"])) + (10,), start=1):
        sheet.column_dimensions[chr(64 + index)].width = width
    return workbook


@bp.route("/<int:year>.xlsx")
@roles_required(*READERS)
def annual_xlsx(year):
    out = io.BytesIO()
    annual_workbook(services.annual_assessment(year)).save(out)
    return Response(out.getvalue(), mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f"attachment; filename=department-assessment-{year}.xlsx"})
