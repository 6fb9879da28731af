"""The flask commands of §6 (init-db, demo, create-user, create-token) and backup/restore.

Schema and data commands run as real `flask --app app …` subprocesses on their own SQLite
file; create-user and create-token run in-process on the suite's database so that the token
can be used right away."""
import os
import sqlite3
import subprocess
import sys
from contextlib import closing

import pytest
from werkzeug.security import check_password_hash

from facilitation.extensions import db

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir))


def run_flask(database_path, *args):
    env = dict(os.environ, DATABASE_URL="sqlite:///" + str(database_path), SECRET_KEY="cli-test-secret",
               PYTHONUNBUFFERED="1")
    env.pop("TEST_DATABASE_URL", None)
    env.pop("FLASK_APP", None)
    return subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)


def ok(result):
    assert result.returncode == 0, f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result.stdout


def query(database_path, sql, *params):
    with closing(sqlite3.connect(database_path)) as connection:
        return connection.execute(sql, params).fetchall()


def row_counts(database_path):
    tables = [name for (name,) in query(database_path, "SELECT name FROM sqlite_master WHERE type = 'table' "
                                                       "AND name NOT LIKE 'sqlite_%'")]
    return {table: query(database_path, f'SELECT COUNT(*) FROM "{table}"')[0][0] for table in tables}


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    """A database built by `init-db` then `demo` (shared by the read-only checks below)."""
    path = tmp_path_factory.mktemp("cli") / "demo.sqlite3"
    ok(run_flask(path, "init-db"))
    first = ok(run_flask(path, "demo"))
    return path, first


# ------------------------------------------------------------------ init-db

def test_init_db_is_idempotent_and_seeds_the_eight_tiers(tmp_path):
    path = tmp_path / "fresh.sqlite3"
    first = ok(run_flask(path, "init-db"))
    assert "8 tier(s) created" in first
    counts = row_counts(path)
    second = ok(run_flask(path, "init-db"))
    assert "0 tier(s) created" in second
    assert row_counts(path) == counts
    names = [name for (name,) in query(path, "SELECT name FROM tiers ORDER BY position")]
    assert names == ["职工", "党员", "群监员(青安岗)", "班组长", "安监员", "副区长(技术员)", "区长书记", "生产职能科室"]
    assert len(query(path, "SELECT version_num FROM alembic_version")) == 1


# ------------------------------------------------------------------ demo

def test_demo_is_idempotent(demo_db):
    path, _output = demo_db
    counts = row_counts(path)
    ok(run_flask(path, "demo"))
    assert row_counts(path) == counts


def test_demo_builds_a_realistic_mine(demo_db):
    path, _output = demo_db
    people = query(path, "SELECT COUNT(*) FROM people")[0][0]
    assert 180 <= people <= 250
    assert query(path, "SELECT COUNT(*) FROM departments")[0][0] == 12
    assert query(path, "SELECT COUNT(*) FROM tiers")[0][0] == 8
    assert query(path, "SELECT COUNT(*) FROM meetings")[0][0] >= 8
    # the roster is Chinese and every tier has people
    empty_tiers = query(path, "SELECT t.name FROM tiers t LEFT JOIN people p ON p.tier_id = t.id "
                              "GROUP BY t.id HAVING COUNT(p.id) = 0")
    assert empty_tiers == []


def test_demo_shows_who_is_heard(demo_db):
    """Plans, approved lists from the proposal, a cross-tier session with its chair, no slip without a
    supervisor, attendance and a department's absence in the ledger."""
    path, _output = demo_db
    assert query(path, "SELECT COUNT(*) FROM slips WHERE supervisor_user_id IS NULL")[0][0] == 0
    assert query(path, "SELECT COUNT(*) FROM slips")[0][0] > 0
    assert query(path, "SELECT COUNT(*) FROM meetings WHERE lead_user_id IS NULL")[0][0] == 0
    # the months of the last eight weeks and this month are published; next month's plan is a draft
    assert query(path, "SELECT COUNT(*) FROM month_plans")[0][0] in (3, 4)
    assert query(path, "SELECT COUNT(*) FROM month_plans WHERE published_at IS NULL")[0][0] == 1
    # every slip is numbered from the month it was issued in, and every reply answers its own item
    for number, issued in query(path, "SELECT number, issued_at FROM slips"):
        from datetime import datetime, timedelta
        local = datetime.fromisoformat(str(issued)) + timedelta(hours=8)
        assert number.startswith(f"HT-{local:%Y%m}-"), (number, issued)
    assert query(path, "SELECT COUNT(*) FROM notifications n JOIN slips s ON s.id = n.slip_id "
                       "WHERE s.status = 'closed' AND n.kind = 'slip_replied' AND n.read_at IS NULL")[0][0] == 0
    approved = query(path, "SELECT COUNT(*) FROM meetings WHERE participants_approved_at IS NOT NULL")[0][0]
    assert approved >= 16
    too_many = query(path, "SELECT m.id FROM meetings m JOIN participants p ON p.meeting_id = m.id "
                           "WHERE p.source = 'invited' GROUP BY m.id HAVING COUNT(*) > MAX(m.max_participants)")
    assert too_many == []
    reasons = [r for (r,) in query(path, "SELECT reason FROM participants WHERE reason IS NOT NULL")]
    assert any(r.startswith("重点人员") for r in reasons) and "从未参加过慧谈" in reasons
    topic = query(path, "SELECT m.id, m.lead_user_id, COUNT(p.id) FROM meetings m JOIN participants p "
                        "ON p.meeting_id = m.id WHERE m.kind = 'topic' GROUP BY m.id")
    assert topic and topic[0][1] is not None and topic[0][2] >= 5
    tiers = query(path, "SELECT COUNT(DISTINCT pe.tier_id) FROM participants p JOIN people pe ON pe.id = p.person_id "
                        "JOIN meetings m ON m.id = p.meeting_id WHERE m.kind = 'topic'")[0][0]
    assert tiers >= 2  # chosen across tiers
    assert query(path, "SELECT COUNT(*) FROM participants WHERE marked_by_user_id IS NOT NULL")[0][0] >= 8
    assert query(path, "SELECT COUNT(*) FROM point_entries WHERE reason = 'absent'")[0][0] >= 1
    assert query(path, "SELECT COUNT(*) FROM meeting_departments WHERE attendee_name IS NOT NULL")[0][0] >= 8
    assert query(path, "SELECT COUNT(*) FROM holidays")[0][0] >= 6
    assert query(path, "SELECT COUNT(*) FROM meetings WHERE kind = 'online' AND video_url LIKE 'https://%'")[0][0] == 1


