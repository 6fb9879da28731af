"""The slip state machine through the JSON API and the slip page: every action from every
state (legal → the new state and an audit row; illegal → 409 with a clear message and nothing
changed), reopen, extensions, reassignment, perfunctory flags, deadlines and bad input."""
from datetime import date, timedelta

import pytest

from facilitation.audit.models import AuditEvent
from facilitation.extensions import db
from facilitation.scheduling import services as scheduling_services
from facilitation.slips import services
from facilitation.slips.models import Notification, PointEntry, SlipExtension
from facilitation.timeutil import local_today

STATUS_LABELS = {"issued": "待签收", "accepted": "办理中", "replied": "已答复", "closed": "已办结"}

# action -> (who acts, request body); `{due+N}` is the slip's current deadline plus N days
ACTIONS = {
    "accept": ("handler", {}),
    "reply": ("handler", {"reply": "已更换保温餐箱", "basis": "《井下送餐管理办法》第五条"}),
    "close": ("lead", {}),
    "reopen": ("lead", {"reason": "答复没有解决夜班的问题"}),
    "reassign": ("lead", {"department_id": "other"}),
    "extend": ("handler", {"due_date": "+3", "reason": "保温餐箱需要招标采购"}),
    "perfunctory": ("lead", {"reason": "只说了“研究研究”"}),
    "feedback": ("participant", {"rating": "basically_satisfied", "comment": "还行"}),
}

# (state, action) -> state afterwards; pairs not listed are illegal (409)
LEGAL = {
    ("issued", "accept"): "accepted",
    ("issued", "reply"): "replied",  # the API signs for the slip first
    ("issued", "reassign"): "issued",
    ("issued", "extend"): "issued",  # a pending request; the supervisor decides
    ("issued", "perfunctory"): "issued",  # refusing to sign is perfunctory too: any stage after issue
    ("accepted", "perfunctory"): "accepted",
    ("accepted", "reply"): "replied",
    ("accepted", "reassign"): "issued",
    ("accepted", "extend"): "accepted",
    ("replied", "close"): "closed",
    ("replied", "reopen"): "accepted",
    ("replied", "perfunctory"): "replied",
    ("replied", "feedback"): "replied",
    ("closed", "reopen"): "accepted",
    ("closed", "perfunctory"): "closed",
    ("closed", "feedback"): "closed",
}


def _call(world, api, slip, action):
    who, body = ACTIONS[action]
    body = dict(body)
    if body.get("department_id") == "other":
        body["department_id"] = world.other_department.id
    if isinstance(body.get("due_date"), str) and body["due_date"].startswith("+"):
        body["due_date"] = (slip.due_date + timedelta(days=int(body["due_date"]))).isoformat()
    caller = api(slip.participant_token) if who == "participant" else api(getattr(world, who))
    return caller.post(f"/slips/{slip.id}/{action}", json=body)


def _audit_count(slip):
    return AuditEvent.query.filter_by(entity="slip", entity_id=slip.id).count()


@pytest.mark.parametrize("state", ["issued", "accepted", "replied", "closed"])
@pytest.mark.parametrize("action", list(ACTIONS))
def test_every_action_from_every_state(world, api, state, action):
    slip = world.advance(world.new_slip(), state)
    before = (slip.status, slip.due_date, slip.department_id, slip.reopen_count, _audit_count(slip))
    response = _call(world, api, slip, action)
    slip = world.reload(slip)
    if (state, action) in LEGAL:
        assert response.status_code == 200, response.get_json()
        assert response.get_json()["slip"]["status"] == LEGAL[(state, action)]
        assert slip.status == LEGAL[(state, action)]
        assert _audit_count(slip) > before[-1]
    else:
        assert response.status_code == 409, response.get_json()
        error = response.get_json()["error"]
        assert error["code"] == "illegal_transition"
        assert f"当前状态为“{STATUS_LABELS[state]}”" in error["message"]
        after = (slip.status, slip.due_date, slip.department_id, slip.reopen_count, _audit_count(slip))
        assert after == before


