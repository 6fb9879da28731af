"""Organisation services: tiers and leads, departments, units and people (the roster file import and
export are in people/roster.py)."""
import re

from flask_babel import gettext as _

from ..validation import clean_text, fetch, is_id
from ..audit.services import record_event
from ..errors import Conflict, ValidationError
from ..extensions import db
from ..timeutil import local_today, utcnow
from .models import GENDERS, STANDINGS, UNIT_KINDS, Department, Person, Tier, TierLead, Unit

# The eight tiers of the practice, in order: (code, name, usual lead, large tier?).
TIER_SEED = (
    ("staff", "职工", "工会副主席", True),
    ("party_member", "党员", "组织(副)科长", True),
    ("safety_monitor", "群监员(青安岗)", "群团工作骨干", True),
    ("team_leader", "班组长", "经管科(劳资社保科)负责人", True),
    ("safety_inspector", "安监员", "宣传负责人", True),
    ("deputy_chief", "副区长(技术员)", "安培中心负责人", False),
    ("chief_secretary", "区长书记", "党群工作部副部长", False),
    ("functional_office", "生产职能科室", "人力资源部长", False),
)


# What a person's fields may hold (the page, the API and the roster file all check them).
TEXT_LIMITS = {"employee_no": 32, "name": 64, "post": 64, "phone": 32, "focus_reason": 200}
EMPLOYEE_NO_RE = re.compile(r"^[A-Za-z0-9_-]+$")

# Account roles that may lead a tier.
LEAD_ROLES = ("lead", "organizer", "admin")


def seed_tiers():
    """Create the eight tiers when missing (idempotent; never overwrites edits)."""
    existing = {t.code for t in Tier.query.all()}
    created = 0
    for position, (code, name, hint, is_large) in enumerate(TIER_SEED, start=1):
        if code in existing:
            continue
        if Tier.query.filter_by(name=name).first() is not None:
            continue
        db.session.add(Tier(code=code, name=name, position=position, lead_hint=hint, is_large=is_large))
        created += 1
    db.session.flush()
    return created


def ordered_tiers(active_only=False):
    """Tiers in display order."""
    query = Tier.query
    if active_only:
        query = query.filter_by(is_active=True)
    return query.order_by(Tier.position, Tier.id).all()


def get_tier(tier_id):
    """The tier with this id, or NotFound."""
    return fetch(Tier, tier_id, _("找不到该层级。"))


def update_tier(tier, *, name, lead_hint=None, is_active=True, actor=None):
    """Rename a tier or change its description; names stay unique."""
    name = (name or "").strip()
    if not name or len(name) > 64:
        raise ValidationError(_("层级名称不能为空，且不超过 64 个字符。"))
    clash = Tier.query.filter(Tier.name == name, Tier.id != tier.id).first()
    if clash is not None:
        raise Conflict(_("已有同名层级“%(name)s”。", name=name))
    tier.name = name
    tier.lead_hint = clean_text(lead_hint or "").strip()[:128] or None
    tier.is_active = bool(is_active)
    record_event("tier", tier.id, "update", actor=actor, text=name)
    db.session.flush()
    return tier


def move_tier(tier, direction, actor=None):
    """Swap a tier with its neighbour (direction -1 = up, +1 = down) and renumber 1..n."""
    if direction not in (-1, 1):
        raise ValidationError(_("只能上移或下移。"))
    tiers = ordered_tiers()
    index = tiers.index(tier)
    other = index + direction
    if 0 <= other < len(tiers):
        tiers[index], tiers[other] = tiers[other], tiers[index]
        record_event("tier", tier.id, "move", actor=actor, text=_("上移") if direction < 0 else _("下移"))
    for position, each in enumerate(tiers, start=1):
        each.position = position
    db.session.flush()
    return tiers


def assign_tier_lead(tier, user, *, person=None, started_on=None, actor=None):
    """Make `user` the current lead of `tier`, ending the previous lead's term.

    Leads chair sessions and supervise slips, so the account must have the lead role (an
    organizer or admin may also lead, e.g. the 党群工作部 deputy for 区长书记). Earlier
    terms are kept as history; only one term per tier is open at a time.
    """
    from ..accounts.models import User
    if not isinstance(user, User):
        raise ValidationError(_("请选择牵头人的登录账号。"))
    if user.role not in LEAD_ROLES:
        raise ValidationError(_("账号“%(name)s”是承办人或只读账号，不能担任牵头人。请选择角色为“牵头人”的账号。",
                                name=user.display_name))
    if not user.is_enabled:
        raise ValidationError(_("账号“%(name)s”已停用，不能担任牵头人。", name=user.display_name))
    started_on = started_on or local_today()
    current = tier.current_lead
    if current is not None:
        if current.user_id == user.id and (person is None or current.person_id == person.id):
            return current
        if started_on < current.started_on:
            raise ValidationError(_("新任期的开始日期不能早于现任牵头人的开始日期。"))
        current.ended_on = started_on
        db.session.flush()  # the partial unique index allows one open term per tier
    if person is None and user.person is not None:
        person = user.person
    lead = TierLead(tier=tier, user=user, person=person, started_on=started_on)
    db.session.add(lead)
    record_event("tier", tier.id, "assign_lead", actor=actor, text=user.display_name)
    db.session.flush()
    return lead


