"""Input checks shared by the services and edges: required text, ids, integers, booleans,
dates, and the characters no user text may carry (NUL, bidi controls)."""
import re
from datetime import date, timedelta

from flask_babel import gettext as _

from .errors import NotFound, ValidationError
from .extensions import db

# Every id column is a 32-bit integer on PostgreSQL; SQLite takes 64 bits. One bound for both,
# so that a huge id is a clear 404/400 and never an overflow inside the database driver.
ID_MAX = 2 ** 31 - 1
# Right-to-left / left-to-right overrides, embeddings and isolates reorder what staff read
# ("abc\u202egnp.exe" shows as "abcexe.png"); NUL is refused by PostgreSQL and hides text in C tools.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
# ASCII digits only: str.isdigit() also takes "²" and other digits int() refuses.
_DIGITS = re.compile(r"^[0-9]{1,12}$")


def clean_text(value):
    """User text as stored: bidi controls removed; a ValidationError for NUL and other control bytes."""
    if not isinstance(value, str):
        return value
    if _FORBIDDEN.search(value):
        raise ValidationError(_("内容含有不能保存的控制字符，请删除后重试。"), code="control_characters")
    return _BIDI_CONTROLS.sub("", value)


def without_controls(text):
    """Text from a file (a roster cell) with control bytes and bidi controls dropped: a file is
    fixed by its author, not refused cell by cell, but nothing invisible reaches the pages."""
    return _BIDI_CONTROLS.sub("", _FORBIDDEN.sub("", text))


def required_text(value, message, limit, code=None):
    """The stripped, cleaned text, or a ValidationError (`message` when empty, a length message when
    too long; `code` lets a form put the message beside its field)."""
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(message, code=code)
    value = clean_text(value).strip()
    if not value:
        raise ValidationError(message, code=code)
    if len(value) > limit:
        raise ValidationError(_("内容不能超过 %(n)d 个字。", n=limit), code=code)
    return value


def optional_text(value, limit, field=None):
    """Stripped, cleaned text or None; a ValidationError when not a string or too long."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValidationError(_("%(field)s 必须是字符串。", field=field or _("内容")))
    value = clean_text(value).strip()
    if len(value) > limit:
        raise ValidationError(_("%(field)s 不能超过 %(n)d 个字。", field=field or _("内容"), n=limit))
    return value or None


def is_digits(text):
    """1–12 ASCII digits (what a number typed into a form or a URL looks like)."""
    return isinstance(text, str) and bool(_DIGITS.match(text))


def is_id(value):
    """A JSON value that can be a row id: an int (not a bool) in 1..ID_MAX."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= ID_MAX


def id_value(value, field, required=True):
    """A row id from JSON or a form, or None when optional and absent; otherwise a ValidationError."""
    if value is None and not required:
        return None
    if not is_id(value):
        raise ValidationError(_("%(field)s 必须是有效的编号（正整数）。", field=field), code="bad_id")
    return value


def int_value(value, field, minimum, maximum, default=None):
    """A JSON integer within bounds, or `default` when absent; "10" (a string) is not a number here."""
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        raise ValidationError(_("%(field)s 必须是 %(a)d 到 %(b)d 之间的整数。", field=field, a=minimum, b=maximum),
                              code="bad_integer")
    return value


def query_int(value, field, minimum, maximum, default=None):
    """An integer from a query string (ASCII digits) within bounds, or `default` when absent."""
    if value is None or value == "":
        return default
    text = value.strip() if isinstance(value, str) else ""
    if not _DIGITS.match(text):
        raise ValidationError(_("%(field)s 必须是 %(a)d 到 %(b)d 之间的整数。", field=field, a=minimum, b=maximum),
                              code="bad_integer")
    return int_value(int(text), field, minimum, maximum)


def bool_value(value, field, default=None):
    """A JSON boolean; the strings "false" or "0" are not true, they are an error."""
    if value is None:
        return default
    if not isinstance(value, bool):
        raise ValidationError(_("%(field)s 必须是 true 或 false。", field=field), code="bad_boolean")
    return value


# A deadline is a promise to a worker: today at the earliest, at most a year ahead.
DEADLINE_MAX_DAYS = 366


def deadline_value(value, today, field_message=None):
    """A reply deadline between `today` and one year ahead (a date), or a clear ValidationError."""
    if value is None:
        raise ValidationError(field_message or _("请填写答复期限。"), code="bad_due_date")
    if value < today:
        raise ValidationError(_("答复期限不能早于今天。"), code="past_due_date")
    if value > today + timedelta(days=DEADLINE_MAX_DAYS):
        raise ValidationError(_("答复期限不能晚于一年以后（%(d)s）。",
                                d=(today + timedelta(days=DEADLINE_MAX_DAYS)).isoformat()), code="far_due_date")
    return value


def date_value(value, field):
    """A date from an ISO string (YYYY-MM-DD), or a ValidationError."""
    if isinstance(value, date):
        return value
    try:
        if not isinstance(value, str) or len(value) > 10:
            raise ValueError(value)
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ValidationError(_("%(field)s 格式应为 YYYY-MM-DD。", field=field), code="bad_date")


def fetch(model, ident, message, **options):
    """The row of `model` with primary key `ident`, or NotFound with `message`."""
    row = db.session.get(model, ident, **options) if is_id(ident) else None
    if row is None:
        raise NotFound(message)
    return row


PAGE_MAX = 100_000


def arg_int(args, name, default=None, minimum=1, maximum=ID_MAX):
    """For HTML pages: a query-string integer within bounds, else `default` (a page never fails on it)."""
    text = (args.get(name) or "").strip()
    if not _DIGITS.match(text):
        return default
    value = int(text)
    return value if minimum <= value <= maximum else default


def arg_page(args):
    """The `page` query argument of a paginated HTML list: 1 when absent or absurd."""
    return arg_int(args, "page", 1, 1, PAGE_MAX)
