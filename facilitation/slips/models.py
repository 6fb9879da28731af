"""Handling slips (承办单): an item handed to a department with a reply deadline."""
from ..extensions import db
from ..timeutil import UTCDateTime, utcnow

SLIP_STATUSES = ("issued", "accepted", "replied", "closed")
OWING_REPLY = ("issued", "accepted")  # the department still owes a reply
ANSWERED = ("replied", "closed")  # a reply stands
RATINGS = ("satisfied", "basically_satisfied", "dissatisfied")


class Slip(db.Model):
    """A tracked handling slip, supervised by the tier lead until closed and rated."""

    __tablename__ = "slips"
    # Dashboards filter by status / department and sort by deadline; KPIs and the ledger take the
    # slips issued in a period per department; the public board the replies of a month.
    __table_args__ = (
        db.Index("ix_slips_department_status_due", "department_id", "status", "due_date"),
        db.Index("ix_slips_status_due", "status", "due_date"),
        db.Index("ix_slips_department_issued", "department_id", "issued_at"),
        db.Index("ix_slips_status_replied", "status", "replied_at"),
    )

    id = db.Column(db.Integer, primary_key=True)
    number = db.Column(db.String(32), nullable=False, unique=True, doc="HT-YYYYMM-NNNN")
    item_id = db.Column(db.Integer, db.ForeignKey("items.id"), nullable=False, unique=True)
    department_id = db.Column(db.Integer, db.ForeignKey("departments.id"), nullable=False)
    tier_id = db.Column(db.Integer, db.ForeignKey("tiers.id"), nullable=True, index=True)
    supervisor_user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True, index=True,
                                   doc="督办员: the tier lead")
    handler_user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True,
                                doc="the handler who accepted it")
    purpose = db.Column(db.String(16), nullable=False, default="handle",
                        doc="handle (转办) or implement (adopted suggestion: 研究落实)")
    due_date = db.Column(db.Date, nullable=False, index=True, doc="reply deadline, local date")
    status = db.Column(db.String(16), nullable=False, default="issued")
    issued_by_user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True)
    issued_at = db.Column(UTCDateTime, nullable=False, default=utcnow, index=True)
    accepted_at = db.Column(UTCDateTime, nullable=True)
    replied_at = db.Column(UTCDateTime, nullable=True)
    replied_on_time = db.Column(db.Boolean, nullable=True,
                                doc="the latest reply came on or before the deadline in force at that moment "
                                    "(approved extensions count); set at each reply, null before any")
    closed_at = db.Column(UTCDateTime, nullable=True)
    reply = db.Column(db.Text, nullable=True)
    basis = db.Column(db.Text, nullable=True, doc="依据: policy or rule the reply rests on")
    reopen_count = db.Column(db.Integer, nullable=False, default=0)
    rating = db.Column(db.String(24), nullable=True, doc="one of RATINGS, from the submitter")
    rating_comment = db.Column(db.Text, nullable=True)
    rated_at = db.Column(UTCDateTime, nullable=True)
    close_note = db.Column(db.Text, nullable=True, doc="supervisor's explanation when closing")
    escalated_at = db.Column(UTCDateTime, nullable=True, doc="overdue too long: sent up to the organizers")
    followup_answer = db.Column(db.String(16), nullable=True,
                                doc="two weeks after closing: solved / not_solved, from the submitter")
    followup_at = db.Column(UTCDateTime, nullable=True)

    item = db.relationship("Item", back_populates="slip", lazy="joined")
    department = db.relationship("Department", lazy="joined")
    supervisor = db.relationship("User", foreign_keys=[supervisor_user_id])
    handler = db.relationship("User", foreign_keys=[handler_user_id])
    extensions = db.relationship("SlipExtension", back_populates="slip", order_by="SlipExtension.id",
                                 cascade="all, delete-orphan")

    @property
    def pending_extension(self):
        return next((e for e in self.extensions if e.status == "pending"), None)


class SlipExtension(db.Model):
    """A deadline extension (延期) asked for by the handler and decided by the supervisor."""

    __tablename__ = "slip_extensions"

    id = db.Column(db.Integer, primary_key=True)
    slip_id = db.Column(db.Integer, db.ForeignKey("slips.id", ondelete="CASCADE"), nullable=False, index=True)
    requested_by_user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True)
    old_due_date = db.Column(db.Date, nullable=False)
    new_due_date = db.Column(db.Date, nullable=False)
    reason = db.Column(db.Text, nullable=False)
    status = db.Column(db.String(16), nullable=False, default="pending", doc="pending, approved, refused")
    decided_by_user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True)
    decision_note = db.Column(db.Text, nullable=True)
    requested_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    decided_at = db.Column(UTCDateTime, nullable=True)

    slip = db.relationship("Slip", back_populates="extensions")
    requested_by = db.relationship("User", foreign_keys=[requested_by_user_id])


class PointEntry(db.Model):
    """The department points ledger: overdue −2, perfunctory −1, absent from a meeting −1, other
    non-compliance (e.g. a report not sent in time) −1 entered by the organizer.

    Unique keys make each deduction happen once (e.g. `slips remind` may run many times).
    `occurred_on` says which day (and so which month) a deduction belongs to: for an overdue
    slip its deadline, whenever the reminder job booked it. A reversed
    entry stays in the ledger with who reversed it and why, and counts for nothing.
    """

    __tablename__ = "point_entries"
    __table_args__ = (
        db.UniqueConstraint("slip_id", "reason"),
        db.UniqueConstraint("meeting_id", "department_id", "reason"),
    )

    id = db.Column(db.Integer, primary_key=True)
    department_id = db.Column(db.Integer, db.ForeignKey("departments.id"), nullable=False, index=True)
    slip_id = db.Column(db.Integer, db.ForeignKey("slips.id"), nullable=True)
    meeting_id = db.Column(db.Integer, db.ForeignKey("meetings.id"), nullable=True)
    reason = db.Column(db.String(16), nullable=False, doc="overdue, perfunctory, absent, noncompliance")
    points = db.Column(db.Integer, nullable=False)
    note = db.Column(db.Text, nullable=True, doc="why: required for perfunctory and non-compliance entries")
    occurred_on = db.Column(db.Date, nullable=False, index=True,
                            doc="local day the deduction belongs to (overdue: the deadline that passed)")
    created_by_user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow, index=True)
    reversed_at = db.Column(UTCDateTime, nullable=True, doc="set once, when the deduction was withdrawn")
    reversed_by_user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True)
    reversal_reason = db.Column(db.Text, nullable=True)

    department = db.relationship("Department")
    slip = db.relationship("Slip")
    meeting = db.relationship("Meeting")
    created_by = db.relationship("User", foreign_keys=[created_by_user_id])
    reversed_by = db.relationship("User", foreign_keys=[reversed_by_user_id])

    @property
    def is_reversed(self):
        return self.reversed_at is not None

    @property
    def counted_points(self):
        return 0 if self.reversed_at is not None else self.points


class Notification(db.Model):
    """An entry in a user's in-app inbox; `dedupe_key` keeps reminders from repeating."""

    __tablename__ = "notifications"
    __table_args__ = (db.UniqueConstraint("user_id", "dedupe_key"),)

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    kind = db.Column(db.String(24), nullable=False)
    text = db.Column(db.Text, nullable=False)
    slip_id = db.Column(db.Integer, db.ForeignKey("slips.id"), nullable=True)
    dedupe_key = db.Column(db.String(120), nullable=True)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    read_at = db.Column(UTCDateTime, nullable=True)

    slip = db.relationship("Slip")