def test_happy_path_records_an_audit_trail_shown_on_the_slip_page(world, api, logged_in):
    slip = world.new_slip()
    assert api(world.handler).post(f"/slips/{slip.id}/accept").status_code == 200
    assert _call(world, api, slip, "reply").status_code == 200
    assert api(world.lead).post(f"/slips/{slip.id}/close", json={"note": "职工当面确认"}).status_code == 200
    events = AuditEvent.query.filter_by(entity="slip", entity_id=slip.id).order_by(AuditEvent.id).all()
    assert [(e.action, e.from_state, e.to_state) for e in events] == [
        ("issue", None, "issued"), ("accept", "issued", "accepted"), ("reply", "accepted", "replied"),
        ("close", "replied", "closed")]
    assert [e.actor_user_id for e in events] == [world.lead.id, world.handler.id, world.handler.id, world.lead.id]
    slip = world.reload(slip)
    assert slip.accepted_at and slip.replied_at and slip.closed_at and slip.handler_user_id == world.handler.id

    page = logged_in(world.organizer).get(f"/slips/{slip.id}").get_data(as_text=True)
    trail = page[page.index("办理记录"):]
    for text in ("交办", "签收", "答复", "办结", "孙后勤", "韩立军", "办理中 → 已答复", "职工当面确认"):
        assert text in trail, text


def test_reopen_needs_a_reason_and_keeps_counting(world, api):
    slip = world.advance(world.new_slip(), "replied")
    lead = api(world.lead)
    refused = lead.post(f"/slips/{slip.id}/reopen", json={"reason": "   "})
    assert refused.status_code == 400 and "理由" in refused.get_json()["error"]["message"]
    assert world.reload(slip).status == "replied"

    assert lead.post(f"/slips/{slip.id}/reopen", json={"reason": "没有说明何时落实"}).status_code == 200
    slip = world.reload(slip)
    assert (slip.status, slip.reopen_count) == ("accepted", 1)
    assert Notification.query.filter_by(user_id=world.handler.id, kind="slip_reopened").count() == 1
    # the department answers again, the supervisor closes, then reopens the closed slip
    assert _call(world, api, slip, "reply").status_code == 200
    assert lead.post(f"/slips/{slip.id}/close").status_code == 200
    reopened = lead.post(f"/slips/{slip.id}/reopen", json={"reason": "回访发现问题仍在"})
    assert reopened.get_json()["slip"]["reopen_count"] == 2
    slip = world.reload(slip)
    assert slip.closed_at is None and slip.reply == "已更换保温餐箱"  # the old reply stays for the record


def test_reopen_after_the_deadline_gives_a_new_deadline(world, api):
    slip = world.advance(world.new_slip(due_days=1), "replied")
    slip.due_date = local_today() - timedelta(days=3)  # replied, then the deadline passed
    db.session.commit()
    lead = api(world.lead)
    past = lead.post(f"/slips/{slip.id}/reopen",
                     json={"reason": "重办", "due_date": (local_today() - timedelta(days=1)).isoformat()})
    assert past.status_code == 400 and past.get_json()["error"]["code"] == "past_due_date"
    assert lead.post(f"/slips/{slip.id}/reopen", json={"reason": "重办"}).status_code == 200
    slip = world.reload(slip)
    assert slip.due_date > local_today() and not services.is_overdue(slip)


def test_reply_signs_for_an_issued_slip_and_needs_reply_and_basis(world, api):
    slip = world.new_slip()
    handler = api(world.handler)
    for body, word in (({"reply": "", "basis": "制度"}, "答复内容"), ({"reply": "   ", "basis": "制度"}, "答复内容"),
                       ({"reply": "已解决"}, "依据"), ({"reply": "已解决", "basis": " "}, "依据"),
                       ({"reply": "长" * 4001, "basis": "制度"}, "4000")):
        response = handler.post(f"/slips/{slip.id}/reply", json=body)
        assert response.status_code == 400, body
        assert word in response.get_json()["error"]["message"]
        fresh = world.reload(slip)
        assert fresh.status == "issued" and fresh.reply is None  # the implicit accept was rolled back
    assert handler.post(f"/slips/{slip.id}/reply", json=["not", "an", "object"]).status_code == 400
    assert Notification.query.filter_by(user_id=world.lead.id, kind="slip_replied").count() == 0
    assert _call(world, api, slip, "reply").status_code == 200
    assert Notification.query.filter_by(user_id=world.lead.id, kind="slip_replied").count() == 1


