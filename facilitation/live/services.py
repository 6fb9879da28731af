"""Live capture: joining a meeting, raising items, +1 votes, and giving every item an outcome.

Every function validates, mutates, flushes and queues broadcasts through `realtime`;
the calling edge commits once.
"""
import functools
import re
import secrets

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, lazyload

from ..validation import clean_text, fetch, is_id, required_text
from ..audit.services import record_event
from ..errors import Conflict, Gone, NotFound, PermissionDenied, ValidationError
from ..extensions import db
from ..people.models import Person
from ..people.services import active_department
from ..scheduling.models import Meeting, Participant
from ..scheduling.services import can_chair
from ..timeutil import utcnow
from .models import ANONYMITY_LEVELS, ITEM_KINDS, Item, Vote
from .payloads import item_number, queue_item_event, status_label

CLIENT_ID_RE = re.compile(r"^[A-Za-z0-9_\-]{8,64}$")
CATEGORY_MAX = 32
ANSWER_MAX = 2000
NAME_MAX = 64
# ---------------------------------------------------------------- joining

def meeting_by_join_code(join_code):
    """The meeting for a join code, refusing codes that are wrong or not open for joining."""
    code = (join_code or "").strip().upper()
    meeting = Meeting.query.filter_by(join_code=code).first() if len(code) <= 16 else None
    if meeting is None:
        raise NotFound(_("参会码无效，请核对后重新扫码。"), code="bad_join_code")
    if meeting.status == "planned":
        raise Conflict(_("这场慧谈还没有开始，请稍后再扫码。"), code="meeting_not_started")
    if meeting.status == "closed":
        raise Gone(_("这场慧谈已经结束，不能再加入。"), code="meeting_closed")
    if meeting.status == "cancelled":
        raise Gone(_("这场慧谈已取消。"), code="meeting_cancelled")
    return meeting


def join_meeting(join_code, employee_no=None, name=None):
    """Join a live meeting from a phone; returns the participant (attendance is marked).

    The door rule: without an approved list, anyone with a name gets in (people not matched
    to the roster are flagged as guests) up to the meeting's cap; the next distinct person
    gets 409 `full`. Once the lead approved a list, a 工号 not on it (or unknown) gets 403
    `not_invited` unless the meeting allows guests, and the seats of invited people who have
    not arrived yet stay free for them. The same person joining again (same 工号, or the
    same name without one) gets in again and is counted once.
    """
    meeting = meeting_by_join_code(join_code)
    employee_no = clean_text(employee_no or "").strip()
    name = clean_text(name or "").strip()
    if len(employee_no) > 32 or len(name) > NAME_MAX:
        raise ValidationError(_("工号或姓名太长。"))
    # Joins of one meeting go one at a time from here (PostgreSQL: the meeting's row lock;
    # SQLite: the write turn the edge holds), so two phones never take the last seat together.
    db.session.execute(select(Meeting.id).where(Meeting.id == meeting.id).with_for_update())
    gated = _door_is_gated(meeting)
    person = None
    if employee_no:
        person = Person.query.filter_by(employee_no=employee_no).first()
        if person is not None and name and name != person.name:
            raise ValidationError(_("工号与姓名不一致，请核对。"), code="name_mismatch")
    elif name:
        invited = [p for p in meeting.participants if p.person is not None and p.person.name == name]
        if gated and invited:
            # A name is not proof: whoever types an invitee's name would take the seat.
            raise ValidationError(_("本场名单已经审核，请填写您的工号核对身份。"), code="employee_no_required")
        if len(invited) == 1:
            person = invited[0].person
    participant = _returning_participant(meeting, person, employee_no, name)
    if participant is not None and participant.joined_at is not None:
        if person is not None:
            participant.display_name = person.name
        return participant  # already counted
    if not (employee_no or name) and not meeting.allow_nameless:
        raise ValidationError(_("请填写工号或姓名。"), code="name_required")
    on_list = participant is not None and participant.source == "invited" and \
        (participant.approved_at is not None or not gated)
    if gated and not on_list and not meeting.allow_guests:
        if participant is not None and participant.source == "invited":
            raise PermissionDenied(_("您刚被加入参会名单，名单正等待牵头人重新审核，审核后即可加入。"),
                                   code="not_invited")
        raise PermissionDenied(_("本场慧谈的参会名单已经由牵头人审核确定，您不在名单中，不能加入。"
                                 "有诉求或建议，可以随时通过一码通反映。"), code="not_invited")
    if participant is None and person is None and not name and not meeting.allow_nameless:
        # a guest is known by name: an unknown 工号 alone would put a nameless row in the minutes
        raise ValidationError(_("职工名单中没有这个工号，请核对，或同时填写您的姓名。"), code="name_required")
    _check_seat(meeting, on_list, gated)
    if participant is None:
        if person is not None:
            participant = Participant(meeting=meeting, person=person, source="walk_in")
        elif employee_no or name:
            participant = Participant(meeting=meeting, display_name=name or None, employee_no=employee_no or None,
                                      source="guest", is_guest=True)
        else:
            participant = Participant(meeting=meeting, source="nameless", is_guest=True)
        db.session.add(participant)
    if person is not None:
        participant.display_name = person.name
        participant.employee_no = person.employee_no
    participant.joined_at = utcnow()
    db.session.flush()
    return participant