def active_department(department_id):
    """The active department with this id, or a ValidationError (code bad_department).

    The one lookup behind every transfer, adoption, reassignment and minutes action item.
    """
    department = db.session.get(Department, department_id) if is_id(department_id) else None
    if department is None or not department.is_active:
        raise ValidationError(_("请选择有效的承办科室。"), code="bad_department")
    return department


def create_department(name, phone=None):
    """Add a functional department (职能科室); names are unique."""
    name = (name or "").strip()
    if not name or len(name) > 64:
        raise ValidationError(_("科室名称不能为空，且不超过 64 个字符。"))
    if Department.query.filter_by(name=name).first() is not None:
        raise Conflict(_("科室“%(name)s”已存在。", name=name))
    position = (db.session.query(db.func.max(Department.position)).scalar() or 0) + 1
    department = Department(name=name, phone=clean_text(phone or "").strip()[:32] or None, position=position)
    db.session.add(department)
    db.session.flush()
    return department


def create_unit(name, kind="team"):
    """Add a unit people work in: a 区队 (team) or a 科室 (office); names are unique."""
    name = (name or "").strip()
    if not name or len(name) > 64:
        raise ValidationError(_("单位名称不能为空，且不超过 64 个字符。"))
    if kind not in UNIT_KINDS:
        raise ValidationError(_("单位类型只能是区队或科室。"))
    if Unit.query.filter_by(name=name).first() is not None:
        raise Conflict(_("单位“%(name)s”已存在。", name=name))
    unit = Unit(name=name, kind=kind)
    db.session.add(unit)
    db.session.flush()
    return unit


def save_person(person, data, actor=None, unit_required=True):
    """Create (person=None) or update a roster entry from form values.

    工号 must be unique and well-formed, and every person needs a tier and (on the roster
    pages, like the import) a unit, so that an exported roster always imports back.
    """
    employee_no = (data.get("employee_no") or "").strip()
    name = (data.get("name") or "").strip()
    if not employee_no:
        raise ValidationError(_("工号不能为空。"))
    if len(employee_no) > TEXT_LIMITS["employee_no"] or not EMPLOYEE_NO_RE.match(employee_no):
        raise ValidationError(_("工号只能包含字母、数字、“-”和“_”，且不超过 32 个字符。"))
    if not name or len(name) > TEXT_LIMITS["name"]:
        raise ValidationError(_("姓名不能为空，且不超过 64 个字符。"))
    if data.get("gender") not in (None, "", *GENDERS):
        raise ValidationError(_("性别只能是男或女。"))
    if data.get("standing") not in (None, "", *STANDINGS):
        raise ValidationError(_("表现档次只能是先进、后进或留空（中间）。"), code="bad_standing")
    if (unit_required or data.get("unit_id")) and (
            not data.get("unit_id") or db.session.get(Unit, data["unit_id"]) is None):
        raise ValidationError(_("请选择单位（区队/科室）。"))
    if not data.get("tier_id") or db.session.get(Tier, data["tier_id"]) is None:
        raise ValidationError(_("请选择层级。"))
    clash = Person.query.filter(Person.employee_no == employee_no)
    if person is not None:
        clash = clash.filter(Person.id != person.id)
    if clash.first() is not None:
        raise Conflict(_("工号 %(no)s 已被其他职工使用，请核对后再保存。", no=employee_no), code="duplicate")
    created = person is None
    if created:
        person = Person()
        db.session.add(person)
    person.employee_no = employee_no
    person.name = name
    person.gender = data.get("gender") or None
    person.unit_id = data.get("unit_id") or None
    person.standing = data.get("standing") or None
    person.post = clean_text(data.get("post") or "").strip()[:TEXT_LIMITS["post"]] or None
    person.tier_id = data["tier_id"]
    person.phone = clean_text(data.get("phone") or "").strip()[:TEXT_LIMITS["phone"]] or None
    person.is_active = bool(data.get("is_active", True))
    if data.get("is_focus") and not person.is_focus:
        person.focus_since = utcnow()  # newly flagged: due to be heard even if heard before
    elif not data.get("is_focus"):
        person.focus_since = None
    person.is_focus = bool(data.get("is_focus"))
    reason = clean_text(data.get("focus_reason") or "").strip()[:TEXT_LIMITS["focus_reason"]]
    person.focus_reason = (reason or None) if person.is_focus else None
    db.session.flush()
    record_event("person", person.id, "create" if created else "update", actor=actor, text=person.employee_no)
    return person


def create_person(actor, data):
    """Add one person from the JSON API: 工号, name and tier required; the unit is given by
    name and created when new (区队 unless its name says 科/部/处/室/中心); 409 `duplicate`
    for a known 工号."""
    unit_name = data.get("unit")
    unit_id = None
    if unit_name:
        unit = Unit.query.filter_by(name=unit_name).first()
        if unit is None:
            kind = "office" if unit_name.endswith(("科", "部", "处", "室", "中心", "办")) else "team"
            unit = create_unit(unit_name, kind)
        unit_id = unit.id
    values = dict(data, unit_id=unit_id, is_active=data.get("is_active", True))
    return save_person(None, values, actor=actor, unit_required=False)
