"""Read-only slip queries: visibility, filters, dashboards, KPIs."""
from sqlalchemy import and_, case, func, or_
from sqlalchemy.orm import joinedload, lazyload, selectinload

from ..extensions import db
from ..live.models import Item
from ..people.models import Department
from ..timeutil import local_today, month_bounds, to_local
from .models import PointEntry, Slip

DEADLINE_ORDER = (Slip.due_date, Slip.id)
ACTIVE_STATUSES = ("issued", "accepted", "replied")  # not closed yet: the default of the dashboards


def visible_slips(user):
    """Handlers see their department's slips; leads the slips they supervise; others all."""
    query = Slip.query
    if user.role == "handler":
        query = query.filter(Slip.department_id == (user.department_id or -1))
    elif user.role == "lead":
        query = query.filter(Slip.supervisor_user_id == user.id)
    return query


def overdue_clause(today=None):
    today = today or local_today()
    return and_(Slip.status.in_(("issued", "accepted")), Slip.due_date < today)


def filter_slips(query, status=None, department_id=None, tier_id=None, overdue=None, q=None):
    """Narrow `query`; status is one of SLIP_STATUSES, or "active" for every slip not closed yet."""
    if status == "active":
        query = query.filter(Slip.status.in_(ACTIVE_STATUSES))
    elif status:
        query = query.filter(Slip.status == status)
    if department_id:
        query = query.filter(Slip.department_id == department_id)
    if tier_id:
        query = query.filter(Slip.tier_id == tier_id)
    if overdue is True:
        query = query.filter(overdue_clause())
    elif overdue is False:
        query = query.filter(~overdue_clause())
    if q:
        # the user's % and _ are text, not wildcards
        like = "%" + q.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.join(Item, Slip.item_id == Item.id).filter(
            or_(Item.text.like(like, escape="\\"), Slip.reply.like(like, escape="\\"),
                Slip.number.like(like, escape="\\")))
    return query


def for_listing(query, with_item=True):
    """Rows of a list show whether an extension is pending: load them in one query, not one per row.
    JSON rows carry only the item id, so they can skip joining the item's text."""
    query = query.options(selectinload(Slip.extensions))
    return query if with_item else query.options(lazyload(Slip.item))


def for_documents(query):
    """The slip form and the ledger show the meeting, its tier, the supervisor and the handler."""
    return query.options(joinedload(Slip.item).selectinload(Item.meeting), selectinload(Slip.supervisor),
                         selectinload(Slip.handler))


def counts_by_status(query):
    rows = query.with_entities(Slip.status, func.count(Slip.id)).group_by(Slip.status).all()
    return dict(rows)


def department_kpis(start, end, today=None):
    """Per department, for slips issued in [start, end): counts and the four rates."""
    today = today or local_today()
    replied = Slip.replied_at.isnot(None)
    rows = (db.session.query(
        Department.id, Department.name,
        func.count(Slip.id),
        func.sum(case((replied, 1), else_=0)),
        func.sum(case((Slip.status == "closed", 1), else_=0)),
        func.sum(case((overdue_clause(today), 1), else_=0)),
        func.sum(case((Slip.rating.isnot(None), 1), else_=0)),
        func.sum(case((Slip.rating.in_(("satisfied", "basically_satisfied")), 1), else_=0)),
    ).outerjoin(Slip, and_(Slip.department_id == Department.id, Slip.issued_at >= start, Slip.issued_at < end))
        .group_by(Department.id, Department.name).order_by(Department.position).all())
    points = dict(db.session.query(PointEntry.department_id, func.sum(PointEntry.points))
                  .filter(PointEntry.created_at >= start, PointEntry.created_at < end)
                  .group_by(PointEntry.department_id).all())
    reply_times = {}
    for department_id, issued_at, replied_at, due_date in (
            db.session.query(Slip.department_id, Slip.issued_at, Slip.replied_at, Slip.due_date)
            .filter(Slip.issued_at >= start, Slip.issued_at < end, Slip.replied_at.isnot(None))):
        entry = reply_times.setdefault(department_id, [0, 0.0, 0])
        entry[0] += 1
        entry[1] += (replied_at - issued_at).total_seconds() / 86400
        entry[2] += 1 if to_local(replied_at).date() <= due_date else 0
    result = []
    for dept_id, name, issued, n_replied, closed, overdue, rated, satisfied in rows:
        n_replied, closed, overdue, rated, satisfied = (int(v or 0) for v in (n_replied, closed, overdue, rated, satisfied))
        times = reply_times.get(dept_id, [0, 0.0, 0])
        result.append({
            "department_id": dept_id, "department": name, "issued": issued, "replied": n_replied,
            "closed": closed, "overdue": overdue, "rated": rated, "satisfied": satisfied,
            "reply_rate": _rate(n_replied, issued), "on_time_rate": _rate(times[2], n_replied),
            "closure_rate": _rate(closed, issued), "satisfaction_rate": _rate(satisfied, rated),
            "avg_days_to_reply": round(times[1] / times[0], 1) if times[0] else None,
            "points": int(points.get(dept_id) or 0),
        })
    result.sort(key=lambda r: (r["points"], r["on_time_rate"] or 0, r["satisfaction_rate"] or 0), reverse=True)
    for rank, row in enumerate(result, start=1):
        row["rank"] = rank
    return result


def _rate(part, whole):
    return round(100.0 * part / whole, 1) if whole else None


def month_range(month_text=None):
    today = local_today()
    if month_text:
        year, month = (int(x) for x in month_text.split("-"))
        if not 1 <= month <= 12 or not 2000 <= year <= 2100:
            raise ValueError(month_text)
    else:
        year, month = today.year, today.month
    return (year, month) + month_bounds(year, month)


def escalated_query():
    """Slips still unanswered after `slips remind` sent them up to the organizers."""
    return Slip.query.filter(overdue_clause()).filter(Slip.escalated_at.isnot(None))


def escalated_slips(limit=20):
    return escalated_query().order_by(*DEADLINE_ORDER).limit(limit).all()


def public_slips(start, end):
    """Replied and closed slips whose reply came in [start, end), newest first: for the public board."""
    return (Slip.query.filter(Slip.status.in_(("replied", "closed")), Slip.replied_at >= start,
                              Slip.replied_at < end)
            .order_by(Slip.replied_at.desc(), Slip.id.desc()))


