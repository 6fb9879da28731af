"""Meetings: the §6 API (create, get, start, close) and the organizer's pages
(create, edit, list filters, cross-tier sessions, cancelling)."""
import os
import re
from datetime import datetime, timezone

import pytest

from facilitation.extensions import db
from facilitation.scheduling.models import Meeting
from facilitation.scheduling.services import JOIN_CODE_ALPHABET

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def valid_body(tier, **overrides):
    body = {"tier_id": tier.id, "title": "十二月职工层级慧谈", "kind": "regular",
            "starts_at": "2030-12-05T15:00", "location": "调度楼三楼会议室"}
    body.update(overrides)
    return body


@pytest.fixture
def organizer(make_user):
    return make_user("organizer", display_name="孟庆华")


def add_open_item(meeting, text="班中餐送到工作面已经凉了"):
    from facilitation.live.services import join_meeting, submit_item
    participant = join_meeting(meeting.join_code, name="李师傅")
    item, _created = submit_item(meeting, client_id=f"test-{os.urandom(6).hex()}", kind="demand",
                                 text=text, participant=participant)
    db.session.commit()
    return item


# ------------------------------------------------------------------ POST /meetings

def test_create_meeting_returns_201_and_defaults_the_lead(api, organizer, lead_user, tier):
    response = api(organizer).post("/meetings", json=valid_body(tier))
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert {"id", "tier_id", "title", "kind", "status", "join_code", "starts_at"} <= set(body)
    assert body["tier_id"] == tier.id and body["title"] == "十二月职工层级慧谈" and body["kind"] == "regular"
    assert body["status"] == "planned"
    assert body["starts_at"] == "2030-12-05T15:00:00+08:00"
    assert len(body["join_code"]) == 6 and set(body["join_code"]) <= set(JOIN_CODE_ALPHABET)
    meeting = db.session.get(Meeting, body["id"])
    assert meeting.lead_user_id == lead_user.id and body["lead"] == "韩立军"
    assert meeting.starts_at == datetime(2030, 12, 5, 7, 0, tzinfo=timezone.utc)
    assert meeting.location == "调度楼三楼会议室"


def test_join_codes_are_unique(api, organizer, tier, lead_user):
    client = api(organizer)
    codes = {client.post("/meetings", json=valid_body(tier, title=f"第{i}场", starts_at=f"2030-12-{i + 1:02d}T15:00"))
             .get_json()["join_code"] for i in range(20)}
    assert len(codes) == 20


def test_create_with_explicit_lead_and_departments(api, organizer, lead_user, make_user, make_department, tier):
    other_lead = make_user("lead", display_name="宋玉梅")
    first, second = make_department("人力资源部"), make_department("工会")
    response = api(organizer).post("/meetings", json=valid_body(
        tier, lead_user_id=other_lead.id, department_ids=[first.id, second.id, first.id], ends_at="2030-12-05T17:00"))
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert body["lead"] == "宋玉梅" and body["department_ids"] == [first.id, second.id]
    assert body["ends_at"] == "2030-12-05T17:00:00+08:00"


def test_cross_tier_topic_meeting_over_the_api(api, organizer, make_user):
    """A cross-tier session has no tier lead: it must name its chair (who supervises its slips)."""
    body = {"title": "新入职大学生职业发展专题慧谈", "kind": "topic", "starts_at": "2030-12-08T09:00", "tier_id": None}
    refused = api(organizer).post("/meetings", json=body)
    assert refused.status_code == 400 and refused.get_json()["error"]["code"] == "lead_required"
    assert "指定一位牵头人" in refused.get_json()["error"]["message"] and Meeting.query.count() == 0
    chair = make_user("lead", display_name="袁德胜")
    response = api(organizer).post("/meetings", json=dict(body, lead_user_id=chair.id))
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert body["tier_id"] is None and body["lead"] == "袁德胜" and body["kind"] == "topic"
    assert body["lead_user_id"] == chair.id and body["max_participants"] == 10


