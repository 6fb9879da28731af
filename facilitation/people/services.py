"""Organisation services: tiers and leads, departments, units, the roster and its import."""
import csv
import io
import os
import re
import uuid
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import insert
from flask_babel import gettext as _

from ..audit.services import record_event
from ..errors import Conflict, NotFound, ValidationError
from ..extensions import db
from ..timeutil import local_today
from .models import GENDERS, UNIT_KINDS, Department, Person, Tier, TierLead, Unit

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
    query = Tier.query
    if active_only:
        query = query.filter_by(is_active=True)
    return query.order_by(Tier.position, Tier.id).all()


def get_tier(tier_id):
    tier = db.session.get(Tier, tier_id) if tier_id is not None else None
    if tier is None:
        raise NotFound(_("找不到该层级。"))
    return tier


def update_tier(tier, *, name, lead_hint=None, is_active=True, actor=None):
    """Rename a tier or change its description; names stay unique."""
    name = (name or "").strip()
    if not name or len(name) > 64:
        raise ValidationError(_("层级名称不能为空，且不超过 64 个字符。"))
    clash = Tier.query.filter(Tier.name == name, Tier.id != tier.id).first()
    if clash is not None:
        raise Conflict(_("已有同名层级“%(name)s”。", name=name))
    tier.name = name
    tier.lead_hint = (lead_hint or "").strip()[:128] or None
    tier.is_active = bool(is_active)
    record_event("tier", tier.id, "update", actor=actor, text=name)
    db.session.flush()
    return tier


def move_tier(tier, direction, actor=None):
    """Swap a tier with its neighbour (direction -1 = up, +1 = down) and renumber 1..n."""
    tiers = ordered_tiers()
    index = tiers.index(tier)
    other = index + (1 if direction > 0 else -1)
    if 0 <= other < len(tiers):
        tiers[index], tiers[other] = tiers[other], tiers[index]
    for position, each in enumerate(tiers, start=1):
        each.position = position
    db.session.flush()
    return tiers


def assign_tier_lead(tier, user, *, person=None, started_on=None, actor=None):
    """Make `user` the current lead of `tier`, ending the previous lead's term."""
    from ..accounts.models import User
    if not isinstance(user, User):
        raise ValidationError(_("请选择牵头人的登录账号。"))
    if user.role not in ("lead", "organizer", "admin"):
        raise ValidationError(_("牵头人的账号角色必须是“牵头人”。"))
    started_on = started_on or local_today()
    current = tier.current_lead
    if current is not None:
        if current.user_id == user.id and (person is None or current.person_id == person.id):
            return current
        current.ended_on = started_on
        db.session.flush()  # the partial unique index allows one open term per tier
    if person is None and user.person is not None:
        person = user.person
    lead = TierLead(tier=tier, user=user, person=person, started_on=started_on)
    db.session.add(lead)
    record_event("tier", tier.id, "assign_lead", actor=actor, text=user.display_name)
    db.session.flush()
    return lead


def create_department(name, phone=None):
    name = (name or "").strip()
    if not name or len(name) > 64:
        raise ValidationError(_("科室名称不能为空，且不超过 64 个字符。"))
    if Department.query.filter_by(name=name).first() is not None:
        raise Conflict(_("科室“%(name)s”已存在。", name=name))
    position = (db.session.query(db.func.max(Department.position)).scalar() or 0) + 1
    department = Department(name=name, phone=(phone or "").strip()[:32] or None, position=position)
    db.session.add(department)
    db.session.flush()
    return department


def create_unit(name, kind="team"):
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


