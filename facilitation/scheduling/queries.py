"""Read-only queries of scheduling: proposals, coverage, the month plan view, working days."""
from calendar import monthrange
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from ..extensions import db
from ..people.models import Person, Tier, Unit
from ..timeutil import local_zone, month_bounds, to_local
from .models import Holiday, Meeting, MonthPlan, Participant
from .proposal import Candidate, rank_candidates

OPEN_STATUSES = ("planned", "live")
ALTERNATES = 10  # next candidates offered for swaps on the approval page


# ---------------------------------------------------------------- proposal

def _local_day(moment):
    return to_local(moment).date()


def _roster_rows(filters):
    """Active people matching `filters` as plain rows (tier_id, unit_id, tier_ids, gender, focus, q)."""
    query = (select(Person.id, Person.name, Person.employee_no, Person.tier_id, Person.post, Person.gender,
                    Person.is_focus, Person.focus_reason, Person.focus_since, Person.standing,
                    Unit.name.label("unit"))
             .outerjoin(Unit, Person.unit_id == Unit.id).where(Person.is_active.is_(True)))
    if filters.get("tier_id"):
        query = query.where(Person.tier_id == filters["tier_id"])
    if filters.get("tier_ids"):
        query = query.where(Person.tier_id.in_(filters["tier_ids"]))
    if filters.get("unit_id"):
        query = query.where(Person.unit_id == filters["unit_id"])
    if filters.get("gender"):
        query = query.where(Person.gender == filters["gender"])
    if filters.get("focus"):
        query = query.where(Person.is_focus.is_(True))
    if filters.get("q"):
        # a typed “%” or “_” is searched for literally
        like = "%" + filters["q"].replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(db.or_(Person.name.like(like, escape="\\"), Person.post.like(like, escape="\\"),
                                   Person.focus_reason.like(like, escape="\\"),
                                   Person.employee_no.like(like, escape="\\")))
    return db.session.execute(query.order_by(Person.employee_no)).all()


def _last_attended(person_filter, before):
    """person_id → last start of a closed meeting the person attended before `before`."""
    query = (select(Participant.person_id, func.max(Meeting.starts_at))
             .join(Meeting, Meeting.id == Participant.meeting_id)
             .where(Meeting.status == "closed", Participant.joined_at.isnot(None),
                    Participant.person_id.isnot(None), Meeting.starts_at < before)
             .group_by(Participant.person_id))
    if person_filter is not None:
        query = query.join(Person, Person.id == Participant.person_id).where(person_filter)
    return dict(db.session.execute(query).all())


def _booked(person_filter, meeting_id):
    """person_id → earliest start of another upcoming meeting whose list already names the person."""
    query = (select(Participant.person_id, func.min(Meeting.starts_at))
             .join(Meeting, Meeting.id == Participant.meeting_id)
             .where(Meeting.status.in_(OPEN_STATUSES), Participant.source == "invited",
                    Participant.person_id.isnot(None), Meeting.id != (meeting_id or 0))
             .group_by(Participant.person_id))
    if person_filter is not None:
        query = query.join(Person, Person.id == Participant.person_id).where(person_filter)
    return dict(db.session.execute(query).all())


def candidates_for(meeting, filters=None):
    """The pool a meeting's participants come from, as Candidates.

    A regular meeting takes the active people of its tier; a special session those matching
    the roster filters (its tier, if it has one, unless filters name other tiers). The chair
    is never proposed as a participant of the meeting they chair.
    """
    filters = dict(filters or {})
    if meeting.kind == "regular" or (meeting.tier_id and not filters.get("tier_ids") and "tier_id" not in filters):
        filters["tier_id"] = meeting.tier_id
    rows = _roster_rows(filters)
    tier_filter = Person.tier_id == filters["tier_id"] if filters.get("tier_id") else None
    last = _last_attended(tier_filter, meeting.starts_at)
    booked = _booked(tier_filter, meeting.id)
    chair_person = meeting.lead.person_id if meeting.lead is not None else None
    pool = []
    for row in rows:
        if row.id == chair_person:
            continue
        pool.append(Candidate(
            person_id=row.id, name=row.name, unit=row.unit, post=row.post, gender=row.gender,
            is_focus=bool(row.is_focus), focus_reason=row.focus_reason, standing=row.standing,
            focus_since=_local_day(row.focus_since) if row.is_focus and row.focus_since else None,
            last_attended=_local_day(last[row.id]) if row.id in last else None,
            booked_on=_local_day(booked[row.id]) if row.id in booked else None))
    return pool


def proposal_for(meeting, filters=None, alternates=ALTERNATES):
    """(proposed picks, next candidates): up to the cap, then `alternates` more for swaps."""
    pool = candidates_for(meeting, filters)
    tier = meeting.tier
    picks = rank_candidates(pool, on_day=_local_day(meeting.starts_at),
                            limit=meeting.max_participants + alternates,
                            recent_months=current_app.config["PROPOSAL_RECENT_MONTHS"],
                            is_large=bool(tier.is_large) if tier is not None else False,
                            seed=meeting.id or 0)
    return picks[:meeting.max_participants], picks[meeting.max_participants:]


def pick_to_dict(pick):
    return {"person_id": pick.person_id, "name": pick.candidate.name, "reason": pick.reason}


# ---------------------------------------------------------------- coverage

