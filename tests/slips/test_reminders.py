"""Deadlines and `flask slips remind`: overdue derived around midnight in Asia/Shanghai, the
due-tomorrow / due-today / overdue reminders in each inbox, −2 exactly once per overdue slip,
escalation to the organizers and the leadership dashboard, and the group-robot webhook
(against a local HTTP server)."""
import json
import threading
from datetime import date, datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from sqlalchemy import inspect

from facilitation.extensions import db
from facilitation.stats import queries as stats
from facilitation.slips import points, reminders, services
from facilitation.slips.models import Notification, PointEntry
from facilitation.timeutil import local_today


def _remind(app, day):
    result = app.test_cli_runner().invoke(args=["slips", "remind", "--date", day.isoformat()])
    assert result.exit_code == 0, result.output
    return result.output


def test_overdue_is_derived_at_shanghai_midnight(world, api, clock, logged_in):
    clock.shanghai(2026, 11, 18, 9, 0)
    slip = world.new_slip(due_days=2)  # due 2026-11-20
    assert slip.due_date == date(2026, 11, 20)
    organizer = api(world.organizer)

    def seen_overdue():
        listed = organizer.get("/slips?overdue=1").get_json()["slips"]
        one = organizer.get(f"/slips/{slip.id}").get_json()
        assert one["is_overdue"] == (slip.number in [s["number"] for s in listed])
        return one["is_overdue"], services.is_overdue(world.reload(slip))

    clock.shanghai(2026, 11, 20, 23, 59, 59)  # the last second of the deadline day
    assert seen_overdue() == (False, False)
    # 16:00 UTC on the 20th is already the 21st in Shanghai: overdue, although the UTC date is the 20th
    now = clock.set(datetime(2026, 11, 20, 16, 0, tzinfo=timezone.utc))
    assert now.date() == date(2026, 11, 20)
    assert seen_overdue() == (True, True)
    assert services.days_overdue(slip) == 1
    assert "逾期 1 天" in logged_in(world.organizer).get("/slips/").get_data(as_text=True)
    # replying ends the overdue state (even after the deadline); nothing about it was stored
    world.advance(slip, "replied")
    assert seen_overdue() == (False, False)
    assert not [c["name"] for c in inspect(db.engine).get_columns("slips") if "overdue" in c["name"]]


def test_remind_buckets_and_inboxes(app, world, logged_in):
    today = local_today()
    tomorrow_slip = world.new_slip(text="明天到期的", due_days=1)
    today_slip = world.new_slip(text="今天到期的", due_days=0)
    late_slip = world.new_slip(text="已经逾期的", due_days=1)
    later_slip = world.new_slip(text="下周到期的", due_days=7)
    replied_late = world.advance(world.new_slip(text="逾期但已答复", due_days=1), "replied")
    for slip in (late_slip, replied_late):
        slip.due_date = today - timedelta(days=1)
    db.session.commit()

    output = _remind(app, today)
    assert f"due_tomorrow: 1 {tomorrow_slip.number}" in output
    assert f"due_today: 1 {today_slip.number}" in output
    assert f"overdue: 1 {late_slip.number}" in output
    assert f"deducted: 1 {late_slip.number}" in output
    assert later_slip.number not in output and replied_late.number not in output

    kinds = {(n.slip_id, n.kind) for n in Notification.query.filter_by(user_id=world.handler.id)}
    assert {(tomorrow_slip.id, "due_tomorrow"), (today_slip.id, "due_today"), (late_slip.id, "overdue")} <= kinds
    lead_kinds = {(n.slip_id, n.kind) for n in Notification.query.filter_by(user_id=world.lead.id)}
    assert (late_slip.id, "overdue") in lead_kinds
    assert Notification.query.filter_by(user_id=world.other_handler.id).count() == 0
    inbox = logged_in(world.handler).get("/inbox").get_data(as_text=True)
    assert f"{late_slip.number} 已逾期 1 天" in inbox and f"{tomorrow_slip.number} 明天到期" in inbox

    # running again the same day adds nothing; the next day reminds again
    count = Notification.query.count()
    _remind(app, today)
    assert Notification.query.count() == count
    _remind(app, today + timedelta(days=1))
    assert Notification.query.filter_by(user_id=world.handler.id, slip_id=late_slip.id, kind="overdue").count() == 2

    client = logged_in(world.handler)
    client.post("/inbox")
    assert Notification.query.filter_by(user_id=world.handler.id, read_at=None).count() == 0


