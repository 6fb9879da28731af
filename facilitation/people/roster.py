"""The roster file: import (.xlsx / .csv) with a preview of what each row would do, confirmed in one
transaction, replay-safe batches; and the export in the layout the import reads back."""
import csv
import io
import json
import os
import re
import time
import unicodedata
import uuid
import zipfile
import zlib
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl.utils.exceptions import InvalidFileException
from sqlalchemy import insert, select, update

from ..audit.services import record_event
from ..errors import Conflict, ValidationError
from ..extensions import db
from ..spreadsheets import restore_text
from ..timeutil import utcnow
from ..validation import without_controls
from .models import Person, Tier, Unit
from .services import EMPLOYEE_NO_RE, TEXT_LIMITS


ROSTER_COLUMNS = (
    # (field, header shown and exported, accepted header aliases)
    ("employee_no", "工号", ("工号", "employee_no", "员工编号", "职工编号")),
    ("name", "姓名", ("姓名", "name")),
    ("gender", "性别", ("性别", "gender")),
    ("unit", "单位", ("单位", "区队/科室", "区队", "科室", "所在单位", "unit")),
    ("post", "岗位", ("岗位", "职务", "post")),
    ("tier", "层级", ("层级", "tier")),
    ("phone", "电话", ("电话", "手机", "手机号", "联系电话", "phone")),
    ("is_focus", "重点人员", ("重点人员", "三必谈五必访", "is_focus")),
    ("focus_reason", "重点原因", ("重点原因", "focus_reason")),
    ("is_active", "在岗", ("在岗", "在职", "is_active")),
    ("standing", "表现档次", ("表现档次", "表现", "抓两头", "standing")),
)
# Columns only organizers and leads see (三必谈五必访 and 抓两头 marks).
SENSITIVE_COLUMNS = ("is_focus", "focus_reason", "standing")
STANDING_VALUES = {"先进": "advanced", "advanced": "advanced", "后进": "lagging", "lagging": "lagging",
                   "帮扶": "lagging", "一般": None, "中间": None, "middle": None}
STANDING_LABELS = {"advanced": "先进", "lagging": "后进"}
COLUMN_LABELS = {fieldname: label for fieldname, label, _aliases in ROSTER_COLUMNS}
REQUIRED_COLUMNS = ("employee_no", "name", "unit", "tier")
GENDER_VALUES = {"男": "male", "女": "female", "男性": "male", "女性": "female",
                 "male": "male", "female": "female", "m": "male", "f": "female"}
TRUE_VALUES = {"是", "y", "yes", "true", "1", "√", "✓"}
FALSE_VALUES = {"否", "n", "no", "false", "0", "×"}
HEADER_SEARCH_ROWS = 10  # a title row such as “XX矿职工花名册” may sit above the header
STASH_MAX_AGE_S = 24 * 3600
# Values a new person gets for the columns a file does not have.
NEW_PERSON_DEFAULTS = {"gender": None, "post": None, "phone": None, "is_focus": False,
                       "focus_reason": None, "is_active": True}
# Labels of import columns and Person attributes in messages and the preview's change list.
FIELD_LABELS = {"employee_no": _l("工号"), "name": _l("姓名"), "gender": _l("性别"), "unit": _l("单位"),
                "unit_id": _l("单位"), "post": _l("岗位"), "tier": _l("层级"), "tier_id": _l("层级"),
                "phone": _l("电话"), "is_focus": _l("重点人员"), "focus_reason": _l("重点原因"),
                "is_active": _l("在岗"), "standing": _l("表现档次")}
SNAPSHOT_COLUMNS = ("id", "employee_no", "name", "gender", "unit_id", "post", "tier_id", "phone",
                    "is_focus", "focus_reason", "is_active", "standing")


@dataclass
class RosterRow:
    """One data row of an uploaded roster, as the preview shows it."""

    line: int  # 1-based line (row) number in the file
    values: dict  # the cell text of each recognised column
    action: str = "reject"  # create, update, unchanged or reject
    reasons: list = field(default_factory=list)  # why it is rejected
    clean: dict = None  # the Person attributes the row sets, when accepted
    person_id: int = None  # the person matched by 工号
    changed: list = field(default_factory=list)  # attributes an update changes
    diffs: list = field(default_factory=list)  # the same as “电话：旧 → 新” texts for people


