"""Recording audit events; called by other services inside their transaction."""
import functools

from sqlalchemy import insert

from ..extensions import db
from ..timeutil import utcnow
from .models import AuditEvent


@functools.cache
def _insert_event():
    return insert(AuditEvent.__table__)


def record_event(entity, entity_id, action, *, actor=None, actor_label=None,
                 from_state=None, to_state=None, text=None):
    """Append one audit event inside the caller's transaction (never committed here).

    A plain INSERT at once rather than an ORM object: nothing reads the row back in the same
    transaction, and an object would cost a unit-of-work pass at the commit of every submit.
    A rollback (or a rolled-back savepoint) drops it like any other change.
    """
    db.session.execute(_insert_event(), {
        "at": utcnow(), "entity": entity, "entity_id": entity_id, "action": action,
        "actor_user_id": actor.id if actor is not None else None, "actor_label": actor_label,
        "from_state": from_state, "to_state": to_state, "text": text})


def events_for(entity, entity_id):
    return (AuditEvent.query.filter_by(entity=entity, entity_id=entity_id)
            .order_by(AuditEvent.at, AuditEvent.id).all())
