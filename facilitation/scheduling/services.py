"""Meetings: scheduling, conflicts, participant lists and their approval, attendance, starting,
closing and cancelling sessions (monthly plans: plans.py)."""
import secrets
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _

from ..validation import clean_text, fetch, is_digits, is_id, optional_text
from .. import realtime
from ..audit.services import record_event
from ..errors import Conflict, PermissionDenied, ValidationError
from ..extensions import db
from ..people.models import Department, Person, Tier
from ..timeutil import local_zone, to_local, utcnow
from ..texts import join_list, labelled
from .models import MEETING_KINDS, Meeting, MeetingDepartment, Participant

JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud from a projector
JOIN_CODE_LENGTH = 6
TITLE_MAX = 120
LOCATION_MAX = 120
VIDEO_URL_MAX = 500
CHAIR_ROLES = ("lead", "organizer", "admin")  # who may be named a meeting's lead
MAX_PARTICIPANTS_LIMIT = 1000  # a workers' congress; regular sessions keep the default of 10
REASON_MAX = 200


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


def can_see_focus(user, meeting=None):
    """Focus-person marks (三必谈五必访) and reasons: organizers, and leads (of the meeting, when given)."""
    if meeting is not None:
        return can_chair(user, meeting)
    return bool(user is not None and getattr(user, "is_authenticated", False)
                and (user.has_role("organizer") or user.role == "lead"))


def can_approve(user, meeting):
    """Who approves the participant list (审核): the tier's current lead, or an admin.

    A meeting with no tier lead (a cross-tier special session, a tier whose lead left) is
    approved by its chair, whoever that is. Otherwise an organizer prepares the list but never
    approves it, even as the session's chair: the lead answers for who is heard.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.role == "admin":
        return True
    lead = meeting.tier.current_lead if meeting.tier is not None else None
    if lead is not None and lead.user is not None and lead.user.is_enabled:
        return lead.user_id == user.id
    return meeting.lead_user_id == user.id


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
    now = utcnow()
    for moment in (starts_at, ends_at):
        # a session is held within a few years of today (and the calendar arithmetic stays in range)
        if moment is not None and not now - timedelta(days=10 * 366) <= moment <= now + timedelta(days=10 * 366):
            raise ValidationError(_("慧谈时间应在今天前后十年以内。"), code="bad_date")
    tier = None
    if data.get("tier_id"):
        tier = db.session.get(Tier, data["tier_id"]) if is_id(data["tier_id"]) else None
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
    if isinstance(max_participants, bool) or not isinstance(max_participants, (int, str)) \
            or not is_digits(str(max_participants).strip()) \
            or not 1 <= int(max_participants) <= MAX_PARTICIPANTS_LIMIT:
        raise ValidationError(_("参会人数上限应在 1 到 %(n)d 之间。", n=MAX_PARTICIPANTS_LIMIT),
                              code="bad_max_participants")
    return {"title": clean_text(title), "kind": kind, "starts_at": starts_at, "ends_at": ends_at, "tier": tier,
            "location": clean_text(location), "video_url": video_url, "max_participants": int(max_participants)}


def get_chair_candidate(user_id):
    """The user named as a meeting's lead: an enabled lead, organizer or admin account."""
    from ..accounts.models import User
    user = db.session.get(User, user_id) if is_id(user_id) else None
    if user is None or not user.is_enabled or user.role not in CHAIR_ROLES:
        raise ValidationError(_("牵头人必须是启用的牵头人或组织者账号。"))
    return user


def _lead_for(tier, lead_user):
    """The chosen lead, else the tier's current lead; a meeting without either is refused.

    Every meeting has a chair who supervises its slips (督办员), so a cross-tier special
    session, or a tier that has no lead yet, must name one.
    """
    if lead_user is not None:
        return lead_user
    if tier is not None and tier.current_lead is not None:
        return tier.current_lead.user
    if tier is not None:
        raise ValidationError(_("层级“%(tier)s”还没有牵头人：请先在“层级与牵头人”中指定，或为本场指定一位牵头人"
                                "（主持慧谈并督办承办单）。", tier=tier.name), code="lead_required")
    raise ValidationError(_("跨层级慧谈没有层级牵头人，请为本场指定一位牵头人（主持慧谈并督办承办单）。"),
                          code="lead_required")