def _returning_participant(meeting, person, employee_no, name):
    """The participant row this person already has in the meeting (invited, or an earlier join)."""
    if person is not None:
        return Participant.query.filter_by(meeting_id=meeting.id, person_id=person.id).first()
    if employee_no:
        return Participant.query.filter_by(meeting_id=meeting.id, person_id=None,
                                           employee_no=employee_no).first()
    if name:
        return Participant.query.filter_by(meeting_id=meeting.id, person_id=None, employee_no=None,
                                           display_name=name).first()
    return None


def _door_is_gated(meeting):
    """Only approved seats get in: the list is approved, or it was and has changed since (until
    the lead approves it again the door keeps to the seats approved last time)."""
    if meeting.is_list_approved:
        return True
    return db.session.scalar(select(Participant.id).where(
        Participant.meeting_id == meeting.id, Participant.source == "invited",
        Participant.approved_at.isnot(None)).limit(1)) is not None


def _check_seat(meeting, on_list, gated):
    """409 `full` when the meeting has no seat left for this person (approved seats not yet
    taken are kept for their people)."""
    joined = db.session.scalar(select(func.count(Participant.id)).where(
        Participant.meeting_id == meeting.id, Participant.joined_at.isnot(None)))
    reserved = 0
    if gated and not on_list:
        reserved = db.session.scalar(select(func.count(Participant.id)).where(
            Participant.meeting_id == meeting.id, Participant.source == "invited",
            Participant.approved_at.isnot(None), Participant.joined_at.is_(None)))
    if joined + reserved >= meeting.max_participants:
        raise Conflict(_("本场慧谈已满员（上限 %(n)d 人），不能再加入。有诉求或建议，可以随时通过一码通反映。",
                         n=meeting.max_participants), code="full")


def live_meeting(meeting_id):
    """The meeting of a live request, without the eager joins (tier, lead) the pages want."""
    meeting = db.session.get(Meeting, meeting_id, options=[lazyload("*")]) if meeting_id is not None else None
    if meeting is None:
        raise NotFound(_("找不到该场慧谈。"))
    return meeting


@functools.cache
def _statement(name):
    """Statements of the submit path, built once (on first use, when every mapper exists).

    SQLAlchemy then finds their compiled SQL without walking a new statement's tree for its
    cache key on every request (issue 13: what a submit costs).
    """
    if name == "participant_with_meeting":
        return (select(Participant).where(Participant.id == bindparam("participant_id"))
                .options(lazyload(Participant.person), joinedload(Participant.meeting).lazyload("*")))
    # The two below are plain table statements: the ORM's statement handling would cost more than
    # the SQL itself, and neither needs objects.
    items, meetings = Item.__table__.c, Meeting.__table__.c
    if name == "item_id_by_client_id":
        return select(items.id).where(items.meeting_id == bindparam("meeting_id"),
                                      items.client_id == bindparam("client_id"))
    if name == "take_next_seq":
        return (update(Meeting.__table__).where(meetings.id == bindparam("meeting_id"), meetings.status == "live")
                .values(next_seq=meetings.next_seq + 1).returning(meetings.next_seq))
    raise KeyError(name)


