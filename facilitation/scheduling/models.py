"""Meetings (慧谈 sessions), their invited departments and their participants; monthly plans and holidays."""
from ..extensions import db
from ..timeutil import UTCDateTime, utcnow

MEETING_KINDS = ("regular", "topic", "professional", "milestone", "online")
MEETING_STATUSES = ("planned", "live", "closed", "cancelled")


class Meeting(db.Model):
    """One discussion session. Never named `session`: db.session and flask.session exist."""

    __tablename__ = "meetings"

    id = db.Column(db.Integer, primary_key=True)
    tier_id = db.Column(db.Integer, db.ForeignKey("tiers.id"), nullable=True, index=True,
                        doc="null for special sessions that mix tiers")
    kind = db.Column(db.String(16), nullable=False, default="regular", doc="one of MEETING_KINDS")
    title = db.Column(db.String(120), nullable=False)
    lead_user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True, index=True,
                             doc="who chairs; defaults to the tier's current lead")
    starts_at = db.Column(UTCDateTime, nullable=False, index=True)
    ends_at = db.Column(UTCDateTime, nullable=True)
    location = db.Column(db.String(120), nullable=True)
    video_url = db.Column(db.String(500), nullable=True, doc="link for online (云上) sessions")
    status = db.Column(db.String(16), nullable=False, default="planned", index=True)
    join_code = db.Column(db.String(16), nullable=False, unique=True,
                          doc="short code in the join URL /j/<join_code>")
    allow_guests = db.Column(db.Boolean, nullable=False, default=True,
                             doc="people not on the roster may join (flagged to the organizer)")
    allow_nameless = db.Column(db.Boolean, nullable=False, default=False,
                               doc="participants may join without giving a name")
    is_moderated = db.Column(db.Boolean, nullable=False, default=False,
                             doc="items wait for staff approval before the board shows them")
    max_participants = db.Column(db.Integer, nullable=False, default=10)
    next_seq = db.Column(db.Integer, nullable=False, default=0,
                         doc="last item sequence number handed out in this meeting")
    notes = db.Column(db.Text, nullable=True)
    created_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    started_at = db.Column(UTCDateTime, nullable=True)
    closed_at = db.Column(UTCDateTime, nullable=True)
    plan_month = db.Column(db.String(7), nullable=True, index=True,
                           doc="YYYY-MM of the monthly plan that scheduled this meeting; null when made by hand")
    participants_approved_at = db.Column(UTCDateTime, nullable=True,
                                         doc="when the lead approved the current invitation list; "
                                             "cleared whenever the list changes")
    participants_approved_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True,
                                            doc="who approved the current list (the tier's lead or an admin)")

    tier = db.relationship("Tier", lazy="joined")
    lead = db.relationship("User", foreign_keys=[lead_user_id], lazy="joined")
    participants_approved_by = db.relationship("User", foreign_keys=[participants_approved_by_id])
    invited_departments = db.relationship("MeetingDepartment", back_populates="meeting",
                                          cascade="all, delete-orphan")
    participants = db.relationship("Participant", back_populates="meeting",
                                   cascade="all, delete-orphan", order_by="Participant.id")

    @property
    def is_live(self):
        return self.status == "live"

    @property
    def is_list_approved(self):
        """The invitation list is approved: at the door only the people on it get in (plus guests if allowed)."""
        return self.participants_approved_at is not None

    @property
    def invited(self):
        """The people on the invitation list, in list order."""
        return [p for p in self.participants if p.source == "invited"]


class MeetingDepartment(db.Model):
    """A department invited to attend (列席), and whether it sent someone."""

    __tablename__ = "meeting_departments"

    meeting_id = db.Column(db.Integer, db.ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True)
    department_id = db.Column(db.Integer, db.ForeignKey("departments.id"), primary_key=True)
    attendee_name = db.Column(db.String(64), nullable=True, doc="who the department sent")
    is_absent = db.Column(db.Boolean, nullable=False, default=False,
                          doc="recorded by the organizer: nobody came")

    meeting = db.relationship("Meeting", back_populates="invited_departments")
    department = db.relationship("Department", lazy="joined")


class Participant(db.Model):
    """A person invited to or attending a meeting; guests have no roster entry."""

    __tablename__ = "participants"
    __table_args__ = (db.UniqueConstraint("meeting_id", "person_id"),)

    id = db.Column(db.Integer, primary_key=True)
    meeting_id = db.Column(db.Integer, db.ForeignKey("meetings.id", ondelete="CASCADE"), nullable=False, index=True)
    person_id = db.Column(db.Integer, db.ForeignKey("people.id"), nullable=True, index=True)
    display_name = db.Column(db.String(64), nullable=True, doc="name as given when joining")
    employee_no = db.Column(db.String(32), nullable=True, doc="工号 as typed when joining")
    source = db.Column(db.String(16), nullable=False, default="invited",
                       doc="invited (planned), walk_in (roster member who joined), guest, nameless")
    is_guest = db.Column(db.Boolean, nullable=False, default=False,
                         doc="not matched to the roster; flagged to the organizer")
    approved_at = db.Column(UTCDateTime, nullable=True, doc="when the lead approved the invitation")
    joined_at = db.Column(UTCDateTime, nullable=True,
                          doc="attendance: first join from a phone, or when staff marked the person present")
    reason = db.Column(db.String(200), nullable=True,
                       doc="why the person is on the list (the proposal's reason, shown to organizers and leads)")
    marked_by_user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True,
                                  doc="staff who marked the attendance of someone without a phone")

    meeting = db.relationship("Meeting", back_populates="participants")
    person = db.relationship("Person", lazy="joined")

    @property
    def name(self):
        if self.person is not None:
            return self.person.name
        return self.display_name


class MonthPlan(db.Model):
    """The monthly plan (月度计划) of regular sessions: a draft until the organizer publishes it."""

    __tablename__ = "month_plans"

    id = db.Column(db.Integer, primary_key=True)
    month = db.Column(db.String(7), nullable=False, unique=True, doc="YYYY-MM")
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    created_by_user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True)
    published_at = db.Column(UTCDateTime, nullable=True, doc="null while the plan is a draft")
    published_by_user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True)

    @property
    def is_published(self):
        return self.published_at is not None


class Holiday(db.Model):
    """A day the monthly plan treats specially: a holiday off, or a weekend made a working day (调休)."""

    __tablename__ = "holidays"

    id = db.Column(db.Integer, primary_key=True)
    day = db.Column(db.Date, nullable=False, unique=True, doc="local date")
    name = db.Column(db.String(64), nullable=False, doc="e.g. 春节, 国庆节, 调休上班")
    is_workday = db.Column(db.Boolean, nullable=False, default=False,
                           doc="true: a weekend day worked instead (调休上班); false: a day off")
    created_by_user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True)
