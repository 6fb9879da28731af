"""Meetings: scheduling, starting, closing and cancelling sessions."""
import secrets

from flask import current_app
from flask_babel import gettext as _

from ..validation import fetch
from .. import realtime
from ..audit.services import record_event
from ..errors import Conflict, PermissionDenied, ValidationError
from ..extensions import db
from ..people.models import Department, Tier
from ..timeutil import utcnow
from .models import MEETING_KINDS, Meeting, MeetingDepartment

JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud from a projector
JOIN_CODE_LENGTH = 6
TITLE_MAX = 120
LOCATION_MAX = 120
VIDEO_URL_MAX = 500
CHAIR_ROLES = ("lead", "organizer", "admin")  # who may be named a meeting's lead


def new_join_code():
    for _attempt in range(20):
        code = "".join(secrets.choice(JOIN_CODE_ALPHABET) for _i in range(JOIN_CODE_LENGTH))
        if Meeting.query.filter_by(join_code=code).first() is None:
            return code
    raise RuntimeError("could not find a free join code")


def get_meeting(meeting_id):
    return fetch(Meeting, meeting_id, _("找不到该场慧谈。"))


def can_chair(user, meeting):
    """Organizers, admins and the meeting's lead (or the tier's current lead) may run it."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.has_role("organizer"):
        return True
    if user.role != "lead":
        return False
    if meeting.lead_user_id == user.id:
        return True
    lead = meeting.tier.current_lead if meeting.tier is not None else None
    return lead is not None and lead.user_id == user.id


def _clean_fields(data):
    title = (data.get("title") or "").strip()
    if not title:
        raise ValidationError(_("请填写慧谈主题。"))
    if len(title) > TITLE_MAX:
        raise ValidationError(_("主题不能超过 %(n)d 个字符。", n=TITLE_MAX))
    kind = data.get("kind") or "regular"
    if kind not in MEETING_KINDS:
        raise ValidationError(_("未知的慧谈类型：%(kind)s。", kind=kind))
    starts_at = data.get("starts_at")
    if starts_at is None:
        raise ValidationError(_("请填写开始时间。"))
    ends_at = data.get("ends_at")
    if ends_at is not None and ends_at <= starts_at:
        raise ValidationError(_("结束时间必须晚于开始时间。"))
    tier = None
    if data.get("tier_id"):
        tier = db.session.get(Tier, data["tier_id"])
        if tier is None:
            raise ValidationError(_("找不到该层级。"))
    elif kind == "regular":
        raise ValidationError(_("例行慧谈必须选择层级；跨层级的请选择专题、专业、节点或云上慧谈。"))
    location = (data.get("location") or "").strip() or None
    if location and len(location) > LOCATION_MAX:
        raise ValidationError(_("地点不能超过 %(n)d 个字符。", n=LOCATION_MAX))
    video_url = (data.get("video_url") or "").strip() or None
    if video_url and len(video_url) > VIDEO_URL_MAX:
        raise ValidationError(_("视频链接不能超过 %(n)d 个字符。", n=VIDEO_URL_MAX))
    if video_url and not video_url.startswith(("http://", "https://")):
        raise ValidationError(_("视频链接必须以 http:// 或 https:// 开头。"))
    if kind == "online" and not video_url:
        raise ValidationError(_("云上慧谈请填写视频会议链接。"))
    max_participants = data.get("max_participants")
    if max_participants is None:
        max_participants = current_app.config["MEETING_MAX_PARTICIPANTS"]
    if not 1 <= int(max_participants) <= 200:
        raise ValidationError(_("参会人数上限应在 1 到 200 之间。"))
    return {"title": title, "kind": kind, "starts_at": starts_at, "ends_at": ends_at, "tier": tier,
            "location": location, "video_url": video_url, "max_participants": int(max_participants)}


def get_chair_candidate(user_id):
    """The user named as a meeting's lead: an enabled lead, organizer or admin account."""
    from ..accounts.models import User
    user = db.session.get(User, user_id)
    if user is None or not user.is_enabled or user.role not in CHAIR_ROLES:
        raise ValidationError(_("牵头人必须是启用的牵头人或组织者账号。"))
    return user


def _lead_for(tier, lead_user):
    """The chosen lead, else the tier's current lead (None for a cross-tier meeting)."""
    if lead_user is not None:
        return lead_user
    if tier is not None and tier.current_lead is not None:
        return tier.current_lead.user
    return None


def _set_departments(meeting, department_ids):
    wanted = []
    for department_id in dict.fromkeys(department_ids or []):
        department = db.session.get(Department, department_id)
        if department is None:
            raise ValidationError(_("找不到科室（编号 %(id)s）。", id=department_id))
        wanted.append(department)
    existing = {link.department_id: link for link in meeting.invited_departments}
    meeting.invited_departments = [existing.get(d.id) or MeetingDepartment(department=d) for d in wanted]


def create_meeting(actor, data):
    """Schedule a meeting; the lead defaults to the tier's current lead."""
    fields = _clean_fields(data)
    tier = fields.pop("tier")
    meeting = Meeting(tier=tier, join_code=new_join_code(), created_by_id=actor.id if actor else None,
                      allow_guests=bool(data.get("allow_guests", True)),
                      allow_nameless=bool(data.get("allow_nameless", False)),
                      is_moderated=bool(data.get("is_moderated", False)), **fields)
    meeting.lead = _lead_for(tier, data.get("lead_user"))
    db.session.add(meeting)
    _set_departments(meeting, data.get("department_ids"))
    db.session.flush()
    record_event("meeting", meeting.id, "create", actor=actor, to_state="planned", text=meeting.title)
    return meeting


