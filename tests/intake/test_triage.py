"""Triage (分办) of channel items: the inbox as written, the same answer and transfer routes as
meeting items (any day, no live meeting; the meeting rules unchanged), the channel's supervisor on
every slip, merging duplicates, hiding, 特事特办 with its deadline and immediate notices, a mine
leader's dispatch (批办) with an instruction on the slip, and who may do what."""
from datetime import timedelta

import pytest

from facilitation.extensions import db
from facilitation.live.models import Item
from facilitation.slips.models import Notification, Slip
from facilitation.slips.services import add_working_days
from facilitation.timeutil import local_today

from .conftest import fresh


def due(days=7):
    return (local_today() + timedelta(days=days)).isoformat()


@pytest.fixture
def intake(mine):
    channel = mine.channel("职工食堂")
    items = [mine.submit(channel["code"], text=text, kind=kind, anonymity=anonymity, name="李运芳").get_json()
             for text, kind, anonymity in (
                 ("2号宿舍6楼楼顶喇叭太响，夜班工人白天睡不好", "demand", "named"),
                 ("综掘二区会议室空调不制冷", "demand", "anonymous"),
                 ("宿舍楼顶的喇叭声音太大影响休息", "demand", "hidden_identity"))]
    return channel, items


def test_inbox_as_written(mine, intake, api):
    channel, items = intake
    response = mine.staff.get("/intake?status=new")
    assert response.status_code == 200
    listed = response.get_json()["items"]
    assert [i["id"] for i in listed] == [i["id"] for i in items]  # oldest first
    assert all(i["channel"] == "职工食堂" and i["status"] == "open" for i in listed)
    # an anonymous name never leaves the server in the JSON, even to organizers
    import json
    assert listed[1]["anonymity"] == "anonymous" and "李运芳" not in json.dumps(listed[1], ensure_ascii=False)
    assert listed[0]["submitter"] == "李运芳"  # a named item's name stands beside it
    assert mine.staff.get("/intake?status=handled").get_json()["items"] == []
    assert len(mine.staff.get(f"/intake?status=all&channel_id={channel['id']}").get_json()["items"]) == 3
    assert api(mine.viewer).get("/intake?status=new").status_code == 200
    assert api(mine.handler).get("/intake?status=new").status_code == 403
    # a tier lead sees only the channels they supervise, as on the inbox page
    assert api(mine.lead).get("/intake?status=new").get_json()["items"] == []
    bathhouse = mine.channel("浴室", supervisor_user_id=mine.lead.id)
    theirs = mine.submit(bathhouse["code"], text="浴室淋浴头坏了三个").get_json()
    assert [i["id"] for i in api(mine.lead).get("/intake?status=all").get_json()["items"]] == [theirs["id"]]
    assert api(None).get("/intake?status=new").status_code == 401
    bad = mine.staff.get("/intake?status=closed")
    assert bad.status_code == 400 and "status" in bad.get_json()["error"]["message"]


def test_answer_and_transfer_through_the_meeting_routes(mine, intake):
    channel, (named, anonymous, hidden) = intake
    answered = mine.staff.post(f"/items/{named['id']}/answer", json={"answer": "已将宿舍楼顶喇叭移到办公楼，音量调低"})
    assert answered.status_code == 200 and answered.get_json()["status"] == "answered"
    transfer = mine.staff.post(f"/items/{anonymous['id']}/transfer",
                               json={"department_id": mine.logistics.id, "due_date": due(5)})
    assert transfer.status_code == 201
    slip = transfer.get_json()["slip"]
    assert {"id", "number", "status", "due_date"} <= set(slip) and slip["status"] == "issued"
    stored = db.session.get(Slip, slip["id"])
    assert stored.supervisor_user_id == mine.organizer.id  # the channel's supervisor: never none
    assert stored.tier_id is None and stored.item.meeting_id is None
    assert Notification.query.filter_by(user_id=mine.handler.id, kind="slip_issued").count() == 1
    again = mine.staff.post(f"/items/{named['id']}/answer", json={"answer": "再答一次"})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_has_outcome"
    assert [i["id"] for i in mine.staff.get("/intake?status=new").get_json()["items"]] == [hidden["id"]]
    # the submitter follows it on the personal link; the fully anonymous one on the public board
    assert mine.anonymous.client.get(f"/f/{named['follow_token']}").status_code == 200
    assert "已将宿舍楼顶喇叭移到办公楼" in mine.anonymous.client.get(f"/f/{named['follow_token']}").get_data(as_text=True)