def participant_for_token(meeting_id, participant_id):
    """The participant a valid token names, provided it belongs to that meeting."""
    # One query for the participant and its meeting, which every participant request needs.
    participant = db.session.execute(_statement("participant_with_meeting"), {"participant_id": participant_id}) \
        .unique().scalar_one_or_none() if isinstance(participant_id, int) else None
    if participant is None or participant.meeting_id != meeting_id:
        raise PermissionDenied(_("参会凭证无效，请重新扫码加入。"), code="invalid_token")
    return participant


# ---------------------------------------------------------------- items

def validate_client_id(client_id):
    if not isinstance(client_id, str) or not CLIENT_ID_RE.match(client_id):
        raise ValidationError(_("client_id 必须是 8 到 64 位的字母、数字、横线或下划线。"), code="bad_client_id")


def validate_item_fields(kind, text, anonymity, category):
    if kind not in ITEM_KINDS:
        raise ValidationError(_("请选择事项类型：问题意见、诉求、困难或合理化建议。"), code="bad_kind")
    if not isinstance(text, str) or not text.strip():
        raise ValidationError(_("内容不能为空。"), code="empty_text")
    text = clean_text(text).strip()
    if not text:
        raise ValidationError(_("内容不能为空。"), code="empty_text")
    limit = current_app.config["ITEM_MAX_CHARS"]
    if len(text) > limit:
        raise ValidationError(_("内容不能超过 %(n)d 个字（现在 %(m)d 个字）。", n=limit, m=len(text)),
                              code="text_too_long")
    if anonymity not in ANONYMITY_LEVELS:
        raise ValidationError(_("请选择署名方式：实名、对会场匿名或完全匿名。"), code="bad_anonymity")
    category = clean_text(category or "").strip() if isinstance(category, str) or category is None else None
    if category is None or len(category) > CATEGORY_MAX:
        raise ValidationError(_("分类不能超过 %(n)d 个字。", n=CATEGORY_MAX), code="bad_category")
    return text, category or None


def _require_live(meeting):
    if meeting.status == "closed":
        raise Conflict(_("这场慧谈已经结束，不能再提交或修改事项。"), code="meeting_closed")
    if meeting.status != "live":
        raise Conflict(_("这场慧谈不在进行中。"), code="meeting_not_live")


def _item_by_client_id(meeting, client_id):
    # Most submissions are new: ask for the id only, and load the item for a retry.
    item_id = db.session.scalar(_statement("item_id_by_client_id"), {"meeting_id": meeting.id, "client_id": client_id})
    return db.session.get(Item, item_id) if item_id is not None else None


def submit_item(meeting, *, client_id, kind, text, anonymity="named", category=None, is_urgent=False,
                participant=None, staff=None, submitter_name=None):
    """Store an item once per (meeting, client_id); returns (item, created).

    A retry with a known client_id returns the stored item unchanged (the first text wins),
    also once the meeting is closed. Hidden-identity items keep no participant and no name.
    """
    validate_client_id(client_id)
    if participant is None and staff is None:
        raise PermissionDenied(_("请先加入慧谈。"))
    # Taking the next seq locks the meeting's row (SQLite: the database) until commit, so the
    # submissions to a meeting go one at a time from here, and the look-up below sees every
    # item committed before: a retry, even one racing its original, gets the stored item.
    seq = db.session.execute(_statement("take_next_seq"), {"meeting_id": meeting.id}).scalar()
    existing = _item_by_client_id(meeting, client_id)
    if existing is not None:
        return existing, False  # the edge still commits: the unused seq is just a gap
    if seq is None:  # not live (any more)
        db.session.refresh(meeting)
        _require_live(meeting)
        raise Conflict(_("这场慧谈不在进行中。"), code="meeting_not_live")
    text, category = validate_item_fields(kind, text, anonymity, category)
    if anonymity == "hidden_identity":
        name, participant_id = None, None
    elif participant is not None:
        name, participant_id = participant.name, participant.id
    else:
        name, participant_id = (clean_text(submitter_name or "").strip()[:NAME_MAX] or None), None
    item = Item(meeting_id=meeting.id, seq=seq, client_id=client_id, kind=kind, text=text, category=category,
                is_urgent=bool(is_urgent), anonymity=anonymity, participant_id=participant_id,
                submitter_name=name, entered_by_user_id=staff.id if staff is not None else None,
                is_approved=not meeting.is_moderated or staff is not None,
                follow_token=None if anonymity == "hidden_identity" else secrets.token_urlsafe(24))
    db.session.add(item)
    db.session.flush()
    record_event("item", item.id, "create", actor=staff,
                 actor_label=None if staff else "participant", to_state="open")
    queue_item_event("created", item)
    return item, True


