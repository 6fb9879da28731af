"""The one definition of every figure the closed loop is judged by.

The dashboard, the monthly report, the league table, the annual assessment and
`GET /api/v1/stats/<YYYY-MM>` all call these functions; nothing else counts slips.

Definitions, for a period [start, end) of local (Asia/Shanghai) time, evaluated on `today`:

- **items**: items raised in the period (meetings and the standing QR channel; action items
  written into minutes are not counted: nobody raised them).
- **slips**: the period's cohort, i.e. slips *issued* in the period. All slip figures below
  are about this cohort, as it stands on `today`.
- **replied**: slips of the cohort whose reply stands (status replied or closed). A slip sent
  back (退回重办) is not replied until the department replies again.
- **replied_on_time**: replied slips whose latest reply came on or before the deadline in force
  at that moment (an approved extension moves the deadline; see Slip.replied_on_time).
- **overdue**: slips of the cohort still owing a reply (issued, accepted) whose deadline is
  before `today`.
- **closed**: slips of the cohort that are closed (办结).
- **rated** / **satisfied**: slips whose current reply the submitter rated / rated 满意 or 基本满意.
- **reply_rate** = replied / slips; **on_time_rate** = replied_on_time / (replied + overdue),
  i.e. over the slips whose timeliness is already decided (an overdue slip counts against it);
  **closure_rate** = closed / slips; **satisfaction_rate** = satisfied / rated. Rates are
  0–1, or None when there is nothing to divide by.
- **avg_days_to_reply**: mean of (reply time − issue time) in days over replied slips.
- **points**: the sum of the department's deductions that *belong* to the period (their
  `occurred_on` day: an overdue deduction belongs to the deadline that passed, whenever the
  reminder job booked it); reversed deductions count for nothing.
"""
from datetime import date, datetime, timedelta, timezone

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func

from ..extensions import db
from ..live.models import Item
from ..people.models import Department
from ..slips.models import ANSWERED, OWING_REPLY, PointEntry, Slip
from ..timeutil import local_today, local_zone, month_bounds

GOOD_RATINGS = ("satisfied", "basically_satisfied")
NOT_RAISED_CHANNELS = ("minutes",)  # action items decided while writing minutes
FIGURE_KEYS = ("items", "slips", "replied", "replied_on_time", "closed", "overdue", "rated", "satisfied",
               "reply_rate", "on_time_rate", "closure_rate", "satisfaction_rate")


def rate(part, whole):
    """A rate 0–1 rounded to 4 places, or None when there is nothing to divide by."""
    return round(part / whole, 4) if whole else None


def percent(value):
    """A 0–1 rate as a percentage with one decimal, for pages and documents (None stays None)."""
    return None if value is None else round(100 * value, 1)


def is_overdue(slip, today=None):
    """The one overdue rule: the department still owes a reply and the deadline has passed."""
    return slip.status in OWING_REPLY and slip.due_date < (today or local_today())


def overdue_clause(today=None):
    """`is_overdue` as a SQL condition."""
    return and_(Slip.status.in_(OWING_REPLY), Slip.due_date < (today or local_today()))


def period_of_month(year, month):
    """(start, end) UTC instants and (first_day, last_day) local dates of a month."""
    start, end = month_bounds(year, month)
    first = date(year, month, 1)
    last = (date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1))
    return start, end, first, last


def period_of_year(year):
    zone = local_zone()
    start = datetime(year, 1, 1, tzinfo=zone).astimezone(timezone.utc)
    end = datetime(year + 1, 1, 1, tzinfo=zone).astimezone(timezone.utc)
    return start, end, date(year, 1, 1), date(year, 12, 31)


def _slip_counts(filters, today, group_by=None):
    """Counts over the slips matching `filters`, optionally per `group_by` column."""
    answered = Slip.status.in_(ANSWERED)
    columns = [
        func.count(Slip.id),
        func.sum(case((answered, 1), else_=0)),
        func.sum(case((and_(answered, Slip.replied_on_time.is_(True)), 1), else_=0)),
        func.sum(case((Slip.status == "closed", 1), else_=0)),
        func.sum(case((overdue_clause(today), 1), else_=0)),
        func.sum(case((and_(answered, Slip.rating.isnot(None)), 1), else_=0)),
        func.sum(case((and_(answered, Slip.rating.in_(GOOD_RATINGS)), 1), else_=0)),
    ]
    query = db.session.query(*(([group_by] if group_by is not None else []) + columns)).filter(*filters)
    if group_by is None:
        return [_counts(query.one())]
    return {row[0]: _counts(row[1:]) for row in query.group_by(group_by)}