def save_person(person, data, actor=None):
    """Create (person=None) or update a roster entry from validated field values."""
    employee_no = (data.get("employee_no") or "").strip()
    if not employee_no:
        raise ValidationError(_("工号不能为空。"))
    clash = Person.query.filter(Person.employee_no == employee_no)
    if person is not None:
        clash = clash.filter(Person.id != person.id)
    if clash.first() is not None:
        raise Conflict(_("工号 %(no)s 已被使用。", no=employee_no))
    if not (data.get("name") or "").strip():
        raise ValidationError(_("姓名不能为空。"))
    if data.get("gender") not in (None, "", *GENDERS):
        raise ValidationError(_("性别只能是男或女。"))
    created = person is None
    if created:
        person = Person()
        db.session.add(person)
    person.employee_no = employee_no[:32]
    person.name = data["name"].strip()[:64]
    person.gender = data.get("gender") or None
    person.unit_id = data.get("unit_id") or None
    person.post = (data.get("post") or "").strip()[:64] or None
    person.tier_id = data.get("tier_id") or None
    person.phone = (data.get("phone") or "").strip()[:32] or None
    person.is_active = bool(data.get("is_active", True))
    person.is_focus = bool(data.get("is_focus"))
    person.focus_reason = (data.get("focus_reason") or "").strip()[:200] or None if person.is_focus else None
    db.session.flush()
    record_event("person", person.id, "create" if created else "update", actor=actor, text=person.employee_no)
    return person


# ---------------------------------------------------------------- roster import

ROSTER_COLUMNS = (
    # (field, header shown and exported, accepted aliases)
    ("employee_no", "工号", ("工号", "employee_no", "员工编号")),
    ("name", "姓名", ("姓名", "name")),
    ("gender", "性别", ("性别", "gender")),
    ("unit", "单位", ("单位", "区队/科室", "区队", "unit")),
    ("post", "岗位", ("岗位", "post")),
    ("tier", "层级", ("层级", "tier")),
    ("phone", "电话", ("电话", "手机", "phone")),
    ("is_focus", "重点人员", ("重点人员", "三必谈五必访", "is_focus")),
    ("focus_reason", "重点原因", ("重点原因", "focus_reason")),
    ("is_active", "在岗", ("在岗", "在职", "is_active")),
)
REQUIRED_COLUMNS = ("employee_no", "name", "tier", "unit")
GENDER_VALUES = {"男": "male", "女": "female", "male": "male", "female": "female",
                 "m": "male", "f": "female"}
TRUE_VALUES = {"是", "y", "yes", "true", "1", "√", "✓"}
FALSE_VALUES = {"否", "n", "no", "false", "0", ""}
EMPLOYEE_NO_RE = re.compile(r"^[A-Za-z0-9\-_]{1,32}$")


@dataclass
class RosterRow:
    """One data row of an uploaded roster, as the preview shows it."""

    line: int
    values: dict
    action: str = "reject"  # create, update, unchanged, reject
    reasons: list = field(default_factory=list)
    changes: list = field(default_factory=list)


@dataclass
class RosterPreview:
    rows: list
    missing_columns: list
    token: str = None

    @property
    def accepted(self):
        return [r for r in self.rows if r.action in ("create", "update")]

    @property
    def rejected(self):
        return [r for r in self.rows if r.action == "reject"]

    def count(self, action):
        return sum(1 for r in self.rows if r.action == action)


