"""The annual department assessment (年度职能科室考核): per department the year's deductions from
the points ledger by reason, the slip KPIs (reply, on-time, closure and satisfaction rates,
average days to reply) and the rank, as plain data for the page, the PDF and the Excel file."""
from datetime import datetime, timezone

from flask_babel import gettext as _
from sqlalchemy import func

from ..errors import NotFound
from ..extensions import db
from ..slips.models import PointEntry
from ..slips.queries import department_kpis
from ..slips.services import POINT_LABELS, POINT_RULES
from ..timeutil import local_today, local_zone

REASONS = ("overdue", "perfunctory", "absent")
RATE_KEYS = ("reply_rate", "on_time_rate", "closure_rate", "satisfaction_rate")
YEAR_MIN, YEAR_MAX = 2000, 2100


def year_bounds(year):
    """UTC instants of 1 January of `year` and of the next year, at Asia/Shanghai midnight."""
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise NotFound(_("年份应在 %(a)d–%(b)d 之间。", a=YEAR_MIN, b=YEAR_MAX))
    zone = local_zone()
    return (datetime(year, 1, 1, tzinfo=zone).astimezone(timezone.utc),
            datetime(year + 1, 1, 1, tzinfo=zone).astimezone(timezone.utc))


def deductions_by_reason(start, end):
    """{department_id: {reason: {"count", "points"}}} for ledger entries created in [start, end)."""
    rows = (db.session.query(PointEntry.department_id, PointEntry.reason, func.count(PointEntry.id),
                             func.sum(PointEntry.points))
            .filter(PointEntry.created_at >= start, PointEntry.created_at < end)
            .group_by(PointEntry.department_id, PointEntry.reason))
    result = {}
    for department_id, reason, count, points in rows:
        result.setdefault(department_id, {})[reason] = {"count": int(count), "points": int(points or 0)}
    return result


def annual_assessment(year, today=None):
    """The assessment of one calendar year (local time): rows in rank order and the totals.

    Rates and the order come from slips.queries.department_kpis (slips issued in the year, ledger
    entries created in it: points first, then on-time rate, then satisfaction). A department
    that had no slip and no deduction all year is listed last without a rank: it had nothing
    to be assessed on, and ranking it above departments that did the work would mislead.
    """
    start, end = year_bounds(year)
    deductions = deductions_by_reason(start, end)
    ranked, idle = [], []
    for kpi in department_kpis(start, end, today=today):
        by_reason = deductions.get(kpi["department_id"], {})
        row = dict(kpi)
        row["deductions"] = {reason: by_reason.get(reason, {"count": 0, "points": 0}) for reason in REASONS}
        (ranked if row["issued"] or row["points"] else idle).append(row)
    for rank, row in enumerate(ranked, start=1):
        row["rank"] = rank
    for row in idle:
        row["rank"] = None
    rows = ranked + idle
    totals = {key: sum(r[key] for r in rows) for key in ("issued", "replied", "closed", "overdue", "rated",
                                                         "satisfied", "points")}
    totals["deductions"] = {reason: {"count": sum(r["deductions"][reason]["count"] for r in rows),
                                     "points": sum(r["deductions"][reason]["points"] for r in rows)}
                            for reason in REASONS}
    return {
        "year": year, "rows": rows, "totals": totals,
        "reasons": [{"code": r, "label": _(POINT_LABELS[r]), "points": POINT_RULES[r]} for r in REASONS],
        "printed": (today or local_today()).isoformat(),
    }
