"""Documents of the annual department assessment: the workbook (the PDF template is
templates/pdf/annual_assessment.html, fed by services.annual_assessment)."""
from flask_babel import gettext as _

from ..spreadsheets import XlsxWriter
from ..stats.queries import percent
from .services import RATE_KEYS


def annual_workbook(doc):
    """A title row, the header, one row per department in rank order (rates in percent,
    deductions as counts and points), and the totals, as .xlsx bytes."""
    writer = XlsxWriter()
    widths = (6, 18) + (9,) * 9 + (10,) * (2 * len(doc["reasons"])) + (10,)
    sheet = writer.sheet(_("%(y)d年度考核", y=doc["year"]), widths=widths)
    sheet.title(_("%(y)d 年度职能科室承办考核表", y=doc["year"]))
    reason_headers = []
    for reason in doc["reasons"]:
        reason_headers += [_("%(r)s（次）", r=reason["label"]), _("%(r)s扣分", r=reason["label"])]
    sheet.header([_("名次"), _("科室"), _("交办"), _("已答复"), _("已办结"), _("逾期未答复"), _("答复率%"),
                  _("按期答复率%"), _("办结率%"), _("满意率%"), _("平均答复天数")] + reason_headers + [_("合计扣分")])
    for row in doc["rows"]:
        cells = [row["rank"] or _("无承办"), row["department"], row["slips"], row["replied"], row["closed"],
                 row["overdue"]]
        cells += [percent(row[key]) for key in RATE_KEYS] + [row["avg_days_to_reply"]]
        for reason in doc["reasons"]:
            entry = row["deductions"][reason["code"]]
            cells += [entry["count"], entry["points"]]
        sheet.row(cells + [row["points"]])
    totals = doc["totals"]
    cells = [None, _("合计"), totals["slips"], totals["replied"], totals["closed"], totals["overdue"]] + [None] * 5
    for reason in doc["reasons"]:
        cells += [totals["deductions"][reason["code"]]["count"], totals["deductions"][reason["code"]]["points"]]
    sheet.row(cells + [totals["points"]], bold=True)
    sheet.blank()
    sheet.row([doc["ranking_rule"]])
    return writer.to_bytes()
