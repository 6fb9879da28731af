"""Shared fixtures: one app per test session on a real database (a SQLite file, or the
PostgreSQL given in TEST_DATABASE_URL), emptied before every test; helpers to make users,
log in, call the API with a bearer token, and run the real server in a subprocess."""
import os
import socket
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone

import pytest
import requests

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir))
sys.path.insert(0, ROOT)

from facilitation import create_app  # noqa: E402
from facilitation.extensions import db, limiter  # noqa: E402

TEST_SECRET = "test-secret-key-for-the-suite"
PASSWORD = "correct-horse-1"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "huitan-test.sqlite3")


def reset_schema(engine):
    """Drop everything (including alembic_version), then build the schema with the migrations."""
    from sqlalchemy import MetaData
    meta = MetaData()
    meta.reflect(bind=engine)
    meta.drop_all(bind=engine)
    from flask_migrate import upgrade
    upgrade()


@pytest.fixture(scope="session")
def app(database_url):
    app = create_app({
        "TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": TEST_SECRET,
        "WTF_CSRF_ENABLED": False, "LOGIN_RATE_LIMIT": "10000 per minute",
        "JOIN_RATE_MIN": 10000, "SUBMIT_RATE_LIMIT": "10000 per minute",
        "LOGIN_ADDRESS_RATE_LIMIT": "10000 per minute",
        "SERVER_NAME": None,
    })
    with app.app_context():
        reset_schema(db.engine)
    return app


