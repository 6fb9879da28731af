"""Handling slips (承办单): issuing, the lifecycle state machine, deadlines, reminders,
submitter feedback, the points ledger and department KPIs.

Transitions (anything else is a 409 with a clear message):

    issued   --accept (handler)-------------------> accepted
    accepted --reply (handler, reply + basis)-----> replied
    replied  --close (supervisor / organizer)-----> closed
    replied  --feedback "satisfied" (submitter)---> closed
    replied, closed --reopen (supervisor, reason)-> accepted   (退回重办, reopen_count + 1)
    issued, accepted --reassign (supervisor)------> issued     (another department)
    issued, accepted: extension asked by the handler, approved / refused by the supervisor
"""
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError

from ..validation import clean_text, deadline_value, fetch, optional_text, required_text
from ..audit.services import record_event
from ..errors import Conflict, NotFound, PermissionDenied, ValidationError
from ..extensions import db
from ..people.services import active_department
from ..timeutil import local_today, to_local, utcnow
from ..stats.queries import is_overdue
from ..texts import labelled
from .labels import rating_label, status_label
from .notices import active_handlers, notify, settle_notices
from .points import add_points, book_overdue
from .models import CALLBACK_REACTIONS, OWING_REPLY, RATINGS, Slip, SlipCallback, \
    SlipExtension

REPLY_MAX = 4000
# The notices a step answers: signing answers "new slip", a reply answers "reopened" and
# "urgent" too, and a closed slip asks nothing of anybody any more.
SETTLED_BY = {"accepted": ("slip_issued",), "replied": ("slip_issued", "slip_reopened", "urgent"), "closed": None}
REASON_MAX = 1000

# ---------------------------------------------------------------- deadlines

def add_working_days(start, days):
    """The date `days` working days after `start`: Monday–Friday, skipping the holidays of the
    plan calendar and counting its swapped working days (调休), so that an urgent item raised
    on 30 September is due after the National Day week, not on 1 October."""
    from ..scheduling.queries import holidays_between
    special = holidays_between(start, start + timedelta(days=days * 2 + 21))
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        is_workday = special[current][1] if current in special else current.weekday() < 5
        if is_workday:
            remaining -= 1
    return current


def default_due_date(kind, category=None, is_urgent=False, today=None):
    """Default reply deadline from the configured working days per kind / category (urgent: 1 day)."""
    today = today or local_today()
    config = current_app.config
    if is_urgent:
        return add_working_days(today, config.get("SLIP_URGENT_DAYS", 1))
    by_category = config.get("SLIP_DAYS_BY_CATEGORY", {})
    if category and category in by_category:
        return add_working_days(today, by_category[category])
    return add_working_days(today, config.get("SLIP_DAYS_BY_KIND", {}).get(kind, 5))


def days_overdue(slip, today=None):
    return max(((today or local_today()) - slip.due_date).days, 0) if is_overdue(slip, today) else 0


# ---------------------------------------------------------------- issuing

def next_slip_number(now_local):
    """The next free number of the month of `now_local`: HT-YYYYMM-NNNN."""
    prefix = f"HT-{now_local:%Y%m}-"
    last = db.session.query(func.max(Slip.number)).filter(Slip.number.like(prefix + "%")).scalar()
    sequence = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{sequence:04d}"


def supervisor_for(meeting):
    """The meeting's chair supervises its slips (DESIGN §6): the tier's lead unless the organizer
    named another chair. When the chair's account is no longer in use, the tier's current lead
    takes over, so that a slip always has someone to answer to."""
    if meeting is None:
        return None
    if meeting.lead is not None and meeting.lead.is_enabled:
        return meeting.lead
    current = meeting.tier.current_lead if meeting.tier is not None else None
    if current is not None and current.user is not None and current.user.is_enabled:
        return current.user
    return meeting.lead


def supervisor_for_item(item):
    """The 督办员 of an item's slip: the tier lead (or chair) of its meeting; for a standing-channel
    item, the supervisor of its channel."""
    if item.meeting_id is not None:
        return supervisor_for(item.meeting)
    return channel_supervisor(item)


def channel_supervisor(item):
    """The 督办员 of a standing-channel item's slip: its channel's supervisor, while that account is in use."""
    channel = item.qr_channel
    if channel is None or channel.supervisor is None or not channel.supervisor.is_enabled:
        return None
    return channel.supervisor