# ---------------------------------------------------------------- conflicts

def _room_key(location):
    """Rooms compare without spaces, case or full-width differences (“３楼” is “3楼”)."""
    import unicodedata
    return unicodedata.normalize("NFKC", location or "").replace(" ", "").casefold()


def _ends(starts_at, ends_at):
    return ends_at or starts_at + timedelta(minutes=current_app.config["MEETING_DEFAULT_MINUTES"])


def find_conflict(starts_at, ends_at, location, lead_user_id, exclude_id=None):
    """The clash of a meeting at this time and place with this lead, as a message, or None.

    Never two meetings of one lead on the same (local) day; never two in one room at the same
    time (a meeting without an end time takes MEETING_DEFAULT_MINUTES). Cancelled meetings
    do not count; online meetings without a room only have the lead rule.
    """
    day = to_local(starts_at).date()
    day_start = datetime(day.year, day.month, day.day, tzinfo=local_zone())
    window_start = min(day_start, starts_at - timedelta(days=1))
    window_end = max(day_start + timedelta(days=1), _ends(starts_at, ends_at) + timedelta(days=1))
    others = (Meeting.query.filter(Meeting.status != "cancelled", Meeting.starts_at >= window_start,
                                   Meeting.starts_at < window_end)
              .filter(Meeting.id != (exclude_id or 0)).order_by(Meeting.starts_at, Meeting.id).all())
    end = _ends(starts_at, ends_at)
    room = _room_key(location)
    for other in others:
        if lead_user_id and other.lead_user_id == lead_user_id and to_local(other.starts_at).date() == day:
            return _("牵头人%(lead)s在 %(day)s 已有慧谈《%(title)s》（%(time)s），同一牵头人一天只安排一场。",
                     lead=other.lead.display_name if other.lead else "", day=day.isoformat(), title=other.title,
                     time=to_local(other.starts_at).strftime("%H:%M"))
        if room and _room_key(other.location) == room and other.starts_at < end \
                and starts_at < _ends(other.starts_at, other.ends_at):
            return _("地点“%(room)s”在 %(when)s 已安排慧谈《%(title)s》，请换一个时间或地点。",
                     room=other.location, when=to_local(other.starts_at).strftime("%Y-%m-%d %H:%M"),
                     title=other.title)
    return None


def _check_conflicts(meeting_fields, lead, exclude_id=None):
    message = find_conflict(meeting_fields["starts_at"], meeting_fields.get("ends_at"),
                            meeting_fields.get("location"), lead.id if lead is not None else None, exclude_id)
    if message:
        raise Conflict(message, code="schedule_conflict")


def _set_departments(meeting, department_ids):
    wanted = []
    for department_id in dict.fromkeys(department_ids or []):
        department = db.session.get(Department, department_id) if is_id(department_id) else None
        if department is None:
            raise ValidationError(_("找不到科室（编号 %(id)s）。", id=department_id))
        wanted.append(department)
    existing = {link.department_id: link for link in meeting.invited_departments}
    meeting.invited_departments = [existing.get(d.id) or MeetingDepartment(department=d) for d in wanted]