def test_demo_shows_the_standing_channel(demo_db):
    """一码通: posters (one default, one stopped), items of every outcome without a meeting, 特事特办
    dispatched by the mine leader with an instruction, feedback calls, replies chosen for the summary,
    nothing identifying stored for a fully anonymous item."""
    path, _output = demo_db
    channels = query(path, "SELECT name, is_active, is_default FROM channels")
    assert len(channels) >= 5 and sum(1 for c in channels if c[2]) == 1 and any(not c[1] for c in channels)
    statuses = dict(query(path, "SELECT status, COUNT(*) FROM items WHERE channel = 'qr' AND meeting_id IS NULL "
                                "AND channel_id IS NOT NULL GROUP BY status"))
    assert {"open", "answered", "transferred", "merged", "hidden"} <= set(statuses)
    assert query(path, "SELECT COUNT(*) FROM items WHERE channel = 'qr' AND is_urgent")[0][0] >= 2
    assert query(path, "SELECT COUNT(*) FROM slips s JOIN users u ON u.id = s.issued_by_user_id "
                       "WHERE s.instruction IS NOT NULL AND u.role = 'viewer'")[0][0] >= 2
    assert query(path, "SELECT COUNT(*) FROM slip_callbacks")[0][0] >= 3
    assert query(path, "SELECT COUNT(*) FROM summary_picks")[0][0] >= 1
    assert query(path, "SELECT COUNT(*) FROM items WHERE anonymity = 'hidden_identity' AND (submitter_name IS NOT NULL "
                       "OR submitter_employee_no IS NOT NULL OR contact_phone IS NOT NULL OR follow_token IS NOT NULL "
                       "OR person_id IS NOT NULL)")[0][0] == 0


def test_demo_gives_every_tier_a_lead_and_every_department_a_handler_who_can_log_in(demo_db):
    from facilitation.demo import DEMO_PASSWORD
    path, _output = demo_db
    leads = query(path, "SELECT t.name, u.username, u.role, u.is_enabled, u.password_hash FROM tiers t "
                        "JOIN tier_leads l ON l.tier_id = t.id AND l.ended_on IS NULL JOIN users u ON u.id = l.user_id")
    assert len({name for name, *_rest in leads}) == 8 and len(leads) == 8
    for name, username, role, enabled, password_hash in leads:
        assert role == "lead" and enabled, (name, username)
        assert check_password_hash(password_hash, DEMO_PASSWORD), username
    handlers = query(path, "SELECT d.name, COUNT(u.id) FROM departments d LEFT JOIN users u "
                           "ON u.department_id = d.id AND u.role = 'handler' AND u.is_enabled GROUP BY d.id")
    assert all(count >= 1 for _name, count in handlers), handlers
    roles = {role for (role,) in query(path, "SELECT DISTINCT role FROM users")}
    assert roles == {"admin", "organizer", "lead", "handler", "viewer"}


def test_demo_prints_the_logins(demo_db):
    from facilitation.demo import DEMO_PASSWORD
    path, output = demo_db
    assert DEMO_PASSWORD in output
    for username in ("admin", "organizer", "kuangzhang", "lead_zhigong", "handler01"):
        assert username in output
        assert query(path, "SELECT COUNT(*) FROM users WHERE username = ?", username)[0][0] == 1


# ------------------------------------------------------------------ create-user, create-token

def invoke(app, *args):
    result = app.test_cli_runner().invoke(args=list(args))
    return result.exit_code, result.output + (result.stderr or "")


