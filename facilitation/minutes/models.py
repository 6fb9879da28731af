"""Minutes (纪要) of a meeting: a draft the organizer edits, then published revisions."""
from ..extensions import db
from ..timeutil import UTCDateTime, utcnow

MINUTES_STATUSES = ("draft", "published")


class Minutes(db.Model):
    """The record of one meeting. Publishing locks the text; a new revision reopens a draft."""

    __tablename__ = "minutes"

    id = db.Column(db.Integer, primary_key=True)
    meeting_id = db.Column(db.Integer, db.ForeignKey("meetings.id"), nullable=False, unique=True)
    status = db.Column(db.String(16), nullable=False, default="draft", doc="draft or published")
    summary = db.Column(db.Text, nullable=True, doc="summary written by the organizer")
    conclusions = db.Column(db.Text, nullable=True, doc="conclusions and next steps")
    updated_by_user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True)
    updated_at = db.Column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)

    meeting = db.relationship("Meeting")
    revisions = db.relationship("MinutesRevision", order_by="MinutesRevision.revision",
                                back_populates="minutes", cascade="all, delete-orphan")

    @property
    def latest_revision(self):
        return self.revisions[-1] if self.revisions else None


class MinutesRevision(db.Model):
    """One published version: the text as published, the stored PDF and its SHA-256."""

    __tablename__ = "minutes_revisions"
    __table_args__ = (db.UniqueConstraint("minutes_id", "revision"),)

    id = db.Column(db.Integer, primary_key=True)
    minutes_id = db.Column(db.Integer, db.ForeignKey("minutes.id", ondelete="CASCADE"), nullable=False)
    revision = db.Column(db.Integer, nullable=False, doc="1, 2, … in publishing order")
    summary = db.Column(db.Text, nullable=True)
    conclusions = db.Column(db.Text, nullable=True)
    pdf = db.deferred(db.Column(db.LargeBinary, nullable=False))
    pdf_sha256 = db.Column(db.String(64), nullable=False)
    published_by_user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True)
    published_at = db.Column(UTCDateTime, nullable=False, default=utcnow)

    minutes = db.relationship("Minutes", back_populates="revisions")
    published_by = db.relationship("User")