def add_decided_item(actor, meeting, department, due_date, text, category):
    """An item the meeting decided on (an action written into the minutes), raised by nobody and
    handed straight to a department: it takes the meeting's next number and its slip. Returns the slip."""
    from ..slips.services import issue_slip
    seq = db.session.execute(update(Meeting).where(Meeting.id == meeting.id)
                             .values(next_seq=Meeting.next_seq + 1).returning(Meeting.next_seq)).scalar_one()
    item = Item(channel="minutes", meeting_id=meeting.id, seq=seq, client_id="minutes-" + secrets.token_hex(16),
                kind="demand", category=category, text=text, anonymity="named", submitter_name=None,
                entered_by_user_id=actor.id, is_approved=True, status="transferred",
                outcome_by_user_id=actor.id, outcome_at=utcnow())
    db.session.add(item)
    db.session.flush()
    slip = issue_slip(actor, item, department, due_date)
    record_event("item", item.id, "action_item", actor=actor, to_state="transferred", text=slip.number)
    return slip


def items_after(meeting, after_seq=0, audience="staff", limit=1000):
    query = Item.query.filter(Item.meeting_id == meeting.id, Item.seq > after_seq)
    if audience == "public":
        query = query.filter(Item.is_approved.is_(True))
    return query.order_by(Item.seq).limit(limit).all()


def get_item(item_id, for_update=False):
    """The item, or a clear 404. `for_update` locks its row (PostgreSQL) before an outcome is given."""
    return fetch(Item, item_id, _("找不到该事项。"), with_for_update=for_update or None)


def vote_item(participant, item):
    """+1 from a participant: one per participant per item, same meeting only."""
    if item.meeting_id != participant.meeting_id:
        raise PermissionDenied(_("只能为本场慧谈的事项点赞。"))
    _require_live(item.meeting)
    if not item.is_approved or item.status in ("hidden", "merged"):
        raise Conflict(_("该事项不能点赞。"))
    if Vote.query.filter_by(item_id=item.id, participant_id=participant.id).first() is not None:
        raise Conflict(_("您已经为这条事项 +1 过了。"), code="already_voted")
    try:
        with db.session.begin_nested():
            db.session.add(Vote(item_id=item.id, participant_id=participant.id))
            db.session.flush()
    except IntegrityError:
        raise Conflict(_("您已经为这条事项 +1 过了。"), code="already_voted")
    db.session.execute(update(Item).where(Item.id == item.id).values(votes=Item.votes + 1))
    db.session.refresh(item)
    queue_item_event("updated", item)
    return item


def _begin_outcome(actor, item):
    """Who may give the item its outcome, and when: a meeting item by its chair while the meeting
    is live; a standing-channel item (一码通, no meeting) by whoever triages it, any day."""
    if item.meeting_id is None:
        require_triage(actor, item)
    else:
        meeting = item.meeting
        if not can_chair(actor, meeting):
            raise PermissionDenied(_("只有组织者或本场牵头人可以处理事项。"))
        _require_live(meeting)
    require_open(item)


def is_intake(item):
    """An item of the standing QR channel (一码通): no meeting."""
    return item.meeting_id is None and item.channel == "qr"


