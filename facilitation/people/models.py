"""Organisation data: departments, units, tiers and their leads, the staff roster."""
from ..extensions import db
from ..timeutil import UTCDateTime, utcnow

GENDERS = ("male", "female")
# 抓两头促中间: the two ends of a large tier (advanced workers and those who need help); empty = middle.
STANDINGS = ("advanced", "lagging")
UNIT_KINDS = ("team", "office")  # 区队 / 科室


class Department(db.Model):
    """A functional department (职能科室) that receives handling slips."""

    __tablename__ = "departments"

    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(64), nullable=False, unique=True)
    phone = db.Column(db.String(32), nullable=True, doc="office phone shown on slips")
    position = db.Column(db.Integer, nullable=False, default=0, doc="display order")
    is_active = db.Column(db.Boolean, nullable=False, default=True)


class Unit(db.Model):
    """A unit where people work: a 区队 (team) or a 科室 (office)."""

    __tablename__ = "units"

    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(64), nullable=False, unique=True)
    kind = db.Column(db.String(16), nullable=False, default="team", doc="team (区队) or office (科室)")
    is_active = db.Column(db.Boolean, nullable=False, default=True)


class Tier(db.Model):
    """One of the eight staff tiers (层级); seeded by init-db, editable and orderable."""

    __tablename__ = "tiers"

    id = db.Column(db.Integer, primary_key=True)
    code = db.Column(db.String(32), nullable=False, unique=True, doc="stable machine name")
    name = db.Column(db.String(64), nullable=False, unique=True)
    position = db.Column(db.Integer, nullable=False, default=0, doc="1-based display order")
    lead_hint = db.Column(db.String(128), nullable=True, doc="who usually leads this tier")
    is_large = db.Column(db.Boolean, nullable=False, default=True,
                         doc="large tiers pick participants 'both ends and the middle'")
    is_active = db.Column(db.Boolean, nullable=False, default=True)

    leads = db.relationship("TierLead", back_populates="tier", order_by="TierLead.started_on.desc()")

    @property
    def current_lead(self):
        for lead in self.leads:
            if lead.ended_on is None:
                return lead
        return None


class Person(db.Model):
    """A roster entry (职工), matched by employee number (工号)."""

    __tablename__ = "people"

    id = db.Column(db.Integer, primary_key=True)
    employee_no = db.Column(db.String(32), nullable=False, unique=True, doc="工号")
    name = db.Column(db.String(64), nullable=False)
    gender = db.Column(db.String(8), nullable=True, doc="male / female")
    unit_id = db.Column(db.Integer, db.ForeignKey("units.id"), nullable=True, index=True)
    post = db.Column(db.String(64), nullable=True, doc="岗位")
    tier_id = db.Column(db.Integer, db.ForeignKey("tiers.id"), nullable=True, index=True)
    phone = db.Column(db.String(32), nullable=True)
    is_active = db.Column(db.Boolean, nullable=False, default=True)
    is_focus = db.Column(db.Boolean, nullable=False, default=False,
                         doc="三必谈五必访 focus person; visible to organizers and leads only")
    focus_reason = db.Column(db.String(200), nullable=True)
    focus_since = db.Column(UTCDateTime, nullable=True,
                            doc="when the person was last flagged as a focus person: they are due to be heard "
                                "unless they attended a session since")
    standing = db.Column(db.String(16), nullable=True,
                         doc="advanced (先进) or lagging (后进) for 抓两头促中间; null = the middle; "
                             "visible to organizers and leads only")
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = db.Column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)

    unit = db.relationship("Unit", lazy="joined")
    tier = db.relationship("Tier", lazy="joined")


class TierLead(db.Model):
    """The person who leads a tier for a period; also the supervisor (督办员) of its slips.

    At most one lead per tier is current (ended_on IS NULL), enforced by a partial index.
    """

    __tablename__ = "tier_leads"
    __table_args__ = (
        db.Index("uq_tier_leads_current", "tier_id", unique=True,
                 sqlite_where=db.text("ended_on IS NULL"),
                 postgresql_where=db.text("ended_on IS NULL")),
    )

    id = db.Column(db.Integer, primary_key=True)
    tier_id = db.Column(db.Integer, db.ForeignKey("tiers.id"), nullable=False, index=True)
    person_id = db.Column(db.Integer, db.ForeignKey("people.id"), nullable=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False,
                        doc="the lead's login, used to chair meetings and supervise slips")
    started_on = db.Column(db.Date, nullable=False)
    ended_on = db.Column(db.Date, nullable=True)

    tier = db.relationship("Tier", back_populates="leads")
    person = db.relationship("Person")
    user = db.relationship("User", lazy="joined")

    @property
    def display_name(self):
        return self.person.name if self.person else self.user.display_name