def create_meeting(actor, data):
    """Schedule a meeting; the lead defaults to the tier's current lead.

    Refused (nothing saved) when it clashes with another meeting of the same lead that day
    or in the same room at the same time. Regular sessions admit only the approved list by
    default (allow_guests false); special sessions admit guests unless told otherwise.
    """
    fields = _clean_fields(data)
    tier = fields.pop("tier")
    lead = _lead_for(tier, data.get("lead_user"))
    _check_conflicts(fields, lead)
    allow_guests = data.get("allow_guests")
    if allow_guests is None:
        allow_guests = fields["kind"] != "regular"
    meeting = Meeting(tier=tier, join_code=new_join_code(), created_by_id=actor.id if actor else None,
                      allow_guests=bool(allow_guests),
                      allow_nameless=bool(data.get("allow_nameless", False)),
                      is_moderated=bool(data.get("is_moderated", False)),
                      plan_month=data.get("plan_month"), notes=optional_text(data.get("notes"), 2000, _("备注")),
                      **fields)
    meeting.lead = lead
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
    lead = _lead_for(tier, data["lead_user"]) if "lead_user" in data else (meeting.lead or _lead_for(tier, None))
    _check_conflicts(fields, lead, exclude_id=meeting.id)
    invited = len(meeting.invited)
    if fields["max_participants"] < invited:
        raise ValidationError(_("名单上已有 %(n)d 人，参会人数上限不能低于名单人数；请先调整名单。", n=invited),
                              code="over_cap")
    if fields["kind"] == "regular" and tier is not None and any(
            p.person is not None and p.person.tier_id != tier.id for p in meeting.invited):
        raise ValidationError(_("名单中有其他层级的职工，例行慧谈只能邀请本层级职工；请先调整名单。"),
                              code="other_tier")
    for key, value in fields.items():
        setattr(meeting, key, value)
    meeting.tier = tier
    meeting.allow_guests = bool(data.get("allow_guests", meeting.allow_guests))
    meeting.allow_nameless = bool(data.get("allow_nameless", meeting.allow_nameless))
    meeting.is_moderated = bool(data.get("is_moderated", meeting.is_moderated))
    if "notes" in data:
        meeting.notes = optional_text(data["notes"], 2000, _("备注"))
    meeting.lead = lead
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
    return {
        "id": meeting.id, "tier_id": meeting.tier_id, "title": meeting.title, "kind": meeting.kind,
        "status": meeting.status, "join_code": meeting.join_code,
        "starts_at": to_local(meeting.starts_at).isoformat(),
        "ends_at": to_local(meeting.ends_at).isoformat() if meeting.ends_at else None,
        "location": meeting.location, "video_url": meeting.video_url,
        "max_participants": meeting.max_participants, "lead_user_id": meeting.lead_user_id,
        "lead": meeting.lead.display_name if meeting.lead else None,
        "department_ids": [link.department_id for link in meeting.invited_departments],
        "allow_guests": meeting.allow_guests, "allow_nameless": meeting.allow_nameless,
        "is_moderated": meeting.is_moderated, "plan_month": meeting.plan_month,
        "participants_approved": meeting.is_list_approved,
    }


# ---------------------------------------------------------------- participant lists and approval

def _require_open(meeting, what):
    if meeting.status not in ("planned", "live"):
        raise Conflict(_("已结束或已取消的慧谈不能再%(what)s。", what=what), code="meeting_locked")


def _clear_approval(meeting):
    """A changed list needs a new approval. The seats approved before keep their mark: until the
    lead approves again, the door admits only those (never anyone, as an unapproved list would)."""
    meeting.participants_approved_at = None
    meeting.participants_approved_by_id = None


