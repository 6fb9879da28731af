"""The only module that emits Socket.IO events, and only after the transaction commits.

Services call `queue_item_event(...)` while they work; the events wait in the database
session's `info` and go out from an `after_commit` hook, so a rolled-back change is never
pushed (the same idea as Zulip's send_event_on_commit).
"""
import logging

from sqlalchemy import event
from sqlalchemy.orm import Session

from .extensions import socketio

NAMESPACE = "/live"
_PENDING_KEY = "huitan_pending_broadcasts"
_MARKS_KEY = "huitan_savepoint_marks"
logger = logging.getLogger(__name__)


def staff_room(meeting_id):
    """Boards and staff: every item, the moderation queue and hide reasons; never an anonymous name."""
    return f"meeting-{meeting_id}-staff"


def public_room(meeting_id):
    """Participants' phones: approved items only, never a hidden name."""
    return f"meeting-{meeting_id}-public"


def _pending(session):
    return session.info.setdefault(_PENDING_KEY, [])


def queue(session, event_name, payload, room):
    """Queue an emit on the given SQLAlchemy session; sent after its commit."""
    _pending(session).append((event_name, payload, room))


def queue_item_event(session, op, item):
    """Queue `item` events for a meeting item: full view to staff, public view to phones."""
    from .live.services import item_to_dict
    if item.meeting_id is None:
        return
    queue(session, "item", {"type": "item", "op": op, "item": item_to_dict(item, audience="staff")},
          staff_room(item.meeting_id))
    if item.is_approved:
        queue(session, "item", {"type": "item", "op": op, "item": item_to_dict(item, audience="public")},
              public_room(item.meeting_id))


def queue_meeting_event(session, meeting, op):
    payload = {"type": "meeting", "op": op,
               "meeting": {"id": meeting.id, "status": meeting.status}}
    queue(session, "meeting", payload, staff_room(meeting.id))
    queue(session, "meeting", payload, public_room(meeting.id))


def _after_commit(session):
    # SQLAlchemy also fires after_commit when a savepoint is released; only the outermost
    # commit makes the change visible to others.
    if session.in_nested_transaction():
        return
    session.info.pop(_MARKS_KEY, None)
    pending = session.info.pop(_PENDING_KEY, None)
    for event_name, payload, room in pending or ():
        try:
            socketio.emit(event_name, payload, to=room, namespace=NAMESPACE)
        except Exception:  # noqa: BLE001
            # The change is committed; a failed push (e.g. the message queue is down) must not turn
            # the request into an error. Clients catch up with items?after=<seq> on reconnect.
            logger.exception("could not broadcast %s to %s", event_name, room)


def _after_transaction_create(session, transaction):
    # Remember how many events were queued when a savepoint began, so that rolling the
    # savepoint back drops only the events queued inside it.
    if transaction.nested:
        session.info.setdefault(_MARKS_KEY, {})[id(transaction)] = len(session.info.get(_PENDING_KEY, ()))


def _after_soft_rollback(session, previous_transaction):
    if previous_transaction.nested:
        mark = session.info.get(_MARKS_KEY, {}).pop(id(previous_transaction), None)
        if mark is not None and _PENDING_KEY in session.info:
            del session.info[_PENDING_KEY][mark:]
    elif previous_transaction.parent is None:
        session.info.pop(_PENDING_KEY, None)
        session.info.pop(_MARKS_KEY, None)


_LISTENERS = (("after_commit", _after_commit), ("after_transaction_create", _after_transaction_create),
              ("after_soft_rollback", _after_soft_rollback))


def init_app(app):
    for name, listener in _LISTENERS:
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