def _year_bounds(year, until=None):
    start, _end = month_bounds(year, 1)
    end, _next = month_bounds(year + 1, 1)
    if until is not None and until < end:
        end = until
    return start, end


def first_coverage(year, tier_id=None, until=None):
    """(person_id, tier_id, first local date in `year`) for every active person who attended a
    closed meeting that year (before `until`, when given)."""
    start, end = _year_bounds(year, until)
    query = (select(Participant.person_id, Person.tier_id, func.min(Meeting.starts_at))
             .join(Meeting, Meeting.id == Participant.meeting_id)
             .join(Person, Person.id == Participant.person_id)
             .where(Meeting.status == "closed", Participant.joined_at.isnot(None), Person.is_active.is_(True),
                    Meeting.starts_at >= start, Meeting.starts_at < end)
             .group_by(Participant.person_id, Person.tier_id))
    if tier_id is not None:
        query = query.where(Person.tier_id == tier_id)
    return [(person_id, tier, _local_day(first)) for person_id, tier, first in db.session.execute(query)]


def _share(covered, active):
    return round(covered / active, 4) if active else None


def coverage_by_tier(year, until=None):
    """tier_id → {"active", "covered", "share", "months": [cumulative share at the end of each month]}.

    The one definition of coverage: covered = an active person of the tier who attended at
    least one closed meeting that year. The dashboard, the tier API and the monthly report use it.
    """
    active = dict(db.session.execute(select(Person.tier_id, func.count(Person.id))
                                     .where(Person.is_active.is_(True)).group_by(Person.tier_id)).all())
    firsts = {}
    for _person_id, tier_id, first in first_coverage(year, until=until):
        firsts.setdefault(tier_id, []).append(first.month)
    result = {}
    for tier_id in set(active) | set(firsts):
        months = firsts.get(tier_id, [])
        cumulative, running = [], 0
        for month in range(1, 13):
            running += months.count(month)
            cumulative.append(_share(running, active.get(tier_id, 0)))
        result[tier_id] = {"active": active.get(tier_id, 0), "covered": len(months),
                           "share": _share(len(months), active.get(tier_id, 0)), "months": cumulative}
    return result


def tier_coverage(tier, year):
    """The coverage of one tier in one year, with the active people not covered yet."""
    figures = coverage_by_tier(year).get(tier.id, {"active": 0, "covered": 0, "share": None,
                                                   "months": [None] * 12})
    covered = {person_id for person_id, _tier, _first in first_coverage(year, tier_id=tier.id)}
    never = [{"person_id": person_id, "name": name} for person_id, name in db.session.execute(
        select(Person.id, Person.name).where(Person.tier_id == tier.id, Person.is_active.is_(True))
        .order_by(Person.employee_no)) if person_id not in covered]
    return {"active": figures["active"], "covered": figures["covered"], "share": figures["share"],
            "never": never, "months": figures["months"]}


def coverage_tiles(year, today):
    """One tile per active tier for the dashboard: share, counts and the month-by-month bars."""
    figures = coverage_by_tier(year)
    tiles = []
    for tier in Tier.query.filter_by(is_active=True).order_by(Tier.position, Tier.id):
        row = figures.get(tier.id, {"active": 0, "covered": 0, "share": None, "months": [None] * 12})
        months = [share if (year, index + 1) <= (today.year, today.month) else None
                  for index, share in enumerate(row["months"])]
        tiles.append({"tier_id": tier.id, "name": tier.name, "active": row["active"], "covered": row["covered"],
                      "share": row["share"], "months": months})
    return tiles


# ---------------------------------------------------------------- the month plan

def holidays_between(start, end):
    """{local date: (name, is_workday)} from the configuration and the holidays table."""
    days = {}
    for text in current_app.config.get("PLAN_HOLIDAYS") or ():
        try:
            day = date.fromisoformat(str(text).strip())
        except ValueError:
            continue
        if start <= day <= end:
            days[day] = ("", False)
    for holiday in Holiday.query.filter(Holiday.day >= start, Holiday.day <= end):
        days[holiday.day] = (holiday.name, holiday.is_workday)
    return days


def working_days(year, month):
    """The month's working days: Monday–Friday except holidays, plus weekend days worked (调休)."""
    first, last = date(year, month, 1), date(year, month, monthrange(year, month)[1])
    special = holidays_between(first, last)
    days = []
    for offset in range((last - first).days + 1):
        day = first + timedelta(days=offset)
        if day in special:
            if special[day][1]:
                days.append(day)
        elif day.weekday() < 5:
            days.append(day)
    return days


def month_meetings(year, month):
    start, end = month_bounds(year, month)
    return (Meeting.query.filter(Meeting.starts_at >= start, Meeting.starts_at < end)
            .order_by(Meeting.starts_at, Meeting.id).all())


def month_plan(year, month):
    return MonthPlan.query.filter_by(month=f"{year:04d}-{month:02d}").first()


def calendar_weeks(year, month):
    """Weeks (Monday first) of the month as lists of dates, None outside the month."""
    first = date(year, month, 1)
    days = monthrange(year, month)[1]
    cells = [None] * first.weekday() + [date(year, month, d) for d in range(1, days + 1)]
    cells += [None] * (-len(cells) % 7)
    return [cells[i:i + 7] for i in range(0, len(cells), 7)]


def local_moment(day, hhmm):
    hour, minute = (int(x) for x in hhmm.split(":"))
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=local_zone())