def set_participants(actor, meeting, person_ids, reasons=None):
    """Replace the invitation list (organizer or the meeting's lead); returns the meeting.

    At most `max_participants` people (400 over_cap); active roster entries only; people of
    another tier only for special sessions. A changed list loses its approval and needs a
    new one; the same list again keeps it. People dropped from the list who already joined
    stay as walk-ins (their attendance and items are kept). `reasons` maps person id → why
    (the proposal's reason); others are marked as chosen by hand.
    """
    if not (actor.has_role("organizer") or can_chair(actor, meeting)):
        raise PermissionDenied(_("只有组织者或本场牵头人可以调整参会名单。"))
    _require_open(meeting, _("调整名单"))
    if not isinstance(person_ids, (list, tuple)):
        raise ValidationError(_("person_ids 必须是职工编号列表。"), code="bad_person_ids")
    if not all(is_id(pid) for pid in person_ids):
        raise ValidationError(_("person_ids 必须是职工编号（正整数）列表。"), code="bad_person_ids")
    wanted = list(dict.fromkeys(person_ids))
    if len(wanted) > meeting.max_participants:
        raise ValidationError(_("名单有 %(n)d 人，超过本场参会人数上限 %(cap)d 人。", n=len(wanted),
                                cap=meeting.max_participants), code="over_cap",
                              details={"max_participants": meeting.max_participants, "count": len(wanted)})
    people = {p.id: p for p in Person.query.filter(Person.id.in_(wanted)).all()} if wanted else {}
    missing = [pid for pid in wanted if pid not in people]
    if missing:
        raise ValidationError(_("找不到职工（编号 %(ids)s）。", ids=join_list(missing[:10])),
                              code="unknown_person")
    inactive = [people[pid].name for pid in wanted if not people[pid].is_active]
    if inactive:
        raise ValidationError(_("%(names)s 已不在岗，不能邀请。", names=join_list(inactive[:10])),
                              code="inactive_person")
    if meeting.kind == "regular":
        foreign = [people[pid].name for pid in wanted if people[pid].tier_id != meeting.tier_id]
        if foreign:
            raise ValidationError(_("例行慧谈只能邀请本层级职工：%(names)s 不属于本层级。跨层级人员请安排专题、专业、"
                                    "节点或云上慧谈。", names=join_list(foreign[:10])), code="other_tier")
    reasons = reasons or {}
    before = {p.person_id for p in meeting.invited}
    by_person = {p.person_id: p for p in meeting.participants if p.person_id is not None}
    for participant in list(meeting.invited):
        if participant.person_id in people:
            continue
        if participant.joined_at is not None or _has_items(participant):
            participant.source = "walk_in"
            participant.reason = None
            participant.approved_at = None
        else:
            meeting.participants.remove(participant)
            db.session.delete(participant)
    manual = _("%(who)s 选定", who=actor.display_name)
    for pid in wanted:
        participant = by_person.get(pid)
        if participant is None:
            participant = Participant(person=people[pid], source="invited")
            meeting.participants.append(participant)
        participant.source = "invited"
        participant.is_guest = False
        reason = reasons.get(pid) or participant.reason or manual
        participant.reason = reason[:REASON_MAX]
    changed = before != set(wanted)
    if changed and meeting.is_list_approved:
        _clear_approval(meeting)
    db.session.flush()
    if changed:
        record_event("meeting", meeting.id, "set_participants", actor=actor,
                     text=_("名单 %(n)d 人", n=len(wanted)))
    return meeting


def _has_items(participant):
    from ..live.models import Item
    return participant.id is not None and db.session.query(Item.id).filter_by(
        participant_id=participant.id).first() is not None


def approve_participants(actor, meeting):
    """The lead approves the invitation list (审核); from then on only the list gets in at the door."""
    if not can_approve(actor, meeting):
        raise PermissionDenied(_("参会名单由本层级牵头人审核批准，您不能批准这份名单。"), code="forbidden")
    _require_open(meeting, _("审核名单"))
    invited = meeting.invited
    if not invited:
        raise ValidationError(_("名单还是空的，请先拟定参会人员。"), code="empty_list")
    if len(invited) > meeting.max_participants:
        raise ValidationError(_("名单有 %(n)d 人，超过本场参会人数上限 %(cap)d 人。", n=len(invited),
                                cap=meeting.max_participants), code="over_cap")
    if meeting.is_list_approved:
        return meeting
    now = utcnow()
    meeting.participants_approved_at = now
    meeting.participants_approved_by_id = actor.id
    for participant in invited:
        participant.approved_at = now
    db.session.flush()
    record_event("meeting", meeting.id, "approve_participants", actor=actor,
                 text=_("批准名单 %(n)d 人", n=len(invited)))
    return meeting


def save_participants(actor, meeting, person_ids, reasons=None, approve=False):
    """The approval page's one action: set the list and, when asked (the lead), approve it."""
    set_participants(actor, meeting, person_ids, reasons)
    if approve:
        approve_participants(actor, meeting)
    return meeting


def participants_to_dict(meeting, include_focus=False):
    """The invitation list as the API shows it; focus marks only when asked for (organizers, leads)."""
    rows = []
    for participant in meeting.invited:
        person = participant.person
        row = {"person_id": participant.person_id, "name": participant.name, "reason": participant.reason,
               "tier_id": person.tier_id if person else None, "joined": participant.joined_at is not None}
        if include_focus:
            row["is_focus"] = bool(person and person.is_focus)
        rows.append(row)
    return {"participants": rows, "approved": meeting.is_list_approved,
            "max_participants": meeting.max_participants}


# ---------------------------------------------------------------- attendance

def _minutes_published(meeting):
    from ..minutes.models import Minutes
    return db.session.query(Minutes.id).filter(Minutes.meeting_id == meeting.id,
                                               Minutes.status != "draft").first() is not None