def empty_database():
    tables = [t for t in reversed(db.metadata.sorted_tables)]
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        # A browser test's server may still be answering the page's last poll: PostgreSQL can then
        # pick the TRUNCATE as a deadlock victim. The poll finishes in milliseconds; try again.
        from sqlalchemy.exc import OperationalError
        for attempt in range(5):
            try:
                db.session.execute(db.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
                break
            except OperationalError as error:
                db.session.rollback()
                if "deadlock" not in str(error).lower() or attempt == 4:
                    raise
                time.sleep(0.2 * (attempt + 1))
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture(autouse=True)
def app_ctx(app):
    """Every test runs inside an app context on an empty database with the eight tiers."""
    from facilitation.people.services import seed_tiers
    with app.app_context():
        empty_database()
        seed_tiers()
        db.session.commit()
        limiter.reset()
        app.config["WTF_CSRF_ENABLED"] = False
        yield app
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


# ------------------------------------------------------------------ factories

@pytest.fixture
def make_department():
    from facilitation.people.services import create_department

    def make(name="后勤管理部"):
        department = create_department(name)
        db.session.commit()
        return department
    return make


@pytest.fixture
def make_user(make_department):
    from facilitation.accounts.services import create_user
    from facilitation.people.models import Department

    def make(role="organizer", username=None, department=None, display_name=None):
        username = username or f"{role}-{os.urandom(3).hex()}"
        if role == "handler" and department is None:
            department = Department.query.first() or make_department()
        user = create_user(username, PASSWORD, role, display_name=display_name or username, department=department)
        db.session.commit()
        return user
    return make


def login(client, user, password=PASSWORD):
    response = client.post("/login", data={"username": user.username, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


@pytest.fixture
def login_as(client):
    def do(user):
        return login(client, user)
    return do


@pytest.fixture
def token_for():
    from facilitation.accounts.services import issue_api_token

    def make(user):
        token = issue_api_token(user)
        db.session.commit()
        return token
    return make


class ApiClient:
    """A Flask test client that sends a bearer token and JSON."""

    def __init__(self, client, token):
        self.client, self.token = client, token

    def _headers(self, extra=None):
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        headers.update(extra or {})
        return headers

    def get(self, url, **kw):
        return self.client.get("/api/v1" + url, headers=self._headers(kw.pop("headers", None)), **kw)

    def post(self, url, json=None, **kw):
        return self.client.post("/api/v1" + url, json=json if json is not None else {},
                                headers=self._headers(kw.pop("headers", None)), **kw)

    def patch(self, url, json=None, **kw):
        return self.client.patch("/api/v1" + url, json=json if json is not None else {},
                                 headers=self._headers(kw.pop("headers", None)), **kw)


@pytest.fixture
def api(client, token_for):
    def make(user_or_token=None):
        if user_or_token is None or isinstance(user_or_token, str):
            return ApiClient(client, user_or_token)
        return ApiClient(client, token_for(user_or_token))
    return make


@pytest.fixture
def tier():
    from facilitation.people.models import Tier
    return Tier.query.filter_by(code="staff").one()


@pytest.fixture
def lead_user(make_user, tier):
    from facilitation.people.services import assign_tier_lead
    user = make_user("lead", username="lead-staff", display_name="韩立军")
    assign_tier_lead(tier, user)
    db.session.commit()
    return user


@pytest.fixture
def make_meeting(make_user, lead_user, tier):
    from facilitation.scheduling.services import create_meeting, start_meeting
    from facilitation.timeutil import local_zone

    made = []

    def make(status="live", **overrides):
        organizer = make_user("organizer")
        # Conflict checks refuse two meetings of one lead on the same day or in one room at the
        # same time: each further meeting of a test is a day later, in its own room.
        later = len(made)
        data = {"title": "11月职工层级慧谈", "kind": "regular", "tier_id": tier.id,
                "starts_at": datetime.now(local_zone()) + timedelta(hours=1, days=later),
                "location": "调度楼三楼会议室" + (f"（{later + 1}）" if later else "")}
        data.update(overrides)
        made.append(data)
        meeting = create_meeting(organizer, data)
        if status == "live":
            start_meeting(organizer, meeting)
        db.session.commit()
        return meeting
    return make


# ------------------------------------------------------------------ time

class Clock:
    """Freezes 'now' for timeutil (local_today) and the slip services (time stamps)."""

    def __init__(self, monkeypatch):
        self.monkeypatch = monkeypatch

    def set(self, moment):
        if moment.tzinfo is None:
            raise ValueError("give an aware datetime")
        frozen = moment.astimezone(timezone.utc)
        import facilitation.slips.services as slip_services
        import facilitation.timeutil as timeutil
        for module in (timeutil, slip_services):
            self.monkeypatch.setattr(module, "utcnow", lambda: frozen)
        return frozen

    def shanghai(self, *args):
        from facilitation.timeutil import SHANGHAI
        return self.set(datetime(*args, tzinfo=SHANGHAI))


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)



# ------------------------------------------------------------------ real server

def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServerProcess:
    """`python app.py` in a subprocess on a free port, sharing the test database."""

    def __init__(self, database_url, extra_env=None):
        self.database_url = database_url
        self.extra_env = extra_env or {}
        self.port = free_port()
        self.proc = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        env = dict(os.environ, DATABASE_URL=self.database_url, SECRET_KEY=TEST_SECRET, HOST="127.0.0.1",
                   PORT=str(self.port), RATELIMIT_ENABLED="0", PYTHONUNBUFFERED="1")
        env.pop("TEST_DATABASE_URL", None)
        env.update(self.extra_env)
        self.log = open(os.path.join(ROOT, "instance", f"server-{self.port}.log"), "wb")
        self.proc = subprocess.Popen([sys.executable, os.path.join(ROOT, "app.py")], cwd=ROOT, env=env,
                                     stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}; see {self.log.name}")
            try:
                if requests.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return self
            except requests.RequestException:
                time.sleep(0.2)
        raise RuntimeError("server did not start in 30 s")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if getattr(self, "log", None):
            self.log.close()


@pytest.fixture(scope="session")
def live_server(app, database_url):
    os.makedirs(os.path.join(ROOT, "instance"), exist_ok=True)
    server = ServerProcess(database_url).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright
    if not os.path.exists("/usr/bin/chromium"):
        pytest.fail("Debian chromium is missing: apt-get install chromium (make test does it as root)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        yield browser
        browser.close()


SCREENSHOT_DIR = os.path.join(ROOT, "screenshots")


@pytest.fixture
def screenshot_dir():
    os.makedirs(SCREENSHOT_DIR, exist_ok=True)
    return SCREENSHOT_DIR