def test_extension_request_then_approve_or_refuse(world, api):
    slip = world.new_slip(due_days=3)
    old_due = slip.due_date
    handler, lead = api(world.handler), api(world.lead)
    asked = handler.post(f"/slips/{slip.id}/extend",
                         json={"due_date": (old_due + timedelta(days=7)).isoformat(), "reason": "需要招标采购"})
    assert asked.status_code == 200 and asked.get_json()["extension"]["status"] == "pending"
    assert asked.get_json()["slip"]["pending_extension"]["reason"] == "需要招标采购"
    assert world.reload(slip).due_date == old_due
    assert Notification.query.filter_by(user_id=world.lead.id, kind="extension_request").count() == 1
    again = handler.post(f"/slips/{slip.id}/extend",
                         json={"due_date": (old_due + timedelta(days=9)).isoformat(), "reason": "再延"})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "extension_pending"
    # the handler cannot decide their own request
    assert handler.post(f"/slips/{slip.id}/extension/approve").status_code == 403

    approved = lead.post(f"/slips/{slip.id}/extension/approve", json={"note": "同意"})
    assert approved.status_code == 200
    assert approved.get_json()["slip"]["due_date"] == (old_due + timedelta(days=7)).isoformat()
    assert lead.post(f"/slips/{slip.id}/extension/approve").get_json()["error"]["code"] == "no_pending_extension"
    assert Notification.query.filter_by(user_id=world.handler.id, kind="extension_decided").count() == 1

    new_due = world.reload(slip).due_date
    handler.post(f"/slips/{slip.id}/extend", json={"due_date": (new_due + timedelta(days=5)).isoformat(),
                                                   "reason": "供应商延迟"})
    refused = lead.post(f"/slips/{slip.id}/extension/refuse")
    assert refused.status_code == 200 and refused.get_json()["slip"]["due_date"] == new_due.isoformat()
    statuses = [e.status for e in SlipExtension.query.filter_by(slip_id=slip.id).order_by(SlipExtension.id)]
    assert statuses == ["approved", "refused"]
    actions = [e.action for e in AuditEvent.query.filter_by(entity="slip", entity_id=slip.id)]
    assert actions.count("extension_request") == 2
    assert "extension_approved" in actions and "extension_refused" in actions


def test_extension_bad_input(world, api):
    slip = world.new_slip(due_days=3)
    handler = api(world.handler)
    cases = [
        ({"due_date": slip.due_date.isoformat(), "reason": "x"}, 400, "extension_too_short"),
        ({"due_date": (slip.due_date - timedelta(days=1)).isoformat(), "reason": "x"}, 400, "extension_too_short"),
        ({"due_date": (slip.due_date + timedelta(days=3)).isoformat(), "reason": " "}, 400, "invalid"),
        ({"due_date": "下周五", "reason": "x"}, 400, "bad_date"),
        ({"reason": "x"}, 400, "bad_date"),
    ]
    for body, status, code in cases:
        response = handler.post(f"/slips/{slip.id}/extend", json=body)
        assert response.status_code == status, body
        assert response.get_json()["error"]["code"] == code, response.get_json()
    too_short = handler.post(f"/slips/{slip.id}/extend", json=cases[0][0]).get_json()["error"]["message"]
    assert "必须晚于当前期限" in too_short and slip.due_date.isoformat() in too_short
    # an overdue slip cannot be extended to a day that is already past either
    slip.due_date = local_today() - timedelta(days=5)
    db.session.commit()
    past = handler.post(f"/slips/{slip.id}/extend",
                        json={"due_date": (local_today() - timedelta(days=1)).isoformat(), "reason": "补"})
    assert past.status_code == 400 and past.get_json()["error"]["code"] == "past_due_date"
    assert SlipExtension.query.filter_by(slip_id=slip.id).count() == 0