@dataclass
class RosterPreview:
    """The outcome of checking a roster: every row with its action; `table` is what to stash."""

    rows: list
    table: list
    columns: list  # labels of the recognised columns, in file order
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
        value = int(value)  # Excel stores 工号 and phone numbers typed as numbers as floats
    return without_controls(restore_text(str(value).strip()))


def _key(text):
    """Lookup key: full-width forms folded (“（”→“(”), spaces dropped, case ignored."""
    return unicodedata.normalize("NFKC", text or "").replace(" ", "").strip().lower()


def _xlsx_rows(data):
    """Rows of the first worksheet as lists of strings (openpyxl's streaming read-only mode).

    Cached formula results are read (data_only); empty rows between data rows are kept so
    that line numbers in the preview match what the organizer sees in Excel.
    """
    from openpyxl import load_workbook
    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield [_cell_text(value) for value in row]
    finally:
        workbook.close()


def _csv_text(data):
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        encodings = ("utf-16",)  # Excel's “Unicode 文本”
    else:
        encodings = ("utf-8-sig", "gb18030")  # Chinese Excel saves CSV as GB18030 (GBK)
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    raise ValidationError(_("无法识别 CSV 文件的编码，请另存为 UTF-8 或 GBK 编码的 CSV。"))


def _csv_rows(data):
    text = _csv_text(data)
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
        yield [_cell_text(c) for c in row]


def _collect_rows(rows, limit):
    """Keep the rows up to the last non-empty one; stop with an error past `limit` rows."""
    table, blanks = [], 0
    for row in rows:
        if not any(row):
            blanks += 1
            if blanks > limit:
                break  # a sheet formatted down to row 1,048,576 holds nothing more
            continue
        table.extend([] for _ in range(blanks))
        blanks = 0
        table.append(row)
        if len(table) > limit:  # stop reading early; check_roster gives the exact limit
            raise ValidationError(_("文件行数太多（最多 %(n)d 行），请分批导入。",
                                    n=limit - HEADER_SEARCH_ROWS))
    return table


def read_table(filename, data):
    """The rows of an uploaded .xlsx or .csv roster as lists of stripped strings.

    Trailing empty rows (Excel keeps formatted blank rows) are dropped; empty rows between
    data rows are kept so that the preview can point at them by line number.
    """
    extension = os.path.splitext((filename or "").strip().lower())[1]
    if extension == ".xls":
        raise ValidationError(_("不支持旧版 .xls 文件，请在 Excel 中“另存为” .xlsx 后再上传。"))
    if extension not in (".xlsx", ".csv"):
        raise ValidationError(_("只支持 .xlsx 或 .csv 文件。"))
    if not data or not data.strip():
        raise ValidationError(_("文件是空的。"))
    limit = current_app.config["ROSTER_MAX_ROWS"] + HEADER_SEARCH_ROWS
    if data[:4] == b"PK\x03\x04":  # a zip container: read it as .xlsx whatever its name says
        try:
            table = _collect_rows(_xlsx_rows(data), limit)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, KeyError, ValueError, IndexError, EOFError,
                NotImplementedError, RuntimeError, TypeError, OSError, InvalidFileException) as exc:
            # a broken workbook, an encrypted zip, or a zip that is no workbook
            raise ValidationError(_("无法读取该 Excel 文件，请确认它是 .xlsx 格式。")) from exc
    elif data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":  # OLE: an old .xls or a password-protected .xlsx
        raise ValidationError(_("这是旧版 .xls 或设置了打开密码的 Excel 文件，请取消密码并“另存为” .xlsx 后再上传。"))
    elif extension == ".xlsx":
        raise ValidationError(_("该文件不是有效的 Excel（.xlsx）文件，请确认没有只改扩展名。"))
    else:
        try:
            table = _collect_rows(_csv_rows(data), limit)
        except csv.Error as exc:
            raise ValidationError(_("CSV 文件格式不正确，请用 Excel 另存为 CSV 或 .xlsx 后再上传。")) from exc
    if not table:
        raise ValidationError(_("文件是空的。"))
    return table


