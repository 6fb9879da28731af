"""Read-only queries of the standing QR channel: channels, the triage inbox, the summary's picks.

Every figure (counts, rates) comes from stats.queries, the one definition; this module only lists rows.
"""
from sqlalchemy import case
from sqlalchemy.orm import joinedload, selectinload

from ..live.models import Item
from ..slips.models import ANSWERED, Slip
from .models import Channel, SummaryPick

INBOX_STATUSES = ("new", "handled", "all")


def all_channels():
    """Active channels first, then by name."""
    return (Channel.query.options(joinedload(Channel.supervisor), joinedload(Channel.unit))
            .order_by(case((Channel.is_active.is_(True), 0), else_=1), Channel.name).all())


def default_channel():
    """The channel a meeting's phone page points to: the organizer's default, else the oldest
    active one; None while there is none."""
    channel = Channel.query.filter_by(is_default=True, is_active=True).first()
    if channel is None:
        channel = Channel.query.filter_by(is_active=True).order_by(Channel.id).first()
    return channel


def intake_items():
    return Item.query.filter(Item.meeting_id.is_(None), Item.channel == "qr")


def visible_channel_ids(user):
    """The channels whose items `user` triages: a lead those they supervise; organizers and mine
    leaders every channel (None)."""
    if user.role == "lead":
        return [c.id for c in Channel.query.filter_by(supervisor_user_id=user.id)]
    return None


def inbox(status="new", channel_id=None, urgent_only=False, user=None):
    """Channel items for triage: new = no outcome yet (urgent first, oldest first, the way a duty
    person works through them); handled = every other, newest outcome first. With `user`, only
    the channels that user triages (the same list on the inbox page and in the API)."""
    query = intake_items().options(joinedload(Item.qr_channel), selectinload(Item.slip),
                                   selectinload(Item.merged_into), selectinload(Item.person))
    visible = visible_channel_ids(user) if user is not None else None
    if visible is not None:
        query = query.filter(Item.channel_id.in_(visible or [-1]))
    if channel_id:
        query = query.filter(Item.channel_id == channel_id)
    if urgent_only:
        query = query.filter(Item.is_urgent.is_(True))
    if status == "new":
        return query.filter(Item.status == "open").order_by(Item.is_urgent.desc(), Item.created_at, Item.id)
    if status == "handled":
        query = query.filter(Item.status != "open")
    return query.order_by(Item.created_at.desc(), Item.id.desc())


def new_count():
    return intake_items().filter(Item.status == "open").count()


def merge_targets(limit=40):
    """Channel items a duplicate may be merged into: the most recent ones, not merged or hidden
    themselves (one list for the whole page; an item is never offered itself)."""
    return (intake_items().filter(Item.status != "merged", Item.status != "hidden")
            .order_by(Item.created_at.desc(), Item.id.desc()).limit(limit + 1).all())


def month_replies(start, end):
    """Slips whose reply came in [start, end) and may be published: the candidates for the summary."""
    return (Slip.query.join(Item, Slip.item_id == Item.id)
            .options(joinedload(Slip.item).joinedload(Item.qr_channel), joinedload(Slip.item).joinedload(Item.meeting))
            .filter(Slip.status.in_(ANSWERED), Item.publication != "withheld",
                    Slip.replied_at >= start, Slip.replied_at < end)
            .order_by(Slip.replied_at.desc(), Slip.id.desc()))


def picked_slip_ids(month):
    return {pick.slip_id for pick in SummaryPick.query.filter_by(month=month)}


def picked_slips(month):
    """The replies chosen for the month's summary that may still be published, oldest reply first."""
    return (Slip.query.join(SummaryPick, SummaryPick.slip_id == Slip.id).join(Item, Slip.item_id == Item.id)
            .options(joinedload(Slip.item).joinedload(Item.qr_channel), joinedload(Slip.item).joinedload(Item.meeting))
            .filter(SummaryPick.month == month, Slip.status.in_(ANSWERED), Item.publication != "withheld",
                    Item.status != "hidden")
            .order_by(Slip.replied_at, Slip.id).all())
