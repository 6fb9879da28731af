"""The only module that emits Socket.IO events, and only after the transaction commits.

Services call `queue_item_event(...)` while they work; the events wait in the database
session's `info` and go out from an `after_commit` hook, so a rolled-back change is never
pushed (the same idea as Zulip's send_event_on_commit).
"""
from sqlalchemy import event
from sqlalchemy.orm import Session

from .extensions import socketio

NAMESPACE = "/live"
_PENDING_KEY = "huitan_pending_broadcasts"


def staff_room(meeting_id):
    """Boards and staff: every item, names of anonymous submitters withheld only on screen."""
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
    pending = session.info.pop(_PENDING_KEY, None)
    if not pending:
        return
    for event_name, payload, room in pending:
        socketio.emit(event_name, payload, to=room, namespace=NAMESPACE)


def _after_rollback(session):
    session.info.pop(_PENDING_KEY, None)


def init_app(app):
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_soft_rollback", lambda s, previous: _after_rollback(s))