def _header_map(header):
    """Recognised columns of a header row: field -> column index (first one wins)."""
    aliases = {_key(alias): fieldname for fieldname, _label, names in ROSTER_COLUMNS for alias in names}
    mapping = {}
    for index, title in enumerate(header):
        fieldname = aliases.get(_key(title).strip("*＊"))
        if fieldname is not None and fieldname not in mapping:
            mapping[fieldname] = index
    return mapping


def _find_header(table):
    """The index and column map of the header row: the first of the top rows with every
    required column, else the best match (for the error message)."""
    best = (0, {})
    for index, row in enumerate(table[:HEADER_SEARCH_ROWS]):
        mapping = _header_map(row)
        if all(f in mapping for f in REQUIRED_COLUMNS):
            return index, mapping
        if len(mapping) > len(best[1]):
            best = (index, mapping)
    missing = "、".join(COLUMN_LABELS[f] for f in REQUIRED_COLUMNS if f not in best[1])
    raise ValidationError(_("缺少必填列：%(cols)s。表头行必须包含：工号、姓名、单位、层级。", cols=missing))


def _roster_snapshot():
    """The stored roster as plain rows keyed by 工号 (no ORM objects: 10,000 of them are slow)."""
    columns = [getattr(Person, name) for name in SNAPSHOT_COLUMNS]
    return {row.employee_no: row for row in db.session.execute(select(*columns))}


def _flag(text):
    """True/False for a 是/否 cell, None for an empty one; raises KeyError when unreadable."""
    text = _key(text)
    if text == "":
        return None
    if text in TRUE_VALUES:
        return True
    if text in FALSE_VALUES:
        return False
    raise KeyError(text)


def _check_row(row, mapping, tiers, units):
    """Validate one non-empty row; fills row.reasons, or row.clean with the attributes it sets."""
    values, reasons = row.values, row.reasons
    employee_no = values["employee_no"]
    if not employee_no:
        reasons.append(_("缺少工号"))
    elif len(employee_no) > TEXT_LIMITS["employee_no"]:
        reasons.append(_("工号超过 %(n)d 个字符", n=TEXT_LIMITS["employee_no"]))
    elif not EMPLOYEE_NO_RE.match(employee_no):
        reasons.append(_("工号只能包含字母、数字、“-”和“_”"))
    if not values["name"]:
        reasons.append(_("缺少姓名"))
    for fieldname, limit in TEXT_LIMITS.items():
        if fieldname != "employee_no" and len(values.get(fieldname, "")) > limit:
            reasons.append(_("%(col)s超过 %(n)d 个字符", col=FIELD_LABELS[fieldname], n=limit))
    unit = units.get(_key(values["unit"]))
    if not values["unit"]:
        reasons.append(_("缺少单位"))
    elif unit is None:
        reasons.append(_("未知单位“%(v)s”（请先在“区队与科室”中添加）", v=values["unit"]))
    tier = tiers.get(_key(values["tier"]))
    if not values["tier"]:
        reasons.append(_("缺少层级"))
    elif tier is None:
        reasons.append(_("未知层级“%(v)s”", v=values["tier"]))
    clean = {"employee_no": employee_no, "name": values["name"],
             "unit_id": unit.id if unit else None, "tier_id": tier.id if tier else None}
    if "gender" in mapping:
        clean["gender"] = GENDER_VALUES.get(_key(values["gender"]))
        if values["gender"] and clean["gender"] is None:
            reasons.append(_("性别“%(v)s”无法识别（应填男或女）", v=values["gender"]))
    for fieldname in ("post", "phone"):
        if fieldname in mapping:
            clean[fieldname] = values[fieldname] or None
    if "standing" in mapping:
        key = _key(values["standing"])
        if key and key not in STANDING_VALUES:
            reasons.append(_("表现档次“%(v)s”无法识别（应填先进、一般或后进）", v=values["standing"]))
        else:
            clean["standing"] = STANDING_VALUES.get(key)
    for fieldname in ("is_focus", "is_active"):
        if fieldname in mapping:
            try:
                flag = _flag(values[fieldname])
            except KeyError:
                reasons.append(_("%(col)s“%(v)s”应填“是”或“否”", col=FIELD_LABELS[fieldname],
                                 v=values[fieldname]))
                continue
            if flag is not None:  # an empty cell leaves the flag as it is
                clean[fieldname] = flag
    if clean.get("is_focus") is False:
        clean["focus_reason"] = None
    elif clean.get("is_focus") and "focus_reason" in mapping:
        clean["focus_reason"] = values["focus_reason"] or None
    if not reasons:
        row.clean = clean


