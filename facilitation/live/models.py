"""Items raised in a meeting (or later via the standing QR channel) and their +1 votes."""
from ..extensions import db
from ..timeutil import UTCDateTime, utcnow

ITEM_KINDS = ("question", "demand", "difficulty", "suggestion")
ANONYMITY_LEVELS = ("named", "anonymous", "hidden_identity")
# Every item ends with exactly one outcome; "open" means it has none yet.
ITEM_STATUSES = ("open", "answered", "transferred", "adopted", "declined", "merged", "hidden")
OUTCOME_STATUSES = ITEM_STATUSES[1:]


class Item(db.Model):
    """Something a participant raised: a question, demand, difficulty or suggestion.

    `hidden_identity` items store no participant and no name at all; `anonymous` items keep
    the identity for organizers and leads but never show it on the board or public pages.
    """

    __tablename__ = "items"
    __table_args__ = (
        db.UniqueConstraint("meeting_id", "client_id"),
        db.UniqueConstraint("meeting_id", "seq"),
    )

    id = db.Column(db.Integer, primary_key=True)
    channel = db.Column(db.String(16), nullable=False, default="meeting",
                        doc="meeting, or qr for the standing 一码通 channel")
    meeting_id = db.Column(db.Integer, db.ForeignKey("meetings.id"), nullable=True, index=True)
    unit_id = db.Column(db.Integer, db.ForeignKey("units.id"), nullable=True,
                        doc="unit of the QR poster, for items from the standing channel")
    seq = db.Column(db.Integer, nullable=True, doc="per-meeting sequence number, from 1")
    client_id = db.Column(db.String(64), nullable=False, doc="client-generated id for idempotent retries")
    kind = db.Column(db.String(16), nullable=False, index=True)
    category = db.Column(db.String(32), nullable=True, doc="optional topic: 安全, 薪酬, 后勤 …")
    text = db.Column(db.Text, nullable=False)
    is_urgent = db.Column(db.Boolean, nullable=False, default=False)
    anonymity = db.Column(db.String(16), nullable=False, default="named")
    participant_id = db.Column(db.Integer, db.ForeignKey("participants.id"), nullable=True, index=True,
                               doc="null for hidden_identity items")
    submitter_name = db.Column(db.String(64), nullable=True, doc="null for hidden_identity items")
    entered_by_user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True,
                                   doc="staff member who entered it for a participant without a phone")
    is_approved = db.Column(db.Boolean, nullable=False, default=True,
                            doc="false while waiting in the moderation queue")
    status = db.Column(db.String(16), nullable=False, default="open", index=True)
    answer = db.Column(db.Text, nullable=True, doc="answer given on the spot")
    outcome_note = db.Column(db.Text, nullable=True,
                             doc="explanation of a declined suggestion, or why the item was hidden")
    merged_into_id = db.Column(db.Integer, db.ForeignKey("items.id"), nullable=True)
    outcome_by_user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True)
    outcome_at = db.Column(UTCDateTime, nullable=True)
    votes = db.Column(db.Integer, nullable=False, default=0, doc="number of +1s")
    follow_token = db.Column(db.String(64), nullable=True, unique=True,
                             doc="the submitter's personal link to follow and rate; none when hidden")
    publication = db.Column(db.String(16), nullable=False, default="full", server_default="full",
                            doc="how the public board (公示栏) shows it: full text, summary, or withheld")
    public_summary = db.Column(db.String(200), nullable=True,
                               doc="the organizer's short public wording, shown instead of the text")
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow, index=True)
    updated_at = db.Column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)

    meeting = db.relationship("Meeting")
    participant = db.relationship("Participant")
    merged_into = db.relationship("Item", remote_side=[id])
    slip = db.relationship("Slip", back_populates="item", uselist=False)


class Vote(db.Model):
    """One +1 from one participant on one item."""

    __tablename__ = "votes"
    __table_args__ = (db.UniqueConstraint("item_id", "participant_id"),)

    id = db.Column(db.Integer, primary_key=True)
    item_id = db.Column(db.Integer, db.ForeignKey("items.id", ondelete="CASCADE"), nullable=False)
    participant_id = db.Column(db.Integer, db.ForeignKey("participants.id", ondelete="CASCADE"), nullable=False)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
