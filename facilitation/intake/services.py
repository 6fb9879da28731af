"""The standing QR channel (一码通): channels, submitting without an account, and triage (分办).

Items from a channel are ordinary items (channel "qr", no meeting) and take the same outcomes as
meeting items through live.services (answer, transfer, merge, hide …); this module adds what only
channels have: who triages them, the channel's supervisor for their slips, marking an item urgent
(特事特办), a mine leader's dispatch (批办) with an instruction, and the replies chosen for the
monthly public summary.

Fully anonymous (`hidden_identity`) items keep nothing that identifies the sender: no name, no
工号, no roster match, no phone, no follow token. Neither the device id the page sends (used only
by the rate limiter, in memory) nor the address is stored with any item.
"""
import re
import secrets

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..accounts.models import User
from ..audit.services import record_event
from ..errors import Conflict, Gone, NotFound, PermissionDenied, ValidationError
from ..extensions import db
from ..live.models import Item
from ..live.payloads import item_number, item_to_dict
from ..live.services import (NAME_MAX, can_triage, finish_outcome, require_intake, require_open, validate_client_id,
                             validate_item_fields)
from ..people.models import Person, Unit
from ..people.services import active_department
from ..slips.models import ANSWERED, Slip
from ..slips.notices import active_organizers, notify
from ..slips.services import channel_supervisor, default_due_date, hasten_slip, issue_slip
from ..timeutil import month_bounds
from ..validation import bool_value, clean_text, fetch, id_value, optional_text, required_text
from .models import CODE_ALPHABET, CODE_LENGTH, INVITATION_MAX, NAME_MAX as CHANNEL_NAME_MAX, PROMISE_MAX, \
    Channel, SummaryPick

SUPERVISOR_ROLES = ("admin", "organizer", "lead")
EMPLOYEE_NO_MAX = 32
PHONE_RE = re.compile(r"^[0-9+\- ]{5,32}$")
INSTRUCTION_MAX = 1000


# ---------------------------------------------------------------- channels

def _new_code():
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _n in range(CODE_LENGTH))
        if db.session.scalar(select(Channel.id).where(Channel.code == code)) is None:
            return code


def require_organizer(actor):
    if actor is None or not actor.has_role("organizer"):
        raise PermissionDenied(_("只有组织者可以管理一码通渠道。"))


def get_channel(channel_id):
    return fetch(Channel, channel_id, _("找不到该一码通渠道。"))


def channel_by_code(code, for_submit=False):
    """The channel of a poster's code; 404 for a wrong code, 410 (when submitting) for a stopped one."""
    code = code.strip().upper() if isinstance(code, str) else ""
    channel = Channel.query.filter_by(code=code).first() if 0 < len(code) <= 16 else None
    if channel is None:
        raise NotFound(_("二维码无效：没有找到这个一码通，请核对后重新扫码。"), code="bad_channel_code")
    if for_submit and not channel.is_active:
        raise Gone(_("这个一码通已经停用，不能再提交。请扫描其他“一码通”二维码，或联系党群工作部。"),
                   code="channel_inactive")
    return channel


def supervisor_choices():
    """Who may supervise a channel's slips: enabled organizers, leads and admins."""
    return (User.query.filter(User.role.in_(SUPERVISOR_ROLES), User.is_enabled.is_(True))
            .order_by(User.role, User.display_name).all())


def _supervisor(value):
    user_id = id_value(value, _("督办员"))
    user = db.session.get(User, user_id)
    if user is None or not user.is_enabled or user.role not in SUPERVISOR_ROLES:
        raise ValidationError(_("督办员必须是在用的组织者或牵头人账号。"), code="bad_supervisor")
    return user


def _unit(value):
    if value in (None, "", 0):
        return None
    unit = db.session.get(Unit, id_value(value, _("所属单位")))
    if unit is None:
        raise ValidationError(_("请选择有效的单位。"), code="bad_unit")
    return unit


def _channel_name(value, channel=None):
    name = required_text(value, _("请填写渠道名称（张贴位置），例如“职工食堂”。"), CHANNEL_NAME_MAX, code="name_required")
    query = Channel.query.filter(Channel.name == name)
    if channel is not None:
        query = query.filter(Channel.id != channel.id)
    if query.first() is not None:
        raise Conflict(_("已经有名为“%(n)s”的一码通渠道。", n=name), code="duplicate")
    return name


def _apply(channel, actor, data):
    if "invitation" in data:
        channel.invitation = optional_text(data.get("invitation"), INVITATION_MAX, _("邀请语"))
    if "reply_promise" in data:
        channel.reply_promise = optional_text(data.get("reply_promise"), PROMISE_MAX, _("答复承诺"))
    if "unit_id" in data:
        channel.unit = _unit(data.get("unit_id"))
    if data.get("supervisor_user_id") is not None:
        channel.supervisor = _supervisor(data.get("supervisor_user_id"))
    is_default = bool_value(data.get("is_default"), "is_default")
    if is_default is True:
        _make_default(channel)
    elif is_default is False:
        channel.is_default = False