def test_the_channels_supervisor_supervises_and_is_never_missing(mine, api):
    channel = mine.channel("综采一区公示栏", supervisor_user_id=mine.lead.id)
    item = mine.submit(channel["code"]).get_json()
    # the supervising lead triages the channel's items
    other = api(mine.lead).post(f"/items/{item['id']}/transfer",
                                json={"department_id": mine.logistics.id, "due_date": due()})
    assert other.status_code == 201
    assert db.session.get(Slip, other.get_json()["slip"]["id"]).supervisor_user_id == mine.lead.id
    # a supervisor whose account was disabled: a clear 409, nothing issued
    from facilitation.accounts.services import create_user
    stand_in = create_user("stand-in", "correct-horse-1", "organizer", display_name="临时督办")
    db.session.commit()
    second = mine.channel("洗浴中心", supervisor_user_id=stand_in.id)
    waiting = mine.submit(second["code"]).get_json()
    stand_in.is_enabled = False
    db.session.commit()
    refused = mine.staff.post(f"/items/{waiting['id']}/transfer",
                              json={"department_id": mine.logistics.id, "due_date": due()})
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "no_supervisor"
    assert "督办员" in refused.get_json()["error"]["message"]
    assert fresh(Item, waiting["id"]).status == "open" and Slip.query.count() == 1


def test_leads_and_others_cannot_triage_channels_they_do_not_supervise(mine, intake, api, make_user):
    channel, (named, _anonymous, _hidden) = intake
    for user in (mine.lead,):
        response = api(user).post(f"/items/{named['id']}/answer", json={"answer": "我来答"})
        assert response.status_code == 403 and "一码通" in response.get_json()["error"]["message"]
    for user in (mine.viewer, mine.handler):
        assert api(user).post(f"/items/{named['id']}/answer", json={"answer": "我来答"}).status_code == 403
    assert api(None).post(f"/items/{named['id']}/answer", json={"answer": "我来答"}).status_code == 401
    assert fresh(Item, named["id"]).status == "open"


def test_the_meeting_rules_are_not_weakened(mine, make_meeting, api, lead_user):
    """Meeting items still need a live meeting and its chair; votes and approval stay meeting-only."""
    from facilitation.live.services import submit_item
    meeting = make_meeting()
    item, _ = submit_item(meeting, client_id="meeting-0001", kind="demand", text="会场里的事项", staff=lead_user)
    db.session.commit()
    meeting.status = "closed"  # closed with an open item (as an old database may hold): still no outcome
    db.session.commit()
    refused = mine.staff.post(f"/items/{item.id}/answer", json={"answer": "会后再答"})
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "meeting_closed"
    channel_item = mine.submit(mine.channel()["code"]).get_json()
    # a channel item is not merged into a meeting's item, nor the other way round
    merge = mine.staff.post(f"/items/{channel_item['id']}/merge", json={"target_id": item.id})
    assert merge.status_code == 400 and "一码通" in merge.get_json()["error"]["message"]
    assert api(lead_user).post(f"/items/{channel_item['id']}/approve").status_code == 403
    assert fresh(Item, item.id).status == "open"


def test_merge_duplicates_and_hide(mine, intake):
    channel, (first, second, third) = intake
    other_channel = mine.channel("2号宿舍楼")
    fourth = mine.submit(other_channel["code"], text="宿舍喇叭太吵").get_json()
    merged = mine.staff.post(f"/items/{third['id']}/merge", json={"target_id": first["id"]})
    assert merged.status_code == 200 and merged.get_json()["status"] == "merged"
    across = mine.staff.post(f"/items/{fourth['id']}/merge", json={"target_id": third["id"]})
    assert across.status_code == 200  # merged into the chain's head, whichever poster it came from
    assert fresh(Item, fourth["id"]).merged_into_id == first["id"]
    self_merge = mine.staff.post(f"/items/{first['id']}/merge", json={"target_id": first["id"]})
    assert self_merge.status_code == 400
    hidden = mine.staff.post(f"/items/{second['id']}/hide", json={"reason": "与工作无关的广告"})
    assert hidden.status_code == 200 and hidden.get_json()["status"] == "hidden"
    assert [i["id"] for i in mine.staff.get("/intake?status=new").get_json()["items"]] == [first["id"]]