def test_overdue_deducts_two_points_exactly_once(app, world):
    slip = world.new_slip(due_days=1)
    other = world.new_slip(due_days=1, department_id=world.other_department.id)
    start = slip.due_date + timedelta(days=1)
    for offset in range(6):
        _remind(app, start + timedelta(days=offset))
        _remind(app, start + timedelta(days=offset))
    reminders.run_reminders(start + timedelta(days=9))
    db.session.commit()
    entries = PointEntry.query.order_by(PointEntry.department_id).all()
    assert [(e.slip_id, e.department_id, e.reason, e.points) for e in entries] == [
        (slip.id, world.department.id, "overdue", -2), (other.id, world.other_department.id, "overdue", -2)]
    from facilitation.audit.models import AuditEvent
    assert AuditEvent.query.filter_by(entity="slip", entity_id=slip.id, action="overdue_deduction").count() == 1
    # the deduction belongs to the deadline's day, whenever the job ran
    assert {e.occurred_on for e in entries} == {slip.due_date}
    month = slip.due_date
    rows = {r["department"]: r for r in stats.month_department_figures(month.year, month.month, today=start)}
    assert rows["后勤管理部"]["points"] == -2 and rows["人力资源部"]["points"] == -2


def test_not_overdue_on_the_deadline_day(app, world):
    slip = world.new_slip(due_days=1)
    output = _remind(app, slip.due_date)
    assert f"due_today: 1 {slip.number}" in output and "deducted: 0" in output
    assert PointEntry.query.count() == 0


def test_long_overdue_escalates_to_organizers_and_the_dashboard(app, world, logged_in):
    app.config["SLIP_ESCALATE_AFTER_DAYS"] = 3
    slip = world.new_slip(text="巷道积水严重", due_days=1)
    slip.due_date = local_today() - timedelta(days=3)
    db.session.commit()
    _remind(app, local_today())  # 3 days late: not yet
    assert world.reload(slip).escalated_at is None
    assert Notification.query.filter_by(user_id=world.organizer.id).count() == 0
    assert "督办升级" not in logged_in(world.viewer).get("/slips/").get_data(as_text=True)

    output = _remind(app, local_today() + timedelta(days=1))
    assert f"escalated: 1 {slip.number}" in output
    assert world.reload(slip).escalated_at is not None
    notes = Notification.query.filter_by(user_id=world.organizer.id, kind="escalated").all()
    assert len(notes) == 1 and slip.number in notes[0].text
    _remind(app, local_today() + timedelta(days=2))
    assert Notification.query.filter_by(user_id=world.organizer.id, kind="escalated").count() == 1

    for user in (world.viewer, world.organizer):
        page = logged_in(user).get("/slips/").get_data(as_text=True)
        board = page[page.index("督办升级"):]
        assert slip.number in board[:2000], user.role
    assert "督办升级" not in logged_in(world.handler).get("/slips/").get_data(as_text=True)
    # once replied it leaves the escalation list
    world.advance(slip, "replied")
    assert "督办升级" not in logged_in(world.viewer).get("/slips/").get_data(as_text=True)


class _Robot(BaseHTTPRequestHandler):
    received = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((self.headers.get("Content-Type"), json.loads(body)))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"errcode":0,"errmsg":"ok"}')

    def log_message(self, *args):
        pass


@pytest.fixture
def robot():
    _Robot.received = []
    server = HTTPServer(("127.0.0.1", 0), _Robot)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_webhook_posts_the_summary_to_the_group_robot(app, world, robot):
    slip = world.new_slip(due_days=1)
    late = world.new_slip(due_days=1)
    late.due_date = local_today() - timedelta(days=5)
    db.session.commit()
    app.config["SLIP_WEBHOOK_URL"] = f"http://127.0.0.1:{robot.server_port}/cgi-bin/webhook/send?key=test"
    try:
        output = _remind(app, local_today())
    finally:
        app.config["SLIP_WEBHOOK_URL"] = None
    assert "webhook: sent" in output
    assert len(_Robot.received) == 1
    content_type, message = _Robot.received[0]
    assert content_type == "application/json" and message["msgtype"] == "text"
    content = message["text"]["content"]
    assert "明天到期 1 件" in content and "逾期 1 件" in content
    assert "督办升级" in content and late.number in content
    assert slip.number not in content.split("\n")[0]


def test_webhook_failure_is_reported_and_keeps_the_reminders(app, world):
    slip = world.new_slip(due_days=0)
    app.config["SLIP_WEBHOOK_URL"] = "http://127.0.0.1:9/unreachable"
    try:
        result = app.test_cli_runner().invoke(args=["slips", "remind"])
    finally:
        app.config["SLIP_WEBHOOK_URL"] = None
    assert "webhook: failed" in result.output
    assert Notification.query.filter_by(slip_id=slip.id, kind="due_today").count() >= 1


def test_nothing_to_remind_sends_nothing(app, world, robot):
    world.new_slip(due_days=9)
    app.config["SLIP_WEBHOOK_URL"] = f"http://127.0.0.1:{robot.server_port}/send"
    try:
        output = _remind(app, local_today())
    finally:
        app.config["SLIP_WEBHOOK_URL"] = None
    assert "webhook" not in output and _Robot.received == []