def test_online_meeting_with_video_link(api, organizer, tier, lead_user):
    response = api(organizer).post("/meetings", json=valid_body(
        tier, kind="online", location=None, video_url="https://meeting.example.cn/j/123"))
    assert response.status_code == 201
    assert response.get_json()["video_url"] == "https://meeting.example.cn/j/123"


BAD_BODIES = {
    "missing title": ({"title": None}, "请填写慧谈主题"),
    "blank title": ({"title": "   "}, "请填写慧谈主题"),
    "121-char title": ({"title": "慧" * 121}, "不能超过 120"),
    "unknown kind": ({"kind": "party"}, "未知的慧谈类型"),
    "unknown tier": ({"tier_id": 999999}, "找不到该层级"),
    "regular without tier": ({"tier_id": None}, "例行慧谈必须选择层级"),
    "online without video link": ({"kind": "online"}, "视频会议链接"),
    "video link not http": ({"kind": "online", "video_url": "javascript:alert(1)"}, "http://"),
    "ends before start": ({"ends_at": "2030-12-05T14:00"}, "结束时间必须晚于开始时间"),
    "missing starts_at": ({"starts_at": None}, "请填写开始时间"),
    "malformed starts_at": ({"starts_at": "下周三下午"}, "时间格式不正确"),
    "impossible date": ({"starts_at": "2030-02-30T09:00"}, "时间格式不正确"),
    "starts_at as a number": ({"starts_at": 1700000000}, "starts_at 必须是字符串"),
    "tier_id as text": ({"tier_id": "1"}, "tier_id 必须是有效的编号"),
    "tier_id as boolean": ({"tier_id": True}, "tier_id 必须是有效的编号"),
    "title as a number": ({"title": 42}, "title 必须是字符串"),
    "department_ids not a list": ({"department_ids": "1,2"}, "department_ids 必须是整数列表"),
    "unknown department": ({"department_ids": [424242]}, "找不到科室"),
    "location too long": ({"location": "井" * 121}, "地点不能超过 120"),
    "max_participants zero": ({"max_participants": 0}, "参会人数上限"),
    "max_participants 1001": ({"max_participants": 1001}, "1 到 1000"),
    "max_participants as text": ({"max_participants": "10"}, "参会人数上限 必须是 1 到 1000 之间的整数"),
    "allow_guests not boolean": ({"allow_guests": "yes"}, "allow_guests 必须是 true 或 false"),
    "lead_user_id of a handler": ({"lead_user_id": "HANDLER"}, "牵头人必须是"),
}


@pytest.mark.parametrize("case", sorted(BAD_BODIES))
def test_bad_input_is_400_with_a_clear_message_and_stores_nothing(api, organizer, make_user, tier, lead_user, case):
    overrides, expected = BAD_BODIES[case]
    if overrides.get("lead_user_id") == "HANDLER":
        overrides = {"lead_user_id": make_user("handler").id}
    response = api(organizer).post("/meetings", json=valid_body(tier, **overrides))
    assert response.status_code == 400, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert expected in error["message"] and CHINESE.search(error["message"])
    assert Meeting.query.count() == 0


def test_unknown_keys_cannot_reach_the_model(api, organizer, tier, lead_user):
    """Only the documented fields are read: a client cannot set status or join_code."""
    response = api(organizer).post("/meetings", json=valid_body(tier, status="closed", join_code="AAAAAA",
                                                                 lead_user="x", next_seq=99))
    assert response.status_code == 201
    meeting = db.session.get(Meeting, response.get_json()["id"])
    assert meeting.status == "planned" and meeting.join_code != "AAAAAA" and meeting.next_seq == 0


# ------------------------------------------------------------------ GET, start, close