def _make_default(channel):
    """One default channel: the one a meeting's phone page points to when someone is turned away."""
    for other in Channel.query.filter(Channel.is_default.is_(True), Channel.id != (channel.id or 0)):
        other.is_default = False
    db.session.flush()
    channel.is_default = True


def create_channel(actor, data):
    """A new channel with a fresh code. Its supervisor is the one given, else the organizer who
    creates it: a channel slip is never without a 督办员."""
    require_organizer(actor)
    channel = Channel(code=_new_code(), name=_channel_name(data.get("name")), is_active=True, is_default=False,
                      reply_promise=_("24小时内响应、5个工作日内答复"), created_by_user_id=actor.id)
    channel.supervisor = actor if data.get("supervisor_user_id") is None else None
    _apply(channel, actor, data)
    if channel.supervisor is None:
        raise ValidationError(_("请选择督办员。"), code="bad_supervisor")
    db.session.add(channel)
    db.session.flush()
    record_event("channel", channel.id, "create", actor=actor, text=f"{channel.name}（{channel.code}）")
    return channel


def update_channel(actor, channel, data):
    """Edit the name, the poster's lines, the unit, the supervisor, or make it the default."""
    require_organizer(actor)
    if "name" in data:
        channel.name = _channel_name(data.get("name"), channel)
    _apply(channel, actor, data)
    db.session.flush()
    record_event("channel", channel.id, "update", actor=actor, text=channel.name)
    return channel


def set_channel_active(actor, channel, active):
    """Stop a channel (its poster stops taking items; what it took is still handled) or restart it."""
    require_organizer(actor)
    if channel.is_active == bool(active):
        raise Conflict(_("该渠道已经是这个状态。"), code="unchanged")
    channel.is_active = bool(active)
    if not active:
        channel.is_default = False
    db.session.flush()
    record_event("channel", channel.id, "activate" if active else "deactivate", actor=actor)
    return channel


def channel_to_dict(channel):
    return {"id": channel.id, "name": channel.name, "code": channel.code, "invitation": channel.invitation,
            "reply_promise": channel.reply_promise, "unit_id": channel.unit_id,
            "supervisor_user_id": channel.supervisor_user_id,
            "supervisor": channel.supervisor.display_name if channel.supervisor else None,
            "is_active": channel.is_active, "is_default": channel.is_default}


# ---------------------------------------------------------------- submitting

def _identity_text(value, limit, message):
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValidationError(message, code="bad_identity")
    value = clean_text(value).strip()
    if len(value) > limit:
        raise ValidationError(message, code="bad_identity")
    return value or None


def _item_by_client_id(channel, client_id):
    item_id = db.session.scalar(select(Item.id).where(Item.channel_id == channel.id, Item.client_id == client_id))
    return db.session.get(Item, item_id) if item_id is not None else None


def submit_channel_item(channel, *, client_id, kind, text, anonymity="named", category=None, name=None,
                        employee_no=None, phone=None):
    """Store an item from a channel's phone page once per (channel, client_id); returns (item, created).

    No account and no token. A retry with a known client_id returns the stored item (the first text
    wins), also once the channel is stopped. A `hidden_identity` item stores none of name, 工号 or
    phone, whatever was sent; otherwise a 工号 found in the roster must agree with the name given.
    """
    validate_client_id(client_id)
    existing = _item_by_client_id(channel, client_id)
    if existing is not None:
        return existing, False
    if not channel.is_active:
        channel_by_code(channel.code, for_submit=True)  # raises the clear 410
    text, category = validate_item_fields(kind, text, anonymity, category)
    person = None
    if anonymity == "hidden_identity":
        name = employee_no = phone = None
    else:
        name = _identity_text(name, NAME_MAX, _("姓名不能超过 %(n)d 个字。", n=NAME_MAX))
        employee_no = _identity_text(employee_no, EMPLOYEE_NO_MAX, _("工号不能超过 %(n)d 位。", n=EMPLOYEE_NO_MAX))
        phone = _identity_text(phone, 32, _("联系电话格式不正确。"))
        if phone is not None and not PHONE_RE.match(phone):
            raise ValidationError(_("联系电话格式不正确。"), code="bad_phone")
        if employee_no:
            person = Person.query.filter_by(employee_no=employee_no).first()
            if person is not None and name and name != person.name:
                raise ValidationError(_("工号与姓名不一致，请核对。"), code="name_mismatch")
            if person is not None:
                name = person.name
    item = Item(channel="qr", channel_id=channel.id, meeting_id=None, seq=None, unit_id=channel.unit_id,
                client_id=client_id, kind=kind, text=text, category=category, anonymity=anonymity,
                submitter_name=name, submitter_employee_no=employee_no, person_id=person.id if person else None,
                contact_phone=phone, is_approved=True,
                follow_token=None if anonymity == "hidden_identity" else secrets.token_urlsafe(24))
    try:
        with db.session.begin_nested():
            db.session.add(item)
            db.session.flush()
    except IntegrityError:
        # The same client_id raced its retry (PostgreSQL): the other one stored it.
        existing = _item_by_client_id(channel, client_id)
        if existing is None:
            raise
        return existing, False
    # No notice per item: the triage inbox and the home page count what waits (a notice each would
    # bury the inbox); urgent items do send one.
    record_event("item", item.id, "create", actor_label="submitter", to_state="open")
    return item, True