def can_triage(user, item=None):
    """Organizers triage every standing channel's items; a lead the items of the channels they supervise."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.has_role("organizer"):
        return True
    return user.role == "lead" and item is not None and item.qr_channel is not None \
        and item.qr_channel.supervisor_user_id == user.id


def require_intake(item):
    if not is_intake(item):
        raise Conflict(_("这不是一码通事项；慧谈中的事项请在慧谈大屏上处理。"), code="not_intake")


def require_triage(actor, item):
    """Before any outcome of an item without a meeting: a standing-channel item, and someone who triages it."""
    require_intake(item)
    if not can_triage(actor, item):
        raise PermissionDenied(_("只有组织者（党群工作部）或该渠道的督办员可以分办一码通事项。"))


def require_open(item):
    """An item has exactly one outcome: a second one is refused."""
    if item.status != "open":
        raise Conflict(_("该事项已有处理结果（%(s)s），不能重复处理。", s=status_label(item.status)),
                       code="already_has_outcome")


def finish_outcome(actor, item, status, text=None):
    """Record the item's outcome (after the checks of the action that gives it) and broadcast it."""
    item.status = status
    item.is_approved = True
    item.outcome_by_user_id = actor.id
    item.outcome_at = utcnow()
    db.session.flush()
    record_event("item", item.id, status, actor=actor, from_state="open", to_state=status, text=text)
    queue_item_event("updated", item)
    return item


def answer_item(actor, item, answer):
    """Answer on the spot (现场答复)."""
    _begin_outcome(actor, item)
    item.answer = required_text(answer, _("请填写答复内容。"), ANSWER_MAX)
    return finish_outcome(actor, item, "answered", item.answer)


def transfer_item(actor, item, department_id, due_date):
    """Hand the item to a department as a handling slip (转承办); returns the slip."""
    from ..slips.services import issue_slip
    _begin_outcome(actor, item)
    department = active_department(department_id)
    slip = issue_slip(actor, item, department, due_date, purpose="handle")
    finish_outcome(actor, item, "transferred", slip.number)
    return slip


def adopt_suggestion(actor, item, department_id, due_date):
    """Adopt a suggestion: a slip asks the department to study and implement it (研究落实)."""
    from ..slips.services import issue_slip
    if item.kind != "suggestion":
        raise Conflict(_("只有合理化建议可以“采纳”；其他事项请答复或转承办。"))
    _begin_outcome(actor, item)
    slip = issue_slip(actor, item, active_department(department_id), due_date, purpose="implement")
    finish_outcome(actor, item, "adopted", slip.number)
    return slip


def decline_suggestion(actor, item, explanation):
    """Decline a suggestion with an explanation (论证说明)."""
    if item.kind != "suggestion":
        raise Conflict(_("只有合理化建议可以“不采纳”。"))
    _begin_outcome(actor, item)
    item.outcome_note = required_text(explanation, _("请填写不采纳的论证说明。"), ANSWER_MAX)
    return finish_outcome(actor, item, "declined", item.outcome_note)


def merge_item(actor, item, target_id):
    """Merge a duplicate into another item of the same meeting; its votes move along."""
    _begin_outcome(actor, item)
    target = db.session.get(Item, target_id) if is_id(target_id) else None
    if item.meeting_id is None:
        # Standing-channel items merge with other standing-channel items, whichever poster they came from.
        if target is None or target.meeting_id is not None or target.channel != item.channel \
                or target.id == item.id:
            raise ValidationError(_("请选择一码通中的另一条事项。"), code="bad_target")
    elif target is None or target.meeting_id != item.meeting_id or target.id == item.id:
        raise ValidationError(_("请选择同一场慧谈中的另一条事项。"), code="bad_target")
    while target.merged_into is not None:
        target = target.merged_into
    if target.id == item.id:
        raise ValidationError(_("不能合并到自身。"), code="bad_target")
    item.merged_into = target
    target.votes = target.votes + item.votes
    label = _("合并到 #%(seq)d", seq=target.seq) if target.seq is not None else \
        _("合并到一码通事项 %(n)s", n=item_number(target))
    result = finish_outcome(actor, item, "merged", label)
    queue_item_event("updated", target)
    return result


def hide_item(actor, item, reason):
    """Hide an off-topic item; the reason stays in the audit trail."""
    _begin_outcome(actor, item)
    item.outcome_note = required_text(reason, _("请填写隐藏原因。"), 500)
    return finish_outcome(actor, item, "hidden", item.outcome_note)


def approve_item(actor, item):
    """Let a moderated item onto the board and the phones."""
    if item.meeting is None or not can_chair(actor, item.meeting):
        raise PermissionDenied(_("只有组织者或本场牵头人可以审核事项。"))
    _require_live(item.meeting)
    if item.is_approved:
        return item
    item.is_approved = True
    db.session.flush()
    record_event("item", item.id, "approve", actor=actor)
    queue_item_event("updated", item)
    return item