def test_department_kpis_and_league(app, world, logged_in):
    from facilitation.timeutil import SHANGHAI, utcnow
    on_time = world.advance(world.new_slip(text="按期答复", due_days=3), "replied")
    late_reply = world.advance(world.new_slip(text="逾期才答复", due_days=3), "replied")
    overdue = world.new_slip(text="还没答复已逾期", due_days=1)
    world.new_slip(text="还没到期", due_days=5)
    world.advance(world.new_slip(text="人力资源部按期", department_id=world.other_department.id), "replied")
    for slip, days in ((on_time, 2), (late_reply, 4)):
        slip.issued_at = slip.replied_at - timedelta(days=days)
    late_reply.due_date = late_reply.replied_at.astimezone(SHANGHAI).date() - timedelta(days=1)
    late_reply.replied_on_time = False  # the reply came a day after its deadline
    overdue.due_date = local_today() - timedelta(days=1)
    services.rate_slip(on_time, "satisfied")
    services.rate_slip(late_reply, "dissatisfied", "拖了很久")
    db.session.commit()
    _remind(app, local_today())

    today = local_today()
    rows = {r["department"]: r for r in stats.department_figures(
        utcnow() - timedelta(days=10), utcnow() + timedelta(days=1), today - timedelta(days=10), today)}
    logistics, hr = rows["后勤管理部"], rows["人力资源部"]
    assert {k: logistics[k] for k in ("slips", "replied", "closed", "overdue", "rated", "satisfied", "points")} == {
        "slips": 4, "replied": 2, "closed": 1, "overdue": 1, "rated": 2, "satisfied": 1, "points": -2}
    # on time: 1 of the 3 slips whose timeliness is decided (2 replied + 1 overdue)
    assert (logistics["reply_rate"], logistics["on_time_rate"], logistics["closure_rate"],
            logistics["satisfaction_rate"], logistics["avg_days_to_reply"]) == (0.5, 0.3333, 0.25, 0.5, 3.0)
    assert (hr["slips"], hr["reply_rate"], hr["on_time_rate"], hr["satisfaction_rate"], hr["points"]) == (
        1, 1.0, 1.0, None, 0)
    assert hr["rank"] < logistics["rank"]

    page = logged_in(world.viewer).get(f"/slips/league?month={local_today():%Y-%m}").get_data(as_text=True)
    table = page[page.index('<table class="table league">'):]
    assert table.index("人力资源部") < table.index("后勤管理部") and "-2" in table
    assert "月份格式" in logged_in(world.viewer).get("/slips/league?month=2026-13",
                                                      follow_redirects=True).get_data(as_text=True)


def test_deductions_are_entered_with_a_reason_and_reversed_once(world, logged_in):
    from facilitation.errors import Conflict, PermissionDenied, ValidationError
    client = logged_in(world.organizer)
    page = client.post("/slips/points/deduct", data={"department_id": world.department.id, "note": ""},
                       follow_redirects=True).get_data(as_text=True)
    assert "请填写扣分原因" in page and PointEntry.query.count() == 0
    client.post("/slips/points/deduct", data={"department_id": world.department.id,
                                              "note": "十月职工思想动态报告未按时上报"})
    entry = PointEntry.query.one()
    assert (entry.reason, entry.points, entry.occurred_on) == ("noncompliance", -1, local_today())
    html = client.get("/slips/points").get_data(as_text=True)
    assert "不服从慧谈工作安排" in html and "十月职工思想动态报告未按时上报" in html
    with pytest.raises(PermissionDenied):
        points.reverse_deduction(world.lead, entry, "理由")
    with pytest.raises(ValidationError):
        points.reverse_deduction(world.organizer, entry, "  ")
    client.post(f"/slips/points/{entry.id}/reverse", data={"reason": "经核实已按时上报"})
    db.session.expire_all()
    assert entry.reversed_at is not None and entry.reversal_reason == "经核实已按时上报"
    with pytest.raises(Conflict):
        points.reverse_deduction(world.organizer, entry, "再撤销一次")
    today = local_today()
    rows = {r["department"]: r for r in stats.month_department_figures(today.year, today.month)}
    assert rows["后勤管理部"]["points"] == 0  # a reversed deduction counts for nothing
    assert "经核实已按时上报" in client.get("/slips/points").get_data(as_text=True)
    assert logged_in(world.handler).post("/slips/points/deduct", data={}).status_code == 403


def test_perfunctory_can_be_flagged_before_any_reply(world, api):
    slip = world.new_slip()
    response = api(world.lead).post(f"/slips/{slip.id}/perfunctory", json={"reason": "三天不签收，推给人力资源部"})
    assert response.status_code == 200
    entry = PointEntry.query.one()
    assert (entry.reason, entry.slip_id, entry.note) == ("perfunctory", slip.id, "三天不签收，推给人力资源部")
    again = api(world.lead).post(f"/slips/{slip.id}/perfunctory", json={"reason": "又一次"})
    assert again.status_code == 409 and PointEntry.query.count() == 1
