"""Read-only slip queries: visibility, filters, dashboards (figures are in stats.queries)."""
from sqlalchemy import func, or_
from sqlalchemy.orm import joinedload, lazyload, selectinload

from ..live.models import Item
from ..stats.queries import overdue_clause
from ..timeutil import local_today, month_bounds
from .models import Slip

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


def public_slips(start, end, number=None):
    """Replied and closed slips whose reply came in [start, end), newest first: for the public board.

    Items withheld from publication never appear; `number` looks one slip up (a fully anonymous
    submitter follows their item by its slip number).
    """
    query = (Slip.query.join(Item, Slip.item_id == Item.id)
             .filter(Slip.status.in_(("replied", "closed")), Item.publication != "withheld"))
    if number:
        query = query.filter(Slip.number == number)
    else:
        query = query.filter(Slip.replied_at >= start, Slip.replied_at < end)
    return query.order_by(Slip.replied_at.desc(), Slip.id.desc())


