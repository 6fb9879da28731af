"""An append-only audit trail of state changes (who, when, from → to, text)."""
from ..extensions import db
from ..timeutil import UTCDateTime, utcnow


class AuditEvent(db.Model):
    """One recorded change to a meeting, item, slip or roster entry."""

    __tablename__ = "audit_events"
    __table_args__ = (db.Index("ix_audit_events_entity", "entity", "entity_id"),)

    id = db.Column(db.Integer, primary_key=True)
    at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    actor_user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True)
    actor_label = db.Column(db.String(64), nullable=True, doc="who acted when not a user, e.g. 参会人")
    entity = db.Column(db.String(16), nullable=False, doc="meeting, item, slip, person, user …")
    entity_id = db.Column(db.Integer, nullable=False)
    action = db.Column(db.String(32), nullable=False)
    from_state = db.Column(db.String(16), nullable=True)
    to_state = db.Column(db.String(16), nullable=True)
    text = db.Column(db.Text, nullable=True)

    actor = db.relationship("User")