def test_supervisor_extends_at_once(world, api):
    slip = world.new_slip(due_days=2)
    new_due = slip.due_date + timedelta(days=10)
    response = api(world.lead).post(f"/slips/{slip.id}/extend",
                                    json={"due_date": new_due.isoformat(), "reason": "节后统一处理"})
    assert response.status_code == 200 and response.get_json()["extension"]["status"] == "approved"
    assert world.reload(slip).due_date == new_due


def test_reassign_moves_the_slip_to_another_department(world, api):
    slip = world.advance(world.new_slip(), "accepted")
    services.request_extension(world.handler, slip, slip.due_date + timedelta(days=3), "等待配件")
    db.session.commit()
    lead = api(world.lead)
    for department_id, code in ((999999, "bad_department"), ("人力资源部", "bad_department"), (None, "bad_department"),
                                (world.department.id, "invalid")):
        response = lead.post(f"/slips/{slip.id}/reassign", json={"department_id": department_id})
        assert response.status_code == 400 and response.get_json()["error"]["code"] == code, department_id
    assert world.reload(slip).department_id == world.department.id

    moved = lead.post(f"/slips/{slip.id}/reassign", json={"department_id": world.other_department.id})
    assert moved.status_code == 200
    slip = world.reload(slip)
    assert (slip.status, slip.department_id, slip.handler_user_id) == ("issued", world.other_department.id, None)
    assert Notification.query.filter_by(user_id=world.other_handler.id, slip_id=slip.id).count() == 1
    # the old department no longer sees it, the new one can act on it
    assert api(world.handler).get(f"/slips/{slip.id}").status_code == 404
    assert api(world.other_handler).post(f"/slips/{slip.id}/accept").status_code == 200
    event = AuditEvent.query.filter_by(entity="slip", entity_id=slip.id, action="reassign").one()
    assert event.text == "后勤管理部 → 人力资源部"
    # the old department's pending extension request does not follow the slip
    extension = SlipExtension.query.filter_by(slip_id=slip.id).one()
    assert extension.status == "refused" and "改派" in extension.decision_note
    assert world.reload(slip).pending_extension is None


def test_close_after_dissatisfied_needs_a_note(world, api):
    slip = world.advance(world.new_slip(), "replied")
    rated = api(slip.participant_token).post(f"/slips/{slip.id}/feedback", json={"rating": "dissatisfied"})
    assert rated.status_code == 200
    lead = api(world.lead)
    refused = lead.post(f"/slips/{slip.id}/close")
    assert refused.status_code == 400 and refused.get_json()["error"]["code"] == "note_required"
    assert world.reload(slip).status == "replied"
    assert lead.post(f"/slips/{slip.id}/close", json={"note": "已按政策答复，职工诉求超出政策范围"}).status_code == 200
    assert world.reload(slip).close_note == "已按政策答复，职工诉求超出政策范围"


def test_perfunctory_flag_deducts_one_point_once(world, api):
    slip = world.advance(world.new_slip(), "replied")
    lead = api(world.lead)
    assert lead.post(f"/slips/{slip.id}/perfunctory", json={"reason": ""}).status_code == 400
    assert lead.post(f"/slips/{slip.id}/perfunctory", json={"reason": "答复只有“正在研究”"}).status_code == 200
    again = lead.post(f"/slips/{slip.id}/perfunctory", json={"reason": "再扣"})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_flagged"
    entries = PointEntry.query.filter_by(slip_id=slip.id).all()
    assert [(e.reason, e.points, e.department_id, e.note) for e in entries] == [
        ("perfunctory", -1, world.department.id, "答复只有“正在研究”")]


def test_department_absence_deducts_one_point_once(world, make_meeting, logged_in):
    from facilitation.errors import Conflict, PermissionDenied, ValidationError
    meeting = make_meeting(department_ids=[world.department.id])
    assert [link.department_id for link in meeting.invited_departments] == [world.department.id]
    with pytest.raises(PermissionDenied):
        scheduling_services.record_department_absence(world.lead, meeting, world.department.id)
    with pytest.raises(ValidationError):
        scheduling_services.record_department_absence(world.organizer, meeting, world.other_department.id)
    page = logged_in(world.organizer)
    response = page.post("/slips/points", data={"meeting_id": meeting.id, "department_id": world.department.id,
                                                "note": "通知后无人参加"}, follow_redirects=True)
    assert "已登记" in response.get_data(as_text=True)
    with pytest.raises(Conflict):
        scheduling_services.record_department_absence(world.organizer, meeting, world.department.id)
    db.session.rollback()
    entries = PointEntry.query.filter_by(meeting_id=meeting.id).all()
    assert [(e.department_id, e.reason, e.points) for e in entries] == [(world.department.id, "absent", -1)]
    assert "受邀未派人参加慧谈" in page.get("/slips/points").get_data(as_text=True)