def test_get_meeting(api, make_user, make_meeting):
    meeting = make_meeting("planned")
    response = api(make_user("viewer")).get(f"/meetings/{meeting.id}")
    assert response.status_code == 200
    body = response.get_json()
    assert body["id"] == meeting.id and body["status"] == "planned" and body["join_code"] == meeting.join_code
    assert body["lead"] == "韩立军"


def test_start_is_idempotent_and_close_closes(api, organizer, make_meeting):
    meeting = make_meeting("planned")
    client = api(organizer)
    first = client.post(f"/meetings/{meeting.id}/start")
    assert first.status_code == 200 and first.get_json()["status"] == "live"
    again = client.post(f"/meetings/{meeting.id}/start")
    assert again.status_code == 200 and again.get_json()["status"] == "live"
    closed = client.post(f"/meetings/{meeting.id}/close")
    assert closed.status_code == 200 and closed.get_json()["status"] == "closed"
    db.session.expire_all()
    stored = db.session.get(Meeting, meeting.id)
    assert stored.status == "closed" and stored.started_at is not None and stored.closed_at is not None


def test_close_with_open_items_is_409_listing_them(api, organizer, make_meeting):
    from facilitation.live.services import answer_item
    meeting = make_meeting("live")
    first = add_open_item(meeting, "班中餐送到工作面已经凉了")
    second = add_open_item(meeting, "劳保鞋42码以上经常缺货")
    client = api(organizer)
    response = client.post(f"/meetings/{meeting.id}/close")
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "items_without_outcome" and "2 条事项" in error["message"]
    listed = error["details"]["items"]
    assert [i["id"] for i in listed] == [first.id, second.id]
    assert listed[0]["text"] == "班中餐送到工作面已经凉了" and listed[0]["seq"] == first.seq
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).status == "live"

    answer_item(organizer, first, "已更换保温餐箱。")
    answer_item(organizer, second, "已补齐尺码。")
    db.session.commit()
    assert client.post(f"/meetings/{meeting.id}/close").get_json()["status"] == "closed"


def test_closed_meeting_refuses_start_and_close(api, organizer, make_meeting):
    meeting = make_meeting("live")
    client = api(organizer)
    assert client.post(f"/meetings/{meeting.id}/close").status_code == 200
    start = client.post(f"/meetings/{meeting.id}/start")
    assert start.status_code == 409 and "已结束" in start.get_json()["error"]["message"]
    assert client.post(f"/meetings/{meeting.id}/close").status_code == 409


def test_planned_meeting_cannot_close(api, organizer, make_meeting):
    meeting = make_meeting("planned")
    response = api(organizer).post(f"/meetings/{meeting.id}/close")
    assert response.status_code == 409 and "计划中" in response.get_json()["error"]["message"]


def test_missing_meeting_is_404(api, organizer):
    assert api(organizer).post("/meetings/999999/start").status_code == 404


# ------------------------------------------------------------------ roles

@pytest.mark.parametrize("role", ["handler", "viewer", "lead"])
def test_only_organizers_create(api, make_user, tier, role):
    response = api(make_user(role)).post("/meetings", json=valid_body(tier))
    assert response.status_code == 403
    assert Meeting.query.count() == 0


@pytest.mark.parametrize("role", ["handler", "viewer"])
def test_handler_and_viewer_cannot_start(api, make_user, make_meeting, role):
    meeting = make_meeting("planned")
    assert api(make_user(role)).post(f"/meetings/{meeting.id}/start").status_code == 403
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).status == "planned"


def test_lead_of_another_tier_cannot_start_but_the_tiers_lead_can(api, make_user, make_meeting, lead_user):
    from facilitation.people.models import Tier
    from facilitation.people.services import assign_tier_lead
    meeting = make_meeting("planned")
    other = make_user("lead", display_name="宋玉梅")
    assign_tier_lead(Tier.query.filter_by(code="party_member").one(), other)
    db.session.commit()
    response = api(other).post(f"/meetings/{meeting.id}/start")
    assert response.status_code == 403 and "牵头人" in response.get_json()["error"]["message"]
    assert api(other).post(f"/meetings/{meeting.id}/close").status_code == 403
    assert api(lead_user).post(f"/meetings/{meeting.id}/start").get_json()["status"] == "live"