def update_meeting(actor, meeting, data):
    """Edit a planned or live meeting; closed and cancelled ones are locked."""
    if meeting.status in ("closed", "cancelled"):
        raise Conflict(_("已结束或已取消的慧谈不能再修改。"))
    fields = _clean_fields(data)
    tier = fields.pop("tier")
    for key, value in fields.items():
        setattr(meeting, key, value)
    meeting.tier = tier
    meeting.allow_guests = bool(data.get("allow_guests", meeting.allow_guests))
    meeting.allow_nameless = bool(data.get("allow_nameless", meeting.allow_nameless))
    meeting.is_moderated = bool(data.get("is_moderated", meeting.is_moderated))
    if "lead_user" in data:
        meeting.lead = _lead_for(tier, data["lead_user"])
    _set_departments(meeting, data.get("department_ids"))
    record_event("meeting", meeting.id, "update", actor=actor, text=meeting.title)
    db.session.flush()
    return meeting


def _queue_meeting_event(meeting, op):
    """Tell the meeting's boards and phones (after commit) that it started or closed."""
    payload = {"type": "meeting", "op": op, "meeting": {"id": meeting.id, "status": meeting.status}}
    realtime.queue_for_meeting(db.session, "meeting", meeting.id, payload, payload)


def start_meeting(actor, meeting):
    """planned → live: phones can join and raise items."""
    if not can_chair(actor, meeting):
        raise PermissionDenied(_("只有组织者或本场牵头人可以开始慧谈。"))
    if meeting.status == "live":
        return meeting
    if meeting.status != "planned":
        raise Conflict(_("只有计划中的慧谈可以开始（当前状态：%(s)s）。", s=status_label(meeting.status)))
    meeting.status = "live"
    meeting.started_at = utcnow()
    record_event("meeting", meeting.id, "start", actor=actor, from_state="planned", to_state="live")
    _queue_meeting_event(meeting, "started")
    db.session.flush()
    return meeting


def items_without_outcome(meeting):
    from ..live.models import Item
    return (Item.query.filter_by(meeting_id=meeting.id, status="open")
            .order_by(Item.seq).all())


def close_meeting(actor, meeting):
    """live → closed, only when every item has an outcome; closing locks the meeting."""
    if not can_chair(actor, meeting):
        raise PermissionDenied(_("只有组织者或本场牵头人可以结束慧谈。"))
    if meeting.status == "closed":
        raise Conflict(_("这场慧谈已经结束。"))
    if meeting.status != "live":
        raise Conflict(_("只有进行中的慧谈可以结束（当前状态：%(s)s）。", s=status_label(meeting.status)))
    open_items = items_without_outcome(meeting)
    if open_items:
        raise Conflict(_("还有 %(n)d 条事项没有处理结果，不能结束。", n=len(open_items)),
                       code="items_without_outcome",
                       details={"items": [{"id": i.id, "seq": i.seq, "text": i.text[:80]} for i in open_items]})
    meeting.status = "closed"
    meeting.closed_at = utcnow()
    if meeting.ends_at is None:
        meeting.ends_at = meeting.closed_at
    record_event("meeting", meeting.id, "close", actor=actor, from_state="live", to_state="closed")
    _queue_meeting_event(meeting, "closed")
    db.session.flush()
    return meeting


def cancel_meeting(actor, meeting, reason):
    if not actor.has_role("organizer"):
        raise PermissionDenied(_("只有组织者可以取消慧谈。"))
    if meeting.status != "planned":
        raise Conflict(_("只有计划中的慧谈可以取消。"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("请说明取消原因。"))
    meeting.status = "cancelled"
    record_event("meeting", meeting.id, "cancel", actor=actor, from_state="planned",
                 to_state="cancelled", text=reason[:500])
    db.session.flush()
    return meeting


def status_label(status):
    return {"planned": _("计划中"), "live": _("进行中"), "closed": _("已结束"),
            "cancelled": _("已取消")}.get(status, status)


def kind_label(kind):
    return {"regular": _("例行慧谈"), "topic": _("专题慧谈"), "professional": _("专业慧谈"),
            "milestone": _("节点慧谈"), "online": _("云上慧谈")}.get(kind, kind)


def meeting_to_dict(meeting):
    from ..timeutil import to_local
    return {
        "id": meeting.id, "tier_id": meeting.tier_id, "title": meeting.title, "kind": meeting.kind,
        "status": meeting.status, "join_code": meeting.join_code,
        "starts_at": to_local(meeting.starts_at).isoformat(),
        "ends_at": to_local(meeting.ends_at).isoformat() if meeting.ends_at else None,
        "location": meeting.location, "video_url": meeting.video_url,
        "lead": meeting.lead.display_name if meeting.lead else None,
        "department_ids": [link.department_id for link in meeting.invited_departments],
        "allow_guests": meeting.allow_guests, "allow_nameless": meeting.allow_nameless,
        "is_moderated": meeting.is_moderated,
    }
