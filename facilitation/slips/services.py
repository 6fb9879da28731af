"""Handling slips: issuing a slip for an item (its full lifecycle builds on this)."""
from flask_babel import gettext as _
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError

from ..audit.services import record_event
from ..errors import Conflict, ValidationError
from ..extensions import db
from ..timeutil import local_today, to_local, utcnow
from .models import Slip


def _next_number(now_local):
    prefix = f"HT-{now_local:%Y%m}-"
    last = db.session.query(func.max(Slip.number)).filter(Slip.number.like(prefix + "%")).scalar()
    sequence = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{sequence:04d}"


def supervisor_for(meeting):
    """The tier's current lead supervises; cross-tier sessions fall back to the meeting's lead."""
    if meeting is not None and meeting.tier is not None and meeting.tier.current_lead is not None:
        return meeting.tier.current_lead.user
    return meeting.lead if meeting is not None else None


def issue_slip(actor, item, department, due_date, purpose="handle"):
    """Create the slip for an item: number HT-YYYYMM-NNNN, status issued, supervisor = tier lead."""
    if department is None:
        raise ValidationError(_("请选择承办科室。"))
    if due_date is None:
        raise ValidationError(_("请填写答复期限。"))
    if due_date < local_today():
        raise ValidationError(_("答复期限不能早于今天。"))
    if item.slip is not None:
        raise Conflict(_("该事项已有承办单 %(n)s。", n=item.slip.number))
    meeting = item.meeting
    for _attempt in range(5):
        supervisor = supervisor_for(meeting)
        slip = Slip(number=_next_number(to_local(utcnow())), department_id=department.id,
                    tier_id=meeting.tier_id if meeting is not None else None,
                    supervisor_user_id=supervisor.id if supervisor is not None else None,
                    purpose=purpose, due_date=due_date, status="issued",
                    issued_by_user_id=actor.id if actor else None, issued_at=utcnow())
        try:
            with db.session.begin_nested():
                db.session.add(slip)
                slip.item = item
                db.session.flush()
            break
        except IntegrityError:
            continue  # another slip took the number at the same moment
    else:
        raise Conflict(_("生成承办单编号失败，请重试。"))
    record_event("slip", slip.id, "issue", actor=actor, to_state="issued",
                 text=f"{slip.number} → {department.name}")
    return slip


def slip_to_dict(slip):
    from ..timeutil import local_today as today
    return {"id": slip.id, "number": slip.number, "status": slip.status,
            "department_id": slip.department_id, "department": slip.department.name,
            "due_date": slip.due_date.isoformat(),
            "is_overdue": slip.status in ("issued", "accepted") and slip.due_date < today(),
            "item_id": slip.item_id}