def test_named_lead_of_a_cross_tier_meeting_can_start_it(api, organizer, make_user):
    lead = make_user("lead", display_name="肖振华")
    created = api(organizer).post("/meetings", json={"title": "安全专题慧谈", "kind": "topic",
                                                     "starts_at": "2030-12-08T09:00", "lead_user_id": lead.id})
    meeting_id = created.get_json()["id"]
    assert api(lead).post(f"/meetings/{meeting_id}/start").get_json()["status"] == "live"


# ------------------------------------------------------------------ pages

def form_data(tier_id=0, **overrides):
    data = {"title": "十二月职工层级慧谈", "kind": "regular", "tier_id": str(tier_id), "lead_user_id": "0",
            "starts_at": "2030-12-05T15:00", "ends_at": "2030-12-05T17:00", "location": "调度楼三楼会议室",
            "video_url": "", "max_participants": "10", "allow_guests": "y", "notes": ""}
    data.update(overrides)
    return data


def test_organizer_creates_a_meeting_with_invited_departments(client, organizer, login_as, lead_user,
                                                              make_department, tier):
    hr, union, _unused = make_department("人力资源部"), make_department("工会"), make_department("安监处")
    login_as(organizer)
    page = client.get("/meetings/new").get_data(as_text=True)
    assert 'name="title"' in page and "人力资源部" in page
    response = client.post("/meetings/new", data=form_data(tier.id, department_ids=[str(hr.id), str(union.id)]))
    assert response.status_code == 302, response.get_data(as_text=True)
    meeting = Meeting.query.one()
    assert response.headers["Location"] == f"/meetings/{meeting.id}"
    assert meeting.tier_id == tier.id and meeting.lead_user_id == lead_user.id
    assert meeting.starts_at == datetime(2030, 12, 5, 7, 0, tzinfo=timezone.utc)
    assert sorted(link.department_id for link in meeting.invited_departments) == sorted([hr.id, union.id])
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "十二月职工层级慧谈" in html and "人力资源部" in html and "工会" in html and "安监处" not in html
    assert meeting.join_code in html and "韩立军" in html and "2030-12-05 15:00" in html


def test_form_errors_are_shown_and_nothing_is_stored(client, organizer, login_as, tier):
    login_as(organizer)
    response = client.post("/meetings/new", data=form_data(tier.id, title="", ends_at="2030-12-05T14:00"))
    assert response.status_code == 400
    assert "请填写慧谈主题" in response.get_data(as_text=True)
    response = client.post("/meetings/new", data=form_data(tier.id, ends_at="2030-12-05T14:00"))
    assert response.status_code == 400
    assert "结束时间必须晚于开始时间" in response.get_data(as_text=True)
    assert Meeting.query.count() == 0


def test_organizer_edits_a_meeting(client, organizer, login_as, make_meeting, make_department):
    hr, union = make_department("人力资源部"), make_department("工会")
    meeting = make_meeting("planned", department_ids=[hr.id])
    login_as(organizer)
    page = client.get(f"/meetings/{meeting.id}/edit").get_data(as_text=True)
    assert "11月职工层级慧谈" in page
    assert re.search(rf'<option selected value="{hr.id}">|<option value="{hr.id}" selected', page)
    starts = meeting.starts_at.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%dT%H:%M")
    assert starts in page
    response = client.post(f"/meetings/{meeting.id}/edit", data=form_data(
        meeting.tier_id, title="11月职工层级慧谈（改期）", starts_at="2030-11-20T09:30", ends_at="",
        location="职工之家", department_ids=[str(union.id)], lead_user_id=str(meeting.lead_user_id)))
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    meeting = db.session.get(Meeting, meeting.id)
    assert meeting.title == "11月职工层级慧谈（改期）" and meeting.location == "职工之家"
    assert meeting.starts_at == datetime(2030, 11, 20, 1, 30, tzinfo=timezone.utc)
    assert [link.department_id for link in meeting.invited_departments] == [union.id]
    assert meeting.lead is not None and meeting.lead.display_name == "韩立军"


