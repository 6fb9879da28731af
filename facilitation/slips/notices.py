"""A department's and a supervisor's inbox: notices about slips, kept once per day and kind."""

from ..extensions import db
from ..timeutil import utcnow
from .models import Notification


def active_handlers(department_id):
    from ..accounts.models import User
    return User.query.filter_by(role="handler", department_id=department_id, is_enabled=True).all()


def active_organizers():
    from ..accounts.models import User
    return User.query.filter(User.role == "organizer", User.is_enabled.is_(True)).all()


def notify(user, kind, text, slip=None, dedupe_key=None):
    """Put a message in the user's inbox (once per dedupe_key)."""
    if user is None:
        return None
    if dedupe_key is not None and Notification.query.filter_by(user_id=user.id, dedupe_key=dedupe_key).first():
        return None
    note = Notification(user_id=user.id, kind=kind, text=text, slip_id=slip.id if slip else None,
                        dedupe_key=dedupe_key)
    db.session.add(note)
    db.session.flush()
    return note


def settle_notices(slip, kinds):
    """Notices that asked for an action the slip no longer needs (e.g. "已答复，请督办确认" once it
    is closed) are marked read, so that nobody is sent to act on a closed slip."""
    query = Notification.query.filter(Notification.slip_id == slip.id, Notification.read_at.is_(None))
    if kinds is not None:  # None: every notice of the slip (it is closed)
        query = query.filter(Notification.kind.in_(kinds))
    query.update({"read_at": utcnow()}, synchronize_session=False)


def mark_read(user, notification_ids=None):
    query = Notification.query.filter(Notification.user_id == user.id, Notification.read_at.is_(None))
    if notification_ids:
        query = query.filter(Notification.id.in_(notification_ids))
    return query.update({"read_at": utcnow()}, synchronize_session=False)
