"""Recording audit events; called by other services inside their transaction."""
from ..extensions import db
from .models import AuditEvent


def record_event(entity, entity_id, action, *, actor=None, actor_label=None,
                 from_state=None, to_state=None, text=None):
    """Append one audit event (flushed with the caller's transaction, never committed here)."""
    event = AuditEvent(entity=entity, entity_id=entity_id, action=action,
                       actor_user_id=actor.id if actor is not None else None,
                       actor_label=actor_label, from_state=from_state, to_state=to_state, text=text)
    db.session.add(event)
    return event


def events_for(entity, entity_id):
    return (AuditEvent.query.filter_by(entity=entity, entity_id=entity_id)
            .order_by(AuditEvent.at, AuditEvent.id).all())