def _display(attribute, value, names):
    if value is None or value == "":
        return _("（空）")
    if attribute in ("unit_id", "tier_id"):
        return names[attribute].get(value, str(value))
    if attribute == "gender":
        return _("男") if value == "male" else _("女")
    if attribute == "standing":
        return _(STANDING_LABELS.get(value, value))
    if isinstance(value, bool):
        return _("是") if value else _("否")
    return str(value)


def check_roster(table):
    """Check parsed roster rows against the database without writing anything.

    Rows are matched to stored people by 工号: new → create, different → update (only the
    columns the file has, only the values that differ), same → unchanged. A row is
    rejected with its reasons when it is empty, lacks a required value, names an unknown
    tier or unit, has an unreadable gender or flag, a too-long text, or a 工号 that
    appears more than once in the file (every such row is rejected: which one is right
    is for the organizer to decide).
    """
    header_index, mapping = _find_header(table)
    body = table[header_index + 1:]
    if not body:
        raise ValidationError(_("文件中只有表头，没有数据行。"))
    max_rows = current_app.config["ROSTER_MAX_ROWS"]
    if len(body) > max_rows:
        raise ValidationError(_("文件行数太多（最多 %(n)d 行），请分批导入。", n=max_rows))
    tiers, units, names = {}, {}, {"unit_id": {}, "tier_id": {}}
    for tier in Tier.query.all():
        tiers[_key(tier.name)] = tiers[_key(tier.code)] = tier
        names["tier_id"][tier.id] = tier.name
    for unit in Unit.query.all():
        units[_key(unit.name)] = unit
        names["unit_id"][unit.id] = unit.name
    stored = _roster_snapshot()

    rows, lines_by_no = [], {}
    for offset, raw in enumerate(body):
        line = header_index + offset + 2
        values = {f: (raw[i] if i < len(raw) else "") for f, i in mapping.items()}
        values.update({f: "" for f in COLUMN_LABELS if f not in values})
        row = RosterRow(line=line, values=values)
        rows.append(row)
        if not any(values.values()):
            row.reasons.append(_("空行"))
            continue
        _check_row(row, mapping, tiers, units)
        if values["employee_no"]:
            lines_by_no.setdefault(values["employee_no"], []).append(row)

    for employee_no, same in lines_by_no.items():
        if len(same) > 1:
            lines = "、".join(str(r.line) for r in same)
            for row in same:
                row.reasons.append(_("工号 %(no)s 在文件中重复（第 %(lines)s 行）", no=employee_no, lines=lines))
                row.clean = None

    for row in rows:
        if row.clean is None:
            continue
        current = stored.get(row.clean["employee_no"])
        if current is None:
            row.action = "create"
            continue
        row.person_id = current.id
        for attribute, value in row.clean.items():
            old = getattr(current, attribute)
            if attribute != "employee_no" and old != value:
                row.changed.append(attribute)
                row.diffs.append(_("%(col)s：%(old)s → %(new)s", col=FIELD_LABELS[attribute],
                                   old=_display(attribute, old, names), new=_display(attribute, value, names)))
        row.action = "update" if row.changed else "unchanged"
    columns = [COLUMN_LABELS[f] for f, _i in sorted(mapping.items(), key=lambda item: item[1])]
    return RosterPreview(rows=rows, table=table, columns=columns)


def preview_roster(filename, data):
    """Read an uploaded .xlsx/.csv roster and check every row; writes nothing."""
    return check_roster(read_table(filename, data))


