"""Documents of the golden-idea review: the award sheet and results workbook (the PDF template
is templates/pdf/award_sheet.html, fed by queries.award_sheet)."""
from flask_babel import gettext as _

from ..spreadsheets import XlsxWriter

RESULT_WIDTHS = (6, 48, 10, 24, 14, 12, 10, 8, 8, 8, 8, 10, 10, 30, 30, 12)


def _score_cells(row):
    scores = row["scores"]
    if not scores:
        return ["", "", "", ""]
    return [scores["feasibility"], scores["benefit"], scores["innovation"], scores["total"]]


def _effect_cells(row):
    return [row["implementation"], row["effect"], "" if row["benefit_yuan"] is None else row["benefit_yuan"]]


def award_workbook(doc):
    """The award sheet (奖励发放表, with claim codes when the document carries them, and the payout
    status) and the full result list (评审结果, with each idea's recorded effect) as .xlsx bytes."""
    codes = doc["with_claim_codes"]
    writer = XlsxWriter()
    headers = [_("名次"), _("建议内容"), _("提出人")] + ([_("领奖码")] if codes else []) + [
        _("来源慧谈"), _("层级"), _("可行性"), _("效益"), _("创新性"), _("平均总分"), _("奖金（元）"), _("领取状态"),
        _("发放经办人"), _("落实情况"), _("应用效果"), _("创造效益（元）"), _("备注"), _("领取人签字")]
    widths = (6, 48, 10) + ((12,) if codes else ()) + (24, 14, 8, 8, 8, 10, 10, 16, 12, 30, 30, 12, 20, 16)
    awards = writer.sheet(_("奖励发放表"), widths=widths, wrapped=range(len(headers)))
    title = _("%(q)s“金点子、好建议”获奖名单及奖励发放表", q=doc["quarter_label"])
    if not doc["is_final"]:
        title += _("（草稿，未定稿）")
    awards.title(title)
    awards.row([_("预算 %(b)d 元，发放合计 %(t)d 元", b=doc["budget"], t=doc["total"])])
    awards.header(headers)
    amount_column = headers.index(_("奖金（元）"))
    for row in doc["awarded"]:
        awards.row([row["rank"], row["text"], row["submitter"]] + ([row["claim_code"]] if codes else [])
                   + [row["meeting"], row["tier"]] + _score_cells(row)
                   + [row["amount"], row["payout"], row["paid_by"]] + _effect_cells(row) + [row["note"], ""])
    total = [""] * len(headers)
    total[1], total[amount_column] = _("合计"), doc["total"]
    awards.row(total, bold=True)
    results = writer.sheet(_("评审结果"), widths=RESULT_WIDTHS, wrapped=range(len(RESULT_WIDTHS)))
    results.header([_("名次"), _("建议内容"), _("提出人"), _("来源慧谈"), _("层级"), _("提出日期"), _("是否采纳"),
                    _("评分人数"), _("可行性"), _("效益"), _("创新性"), _("平均总分"), _("奖金（元）"),
                    _("落实情况"), _("应用效果"), _("创造效益（元）")])
    for row in doc["results"]:
        results.row([row["rank"], row["text"], row["submitter"], row["meeting"], row["tier"], row["submitted"],
                     _("已采纳") if row["is_adopted"] else "", row["scores"]["count"] if row["scores"] else 0]
                    + _score_cells(row) + [row["amount"] or ""] + _effect_cells(row))
    return writer.to_bytes()