def test_urgent_before_transfer_caps_the_deadline_and_tells_supervisor_and_handlers(mine, intake, api):
    channel, (item, _second, _third) = intake
    response = api(mine.viewer).post(f"/intake/{item['id']}/urgent")
    assert response.status_code == 200 and response.get_json()["is_urgent"] is True
    notice = Notification.query.filter_by(user_id=mine.organizer.id, kind="urgent").one()
    assert "特事特办" in notice.text and item["number"] in notice.text
    again = mine.staff.post(f"/intake/{item['id']}/urgent")
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_urgent"
    # urgent items come first in the inbox
    assert mine.staff.get("/intake?status=new").get_json()["items"][0]["id"] == item["id"]
    transfer = mine.staff.post(f"/items/{item['id']}/transfer",
                               json={"department_id": mine.logistics.id, "due_date": due(10)})
    assert transfer.status_code == 201
    next_working_day = add_working_days(local_today(), 1)
    assert transfer.get_json()["slip"]["due_date"] == next_working_day.isoformat()
    slip = db.session.get(Slip, transfer.get_json()["slip"]["id"])
    for user in (mine.handler, mine.organizer):
        texts = [n.text for n in Notification.query.filter_by(user_id=user.id, slip_id=slip.id, kind="urgent")]
        assert len(texts) == 1 and "【特事特办】" in texts[0] and next_working_day.isoformat() in texts[0]
    assert not Notification.query.filter_by(user_id=mine.hr_handler.id).count()


def test_urgent_with_no_supervisor_in_use_tells_the_organizers(mine, intake, api):
    channel, (item, _second, _third) = intake
    mine.organizer.is_enabled = False  # the channel's supervisor left
    db.session.commit()
    assert api(mine.viewer).post(f"/intake/{item['id']}/urgent").status_code == 200
    notices = Notification.query.filter_by(kind="urgent").all()
    assert [n.user_id for n in notices] == [mine.other_organizer.id] and item["number"] in notices[0].text


def test_urgent_after_transfer_hastens_the_slip(mine, intake, logged_in):
    channel, (item, _second, _third) = intake
    slip_id = mine.staff.post(f"/items/{item['id']}/transfer",
                              json={"department_id": mine.hr.id, "due_date": due(12)}).get_json()["slip"]["id"]
    page = logged_in(mine.organizer)
    response = page.post(f"/intake/{item['id']}", data={"action": "urgent"})
    assert response.status_code == 302
    slip = fresh(Slip, slip_id)
    assert slip.due_date == add_working_days(local_today(), 1) and slip.item.is_urgent
    assert Notification.query.filter_by(user_id=mine.hr_handler.id, kind="urgent").count() == 1
    assert Notification.query.filter_by(user_id=mine.organizer.id, kind="urgent").count() == 1
    # once answered there is nothing to hasten
    from facilitation.slips import services
    services.accept_slip(mine.hr_handler, slip)
    services.reply_slip(mine.hr_handler, slip, "已答复", "依据")
    db.session.commit()
    other = mine.submit(channel["code"]).get_json()
    mine.staff.post(f"/items/{other['id']}/answer", json={"answer": "已答复"})
    late = mine.staff.post(f"/intake/{other['id']}/urgent")
    assert late.status_code == 409 and late.get_json()["error"]["code"] == "already_answered"
    assert mine.staff.post(f"/intake/{item['id']}/urgent").status_code == 409


def test_urgent_permissions(mine, intake, api, make_meeting, lead_user):
    channel, (item, _second, _third) = intake
    for user in (mine.handler, mine.lead):
        assert api(user).post(f"/intake/{item['id']}/urgent").status_code == 403
    from facilitation.live.services import submit_item
    meeting_item, _ = submit_item(make_meeting(), client_id="meeting-0002", kind="demand", text="会场事项",
                                  staff=lead_user)
    db.session.commit()
    refused = mine.staff.post(f"/intake/{meeting_item.id}/urgent")
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "not_intake"
    assert mine.staff.post("/intake/2147483647/urgent").status_code == 404
    assert not fresh(Item, item["id"]).is_urgent