def apply_roster(table, actor=None):
    """Re-check parsed roster rows and write every valid one (the caller commits once).

    New people are inserted and changed people updated with two bulk statements, so a
    10,000-row roster takes one round trip each instead of one per row.
    """
    preview = check_roster(table)
    now = utcnow()
    creates, updates = [], []
    for row in preview.rows:
        if row.action == "create":
            values = {**NEW_PERSON_DEFAULTS, **row.clean, "created_at": now, "updated_at": now}
            creates.append({**values, "focus_since": now if values.get("is_focus") else None})
        elif row.action == "update":
            values = {"id": row.person_id, "updated_at": now,
                      **{attribute: row.clean[attribute] for attribute in row.changed}}
            if "is_focus" in row.changed:  # newly flagged (or no longer): the due date of the focus talk
                values["focus_since"] = now if row.clean["is_focus"] else None
            updates.append(values)
    if creates:
        db.session.execute(insert(Person), creates)
    if updates:
        db.session.execute(update(Person), updates)
        for obj in list(db.session.identity_map.values()):
            if isinstance(obj, Person):
                db.session.expire(obj)  # bulk updates bypass loaded objects
    record_event("person", 0, "import", actor=actor,
                 text=_("导入名单：新增 %(c)d，更新 %(u)d，未导入 %(r)d", c=len(creates), u=len(updates),
                        r=preview.count("reject")))
    db.session.flush()
    return preview


def _stash_dir():
    path = current_app.config.get("ROSTER_STASH_DIR") or os.path.join(current_app.instance_path, "imports")
    os.makedirs(path, exist_ok=True)
    return path


def stash_upload(table):
    """Keep parsed roster rows until the organizer confirms; returns the batch token.

    Batches older than a day are removed on the way.
    """
    directory = _stash_dir()
    cutoff = time.time() - STASH_MAX_AGE_S
    for entry in os.scandir(directory):
        try:
            if entry.stat().st_mtime < cutoff:
                os.remove(entry.path)
        except FileNotFoundError:
            pass  # another request removed it first
    token = uuid.uuid4().hex
    path = os.path.join(directory, token + ".json")
    with open(path + ".tmp", "w", encoding="utf-8") as handle:
        json.dump(table, handle, ensure_ascii=False)
    os.replace(path + ".tmp", path)  # a half-written batch is never visible
    return token


def take_stashed_upload(token):
    """Claim a stashed batch and return its rows; a batch can be taken only once, so a
    replayed or double-clicked confirmation finds nothing to write."""
    if not re.fullmatch(r"[0-9a-f]{32}", token or ""):
        raise ValidationError(_("导入批次无效，请重新上传文件。"))
    path = os.path.join(_stash_dir(), token + ".json")
    claimed = f"{path}.{uuid.uuid4().hex}.taken"
    try:
        os.rename(path, claimed)  # atomic: of two concurrent confirmations only one wins
    except FileNotFoundError:
        raise Conflict(_("该批次已经导入过（或已过期），这次没有写入任何数据。如需再次导入，请重新上传文件。")) \
            from None
    try:
        with open(claimed, encoding="utf-8") as handle:
            return json.load(handle)
    finally:
        os.remove(claimed)


def export_roster_xlsx(include_focus=True):
    """The roster as an .xlsx file (bytes), with the columns the import reads back."""
    from ..spreadsheets import XlsxWriter
    writer = XlsxWriter()
    sheet = writer.sheet(_("职工名单"))
    columns = [c for c in ROSTER_COLUMNS if include_focus or c[0] not in SENSITIVE_COLUMNS]
    sheet.header([label for _f, label, _a in columns])
    gender_labels = {"male": "男", "female": "女"}
    query = (db.session.query(Person.employee_no, Person.name, Person.gender, Unit.name, Person.post,
                              Tier.name, Person.phone, Person.is_focus, Person.focus_reason, Person.is_active,
                              Person.standing)
             .outerjoin(Unit, Person.unit_id == Unit.id).outerjoin(Tier, Person.tier_id == Tier.id)
             .order_by(Person.employee_no))
    for employee_no, name, gender, unit, post, tier, phone, is_focus, reason, is_active, standing in query:
        values = {"employee_no": employee_no, "name": name, "gender": gender_labels.get(gender, ""),
                  "unit": unit or "", "post": post or "", "tier": tier or "", "phone": phone or "",
                  "is_focus": "是" if is_focus else "否", "focus_reason": reason or "",
                  "is_active": "是" if is_active else "否", "standing": STANDING_LABELS.get(standing, "一般")}
        sheet.row([values[f] for f, _label, _a in columns])
    return writer.to_bytes()