def channel_item_to_dict(item, audience="public"):
    """An item as the channel's phone (audience public) or the triage inbox (staff) sees it."""
    data = item_to_dict(item, audience)
    if item.status == "answered":
        data["status_label"] = _("已答复")  # no meeting, so not "on the spot"
    channel = item.qr_channel
    data.update(number=item_number(item), channel_id=item.channel_id,
                channel=channel.name if channel is not None else None)
    return data


def items_by_client_ids(channel, client_ids):
    """The phone's own items of a channel, by the client ids only that phone knows."""
    wanted = [c for c in client_ids if isinstance(c, str)][:50]
    if not wanted:
        return []
    return Item.query.filter(Item.channel_id == channel.id, Item.client_id.in_(wanted)).order_by(Item.id).all()


# ---------------------------------------------------------------- triage

def mark_urgent(actor, item):
    """特事特办: the item is urgent. Not yet handed on: it will be due the next working day when
    it is, and the channel's supervisor hears of it now. Handed on: its slip is due the next
    working day at the latest, and the supervisor and the handlers hear of it now."""
    require_intake(item)
    if actor is None or not (actor.has_role("organizer", "viewer") or can_triage(actor, item)):
        raise PermissionDenied(_("只有组织者、矿领导或该渠道的督办员可以确定特事特办。"))
    if item.is_urgent:
        raise Conflict(_("这条事项已经是特事特办。"), code="already_urgent")
    slip = item.slip
    if item.status != "open" and not (slip is not None and slip.status not in ANSWERED):
        raise Conflict(_("这条事项已经有了答复，不需要再特事特办。"), code="already_answered")
    item.is_urgent = True
    db.session.flush()
    record_event("item", item.id, "urgent", actor=actor, text=_("特事特办"))
    if slip is not None:
        hasten_slip(actor, slip)
    else:
        # the channel's supervisor; a channel without one (or whose account was closed) still has
        # somebody to tell: the organizers, who triage it
        supervisor = channel_supervisor(item)
        for user in [supervisor] if supervisor is not None else active_organizers():
            notify(user, "urgent", _("【特事特办】一码通事项 %(n)s 请尽快分办，交办后须在下一个工作日内答复：%(t)s",
                                     n=item_number(item), t=item.text[:60]), dedupe_key=f"urgent-item:{item.id}")
    return item


def dispatch_item(actor, item, department_id, instruction, due_date=None):
    """批办: a mine leader hands a channel item to a department with an instruction (批示), which
    is recorded on the slip; the channel's supervisor supervises it. Returns the slip."""
    if actor is None or not actor.has_role("viewer", "organizer"):
        raise PermissionDenied(_("只有矿领导可以批办（组织者可以代为登记领导批示）。"))
    require_intake(item)
    require_open(item)
    instruction = required_text(instruction, _("请填写批示意见。"), INSTRUCTION_MAX, code="instruction_required")
    department = active_department(department_id)
    due = due_date or default_due_date(item.kind, item.category, item.is_urgent)
    slip = issue_slip(actor, item, department, due, purpose="handle", instruction=instruction)
    record_event("slip", slip.id, "dispatch", actor=actor, text=instruction)
    finish_outcome(actor, item, "transferred", _("%(n)s（%(who)s批办）", n=slip.number, who=actor.display_name))
    if slip.supervisor is not None and slip.supervisor.id != actor.id:
        notify(slip.supervisor, "dispatched",
               _("%(who)s批办 %(n)s → %(d)s：%(i)s", who=actor.display_name, n=slip.number, d=department.name,
                 i=instruction[:60]), slip)
    return slip


# ---------------------------------------------------------------- the monthly public summary

def pick_for_summary(actor, month, slip, picked):
    """Choose (or drop) a replied slip's reply for the month's public summary."""
    require_organizer(actor)
    if slip.status not in ANSWERED:
        raise Conflict(_("只能选择已经答复的承办单。"), code="not_replied")
    if picked and not _replied_in(slip, month):
        raise Conflict(_("这张承办单不是在 %(month)s 答复的，不能选入这个月的公示摘要。", month=month),
                       code="other_month")
    if slip.item.publication == "withheld":
        raise Conflict(_("这张承办单设为不公示，不能选入公示摘要。"), code="withheld")
    existing = SummaryPick.query.filter_by(month=month, slip_id=slip.id).first()
    if picked and existing is None:
        db.session.add(SummaryPick(month=month, slip_id=slip.id, picked_by_user_id=actor.id))
    elif not picked and existing is not None:
        db.session.delete(existing)
    db.session.flush()
    return slip


def _replied_in(slip, month):
    """Whether the slip's reply came in the month "YYYY-MM" (Asia/Shanghai), as the summary counts it."""
    year, mon = (int(part) for part in month.split("-"))
    start, end = month_bounds(year, mon)
    return slip.replied_at is not None and start <= slip.replied_at < end


def get_slip_for_pick(slip_id):
    return fetch(Slip, slip_id, _("找不到该承办单。"))