def test_editing_with_the_default_lead_keeps_the_tiers_lead(client, organizer, login_as, make_meeting, lead_user):
    meeting = make_meeting("planned")
    login_as(organizer)
    response = client.post(f"/meetings/{meeting.id}/edit", data=form_data(meeting.tier_id, lead_user_id="0"))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).lead_user_id == lead_user.id


def test_closed_meeting_cannot_be_edited(client, organizer, login_as, make_meeting):
    meeting = make_meeting("live")
    from facilitation.scheduling.services import close_meeting
    close_meeting(organizer, meeting)
    db.session.commit()
    login_as(organizer)
    response = client.post(f"/meetings/{meeting.id}/edit", data=form_data(meeting.tier_id, title="改名"))
    assert response.status_code == 409
    assert "不能再修改" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).title == "11月职工层级慧谈"


def test_cross_tier_topic_meeting_through_the_form(client, organizer, login_as, make_user):
    login_as(organizer)
    refused = client.post("/meetings/new", data=form_data(0, title="新入职大学生职业发展专题慧谈", kind="topic"))
    assert refused.status_code == 400 and "请为本场指定一位牵头人" in refused.get_data(as_text=True)
    assert Meeting.query.count() == 0
    chair = make_user("lead", display_name="袁德胜")
    response = client.post("/meetings/new", data=form_data(0, title="新入职大学生职业发展专题慧谈", kind="topic",
                                                           lead_user_id=str(chair.id)))
    assert response.status_code == 302, response.get_data(as_text=True)
    meeting = Meeting.query.one()
    assert meeting.tier_id is None and meeting.kind == "topic" and meeting.lead_user_id == chair.id
    html = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "跨层级" in html and "专题慧谈" in html


def test_regular_meeting_needs_a_tier_in_the_form(client, organizer, login_as):
    login_as(organizer)
    response = client.post("/meetings/new", data=form_data(0))
    assert response.status_code == 400
    assert "例行慧谈必须选择层级" in response.get_data(as_text=True)
    assert Meeting.query.count() == 0


def test_list_filters_by_month_tier_and_status(client, organizer, login_as, make_meeting, make_user, tier):
    from facilitation.people.models import Tier
    from facilitation.timeutil import parse_local_datetime
    party = Tier.query.filter_by(code="party_member").one()
    make_meeting("planned", title="十二月职工慧谈", starts_at=parse_local_datetime("2030-12-05T15:00"))
    make_meeting("live", title="十二月党员慧谈", tier_id=party.id, starts_at=parse_local_datetime("2030-12-31T23:30"),
                 lead_user=make_user("lead"))
    make_meeting("planned", title="一月职工慧谈", starts_at=parse_local_datetime("2031-01-01T00:30"))
    login_as(organizer)

    def titles(query):
        html = client.get("/meetings/" + query).get_data(as_text=True)
        return sorted(re.findall(r'href="/meetings/\d+">([^<]+)</a>', html))

    assert titles("") == ["一月职工慧谈", "十二月党员慧谈", "十二月职工慧谈"]
    # month bounds are local (Asia/Shanghai): 23:30 on the 31st is still December
    assert titles("?month=2030-12") == ["十二月党员慧谈", "十二月职工慧谈"]
    assert titles("?month=2031-01") == ["一月职工慧谈"]
    assert titles(f"?tier_id={tier.id}") == ["一月职工慧谈", "十二月职工慧谈"]
    assert titles("?status=live") == ["十二月党员慧谈"]
    assert titles(f"?month=2030-12&tier_id={tier.id}&status=planned") == ["十二月职工慧谈"]
    html = client.get("/meetings/?month=December").get_data(as_text=True)
    assert "月份格式应为 YYYY-MM" in html