def _cell_text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_table(filename, data):
    """Return the rows of an .xlsx or .csv file as lists of strings (header first)."""
    name = (filename or "").lower()
    if name.endswith(".xlsx"):
        from openpyxl import load_workbook
        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a broken file
            raise ValidationError(_("无法读取该 Excel 文件，请确认是 .xlsx 格式。")) from exc
        sheet = workbook.worksheets[0]
        rows = [[_cell_text(c) for c in row] for row in sheet.iter_rows(values_only=True)]
        workbook.close()
        return rows
    if name.endswith(".csv"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ValidationError(_("无法识别 CSV 文件的编码，请另存为 UTF-8。"))
        try:
            return [[_cell_text(c) for c in row] for row in csv.reader(io.StringIO(text))]
        except csv.Error as exc:
            raise ValidationError(_("CSV 文件格式不正确。")) from exc
    raise ValidationError(_("只支持 .xlsx 或 .csv 文件。"))


def _header_map(header):
    mapping = {}
    for index, title in enumerate(header):
        title = (title or "").strip().lower()
        for fieldname, _label, aliases in ROSTER_COLUMNS:
            if title in (a.lower() for a in aliases) and fieldname not in mapping:
                mapping[fieldname] = index
    return mapping


def preview_roster(filename, data):
    """Check every row of an uploaded roster without writing anything.

    Rows are matched to existing people by 工号: new → create, different → update,
    same → unchanged. Rejected rows carry their reasons.
    """
    rows = read_table(filename, data)
    if not rows or not any(rows[0]):
        raise ValidationError(_("文件是空的。"))
    header, body = rows[0], rows[1:]
    if len(body) > current_app.config["ROSTER_MAX_ROWS"]:
        raise ValidationError(_("文件行数太多（最多 %(n)d 行）。", n=current_app.config["ROSTER_MAX_ROWS"]))
    mapping = _header_map(header)
    labels = {f: label for f, label, _a in ROSTER_COLUMNS}
    missing = [labels[f] for f in REQUIRED_COLUMNS if f not in mapping]
    if missing:
        return RosterPreview(rows=[], missing_columns=missing)

    tiers = {}
    for tier in Tier.query.all():
        tiers[tier.name] = tier
        tiers[tier.code] = tier
    units = {u.name: u for u in Unit.query.all()}
    people = {p.employee_no: p for p in Person.query.all()}
    seen = {}
    result = []
    for offset, raw in enumerate(body):
        line = offset + 2
        values = {f: (raw[i] if i < len(raw) else "") for f, i in mapping.items()}
        row = RosterRow(line=line, values=values)
        result.append(row)
        if not any(v for v in values.values()):
            row.reasons.append(_("空行"))
            continue
        reasons = row.reasons
        employee_no = values.get("employee_no", "")
        if not employee_no:
            reasons.append(_("缺少工号"))
        elif not EMPLOYEE_NO_RE.match(employee_no):
            reasons.append(_("工号只能包含字母、数字、横线，且不超过 32 位"))
        elif employee_no in seen:
            reasons.append(_("工号与第 %(line)d 行重复", line=seen[employee_no]))
        else:
            seen[employee_no] = line
        if not values.get("name"):
            reasons.append(_("缺少姓名"))
        elif len(values["name"]) > 64:
            reasons.append(_("姓名太长"))
        tier = tiers.get(values.get("tier", ""))
        if not values.get("tier"):
            reasons.append(_("缺少层级"))
        elif tier is None:
            reasons.append(_("未知层级“%(v)s”", v=values["tier"]))
        unit = units.get(values.get("unit", ""))
        if not values.get("unit"):
            reasons.append(_("缺少单位"))
        elif unit is None:
            reasons.append(_("未知单位“%(v)s”", v=values["unit"]))
        gender_text = values.get("gender", "").lower()
        gender = GENDER_VALUES.get(gender_text)
        if gender_text and gender is None:
            reasons.append(_("性别“%(v)s”无法识别（应为男或女）", v=values["gender"]))
        flags = {}
        for flag, default in (("is_focus", False), ("is_active", True)):
            text = values.get(flag, "").lower()
            if flag not in mapping or text == "" and flag == "is_active":
                flags[flag] = default
            elif text in TRUE_VALUES:
                flags[flag] = True
            elif text in FALSE_VALUES:
                flags[flag] = False
            else:
                reasons.append(_("“%(v)s”应填“是”或“否”", v=values[flag]))
        for name, limit in (("post", 64), ("phone", 32), ("focus_reason", 200)):
            if len(values.get(name, "")) > limit:
                reasons.append(_("%(col)s 太长", col=labels[name]))
        if reasons:
            continue
        clean = {
            "employee_no": employee_no, "name": values["name"], "gender": gender,
            "unit_id": unit.id, "post": values.get("post") or None, "tier_id": tier.id,
            "phone": values.get("phone") or None, "is_focus": flags["is_focus"],
            "focus_reason": (values.get("focus_reason") or None) if flags["is_focus"] else None,
            "is_active": flags["is_active"],
        }
        row.values = dict(values, _clean=clean)
        existing = people.get(employee_no)
        if existing is None:
            row.action = "create"
            continue
        for key, value in clean.items():
            if "focus" in key and "is_focus" not in mapping:
                continue  # a file without focus columns does not clear focus data
            if getattr(existing, key) != value:
                row.changes.append(key)
        row.action = "update" if row.changes else "unchanged"
    return RosterPreview(rows=result, missing_columns=[])


def _upload_dir():
    path = os.path.join(current_app.instance_path, "imports")
    os.makedirs(path, exist_ok=True)
    return path


def stash_upload(filename, data):
    """Keep an uploaded roster on disk until the organizer confirms; returns a token."""
    ext = ".xlsx" if filename.lower().endswith(".xlsx") else ".csv"
    token = uuid.uuid4().hex
    with open(os.path.join(_upload_dir(), token + ext), "wb") as handle:
        handle.write(data)
    return token


def load_stashed_upload(token):
    if not re.fullmatch(r"[0-9a-f]{32}", token or ""):
        raise ValidationError(_("导入批次无效，请重新上传。"))
    for ext in (".xlsx", ".csv"):
        path = os.path.join(_upload_dir(), token + ext)
        if os.path.exists(path):
            with open(path, "rb") as handle:
                return "upload" + ext, handle.read(), path
    raise NotFound(_("导入批次已过期或已导入，请重新上传。"))


def apply_roster(filename, data, actor=None):
    """Re-check the file and write every valid row (the caller commits once)."""
    preview = preview_roster(filename, data)
    if preview.missing_columns:
        raise ValidationError(_("缺少必填列：%(cols)s", cols="、".join(preview.missing_columns)))
    people = {p.employee_no: p for p in Person.query.all()}
    new_rows = []
    for row in preview.rows:
        clean = row.values.get("_clean") if isinstance(row.values, dict) else None
        if row.action == "create":
            new_rows.append(clean)
        elif row.action == "update":
            person = people[clean["employee_no"]]
            for key in row.changes:
                setattr(person, key, clean[key])
    if new_rows:
        db.session.execute(insert(Person), new_rows)
    record_event("person", 0, "import", actor=actor,
                 text=_("导入名单：新增 %(c)d，更新 %(u)d，拒绝 %(r)d", c=preview.count("create"),
                        u=preview.count("update"), r=preview.count("reject")))
    db.session.flush()
    return preview


def export_roster_xlsx(include_focus=True):
    """The roster as an .xlsx file (bytes), with the same columns the import reads."""
    from openpyxl import Workbook
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("职工名单"))
    columns = [c for c in ROSTER_COLUMNS if include_focus or "focus" not in c[0]]
    sheet.append([label for _f, label, _a in columns])
    gender_labels = {"male": "男", "female": "女"}
    query = (db.session.query(Person, Unit.name, Tier.name)
             .outerjoin(Unit, Person.unit_id == Unit.id).outerjoin(Tier, Person.tier_id == Tier.id)
             .order_by(Person.employee_no))
    for person, unit_name, tier_name in query:
        values = {"employee_no": person.employee_no, "name": person.name,
                  "gender": gender_labels.get(person.gender, ""), "unit": unit_name or "",
                  "post": person.post or "", "tier": tier_name or "", "phone": person.phone or "",
                  "is_focus": "是" if person.is_focus else "否", "focus_reason": person.focus_reason or "",
                  "is_active": "是" if person.is_active else "否"}
        sheet.append([values[f] for f, _l, _a in columns])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
