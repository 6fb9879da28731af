"""Time helpers: everything is stored as aware UTC; people see Asia/Shanghai."""
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy.types import DateTime, TypeDecorator

SHANGHAI = ZoneInfo("Asia/Shanghai")


def utcnow():
    return datetime.now(timezone.utc)


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