def mark_attendance(actor, meeting, participant_id, present):
    """The organizer marks someone without a phone present (or undoes such a mark).

    A phone join cannot be undone here; marks count toward the cap like joins.
    """
    if not actor.has_role("organizer"):
        raise PermissionDenied(_("只有组织者可以登记到会情况。"))
    if meeting.status == "planned":
        raise Conflict(_("慧谈开始后才能登记到会情况。"), code="meeting_not_started")
    if meeting.status != "live" and not (meeting.status == "closed" and not _minutes_published(meeting)):
        # After the session the clerk completes it from the sign-in sheet; once the minutes
        # are published (they list who was there) the record is locked.
        raise Conflict(_("会议纪要已发布（或慧谈已取消），到会情况不能再修改。"), code="meeting_locked")
    participant = next((p for p in meeting.participants if p.id == participant_id), None)
    if participant is None:
        raise ValidationError(_("该人员不在本场名单中。"), code="not_on_list")
    if present:
        if participant.joined_at is not None:
            return participant
        joined = sum(1 for p in meeting.participants if p.joined_at is not None)
        if joined >= meeting.max_participants:
            raise Conflict(_("本场已到 %(n)d 人，达到参会人数上限。", n=joined), code="full")
        participant.joined_at = utcnow() if meeting.status == "live" else meeting.starts_at
        participant.marked_by_user_id = actor.id
        record_event("meeting", meeting.id, "mark_present", actor=actor, text=participant.name)
    else:
        if participant.joined_at is None:
            return participant
        if participant.marked_by_user_id is None:
            raise Conflict(_("%(name)s 是用手机扫码到会的，不能改为未到。", name=participant.name),
                           code="joined_by_phone")
        participant.joined_at = None
        participant.marked_by_user_id = None
        record_event("meeting", meeting.id, "mark_absent", actor=actor, text=participant.name)
    db.session.flush()
    return participant


def record_department_attendance(actor, meeting, department_id, attendee_name=None, sent=True, note=None):
    """Record whom an invited department (列席) sent, or that it sent no one.

    The department points ledger follows this record: "sent no one" deducts −1 once per
    meeting and department; correcting it to "sent someone" takes the deduction back.
    """
    from ..slips.points import add_absence_points, withdraw_absence_points
    if not actor.has_role("organizer"):
        raise PermissionDenied(_("只有组织者可以登记列席科室到会情况。"))
    link = next((l for l in meeting.invited_departments if l.department_id == department_id), None)
    if link is None:
        raise ValidationError(_("该科室没有被邀请列席这场慧谈。"), code="not_invited")
    if meeting.status not in ("live", "closed"):
        raise Conflict(_("慧谈开始后才能登记列席科室到会情况。"), code="meeting_not_started")
    if sent:
        name = optional_text(attendee_name, 64, _("参会人员"))
        if not name:
            raise ValidationError(_("请填写科室派来参会的人员姓名。"), code="attendee_required")
        link.attendee_name = name
        link.is_absent = False
        removed = withdraw_absence_points(actor, meeting, department_id,
                                          _("更正：%(department)s已派%(name)s参加", department=link.department.name,
                                            name=name))
        record_event("meeting", meeting.id, "department_sent", actor=actor,
                     text=labelled(link.department.name, name) + (_("（撤销扣分）") if removed else ""))
        db.session.flush()
        return None
    link.attendee_name = None
    link.is_absent = True
    entry = add_absence_points(actor, meeting, department_id, note=note)
    record_event("meeting", meeting.id, "department_absent", actor=actor, text=link.department.name)
    db.session.flush()
    return entry


def record_department_absence(actor, meeting, department_id, note=None):
    """The organizer records that an invited department sent no one (−1, once per meeting)."""
    link = next((l for l in meeting.invited_departments if l.department_id == department_id), None)
    if link is not None and link.is_absent and actor.has_role("organizer"):
        raise Conflict(_("已经登记过该科室缺席。"), code="already_recorded")
    entry = record_department_attendance(actor, meeting, department_id, sent=False, note=note)
    if entry is None:
        raise Conflict(_("已经登记过该科室缺席。"), code="already_recorded")
    return entry
