"""The department points ledger (考核扣分): each deduction once, with its reason, its slip or
meeting, the day it belongs to, and a reversal that keeps the trace."""
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from ..audit.services import record_event
from ..errors import Conflict, PermissionDenied, ValidationError
from ..extensions import db
from ..people.services import active_department
from ..timeutil import local_today, to_local, utcnow
from ..validation import fetch, required_text
from ..texts import labelled
from .models import PointEntry

REASON_MAX = 1000

# The practice's deductions (each −N for the department's head in the performance review).
POINT_RULES = {"overdue": -2, "perfunctory": -1, "absent": -1, "noncompliance": -1}
POINT_LABELS = {"overdue": "逾期未办理", "perfunctory": "搪塞应付、推诿扯皮", "absent": "受邀未派人参加慧谈",
                "noncompliance": "不服从慧谈工作安排"}
POINT_REASONS = tuple(POINT_RULES)


def add_points(department_id, reason, *, occurred_on, actor=None, slip=None, meeting=None, note=None):
    """Add one ledger entry unless the same deduction exists (unique keys keep it once).

    Slip and meeting deductions happen once per slip / meeting; non-compliance entries carry
    neither and may repeat (each with its own reason).
    """
    if slip is not None or meeting is not None:
        query = PointEntry.query.filter_by(reason=reason)
        query = query.filter_by(slip_id=slip.id) if slip is not None else \
            query.filter_by(meeting_id=meeting.id, department_id=department_id)
        if query.first() is not None:
            return None
    entry = PointEntry(department_id=department_id, reason=reason, points=POINT_RULES[reason],
                       slip_id=slip.id if slip else None, meeting_id=meeting.id if meeting else None,
                       note=note, occurred_on=occurred_on, created_by_user_id=actor.id if actor else None)
    try:
        with db.session.begin_nested():
            db.session.add(entry)
            db.session.flush()
    except IntegrityError:
        return None
    return entry


def book_overdue(slip):
    """−2 once for a slip whose deadline passed without a reply (None when already booked)."""
    entry = add_points(slip.department_id, "overdue", slip=slip, note=_("逾期未答复"), occurred_on=slip.due_date)
    if entry is not None:
        record_event("slip", slip.id, "overdue_deduction", actor_label="system", text="-2")
    return entry


def record_noncompliance(actor, department_id, note, occurred_on=None):
    """The organizer books −1 for not following the 慧谈 arrangements (e.g. a thought-trend report
    not sent in time, 不及时上报职工思想动态报告); the reason is required."""
    if not actor.has_role("organizer"):
        raise PermissionDenied(_("只有组织者可以登记扣分。"))
    department = active_department(department_id)
    note = required_text(note, _("请填写扣分原因。"), REASON_MAX)
    today = local_today()
    occurred_on = occurred_on or today
    if occurred_on > today or occurred_on < today - timedelta(days=366):
        raise ValidationError(_("扣分日期应在一年以内，且不晚于今天。"), code="bad_date")
    entry = add_points(department.id, "noncompliance", actor=actor, note=note, occurred_on=occurred_on)
    record_event("department", department.id, "deduct", actor=actor, text=labelled("-1", note))
    return entry


def reverse_deduction(actor, entry, reason):
    """Withdraw a deduction once, with a reason; the entry stays in the ledger, marked reversed."""
    if not actor.has_role("organizer"):
        raise PermissionDenied(_("只有组织者可以撤销扣分。"))
    if entry.reversed_at is not None:
        raise Conflict(_("这条扣分已经撤销过了。"), code="already_reversed")
    entry.reversal_reason = required_text(reason, _("请填写撤销扣分的理由。"), REASON_MAX)
    entry.reversed_at = utcnow()
    entry.reversed_by_user_id = actor.id
    db.session.flush()
    record_event("point_entry", entry.id, "reverse", actor=actor, text=entry.reversal_reason)
    return entry


def get_point_entry(entry_id):
    return fetch(PointEntry, entry_id, _("找不到该扣分记录。"))


def add_absence_points(actor, meeting, department_id, note=None):
    """−1 for a department invited to a meeting that sent no one; once (None when already there).

    Called by scheduling's record_department_attendance: the deduction follows the meeting's
    record of who the department sent. A deduction withdrawn by an earlier correction is booked
    again on the same entry (its trail keeps both steps).
    """
    entry = PointEntry.query.filter_by(meeting_id=meeting.id, department_id=department_id, reason="absent").first()
    if entry is not None and entry.reversed_at is not None:
        entry.reversed_at = entry.reversed_by_user_id = entry.reversal_reason = None
        db.session.flush()
        record_event("point_entry", entry.id, "reinstate", actor=actor, text=note)
        return entry
    return add_points(department_id, "absent", actor=actor, meeting=meeting, note=note,
                       occurred_on=to_local(meeting.starts_at).date())


def withdraw_absence_points(actor, meeting, department_id, reason):
    """Withdraw the −1 when the record is corrected to "the department sent someone".

    The entry stays in the ledger, marked reversed with the correction as its reason, so that
    the department and the auditor can see that it was booked and why it was taken back.
    """
    entry = PointEntry.query.filter_by(meeting_id=meeting.id, department_id=department_id, reason="absent",
                                       reversed_at=None).first()
    if entry is not None:
        entry.reversed_at = utcnow()
        entry.reversed_by_user_id = actor.id
        entry.reversal_reason = reason
        db.session.flush()
        record_event("point_entry", entry.id, "reverse", actor=actor, text=reason)
    return entry