def test_create_user(app):
    from facilitation.accounts.models import User
    code, output = invoke(app, "create-user", "--username", "mengqh", "--password", "long-enough-1",
                          "--role", "organizer", "--name", "孟庆华")
    assert code == 0, output
    user = User.query.filter_by(username="mengqh").one()
    assert user.role == "organizer" and user.display_name == "孟庆华" and user.check_password("long-enough-1")
    assert user.password_hash != "long-enough-1"


def test_create_handler_with_department(app, make_department):
    from facilitation.accounts.models import User
    department = make_department("后勤管理部")
    code, output = invoke(app, "create-user", "--username", "houqin", "--password", "long-enough-1",
                          "--role", "handler", "--department", "后勤管理部")
    assert code == 0, output
    assert User.query.filter_by(username="houqin").one().department_id == department.id


@pytest.mark.parametrize("args, message", [
    (["--role", "handler"], "承办人必须指定所属科室"),
    (["--role", "handler", "--department", "不存在的科"], "找不到科室“不存在的科”"),
    (["--role", "organizer", "--password", "short"], "密码至少需要 8 个字符"),
    (["--role", "boss"], "boss"),
])
def test_create_user_refuses_bad_input_clearly(app, make_department, args, message):
    from facilitation.accounts.models import User
    make_department("后勤管理部")
    base = {"--username": "someone", "--password": "long-enough-1"}
    for flag, value in zip(args[::2], args[1::2]):
        base[flag] = value
    code, output = invoke(app, "create-user", *[part for pair in base.items() for part in pair])
    assert code != 0
    assert message in output
    assert User.query.filter_by(username="someone").first() is None


def test_create_user_refuses_a_duplicate(app, make_user):
    make_user("viewer", username="dongzy")
    code, output = invoke(app, "create-user", "--username", "dongzy", "--password", "long-enough-1",
                          "--role", "viewer")
    assert code != 0 and "已存在" in output


def test_create_token_prints_a_working_bearer_token(app, api, make_user):
    make_user("viewer", username="kuangzhang")
    code, output = invoke(app, "create-token", "--username", "kuangzhang")
    assert code == 0, output
    token = output.strip().splitlines()[-1]
    db.session.expire_all()
    response = api(token).get("/tiers")
    assert response.status_code == 200 and len(response.get_json()["tiers"]) == 8
    code, output = invoke(app, "create-token", "--username", "nobody")
    assert code != 0 and "找不到用户“nobody”" in output


# ------------------------------------------------------------------ backup and restore

def test_backup_while_in_use_then_restore(demo_db, tmp_path):
    path, _output = demo_db
    working = tmp_path / "working.sqlite3"  # a private copy of the demo database to change freely
    with closing(sqlite3.connect(path)) as source, closing(sqlite3.connect(working)) as target:
        source.backup(target)

    # in use: a committed change still in the WAL, and another writer holding the write lock
    writer = sqlite3.connect(working, timeout=30)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("INSERT INTO departments (name, position, is_active) VALUES ('新成立科', 99, 1)")
    writer.commit()
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO departments (name, position, is_active) VALUES ('未提交科', 100, 1)")
    try:
        backup = tmp_path / "backup.sqlite3"
        output = ok(run_flask(working, "backup", "--out", str(backup)))
        assert str(backup) in output
    finally:
        writer.rollback()
        writer.close()
    assert query(backup, "PRAGMA integrity_check") == [("ok",)]
    names = {name for (name,) in query(backup, "SELECT name FROM departments")}
    assert "新成立科" in names and "未提交科" not in names and len(names) == 13

    # refuses to overwrite a file
    again = run_flask(working, "backup", "--out", str(backup))
    assert again.returncode != 0 and "exists" in (again.stdout + again.stderr)

    # change the data, restore, and the change is undone
    with closing(sqlite3.connect(working)) as connection, connection:
        connection.execute("UPDATE users SET department_id = NULL WHERE department_id = "
                           "(SELECT id FROM departments WHERE name = '新成立科')")
        connection.execute("DELETE FROM departments WHERE name = '新成立科'")
        connection.execute("UPDATE tiers SET name = '改过的层级' WHERE position = 1")
    assert query(working, "SELECT COUNT(*) FROM departments WHERE name = '新成立科'")[0][0] == 0
    output = ok(run_flask(working, "restore", "--from", str(backup), "--yes"))
    assert "restored" in output
    assert query(working, "SELECT COUNT(*) FROM departments WHERE name = '新成立科'")[0][0] == 1
    assert query(working, "SELECT name FROM tiers WHERE position = 1") == [("职工",)]
    assert query(working, "PRAGMA integrity_check") == [("ok",)]
    # and the app reads the restored database
    ok(run_flask(working, "init-db"))
    assert row_counts(working) == row_counts(backup)


def test_restore_refuses_a_file_that_is_not_a_database(demo_db, tmp_path):
    path, _output = demo_db
    bogus = tmp_path / "bogus.sqlite3"
    bogus.write_bytes(b"this is not a database" * 100)
    before = row_counts(path)
    result = run_flask(path, "restore", "--from", str(bogus), "--yes")
    assert result.returncode != 0 and "not a SQLite database" in (result.stdout + result.stderr)
    assert row_counts(path) == before
