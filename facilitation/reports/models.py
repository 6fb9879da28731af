"""The monthly analysis report (月度职工思想动态分析报告): its editable analysis text."""
from ..extensions import db
from ..timeutil import UTCDateTime, utcnow


class MonthlyReport(db.Model):
    """Figures are computed from the data each time; only the organizer's text is stored."""

    __tablename__ = "monthly_reports"

    id = db.Column(db.Integer, primary_key=True)
    month = db.Column(db.String(7), nullable=False, unique=True, doc="YYYY-MM")
    analysis = db.Column(db.Text, nullable=True, doc="'analysis and measures', drafted then edited")
    status = db.Column(db.String(16), nullable=False, default="draft", doc="draft or final")
    updated_by_user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True)
    updated_at = db.Column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)
    finalized_at = db.Column(UTCDateTime, nullable=True)