def urgent_due_date(today=None):
    """特事特办: the reply is due the next working day."""
    return add_working_days(today or local_today(), current_app.config.get("SLIP_URGENT_DAYS", 1))


def issue_slip(actor, item, department, due_date, purpose="handle", instruction=None):
    """Create the slip for an item: number HT-YYYYMM-NNNN, status issued, supervisor = tier lead
    (for a standing-channel item, the channel's supervisor).

    An urgent item (特事特办) is due the next working day at the latest, and its supervisor hears of
    it at once together with the handlers. `instruction` is a mine leader's 批示 when they
    dispatched (批办) the item.
    """
    if department is None:
        raise ValidationError(_("请选择承办科室。"))
    deadline_value(due_date, local_today())
    if item.slip is not None:
        raise Conflict(_("该事项已有承办单 %(n)s。", n=item.slip.number))
    meeting = item.meeting
    supervisor = supervisor_for_item(item)
    if supervisor is None:
        # No slip without a 督办员: someone must follow it up until it is closed.
        if item.meeting_id is None:
            raise Conflict(_("这个一码通渠道的督办员账号已停用，不能转办。请组织者先在渠道设置中重新指定督办员。"),
                           code="no_supervisor")
        raise Conflict(_("这场慧谈没有牵头人（督办员），不能转办。请组织者先在慧谈设置中指定牵头人。"),
                       code="no_supervisor")
    if item.is_urgent:
        due_date = min(due_date, urgent_due_date())
    for _attempt in range(5):
        slip = Slip(number=next_slip_number(to_local(utcnow())), department_id=department.id,
                    tier_id=meeting.tier_id if meeting is not None else None,
                    supervisor_user_id=supervisor.id if supervisor is not None else None,
                    purpose=purpose, due_date=due_date, status="issued", instruction=instruction,
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
    if item.kind == "difficulty" and item.publication == "full":
        # Difficulties speak of illness and family: off the public board until someone decides.
        item.publication = "withheld"
    if item.is_urgent:
        notify_urgent(slip)
    else:
        for handler in active_handlers(department.id):
            notify(handler, "slip_issued", _("新承办单 %(n)s：%(t)s", n=slip.number, t=item.text[:60]), slip)
    return slip


def notify_urgent(slip):
    """特事特办: the supervisor and the department's handlers hear of the slip now, with its deadline."""
    text = _("【特事特办】%(n)s 请于 %(d)s 前答复：%(t)s", n=slip.number, d=slip.due_date.isoformat(),
             t=slip.item.text[:60])
    key = f"urgent:{slip.id}:{slip.due_date.isoformat()}"
    for user in active_handlers(slip.department_id) + ([slip.supervisor] if slip.supervisor else []):
        notify(user, "urgent", text, slip, dedupe_key=key)


def hasten_slip(actor, slip):
    """An item marked urgent after its slip was issued: the slip still owing a reply is due the next
    working day at the latest, and the supervisor and handlers are told at once."""
    if slip.status not in OWING_REPLY:
        return slip
    due = urgent_due_date()
    if due < slip.due_date:
        record_event("slip", slip.id, "hasten", actor=actor, text=f"{slip.due_date} → {due}")
        slip.due_date = due
    db.session.flush()
    notify_urgent(slip)
    return slip


# ---------------------------------------------------------------- who may act

def get_slip(slip_id):
    return fetch(Slip, slip_id, _("找不到该承办单。"))


def is_handler_of(user, slip):
    return user.role == "handler" and user.department_id == slip.department_id


def is_supervisor_of(user, slip):
    return user.has_role("organizer") or (user.role == "lead" and slip.supervisor_user_id == user.id)


def can_view(user, slip):
    if user.has_role("organizer", "viewer"):
        return True
    return is_handler_of(user, slip) or is_supervisor_of(user, slip)


def _require_handler(user, slip):
    if not (is_handler_of(user, slip) or user.role == "admin"):
        raise PermissionDenied(_("只有%(d)s的承办人可以办理这张承办单。", d=slip.department.name))


def _require_supervisor(user, slip):
    if not is_supervisor_of(user, slip):
        raise PermissionDenied(_("只有督办员（本层级牵头人）或组织者可以执行此操作。"))


def _require_status(slip, allowed, action):
    if slip.status not in allowed:
        raise Conflict(_("承办单当前状态为“%(s)s”，不能%(a)s。", s=status_label(slip.status), a=action),
                       code="illegal_transition")


def _transition(actor, slip, to_state, action, text=None):
    from_state = slip.status
    slip.status = to_state
    if to_state in SETTLED_BY:
        settle_notices(slip, SETTLED_BY[to_state])
    record_event("slip", slip.id, action, actor=actor, actor_label=None if actor else "system",
                 from_state=from_state, to_state=to_state, text=text)
    db.session.flush()
    _show_on_board(slip)
    return slip


def _show_on_board(slip):
    """A live board shows each item's slip (status, deadline, reply): tell it after the commit."""
    from ..live.payloads import queue_item_event
    if slip.item is not None:
        queue_item_event("updated", slip.item)


# ---------------------------------------------------------------- lifecycle

def accept_slip(actor, slip):
    """The handler signs for the slip (签收)."""
    _require_handler(actor, slip)
    _require_status(slip, ("issued",), _("签收"))
    slip.handler_user_id = actor.id
    slip.accepted_at = utcnow()
    return _transition(actor, slip, "accepted", "accept")


def reply_slip(actor, slip, reply, basis):
    """The handler replies with the basis (依据) of the reply."""
    _require_handler(actor, slip)
    _require_status(slip, ("accepted",), _("答复（请先签收）") if slip.status == "issued" else _("答复"))
    slip.reply = required_text(reply, _("请填写答复内容。"), REPLY_MAX, code="reply_required")
    slip.basis = required_text(basis, _("请填写答复依据（政策、制度或事实）。"), REASON_MAX, code="basis_required")
    slip.replied_at = utcnow()
    # On time is decided now, against the deadline in force now (an approved extension counts);
    # later extensions or reopenings do not rewrite it.
    slip.replied_on_time = to_local(slip.replied_at).date() <= slip.due_date
    slip.handler_user_id = actor.id
    slip.rating = slip.rating_comment = slip.rated_at = None
    if not slip.replied_on_time:
        # A late reply costs the −2 even when the reminder job has not run since the deadline
        # passed; booked on the deadline's month, once, as the job would have done.
        book_overdue(slip)
    _transition(actor, slip, "replied", "reply", slip.reply[:200])
    if slip.supervisor is not None:
        notify(slip.supervisor, "slip_replied", _("%(n)s 已答复，请督办确认。", n=slip.number), slip)
    return slip


def close_slip(actor, slip, note=None):
    """The supervisor closes a replied slip; after a dissatisfied rating a note is required."""
    _require_supervisor(actor, slip)
    _require_status(slip, ("replied",), _("办结"))
    note = clean_text(note or "").strip()[:REASON_MAX] or None
    if slip.rating == "dissatisfied" and not note:
        raise ValidationError(_("职工对答复不满意，办结时请说明理由。"), code="note_required")
    slip.close_note = note
    slip.closed_at = utcnow()
    return _transition(actor, slip, "closed", "close", note)


def reopen_slip(actor, slip, reason, due_date=None):
    """退回重办: back to the department, reason required; a new deadline if the old one passed."""
    _require_supervisor(actor, slip)
    _require_status(slip, ("replied", "closed"), _("退回重办"))
    reason = required_text(reason, _("请填写退回重办的理由。"), REASON_MAX)
    today = local_today()
    if due_date is not None:
        slip.due_date = deadline_value(due_date, today)
    elif slip.due_date < today:
        slip.due_date = default_due_date(slip.item.kind, slip.item.category, today=today)
    slip.reopen_count += 1
    slip.closed_at = None
    slip.followup_answer = None
    _transition(actor, slip, "accepted", "reopen", reason)
    for handler in active_handlers(slip.department_id):
        notify(handler, "slip_reopened", _("%(n)s 被退回重办：%(r)s", n=slip.number, r=reason[:80]), slip)
    return slip


def reassign_slip(actor, slip, department_id, due_date=None):
    """The supervisor moves a slip that is not yet replied to another department."""
    _require_supervisor(actor, slip)
    _require_status(slip, OWING_REPLY, _("改派"))
    department = active_department(department_id)
    if department.id == slip.department_id:
        raise ValidationError(_("新科室与原科室相同。"))
    if due_date is not None:
        slip.due_date = deadline_value(due_date, local_today())
    old = slip.department.name
    pending = slip.pending_extension
    if pending is not None:  # the old department's request dies with the move
        pending.status, pending.decided_by_user_id, pending.decided_at = "refused", actor.id, utcnow()
        pending.decision_note = _("已改派，延期申请作废。")
    slip.department_id = department.id
    slip.handler_user_id = None
    slip.accepted_at = None
    db.session.flush()
    db.session.expire(slip, ["department"])
    _transition(actor, slip, "issued", "reassign", f"{old} → {department.name}")
    for handler in active_handlers(department.id):
        notify(handler, "slip_issued", _("改派给本科室的承办单 %(n)s", n=slip.number), slip)
    return slip


def request_extension(actor, slip, new_due_date, reason):
    """The handler asks for a later deadline (延期); the supervisor decides."""
    _require_handler(actor, slip)
    _require_status(slip, OWING_REPLY, _("申请延期"))
    reason = required_text(reason, _("请填写延期理由。"), REASON_MAX)
    _check_new_deadline(slip, new_due_date)
    if slip.pending_extension is not None:
        raise Conflict(_("已有一份延期申请在等待督办员审批。"), code="extension_pending")
    extension = SlipExtension(slip=slip, requested_by_user_id=actor.id, old_due_date=slip.due_date,
                              new_due_date=new_due_date, reason=reason)
    db.session.add(extension)
    record_event("slip", slip.id, "extension_request", actor=actor,
                 text=labelled(f"{slip.due_date} → {new_due_date}", reason))
    db.session.flush()
    if slip.supervisor is not None:
        notify(slip.supervisor, "extension_request",
               _("%(n)s 申请延期至 %(d)s", n=slip.number, d=new_due_date.isoformat()), slip)
    return extension


def _check_new_deadline(slip, new_due_date):
    if new_due_date is None:
        raise ValidationError(_("请填写新的答复期限。"))
    if new_due_date <= slip.due_date:
        raise ValidationError(_("延期后的期限必须晚于当前期限 %(d)s。", d=slip.due_date.isoformat()),
                              code="extension_too_short")
    deadline_value(new_due_date, local_today())


def decide_extension(actor, slip, approve, note=None):
    """The supervisor approves (deadline moves) or refuses the pending extension."""
    _require_supervisor(actor, slip)
    extension = slip.pending_extension
    if extension is None:
        raise Conflict(_("没有待审批的延期申请。"), code="no_pending_extension")
    extension.status = "approved" if approve else "refused"
    extension.decided_by_user_id = actor.id
    extension.decided_at = utcnow()
    extension.decision_note = optional_text(note, REASON_MAX, _("审批意见"))
    if approve:
        slip.due_date = extension.new_due_date
        _show_on_board(slip)
    record_event("slip", slip.id, "extension_" + extension.status, actor=actor,
                 text=labelled(f"{extension.old_due_date} → {extension.new_due_date}", extension.decision_note)
                 if extension.decision_note else f"{extension.old_due_date} → {extension.new_due_date}")
    db.session.flush()
    if extension.requested_by is not None:
        notify(extension.requested_by, "extension_decided",
               _("%(n)s 的延期申请已%(r)s", n=slip.number, r=_("批准") if approve else _("驳回")), slip)
    return extension


def extend_slip(actor, slip, new_due_date, reason):
    """API `extend`: a handler's call asks for an extension; a supervisor's call extends at once."""
    if is_supervisor_of(actor, slip):
        _require_status(slip, OWING_REPLY, _("延期"))
        reason = required_text(reason, _("请填写延期理由。"), REASON_MAX)
        _check_new_deadline(slip, new_due_date)
        extension = SlipExtension(slip=slip, requested_by_user_id=actor.id, old_due_date=slip.due_date,
                                  new_due_date=new_due_date, reason=reason, status="approved",
                                  decided_by_user_id=actor.id, decided_at=utcnow())
        db.session.add(extension)
        slip.due_date = new_due_date
        record_event("slip", slip.id, "extension_approved", actor=actor,
                     text=labelled(f"{extension.old_due_date} → {new_due_date}", reason))
        db.session.flush()
        _show_on_board(slip)
        return extension
    return request_extension(actor, slip, new_due_date, reason)


def flag_perfunctory(actor, slip, reason):
    """The supervisor flags the department as perfunctory (搪塞应付、推诿扯皮): −1, once per slip.

    At any stage after issue: refusing, stalling or passing the slip around count as much as a
    hollow reply.
    """
    _require_supervisor(actor, slip)
    reason = required_text(reason, _("请说明认定为搪塞应付、推诿扯皮的理由。"), REASON_MAX)
    entry = add_points(slip.department_id, "perfunctory", actor=actor, slip=slip, note=reason,
                        occurred_on=local_today())
    if entry is None:
        raise Conflict(_("这张承办单已经被认定过搪塞应付。"), code="already_flagged")
    record_event("slip", slip.id, "flag_perfunctory", actor=actor, text=reason)
    return entry


# ---------------------------------------------------------------- the callback log (反馈电话)

CALLBACK_LABELS = {"understood": "理解认可", "partly": "基本认可", "objection": "仍有意见", "unreachable": "未接通"}
CALLBACK_SUMMARY_MAX = 2000
CALLER_MAX = 64


def callback_label(reaction):
    return _(CALLBACK_LABELS[reaction]) if reaction in CALLBACK_LABELS else ""


def can_record_callback(user, slip):
    """The department's handler, the supervisor and the organizers call the worker back."""
    return user.has_role("organizer") or is_handler_of(user, slip) or is_supervisor_of(user, slip)


def record_callback(actor, slip, *, called_at=None, caller=None, summary=None, reaction=None, reaction_note=None):
    """Log a feedback call (反馈电话) on the slip: when, who called, what was said, how the worker
    took it. A worker who still objects goes back to the supervisor. Returns the log entry."""
    if not can_record_callback(actor, slip):
        raise PermissionDenied(_("只有承办科室、督办员或组织者可以登记反馈电话。"))
    if slip.item.anonymity == "hidden_identity":
        raise Conflict(_("完全匿名的事项没有提出人的任何信息，无法电话回访。"), code="no_contact")
    now = utcnow()
    called_at = called_at or now
    if called_at > now + timedelta(minutes=10) or called_at < now - timedelta(days=366):
        raise ValidationError(_("通话时间应在一年以内，且不晚于现在。"), code="bad_called_at")
    caller = required_text(caller or actor.display_name, _("请填写回访人。"), CALLER_MAX, code="caller_required")
    summary = required_text(summary, _("请填写通话内容。"), CALLBACK_SUMMARY_MAX, code="summary_required")
    if reaction not in CALLBACK_REACTIONS:
        raise ValidationError(_("请选择职工的反应：理解认可、基本认可、仍有意见或未接通。"), code="bad_reaction")
    note = optional_text(reaction_note, REASON_MAX, _("职工原话"))
    entry = SlipCallback(slip=slip, called_at=called_at, caller=caller, summary=summary, reaction=reaction,
                         reaction_note=note, recorded_by_user_id=actor.id)
    db.session.add(entry)
    db.session.flush()
    record_event("slip", slip.id, "callback", actor=actor, text=labelled(caller, callback_label(reaction)))
    if reaction == "objection" and slip.supervisor is not None and slip.supervisor.id != actor.id:
        notify(slip.supervisor, "callback_objection",
               _("%(n)s 反馈电话：职工仍有意见。%(s)s", n=slip.number, s=summary[:60]), slip)
    return entry


# ---------------------------------------------------------------- the public board

PUBLICATIONS = ("full", "summary", "withheld")
PUBLIC_SUMMARY_MAX = 200


def set_publication(actor, slip, mode, summary=None):
    """Choose how the public board shows the slip's item: the text, a short summary, or not at all.

    Difficulties often speak of illness and family: the organizer (or the supervisor) can keep
    them off the board or publish a summary instead. The choice is recorded in the audit trail.
    """
    _require_supervisor(actor, slip)
    if mode not in PUBLICATIONS:
        raise ValidationError(_("请选择公示方式：公示原文、公示摘要或不公示。"), code="bad_publication")
    item = slip.item
    if mode == "summary":
        item.public_summary = required_text(summary, _("请填写公示摘要。"), PUBLIC_SUMMARY_MAX)
    item.publication = mode
    labels = {"full": _("公示原文"), "summary": _("公示摘要"), "withheld": _("不公示")}
    record_event("slip", slip.id, "publication", actor=actor,
                 text=labelled(labels[mode], item.public_summary) if mode == "summary" else labels[mode])
    db.session.flush()
    return slip


def public_text(item):
    """What the public board shows of an item (None when withheld)."""
    if item.publication == "withheld":
        return None
    if item.publication == "summary":
        return item.public_summary
    return item.text


# ---------------------------------------------------------------- the submitter's side

def item_for_follow_token(token):
    """The item behind a submitter's personal follow link."""
    from ..live.models import Item
    item = Item.query.filter_by(follow_token=token).first() if isinstance(token, str) and 10 <= len(token) <= 64 \
        else None
    if item is None:
        raise NotFound(_("链接无效或已失效。"))
    return item


def require_submitter(slip, follow_token=None, participant=None):
    """Only the item's submitter may rate: by the personal follow token or the participant token."""
    item = slip.item
    if isinstance(follow_token, str) and item.follow_token and secrets.compare_digest(
            follow_token.encode("utf-8"), item.follow_token.encode("utf-8")):
        return item
    if participant is not None and item.participant_id is not None and participant.id == item.participant_id \
            and item.anonymity != "hidden_identity":
        return item
    raise PermissionDenied(_("只有提出该事项的职工本人可以评价。"), code="not_submitter")


def rate_slip(slip, rating, comment=None):
    """The submitter rates the reply (满意 / 基本满意 / 不满意); a second rating replaces the first.

    Satisfied closes the slip; dissatisfied goes back to the supervisor. The edge must have
    checked `require_submitter` first.
    """
    if rating not in RATINGS:
        raise ValidationError(_("请选择：满意、基本满意或不满意。"), code="bad_rating")
    if comment is not None and not isinstance(comment, str):
        raise ValidationError(_("评价内容必须是文字。"))
    comment = clean_text(comment or "").strip()
    if len(comment) > REASON_MAX:
        raise ValidationError(_("评价内容不能超过 %(n)d 个字。", n=REASON_MAX))
    _require_status(slip, ("replied", "closed"), _("评价（还没有答复）"))
    previous = slip.rating
    slip.rating, slip.rating_comment, slip.rated_at = rating, comment or None, utcnow()
    change = f"{rating_label(previous)} → {rating_label(rating)}" if previous else rating_label(rating)
    record_event("slip", slip.id, "rate", actor_label="submitter", text=labelled(change, comment) if comment else change)
    if rating == "satisfied" and slip.status == "replied":
        slip.closed_at = utcnow()
        _transition(None, slip, "closed", "auto_close", _("职工评价满意，自动办结"))
    elif rating == "dissatisfied" and slip.supervisor is not None:
        notify(slip.supervisor, "dissatisfied",
               _("%(n)s：职工对答复不满意，请退回重办或说明理由后办结。", n=slip.number), slip)
    db.session.flush()
    return slip


FOLLOWUP_AFTER_DAYS = 14


def followup_due(slip, now=None):
    """Two weeks after closing, the follow link asks once whether the matter is really solved."""
    if slip is None or slip.status != "closed" or slip.closed_at is None or slip.followup_answer:
        return False
    return (now or utcnow()) - slip.closed_at >= timedelta(days=FOLLOWUP_AFTER_DAYS)


def answer_followup(slip, solved):
    """The submitter's answer to the two-week follow-up; "not solved" returns it to the supervisor."""
    if not followup_due(slip):
        raise Conflict(_("现在不需要回访确认。"), code="no_followup")
    slip.followup_answer = "solved" if solved else "not_solved"
    slip.followup_at = utcnow()
    record_event("slip", slip.id, "followup", actor_label="submitter", text=_("已解决") if solved else _("仍未解决"))
    if not solved and slip.supervisor is not None:
        notify(slip.supervisor, "followup_not_solved", _("%(n)s 回访：职工表示问题仍未解决。", n=slip.number), slip)
    db.session.flush()
    return slip


# ---------------------------------------------------------------- plain views

def slip_to_dict(slip, today=None, labels=None):
    """The JSON view of a slip; lists pass `today` and the translated status `labels` once."""
    today = today or local_today()
    return {"id": slip.id, "number": slip.number, "status": slip.status,
            "status_label": labels[slip.status] if labels else status_label(slip.status),
            "department_id": slip.department_id,
            "department": slip.department.name, "due_date": slip.due_date.isoformat(),
            "is_overdue": is_overdue(slip, today), "item_id": slip.item_id, "purpose": slip.purpose,
            "tier_id": slip.tier_id, "supervisor_user_id": slip.supervisor_user_id,
            "reply": slip.reply, "basis": slip.basis, "reopen_count": slip.reopen_count,
            "rating": slip.rating, "issued_at": to_local(slip.issued_at).isoformat(),
            "replied_at": to_local(slip.replied_at).isoformat() if slip.replied_at else None,
            "closed_at": to_local(slip.closed_at).isoformat() if slip.closed_at else None,
            "pending_extension": ({"new_due_date": slip.pending_extension.new_due_date.isoformat(),
                                   "reason": slip.pending_extension.reason}
                                  if slip.pending_extension else None)}
