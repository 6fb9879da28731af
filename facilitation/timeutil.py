"""Time helpers: everything is stored as aware UTC; people see Asia/Shanghai."""
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy.types import DateTime, TypeDecorator

SHANGHAI = ZoneInfo("Asia/Shanghai")


_frozen_now = ContextVar("frozen_now", default=None)


def utcnow():
    """Now, in UTC; inside `frozen_at(moment)`, that moment."""
    frozen = _frozen_now.get()
    return frozen if frozen is not None else datetime.now(timezone.utc)


@contextmanager
def frozen_at(moment):
    """Act at `moment` (aware): the demo holds last month's sessions on their days, so that time
    stamps, slip numbers, deadlines, on-time marks and the audit trail are those of that day."""
    token = _frozen_now.set(moment.astimezone(timezone.utc))
    try:
        yield
    finally:
        _frozen_now.reset(token)


def local_zone():
    try:
        return ZoneInfo(current_app.config.get("DISPLAY_TIMEZONE", "Asia/Shanghai"))
    except RuntimeError:
        return SHANGHAI


def local_today():
    return utcnow().astimezone(local_zone()).date()


def to_local(value):
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(local_zone())


def parse_local_datetime(text):
    """Parse 'YYYY-MM-DDTHH:MM[:SS][±HH:MM|Z]'; naive input is Asia/Shanghai wall time."""
    text = (text or "").strip()
    if not text:
        raise ValueError("empty")
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    value = datetime.fromisoformat(text.replace(" ", "T"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=local_zone())
    return value.astimezone(timezone.utc)


def parse_date(text):
    return date.fromisoformat((text or "").strip())


def month_bounds(year, month):
    """UTC instants of the first moment of the month and of the next, in local time."""
    start = datetime(year, month, 1, tzinfo=local_zone())
    nxt = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=local_zone())
    return start.astimezone(timezone.utc), nxt.astimezone(timezone.utc)


def add_days(d, n):
    return d + timedelta(days=n)


class UTCDateTime(TypeDecorator):
    """Stores aware datetimes as naive UTC (SQLite keeps no zone) and returns aware UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc)