def test_a_mine_leader_dispatches_with_an_instruction(mine, intake, api, logged_in):
    channel, (item, second, _third) = intake
    leader = api(mine.viewer)
    missing = leader.post(f"/intake/{item['id']}/dispatch", json={"department_id": mine.logistics.id})
    assert missing.status_code == 400 and "批示" in missing.get_json()["error"]["message"]
    response = leader.post(f"/intake/{item['id']}/dispatch", json={
        "department_id": mine.logistics.id, "instruction": "请后勤管理部三日内调整喇叭位置并回复职工"})
    assert response.status_code == 201
    slip = db.session.get(Slip, response.get_json()["slip"]["id"])
    assert slip.instruction == "请后勤管理部三日内调整喇叭位置并回复职工"
    assert slip.issued_by_user_id == mine.viewer.id and slip.supervisor_user_id == mine.organizer.id
    assert slip.due_date == add_working_days(local_today(), 5)  # a demand's default
    assert response.get_json()["item"]["status"] == "transferred"
    page = logged_in(mine.organizer).get(f"/slips/{slip.id}").get_data(as_text=True)
    assert "领导批示" in page and "请后勤管理部三日内调整喇叭位置" in page and "张毅（党委书记）" in page
    assert Notification.query.filter_by(user_id=mine.organizer.id, kind="dispatched").count() == 1
    # a viewer dispatches but does not answer or transfer; handlers and leads do not dispatch
    assert leader.post(f"/items/{second['id']}/answer", json={"answer": "x"}).status_code == 403
    for user in (mine.handler, mine.lead):
        assert api(user).post(f"/intake/{second['id']}/dispatch", json={
            "department_id": mine.logistics.id, "instruction": "办"}).status_code == 403
    twice = leader.post(f"/intake/{item['id']}/dispatch", json={"department_id": mine.hr.id, "instruction": "再批"})
    assert twice.status_code == 409
    bad_due = leader.post(f"/intake/{second['id']}/dispatch", json={
        "department_id": mine.hr.id, "instruction": "办", "due_date": "2020-01-01"})
    assert bad_due.status_code == 400 and fresh(Item, second["id"]).status == "open"


def test_the_triage_page_and_its_actions(mine, intake, logged_in):
    channel, (named, anonymous, hidden) = intake
    organizer = logged_in(mine.organizer)
    page = organizer.get("/intake/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "一码通分办" in html
    for item in (named, anonymous, hidden):
        assert item["text"] in html
    assert "李运芳" in html  # organizers see who raised an anonymous item, to call back
    assert "完全匿名（系统没有记录任何身份信息）" in html
    answered = organizer.post(f"/intake/{named['id']}", data={"action": "answer", "answer": "喇叭已调整"},
                              follow_redirects=True)
    assert "已答复" in answered.get_data(as_text=True)
    transferred = organizer.post(f"/intake/{anonymous['id']}", data={
        "action": "transfer", "department_id": mine.logistics.id, "due_date": due(3)}, follow_redirects=True)
    assert "已转承办：HT-" in transferred.get_data(as_text=True)
    empty = organizer.post(f"/intake/{hidden['id']}", data={"action": "answer", "answer": "  "},
                           follow_redirects=True)
    assert "请填写答复内容" in empty.get_data(as_text=True) and fresh(Item, hidden["id"]).status == "open"
    no_department = organizer.post(f"/intake/{hidden['id']}", data={"action": "transfer", "due_date": due(3)},
                                   follow_redirects=True)
    assert "请选择有效的承办科室" in no_department.get_data(as_text=True)
    # a mine leader sees the items without anonymous names, and dispatches
    viewer = logged_in(mine.viewer)
    html = viewer.get("/intake/?status=all").get_data(as_text=True)
    assert "李运芳" in html  # the named item's name stands beside it
    assert html.count("李运芳") == 1
    dispatched = viewer.post(f"/intake/{hidden['id']}", data={
        "action": "dispatch", "department_id": mine.hr.id, "instruction": "人力资源部核实后答复"}, follow_redirects=True)
    assert "已批办" in dispatched.get_data(as_text=True)
    refused = viewer.post(f"/intake/{hidden['id']}", data={"action": "answer", "answer": "x"}, follow_redirects=True)
    assert "一码通" in refused.get_data(as_text=True)
    assert logged_in(mine.handler).get("/intake/").status_code == 403
