"""The monthly report as plain data for its page and its PDF (templates/pdf/monthly_report.html)."""
from flask_babel import gettext as _

from . import charts, queries, services


def report_document(year, month):
    """Plain data for the page and the PDF: figures, month-on-month, charts, analysis text."""
    figures = queries.monthly_figures(year, month)
    previous = queries.monthly_figures(*queries.previous_month(year, month))
    month_text = f"{year:04d}-{month:02d}"
    stored = services.get_report(month_text)
    from ..live.payloads import kind_label
    figures["charts"] = {
        "tiers": charts.bar_chart(_("各层级慧谈：计划与召开"), [t["tier"] for t in figures["tiers"]],
                                  [(_("计划"), [t["planned"] for t in figures["tiers"]]),
                                   (_("召开"), [t["held"] for t in figures["tiers"]])], width=760),
        "kinds": charts.pie_chart(_("事项类型"), [(kind_label(k["kind"]), k["count"]) for k in figures["by_kind"]]),
        "topics": charts.horizontal_bar_chart(_("热点话题（提及条数）"),
                                              [(t["word"], t["count"]) for t in figures["hot_topics"][:10]],
                                              height=340),
        "departments": charts.bar_chart(_("各科室承办情况"), [d["department"] for d in figures["departments"]],
                                        [(_("交办"), [d["slips"] for d in figures["departments"]]),
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
