"""Documents of the golden-idea review: the award sheet and results workbook (the PDF template
is templates/pdf/award_sheet.html, fed by queries.award_sheet)."""
from flask_babel import gettext as _

from ..spreadsheets import XlsxWriter

AWARD_WIDTHS = (6, 48, 10, 24, 14, 8, 8, 8, 10, 10, 20, 16)
RESULT_WIDTHS = (6, 48, 10, 24, 14, 12, 10, 8, 8, 8, 8, 10, 10)


def _score_cells(row):
    scores = row["scores"]
    if not scores:
        return ["", "", "", ""]
    return [scores["feasibility"], scores["benefit"], scores["innovation"], scores["total"]]


def award_workbook(doc):
    """The award sheet (奖励发放表) and the full result list (评审结果) as .xlsx bytes."""
    writer = XlsxWriter()
    awards = writer.sheet(_("奖励发放表"), widths=AWARD_WIDTHS, wrapped=range(12))
    title = _("%(q)s“金点子、好建议”获奖名单及奖励发放表", q=doc["quarter_label"])
    if not doc["is_final"]:
        title += _("（草稿，未定稿）")
    awards.title(title)
    awards.row([_("预算 %(b)d 元，发放合计 %(t)d 元", b=doc["budget"], t=doc["total"])])
    awards.header([_("名次"), _("建议内容"), _("提出人"), _("来源慧谈"), _("层级"), _("可行性"), _("效益"),
                   _("创新性"), _("平均总分"), _("奖金（元）"), _("备注"), _("领取人签字")])
    for row in doc["awarded"]:
        awards.row([row["rank"], row["text"], row["submitter"], row["meeting"], row["tier"]]
                   + _score_cells(row) + [row["amount"], row["note"], ""])
    awards.row(["", _("合计"), "", "", "", "", "", "", "", doc["total"], "", ""], bold=True)
    results = writer.sheet(_("评审结果"), widths=RESULT_WIDTHS, wrapped=range(13))
    results.header([_("名次"), _("建议内容"), _("提出人"), _("来源慧谈"), _("层级"), _("提出日期"), _("是否采纳"),
                    _("评分人数"), _("可行性"), _("效益"), _("创新性"), _("平均总分"), _("奖金（元）")])
    for row in doc["results"]:
        results.row([row["rank"], row["text"], row["submitter"], row["meeting"], row["tier"], row["submitted"],
                     _("已采纳") if row["is_adopted"] else "", row["scores"]["count"] if row["scores"] else 0]
                    + _score_cells(row) + [row["amount"] or ""])
    return writer.to_bytes()