def test_absence_corrected_is_reversed_with_its_reason_not_deleted(world, make_meeting):
    meeting = make_meeting(department_ids=[world.department.id])
    scheduling_services.record_department_absence(world.organizer, meeting, world.department.id, "无人参加")
    db.session.commit()
    scheduling_services.record_department_attendance(world.organizer, meeting, world.department.id, "王强")
    db.session.commit()
    entry = PointEntry.query.filter_by(meeting_id=meeting.id).one()
    assert entry.points == -1 and entry.reversed_at is not None and entry.reversed_by_user_id == world.organizer.id
    assert "王强" in entry.reversal_reason
    trail = AuditEvent.query.filter_by(entity="point_entry", entity_id=entry.id).all()
    assert [e.action for e in trail] == ["reverse"]
    # corrected back: the same entry counts again, and its trail shows both steps
    scheduling_services.record_department_attendance(world.organizer, meeting, world.department.id, sent=False)
    db.session.commit()
    entry = PointEntry.query.filter_by(meeting_id=meeting.id).one()
    assert entry.reversed_at is None
    assert [e.action for e in AuditEvent.query.filter_by(entity="point_entry", entity_id=entry.id)
            .order_by(AuditEvent.id)] == ["reverse", "reinstate"]


def test_transfer_bad_input(world, api, make_meeting):
    from facilitation.live.services import join_meeting, submit_item
    participant = join_meeting(world.meeting.join_code, name="李明")
    item, _ = submit_item(world.meeting, client_id="bad-input-0001", kind="question", text="澡堂热水不够",
                          participant=participant)
    db.session.commit()
    lead = api(world.lead)
    tomorrow = (local_today() + timedelta(days=1)).isoformat()
    cases = [({"department_id": 424242, "due_date": tomorrow}, "bad_department"),
             ({"department_id": world.department.id, "due_date": (local_today() - timedelta(days=1)).isoformat()},
              "past_due_date"),
             ({"department_id": world.department.id, "due_date": "明天"}, None)]
    for body, code in cases:
        response = lead.post(f"/items/{item.id}/transfer", json=body)
        assert response.status_code == 400, body
        if code:
            assert response.get_json()["error"]["code"] == code
    assert lead.post(f"/items/{item.id}/transfer", json={"department_id": world.department.id,
                                                         "due_date": local_today().isoformat()}).status_code == 201


def test_numbers_are_sequential_per_month(world):
    first, second = world.new_slip(text="一"), world.new_slip(text="二")
    prefix = f"HT-{local_today():%Y%m}-"
    assert (first.number, second.number) == (prefix + "0001", prefix + "0002")
    assert first.supervisor_user_id == world.lead.id and first.tier_id == world.tier.id


def test_default_due_dates_count_working_days(app):
    friday = date(2026, 11, 20)
    assert friday.weekday() == 4
    assert services.add_working_days(friday, 1) == date(2026, 11, 23)
    assert services.add_working_days(friday, 5) == date(2026, 11, 27)
    assert services.default_due_date("demand", today=friday) == date(2026, 11, 27)
    assert services.default_due_date("suggestion", today=friday) == date(2026, 12, 4)
    assert services.default_due_date("question", category="安全", today=friday) == date(2026, 11, 24)
    assert services.default_due_date("suggestion", is_urgent=True, today=friday) == date(2026, 11, 23)
    app.config["SLIP_DAYS_BY_KIND"] = dict(app.config["SLIP_DAYS_BY_KIND"], demand=3)
    try:
        assert services.default_due_date("demand", today=friday) == date(2026, 11, 25)
    finally:
        app.config["SLIP_DAYS_BY_KIND"] = dict(app.config["SLIP_DAYS_BY_KIND"], demand=5)


