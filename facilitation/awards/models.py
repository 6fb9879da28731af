"""Quarterly golden-idea review (金点子、好建议): reviewers score suggestions, awards within a budget."""
from ..extensions import db
from ..timeutil import UTCDateTime, utcnow

AWARD_MIN, AWARD_MAX = 100, 500
CRITERIA = ("feasibility", "benefit", "innovation")  # 可行性, 效益, 创新性; each 1–5
# Claim codes are read aloud at the union's desk and typed on phones: no 0/O, 1/I/L to confuse.
CLAIM_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CLAIM_CODE_LENGTH = 8


class IdeaReview(db.Model):
    """One quarter's review, e.g. 2026-Q4, with the award budget in yuan."""

    __tablename__ = "idea_reviews"

    id = db.Column(db.Integer, primary_key=True)
    quarter = db.Column(db.String(7), nullable=False, unique=True, doc="YYYY-Qn")
    budget = db.Column(db.Integer, nullable=False, doc="total award budget in yuan")
    status = db.Column(db.String(16), nullable=False, default="open", doc="open or finalized")
    created_by_user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True)
    created_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    finalized_at = db.Column(UTCDateTime, nullable=True)

    reviewers = db.relationship("IdeaReviewer", cascade="all, delete-orphan")
    awards = db.relationship("IdeaAward", cascade="all, delete-orphan")


class IdeaReviewer(db.Model):
    """A user appointed to score the ideas of one review."""

    __tablename__ = "idea_reviewers"

    review_id = db.Column(db.Integer, db.ForeignKey("idea_reviews.id", ondelete="CASCADE"), primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"), primary_key=True)

    user = db.relationship("User")


class IdeaScore(db.Model):
    """One reviewer's scores (1–5 per criterion) for one suggestion."""

    __tablename__ = "idea_scores"
    __table_args__ = (db.UniqueConstraint("review_id", "item_id", "reviewer_user_id"),)

    id = db.Column(db.Integer, primary_key=True)
    review_id = db.Column(db.Integer, db.ForeignKey("idea_reviews.id", ondelete="CASCADE"), nullable=False, index=True)
    item_id = db.Column(db.Integer, db.ForeignKey("items.id"), nullable=False)
    reviewer_user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    feasibility = db.Column(db.Integer, nullable=False)
    benefit = db.Column(db.Integer, nullable=False)
    innovation = db.Column(db.Integer, nullable=False)
    comment = db.Column(db.Text, nullable=True)
    scored_at = db.Column(UTCDateTime, nullable=False, default=utcnow)

    @property
    def total(self):
        return self.feasibility + self.benefit + self.innovation


class IdeaAward(db.Model):
    """An award of 100–500 yuan for one suggestion; the sum stays within the review's budget.

    An anonymous winner has no name on the award sheet: the claim code, shown to the submitter on
    their personal link and printed on the sheet for the union, is how the prize is paid out.
    """

    __tablename__ = "idea_awards"
    __table_args__ = (db.UniqueConstraint("review_id", "item_id"),)

    id = db.Column(db.Integer, primary_key=True)
    review_id = db.Column(db.Integer, db.ForeignKey("idea_reviews.id", ondelete="CASCADE"), nullable=False)
    item_id = db.Column(db.Integer, db.ForeignKey("items.id"), nullable=False, index=True)
    amount = db.Column(db.Integer, nullable=False, doc="yuan, 100–500")
    note = db.Column(db.Text, nullable=True)
    awarded_by_user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True)
    awarded_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
    claim_code = db.Column(db.String(8), nullable=False, unique=True,
                           doc="领奖码: 8 characters of CLAIM_ALPHABET, kept when the amount changes")
    claimed_at = db.Column(UTCDateTime, nullable=True,
                           doc="when the submitter claimed the award on their personal link (once)")
    paid_at = db.Column(UTCDateTime, nullable=True, doc="when the union paid the prize out")
    paid_by_user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True,
                                doc="the organizer who recorded the payment")

    item = db.relationship("Item")
    paid_by = db.relationship("User", foreign_keys=[paid_by_user_id])


class IdeaEffect(db.Model):
    """What became of one idea, as the review records it: its implementation (落实情况), its
    measured effect (应用效果) and the benefit it created in yuan; the seed scores ideas
    "以实际应用效果和创造效益情况"."""

    __tablename__ = "idea_effects"
    __table_args__ = (db.UniqueConstraint("review_id", "item_id"),)

    id = db.Column(db.Integer, primary_key=True)
    review_id = db.Column(db.Integer, db.ForeignKey("idea_reviews.id", ondelete="CASCADE"), nullable=False)
    item_id = db.Column(db.Integer, db.ForeignKey("items.id"), nullable=False, index=True)
    implementation = db.Column(db.Text, nullable=True, doc="落实情况: where and how the idea was put into practice")
    effect = db.Column(db.Text, nullable=True, doc="应用效果: the effect measured in use")
    benefit_yuan = db.Column(db.Integer, nullable=True, doc="创造效益: yuan saved or earned, when measured")
    recorded_by_user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True)
    recorded_at = db.Column(UTCDateTime, nullable=False, default=utcnow)
