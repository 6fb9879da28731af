"""The annual department assessment (年度职能科室考核): per department the year's deductions from
the points ledger by reason, the slip KPIs (reply, on-time, closure and satisfaction rates,
average days to reply) and the rank, as plain data for the page, the PDF and the Excel file."""
from flask_babel import gettext as _

from ..errors import NotFound
from ..slips.points import POINT_LABELS, POINT_REASONS, POINT_RULES
from ..stats import queries as stats
from ..timeutil import local_today

REASONS = POINT_REASONS
RATE_KEYS = ("reply_rate", "on_time_rate", "closure_rate", "satisfaction_rate")
YEAR_MIN, YEAR_MAX = 2000, 2100


def annual_assessment(year, today=None):
    """The assessment of one calendar year (local time): rows in rank order and the totals.

    Figures, points and the order come from stats.queries (slips issued in the year; deductions
    that belong to the year; the ranking rule stated on the page). A department without a slip
    all year is listed last without a rank: it had nothing to be assessed on, and ranking it
    above departments that did the work would mislead.
    """
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise NotFound(_("年份应在 %(a)d–%(b)d 之间。", a=YEAR_MIN, b=YEAR_MAX))
    rows = stats.year_department_figures(year, today=today)
    for row in rows:
        booked = row["deductions"]
        row["deductions"] = {reason: booked.get(reason, {"count": 0, "points": 0}) for reason in REASONS}
    totals = {key: sum(r[key] for r in rows) for key in ("slips", "replied", "closed", "overdue", "rated",
                                                         "satisfied", "points")}
    totals["deductions"] = {reason: {"count": sum(r["deductions"][reason]["count"] for r in rows),
                                     "points": sum(r["deductions"][reason]["points"] for r in rows)}
                            for reason in REASONS}
    return {
        "year": year, "rows": rows, "totals": totals, "ranking_rule": str(stats.RANKING_RULE),
        "reasons": [{"code": r, "label": _(POINT_LABELS[r]), "points": POINT_RULES[r]} for r in REASONS],
        "printed": (today or local_today()).isoformat(),
    }