def _counts(row):
    slips, replied, on_time, closed, overdue, rated, satisfied = (int(v or 0) for v in row)
    return {"slips": slips, "replied": replied, "replied_on_time": on_time, "closed": closed,
            "overdue": overdue, "rated": rated, "satisfied": satisfied}


def _with_rates(counts):
    counts.update(reply_rate=rate(counts["replied"], counts["slips"]),
                  on_time_rate=rate(counts["replied_on_time"], counts["replied"] + counts["overdue"]),
                  closure_rate=rate(counts["closed"], counts["slips"]),
                  satisfaction_rate=rate(counts["satisfied"], counts["rated"]))
    return counts


def item_count(start, end):
    return db.session.query(func.count(Item.id)).filter(
        Item.created_at >= start, Item.created_at < end, Item.channel.notin_(NOT_RAISED_CHANNELS)).scalar() or 0


def figures(start, end, today=None):
    """The headline figures of a period (the `GET /stats` contract), over all departments."""
    today = today or local_today()
    counts = _slip_counts([Slip.issued_at >= start, Slip.issued_at < end], today)[0]
    result = {"items": item_count(start, end)}
    result.update(_with_rates(counts))
    return {key: result[key] for key in FIGURE_KEYS}


def month_figures(year, month, today=None):
    start, end, _first, _last = period_of_month(year, month)
    return figures(start, end, today)


def _reply_days(start, end):
    rows = (db.session.query(Slip.department_id, Slip.issued_at, Slip.replied_at)
            .filter(Slip.issued_at >= start, Slip.issued_at < end, Slip.status.in_(ANSWERED),
                    Slip.replied_at.isnot(None)))
    totals = {}
    for department_id, issued_at, replied_at in rows:
        entry = totals.setdefault(department_id, [0, 0.0])
        entry[0] += 1
        entry[1] += (replied_at - issued_at).total_seconds() / 86400
    return {key: round(total / n, 1) for key, (n, total) in totals.items() if n}


def deductions(first_day, last_day):
    """{department_id: {reason: {"count", "points"}}} of the deductions that belong to the days."""
    rows = (db.session.query(PointEntry.department_id, PointEntry.reason, func.count(PointEntry.id),
                             func.sum(PointEntry.points))
            .filter(PointEntry.occurred_on >= first_day, PointEntry.occurred_on <= last_day,
                    PointEntry.reversed_at.is_(None))
            .group_by(PointEntry.department_id, PointEntry.reason))
    result = {}
    for department_id, reason, count, points in rows:
        result.setdefault(department_id, {})[reason] = {"count": int(count), "points": int(points or 0)}
    return result


# How the league table and the annual assessment order departments; shown under both tables.
RANKING_RULE = _l("按扣分由少到多排名；扣分相同时依次比较按期答复率、答复率、满意率（高者在前），"
                  "仍相同按科室顺序。本期没有承办单的科室标为“无承办”，不参加排名。")


def _ranking_key(row):
    def high_first(value):
        return -(value if value is not None else -1)
    return (-row["points"], high_first(row["on_time_rate"]), high_first(row["reply_rate"]),
            high_first(row["satisfaction_rate"]), row["position"], row["department"])


def department_figures(start, end, first_day, last_day, today=None):
    """Per department: the period's figures, deductions and points, in rank order.

    Departments without a slip in the period are not ranked (rank None, `has_slips` False) and
    come last: with nothing to be judged on, ranking them first would mislead.
    """
    today = today or local_today()
    counts = _slip_counts([Slip.issued_at >= start, Slip.issued_at < end], today, group_by=Slip.department_id)
    days = _reply_days(start, end)
    booked = deductions(first_day, last_day)
    rows = []
    for department in Department.query.order_by(Department.position, Department.id):
        mine = counts.get(department.id)
        by_reason = booked.get(department.id, {})
        if mine is None and not by_reason and not department.is_active:
            continue
        row = _with_rates(dict(mine or _counts([0] * 7)))
        row.update(department_id=department.id, department=department.name, position=department.position,
                   avg_days_to_reply=days.get(department.id), deductions=by_reason,
                   points=sum(entry["points"] for entry in by_reason.values()), has_slips=bool(mine))
        rows.append(row)
    ranked = sorted((r for r in rows if r["has_slips"]), key=_ranking_key)
    idle = [r for r in rows if not r["has_slips"]]
    for rank, row in enumerate(ranked, start=1):
        row["rank"] = rank
    for row in idle:
        row["rank"] = None
    return ranked + idle


def month_department_figures(year, month, today=None):
    start, end, first, last = period_of_month(year, month)
    return department_figures(start, end, first, last, today)


def year_department_figures(year, today=None):
    start, end, first, last = period_of_year(year)
    return department_figures(start, end, first, last, today)
