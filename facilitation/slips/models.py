"""Handling slips (承办单): an item handed to a department with a reply deadline."""
from ..extensions import db
from ..timeutil import UTCDateTime, utcnow

SLIP_STATUSES = ("issued", "accepted", "replied", "closed")
RATINGS = ("satisfied", "basically_satisfied", "dissatisfied")


class Slip(db.Model):
    """A tracked handling slip, supervised by the tier lead until closed and rated."""

    __tablename__ = "slips"
    __table_args__ = (db.Index("ix_slips_department_status_due", "department_id", "status", "due_date"),)

    id = db.Column(db.Integer, primary_key=True)
    number = db.Column(db.String(32), nullable=False, unique=True, doc="HT-YYYYMM-NNNN")
    item_id = db.Column(db.Integer, db.ForeignKey("items.id"), nullable=False, unique=True)
    department_id = db.Column(db.Integer, db.ForeignKey("departments.id"), nullable=False, index=True)
    tier_id = db.Column(db.Integer, db.ForeignKey("tiers.id"), nullable=True, index=True)
    supervisor_user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True, index=True,
                                   doc="督办员: the tier lead")
    handler_user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True,
                                doc="the handler who accepted it")
    purpose = db.Column(db.String(16), nullable=False, default="handle",
                        doc="handle (转办) or implement (adopted suggestion: 研究落实)")
    due_date = db.Column(db.Date, nullable=False, index=True, doc="reply deadline, local date")
    status = db.Column(db.String(16), nullable=False, default="issued", index=True)
    issued_by_user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True)
    issued_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    accepted_at = db.Column(UTCDateTime, nullable=True)
    replied_at = db.Column(UTCDateTime, nullable=True)
    closed_at = db.Column(UTCDateTime, nullable=True)
    reply = db.Column(db.Text, nullable=True)
    basis = db.Column(db.Text, nullable=True, doc="依据: policy or rule the reply rests on")
    reopen_count = db.Column(db.Integer, nullable=False, default=0)
    rating = db.Column(db.String(24), nullable=True, doc="one of RATINGS, from the submitter")
    rating_comment = db.Column(db.Text, nullable=True)
    rated_at = db.Column(UTCDateTime, nullable=True)

    item = db.relationship("Item", back_populates="slip", lazy="joined")
    department = db.relationship("Department", lazy="joined")
    supervisor = db.relationship("User", foreign_keys=[supervisor_user_id])
    handler = db.relationship("User", foreign_keys=[handler_user_id])
