"""The monthly report's editable part: the organizer's 'analysis and measures' text."""
from flask_babel import gettext as _

from ..audit.services import record_event
from ..errors import Conflict, PermissionDenied, ValidationError
from ..extensions import db
from ..timeutil import utcnow
from .models import MonthlyReport

ANALYSIS_MAX = 30000


def get_report(month_text):
    """The stored report of a month (YYYY-MM), or None when nobody has edited it yet."""
    return MonthlyReport.query.filter_by(month=month_text).first()


def save_analysis(actor, month_text, analysis, finalize=False):
    """Save the analysis text; finalising locks it (a finalised report cannot be edited)."""
    if not actor.has_role("organizer"):
        raise PermissionDenied(_("只有组织者可以编辑月度分析报告。"))
    if not isinstance(analysis, str) or not analysis.strip():
        raise ValidationError(_("分析与措施不能为空。"))
    if len(analysis) > ANALYSIS_MAX:
        raise ValidationError(_("分析与措施不能超过 %(n)d 个字。", n=ANALYSIS_MAX))
    report = get_report(month_text)
    if report is None:
        report = MonthlyReport(month=month_text)
        db.session.add(report)
    elif report.status == "final":
        raise Conflict(_("本月报告已定稿，不能再修改。"), code="report_final")
    report.analysis = analysis.strip()
    report.updated_by_user_id = actor.id
    if finalize:
        report.status = "final"
        report.finalized_at = utcnow()
    db.session.flush()
    record_event("report", report.id, "finalize" if finalize else "save", actor=actor, text=month_text)
    return report
