"""Configuration classes; every value can be overridden from the environment."""
import os
from datetime import timedelta

BASE_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir))
INSTANCE_DIR = os.path.join(BASE_DIR, "instance")
SECRET_KEY_FILE = "secret_key"
MIN_PRODUCTION_SECRET_BYTES = 32


def _bool(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def default_database_url():
    return "sqlite:///" + os.path.join(INSTANCE_DIR, "huitan.sqlite3")


class Config:
    """Defaults for running locally: SQLite under instance/, one process."""

    # None: create_app reads (or on first start creates) a random key in instance/secret_key.
    SECRET_KEY = os.environ.get("SECRET_KEY") or None
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") or default_database_url()
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SOCKETIO_MESSAGE_QUEUE = os.environ.get("SOCKETIO_MESSAGE_QUEUE") or None
    HOST = os.environ.get("HOST", "127.0.0.1")
    PORT = int(os.environ.get("PORT", "5000"))

    BABEL_DEFAULT_LOCALE = "zh"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = {"zh": "简体中文", "en": "English"}
    DISPLAY_TIMEZONE = os.environ.get("DISPLAY_TIMEZONE", "Asia/Shanghai")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    WTF_CSRF_TIME_LIMIT = None

    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute")
    LOGIN_ADDRESS_RATE_LIMIT = os.environ.get("LOGIN_ADDRESS_RATE_LIMIT", "100 per minute")
    # Joins are limited per meeting: at least JOIN_RATE_MIN a minute, or JOIN_ATTEMPTS_PER_SEAT × its cap.
    JOIN_RATE_MIN = int(os.environ.get("JOIN_RATE_MIN", "30"))
    JOIN_ATTEMPTS_PER_SEAT = int(os.environ.get("JOIN_ATTEMPTS_PER_SEAT", "5"))
    SUBMIT_RATE_LIMIT = os.environ.get("SUBMIT_RATE_LIMIT", "30 per minute")
    SOCKET_CONNECT_RATE_LIMIT = os.environ.get("SOCKET_CONNECT_RATE_LIMIT", "120 per minute")

    MAX_CONTENT_LENGTH = 8 * 1024 * 1024  # roster files; JSON bodies are checked separately
    ROSTER_MAX_ROWS = 20000
    MEETING_MAX_PARTICIPANTS = int(os.environ.get("MEETING_MAX_PARTICIPANTS", "10"))
    # A meeting without an end time blocks its room for this long (conflict checks).
    MEETING_DEFAULT_MINUTES = int(os.environ.get("MEETING_DEFAULT_MINUTES", "120"))
    # Who is heard: someone heard within this many months waits while others of the tier have not been.
    PROPOSAL_RECENT_MONTHS = int(os.environ.get("PROPOSAL_RECENT_MONTHS", "6"))
    # The monthly plan: start times tried in order, the default room, and days off besides
    # weekends (YYYY-MM-DD, comma-separated; organizers add more, and 调休 working days, on the plan page).
    PLAN_TIMES = tuple(t.strip() for t in os.environ.get("PLAN_TIMES", "15:00,09:00").split(",") if t.strip())
    PLAN_LOCATION = os.environ.get("PLAN_LOCATION", "党群活动室")
    PLAN_HOLIDAYS = tuple(d.strip() for d in os.environ.get("PLAN_HOLIDAYS", "").split(",") if d.strip())
    PARTICIPANT_TOKEN_MAX_AGE = int(os.environ.get("PARTICIPANT_TOKEN_MAX_AGE", str(24 * 3600)))
    ITEM_MAX_CHARS = 500
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL") or None  # for QR codes behind a proxy
    # Addresses or networks of the reverse proxies (nginx) whose X-Forwarded-For we believe.
    TRUSTED_PROXIES = os.environ.get("TRUSTED_PROXIES", "")
    PROXY_HOPS = int(os.environ.get("PROXY_HOPS", "1"))

    # Slip deadlines in working days, escalation and the optional group-robot webhook.
    SLIP_DAYS_BY_KIND = {"question": 5, "demand": 5, "difficulty": 5, "suggestion": 10}
    SLIP_DAYS_BY_CATEGORY = {"安全": 2}
    SLIP_URGENT_DAYS = 1
    SLIP_ESCALATE_AFTER_DAYS = int(os.environ.get("SLIP_ESCALATE_AFTER_DAYS", "3"))
    SLIP_WEBHOOK_URL = os.environ.get("SLIP_WEBHOOK_URL") or None
    TESTING = False
    IS_PRODUCTION = False


class ProductionConfig(Config):
    """Secure cookies; create_app refuses a SECRET_KEY shorter than 32 bytes."""

    IS_PRODUCTION = True

    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE


class TestConfig(Config):
    TESTING = True
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL") or "sqlite:///:memory:"
    RATELIMIT_ENABLED = False
    WTF_CSRF_ENABLED = False


def is_production_environment():
    """Production when HUITAN_ENV or FLASK_ENV says so, in any case; FLASK_DEBUG never lowers the bar."""
    names = (os.environ.get("HUITAN_ENV"), os.environ.get("FLASK_ENV"))
    return any((name or "").strip().lower() in ("production", "prod") for name in names)


def config_from_environment():
    return ProductionConfig if is_production_environment() else Config