@pytest.mark.parametrize("action,who,data,expected_status,flash", [
    ("accept", "handler", {}, "accepted", "已签收"),
    ("reply", "handler", {"reply": "已安排", "basis": "制度"}, "replied", "已答复"),
    ("close", "lead", {}, "issued", "不能办结"),
    ("reopen", "lead", {"reason": "x"}, "issued", "不能退回重办"),
    ("reply", "handler", {"reply": "", "basis": "制度"}, "issued", "请填写答复内容"),
])
def test_slip_page_actions(world, logged_in, action, who, data, expected_status, flash):
    slip = world.new_slip()
    page = logged_in(getattr(world, who))
    response = page.post(f"/slips/{slip.id}", data=dict(data, action=action), follow_redirects=True)
    assert response.status_code == 200
    assert flash in response.get_data(as_text=True)
    assert world.reload(slip).status == expected_status


def test_slip_page_supervisor_actions(world, logged_in):
    slip = world.new_slip(due_days=2)
    handler, lead = logged_in(world.handler), logged_in(world.lead)
    new_due = slip.due_date + timedelta(days=4)
    body = handler.post(f"/slips/{slip.id}", data={"action": "extend", "due_date": new_due.isoformat(),
                                                   "reason": "等待配件"}, follow_redirects=True).get_data(as_text=True)
    assert "等待督办员审批" in body
    page = lead.get(f"/slips/{slip.id}").get_data(as_text=True)
    assert "承办科室申请延期至" in page and "等待配件" in page
    lead.post(f"/slips/{slip.id}", data={"action": "approve_extension"})
    assert world.reload(slip).due_date == new_due
    lead.post(f"/slips/{slip.id}", data={"action": "reassign", "department_id": world.other_department.id})
    assert world.reload(slip).department_id == world.other_department.id
    # the handler of the old department now gets a 404 and cannot act
    assert handler.get(f"/slips/{slip.id}").status_code == 404
    assert handler.post(f"/slips/{slip.id}", data={"action": "accept"}).status_code == 404
    assert world.reload(slip).status == "issued"


def _browser_login(browser, live_server, user, width=1280):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(live_server.url + "/login")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", "correct-horse-1")
    with page.expect_navigation():
        page.click("form button[type=submit], form input[type=submit]")
    return context, page