@pytest.mark.parametrize("role", ["viewer", "handler", "lead"])
def test_every_staff_role_sees_the_list(client, make_user, login_as, make_meeting, role):
    make_meeting("planned")
    login_as(make_user(role))
    html = client.get("/meetings/").get_data(as_text=True)
    assert "11月职工层级慧谈" in html and "安排慧谈</a>" not in html


def test_cancel_needs_a_reason(client, organizer, login_as, make_meeting):
    meeting = make_meeting("planned")
    login_as(organizer)
    response = client.post(f"/meetings/{meeting.id}/cancel", data={"reason": "  "}, follow_redirects=True)
    assert "请说明取消原因" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).status == "planned"

    response = client.post(f"/meetings/{meeting.id}/cancel", data={"reason": "矿井停产检修，改期举行"},
                           follow_redirects=True)
    html = response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).status == "cancelled"
    assert "已取消" in html and "矿井停产检修，改期举行" in html


def test_live_meeting_cannot_be_cancelled(client, organizer, login_as, make_meeting):
    meeting = make_meeting("live")
    login_as(organizer)
    html = client.post(f"/meetings/{meeting.id}/cancel", data={"reason": "改期"},
                       follow_redirects=True).get_data(as_text=True)
    assert "只有计划中的慧谈可以取消" in html
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).status == "live"


def test_start_and_close_from_the_page(client, organizer, login_as, make_meeting):
    meeting = make_meeting("planned")
    login_as(organizer)
    response = client.post(f"/meetings/{meeting.id}/start")
    assert response.status_code == 302 and response.headers["Location"] == f"/meetings/{meeting.id}/board"
    add_open_item(meeting)
    html = client.post(f"/meetings/{meeting.id}/close", follow_redirects=True).get_data(as_text=True)
    assert "没有处理结果，不能结束" in html
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).status == "live"


def test_patch_raises_the_cap_and_changes_nothing_else(api, organizer, lead_user, make_meeting, make_department):
    """A large special session: the organizer raises the cap through the API; the rest stays."""
    hall = make_department("工会")
    meeting = make_meeting("live", department_ids=[hall.id])
    before = (meeting.title, meeting.starts_at, meeting.location, meeting.lead_user_id)
    raised = api(organizer).patch(f"/meetings/{meeting.id}", {"max_participants": 300})
    assert raised.status_code == 200, raised.get_json()
    assert raised.get_json()["max_participants"] == 300
    db.session.expire_all()
    stored = db.session.get(Meeting, meeting.id)
    assert stored.max_participants == 300 and (stored.title, stored.starts_at, stored.location,
                                               stored.lead_user_id) == before
    assert [link.department_id for link in stored.invited_departments] == [hall.id]
    for body, code in (({"max_participants": 0}, 400), ({"max_participants": "many"}, 400),
                       ({"max_participants": 2 ** 63}, 400), ({"allow_guests": "false"}, 400),
                       ({"title": ""}, 400), ({"tier_id": 2 ** 40}, 400)):
        response = api(organizer).patch(f"/meetings/{meeting.id}", body)
        assert response.status_code == code, (body, response.get_json())
        assert CHINESE.search(response.get_json()["error"]["message"]), body
    assert api(lead_user).patch(f"/meetings/{meeting.id}", {"max_participants": 20}).status_code == 403
    assert api(organizer).patch("/meetings/999999", {"max_participants": 20}).status_code == 404
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).max_participants == 300
    from facilitation.scheduling.services import close_meeting
    close_meeting(organizer, db.session.get(Meeting, meeting.id))
    db.session.commit()
    assert api(organizer).patch(f"/meetings/{meeting.id}", {"max_participants": 20}).status_code == 409