def test_dashboard_slip_page_and_league_in_chromium(world, api, live_server, browser, screenshot_dir):
    import os
    late = world.new_slip(text="综采一队更衣柜锁坏了三个月没人修")
    late.due_date = local_today() - timedelta(days=4)
    db.session.commit()
    world.new_slip(text="井口候车室冬天没有暖气，夜班等车很冷", due_days=0)
    world.advance(world.new_slip(text="班中餐品种单一，希望增加面食"), "accepted")
    world.new_slip(text="工资条上的夜班补贴看不懂", department_id=world.other_department.id)
    story = world.new_slip(text="澡堂热水只供应到晚上十点，夜班下井回来没有热水", due_days=2)
    handler, lead = api(world.handler), api(world.lead)
    handler.post(f"/slips/{story.id}/accept")
    handler.post(f"/slips/{story.id}/extend", json={"due_date": (story.due_date + timedelta(days=5)).isoformat(),
                                                    "reason": "需要改造锅炉房管路"})
    lead.post(f"/slips/{story.id}/extension/approve", json={"note": "同意"})
    handler.post(f"/slips/{story.id}/reply", json={"reply": "已调整为全天供应热水", "basis": "后勤管理部通知〔2026〕12号"})
    lead.post(f"/slips/{story.id}/reopen", json={"reason": "请说明夜班时段如何保障"})
    handler.post(f"/slips/{story.id}/reply", json={"reply": "零点至六点安排专人值守锅炉", "basis": "锅炉房值班制度"})
    api(story.participant_token).post(f"/slips/{story.id}/feedback", json={"rating": "satisfied", "comment": "谢谢"})
    from facilitation.slips.reminders import run_reminders
    run_reminders()
    db.session.commit()

    context, page = _browser_login(browser, live_server, world.handler)
    try:
        page.goto(live_server.url + "/slips/?status=all")
        assert page.locator("table.slips tbody tr").count() == 4  # not the other department's slip
        page.goto(live_server.url + "/slips/")
        rows = page.locator("table.slips tbody tr")
        assert rows.count() == 3  # by default: not closed yet
        assert "今天到期" in rows.nth(1).inner_text()
        first = rows.nth(0)
        assert late.number in first.inner_text() and "逾期 4 天" in first.inner_text()
        color = first.locator("td").nth(3).evaluate("cell => getComputedStyle(cell).color")
        background = first.locator("td").nth(0).evaluate("cell => getComputedStyle(cell).backgroundColor")
        red, green, _blue = (int(v) for v in color[color.index("(") + 1:color.index(")")].split(",")[:3])
        assert red > 150 and green < 80, color  # the deadline of an overdue slip is red
        assert background not in ("rgba(0, 0, 0, 0)", "rgb(255, 255, 255)"), background
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280
        page.screenshot(path=os.path.join(screenshot_dir, "slips-handler-dashboard-1280.png"), full_page=True)
    finally:
        context.close()

    context, page = _browser_login(browser, live_server, world.lead)
    try:
        page.goto(live_server.url + f"/slips/{story.id}")
        trail = page.locator("table.audit-trail tbody tr")
        assert trail.count() >= 9
        trail_text = page.locator("table.audit-trail").inner_text()
        for text in ("申请延期", "批准延期", "退回重办", "职工评价", "自动办结", "请说明夜班时段如何保障"):
            assert text in trail_text, text
        page.screenshot(path=os.path.join(screenshot_dir, "slips-slip-page-1280.png"), full_page=True)
        page.goto(live_server.url + "/slips/league")
        league = page.locator("table.league tbody tr")
        assert league.count() == 2 and "后勤管理部" in page.locator("table.league").inner_text()
        page.screenshot(path=os.path.join(screenshot_dir, "slips-league-1280.png"), full_page=True)
    finally:
        context.close()


def test_a_meeting_chaired_by_another_lead_has_its_chair_supervise(world, make_meeting):
    """DESIGN §6: the chair supervises the slips of the meeting, not the tier's lead."""
    from facilitation.live.services import join_meeting, submit_item, transfer_item
    meeting = make_meeting(lead_user=world.other_lead, title="专题慧谈：井下送餐")
    participant = join_meeting(meeting.join_code, name="赵大海")
    item, _created = submit_item(meeting, client_id="chaired-elsewhere-1", kind="demand", text="送餐车不够",
                                 participant=participant)
    slip = transfer_item(world.other_lead, item, world.department.id, local_today() + timedelta(days=5))
    db.session.commit()
    assert world.reload(slip).supervisor_user_id == world.other_lead.id
    # the chair's account is closed: the tier's current lead takes the next slip
    world.other_lead.is_enabled = False
    item2, _created = submit_item(meeting, client_id="chaired-elsewhere-2", kind="demand", text="送餐时间太晚",
                                  participant=participant)
    slip2 = transfer_item(world.organizer, item2, world.department.id, local_today() + timedelta(days=5))
    db.session.commit()
    assert world.reload(slip2).supervisor_user_id == world.lead.id


def test_deadlines_skip_the_holidays_of_the_calendar_and_count_swapped_working_days(world):
    """An urgent item on 30 September is due after the National Day week (国庆), not on 1 October."""
    from datetime import date
    from facilitation.scheduling.models import Holiday
    for day in range(1, 8):
        db.session.add(Holiday(day=date(2026, 10, day), name="国庆节"))
    db.session.add(Holiday(day=date(2026, 10, 10), name="调休上班", is_workday=True))
    db.session.commit()
    assert services.add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert services.add_working_days(date(2026, 10, 9), 1) == date(2026, 10, 10)  # a Saturday worked
    assert services.add_working_days(date(2026, 9, 29), 5) == date(2026, 10, 12)  # 9-30, 10-8, 9, 10, 12
