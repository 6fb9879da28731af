"""Joining a live meeting and raising items over the JSON API: tokens, idempotent items,
catching up by seq, +1 votes, anonymity, rate limits and bad input."""
import json
import uuid

import pytest

from facilitation.audit.models import AuditEvent
from facilitation.extensions import db, limiter
from facilitation.live.models import Item, Vote
from facilitation.scheduling.models import Participant


def new_client_id():
    return uuid.uuid4().hex


def join(api, meeting, name="王建国", **extra):
    response = api().post(f"/join/{meeting.join_code}", json={"name": name, **extra})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["participant_token"]


def submit(api, token, meeting, text="井下三号巷道照明不足，夜班看不清。", kind="question", **extra):
    body = {"client_id": extra.pop("client_id", None) or new_client_id(), "kind": kind, "text": text,
            "anonymity": extra.pop("anonymity", "named"), **extra}
    return api(token).post(f"/meetings/{meeting.id}/items", json=body)


def error_message(response):
    return response.get_json()["error"]["message"]


# ------------------------------------------------------------------ joining

def test_join_returns_a_token_bound_to_that_meeting(api, make_meeting):
    meeting, other = make_meeting(), make_meeting()
    response = api().post(f"/join/{meeting.join_code.lower()}", json={"name": "王建国"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["meeting_id"] == meeting.id
    token = body["participant_token"]
    participant = Participant.query.filter_by(meeting_id=meeting.id).one()
    assert participant.display_name == "王建国" and participant.is_guest and participant.joined_at

    assert submit(api, token, meeting).status_code == 201
    refused = submit(api, token, other)
    assert refused.status_code == 403
    assert error_message(refused) == "参会凭证不属于这场慧谈。"
    assert api(token).get(f"/meetings/{other.id}/items").status_code == 403
    assert Item.query.filter_by(meeting_id=other.id).count() == 0


def test_tampered_and_expired_tokens_are_refused_in_chinese(app, api, make_meeting):
    meeting = make_meeting()
    token = join(api, meeting)
    tampered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    response = submit(api, tampered, meeting)
    assert response.status_code == 403 and error_message(response) == "参会凭证无效，请重新扫码加入。"

    app.config["PARTICIPANT_TOKEN_MAX_AGE"] = -1  # every token is already too old
    try:
        response = submit(api, token, meeting)
    finally:
        app.config["PARTICIPANT_TOKEN_MAX_AGE"] = 24 * 3600
    assert response.status_code == 403 and error_message(response) == "参会凭证已过期，请重新扫码加入。"
    assert Item.query.count() == 0


@pytest.mark.parametrize("status, http_status, message", [
    ("planned", 409, "这场慧谈还没有开始，请稍后再扫码。"),
    ("closed", 410, "这场慧谈已经结束，不能再加入。"),
])
def test_join_refuses_meetings_that_are_not_live(api, make_meeting, make_user, status, http_status, message):
    from facilitation.scheduling.services import close_meeting
    meeting = make_meeting(status="planned" if status == "planned" else "live")
    if status == "closed":
        close_meeting(make_user("organizer"), meeting)
        db.session.commit()
    response = api().post(f"/join/{meeting.join_code}", json={"name": "王建国"})
    assert response.status_code == http_status
    assert error_message(response) == message
    assert Participant.query.count() == 0


def test_join_with_wrong_code(api, make_meeting):
    make_meeting()
    for code in ("NOPE22", "x" * 200):
        response = api().post(f"/join/{code}", json={"name": "王建国"})
        assert response.status_code == 404
        assert error_message(response) == "参会码无效，请核对后重新扫码。"


def test_join_by_employee_number_matches_the_roster(api, make_meeting):
    from facilitation.people.models import Person
    person = Person(employee_no="100234", name="李红梅")
    db.session.add(person)
    db.session.commit()
    meeting = make_meeting()
    response = api().post(f"/join/{meeting.join_code}", json={"employee_no": "100234"})
    assert response.status_code == 200
    assert response.get_json()["participant"] == {"id": response.get_json()["participant"]["id"],
                                                  "name": "李红梅", "is_guest": False}
    mismatch = api().post(f"/join/{meeting.join_code}", json={"employee_no": "100234", "name": "张三"})
    assert mismatch.status_code == 400 and error_message(mismatch) == "工号与姓名不一致，请核对。"


def test_roster_only_meeting_refuses_guests_once_the_list_is_approved(api, make_meeting, lead_user, tier):
    """Without an approved list anyone with a name gets in; after approval only the list
    (the door rule is tested in full in tests/scheduling/test_door.py)."""
    from facilitation.people.models import Person
    from facilitation.scheduling.services import approve_participants, set_participants
    meeting = make_meeting()
    meeting.allow_guests = False
    invited = Person(employee_no="YB30001", name="王建国", tier=tier)
    db.session.add(invited)
    db.session.commit()
    assert api().post(f"/join/{meeting.join_code}", json={"name": "路人甲"}).status_code == 200
    set_participants(lead_user, meeting, [invited.id])
    approve_participants(lead_user, meeting)
    db.session.commit()
    response = api().post(f"/join/{meeting.join_code}", json={"name": "路人乙"})
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "not_invited"
    assert "不在名单中" in error_message(response) and "一码通" in error_message(response)
    assert api().post(f"/join/{meeting.join_code}", json={"employee_no": "YB30001"}).status_code == 200


def test_join_is_rate_limited_per_meeting(app, api, make_meeting):
    meeting = make_meeting()
    other = make_meeting()
    limiter.reset()
    app.config.update(JOIN_RATE_MIN=3, JOIN_ATTEMPTS_PER_SEAT=0)
    try:
        statuses = [api().post(f"/join/{meeting.join_code}", json={"name": f"职工{i}"}) for i in range(5)]
        # the same address joins another meeting: that meeting has its own allowance
        elsewhere = api().post(f"/join/{other.join_code}", json={"name": "职工9"})
    finally:
        app.config.update(JOIN_RATE_MIN=10000, JOIN_ATTEMPTS_PER_SEAT=5)
        limiter.reset()
    assert elsewhere.status_code == 200
    assert [r.status_code for r in statuses] == [200, 200, 200, 429, 429]
    assert error_message(statuses[3]) == "操作太频繁，请稍后再试。"
    assert Participant.query.filter_by(meeting_id=meeting.id).count() == 3


def test_submitting_is_rate_limited_per_participant(app, api, make_meeting):
    meeting = make_meeting()
    first, second = join(api, meeting, "甲"), join(api, meeting, "乙")
    limiter.reset()
    app.config["SUBMIT_RATE_LIMIT"] = "2 per minute"
    try:
        statuses = [submit(api, first, meeting, text=f"第{i}条").status_code for i in range(3)]
        other = submit(api, second, meeting, text="另一位职工").status_code
        rejoined = join(api, meeting, "甲")  # a new token for the same person: no new allowance
        again = submit(api, rejoined, meeting, text="换个凭证再发").status_code
    finally:
        app.config["SUBMIT_RATE_LIMIT"] = "10000 per minute"
        limiter.reset()
    assert statuses == [201, 201, 429]
    assert other == 201 and again == 429
    assert Item.query.count() == 3


# ------------------------------------------------------------------ items: never lost, never twice

def test_submit_then_retry_returns_the_same_item(api, make_meeting):
    meeting = make_meeting()
    token = join(api, meeting)
    client_id = new_client_id()
    created = submit(api, token, meeting, client_id=client_id, kind="demand", text="  希望增加班车  ")
    assert created.status_code == 201
    item = created.get_json()
    assert {k: item[k] for k in ("seq", "client_id", "kind", "text", "status", "votes")} == {
        "seq": 1, "client_id": client_id, "kind": "demand", "text": "希望增加班车", "status": "open", "votes": 0}
    assert item["follow_token"]

    retried = submit(api, token, meeting, client_id=client_id, kind="demand", text="希望增加班车")
    assert retried.status_code == 200
    assert retried.get_json()["id"] == item["id"] and retried.get_json()["seq"] == 1
    assert "follow_token" not in retried.get_json()
    assert Item.query.count() == 1


def test_replayed_client_id_with_different_text_keeps_the_first(api, make_meeting):
    meeting = make_meeting()
    token = join(api, meeting)
    client_id = new_client_id()
    assert submit(api, token, meeting, client_id=client_id, text="第一次的内容").status_code == 201
    replay = submit(api, token, meeting, client_id=client_id, text="改过的内容", kind="suggestion")
    assert replay.status_code == 200
    assert replay.get_json()["text"] == "第一次的内容" and replay.get_json()["kind"] == "question"
    assert [i.text for i in Item.query.all()] == ["第一次的内容"]


def test_same_client_id_in_two_meetings_is_two_items(api, make_meeting):
    first, second = make_meeting(), make_meeting()
    client_id = new_client_id()
    assert submit(api, join(api, first), first, client_id=client_id).status_code == 201
    assert submit(api, join(api, second), second, client_id=client_id).status_code == 201
    assert Item.query.count() == 2


def test_items_after_seq_catch_up_in_order(api, make_meeting, make_user):
    meeting = make_meeting()
    token = join(api, meeting)
    texts = [f"事项{i}" for i in range(1, 6)]
    for text in texts:
        assert submit(api, token, meeting, text=text).status_code == 201

    everything = api(token).get(f"/meetings/{meeting.id}/items").get_json()
    assert [i["seq"] for i in everything["items"]] == [1, 2, 3, 4, 5]
    assert everything["last_seq"] == 5
    later = api(token).get(f"/meetings/{meeting.id}/items?after=3").get_json()
    assert [(i["seq"], i["text"]) for i in later["items"]] == [(4, "事项4"), (5, "事项5")]
    staff = api(make_user("organizer")).get(f"/meetings/{meeting.id}/items?after=4").get_json()
    assert [i["text"] for i in staff["items"]] == ["事项5"]

    bad = api(token).get(f"/meetings/{meeting.id}/items?after=-1")
    assert bad.status_code == 400 and error_message(bad) == "after 必须是 0 到 2147483647 之间的整数。"
    assert api().get(f"/meetings/{meeting.id}/items").status_code == 403


def test_moderated_items_stay_off_the_phones_until_approved(api, make_meeting, make_user):
    meeting = make_meeting(is_moderated=True)
    organizer = make_user("organizer")
    token = join(api, meeting)
    item_id = submit(api, token, meeting, text="待审核的事项").get_json()["id"]
    assert api(token).get(f"/meetings/{meeting.id}/items").get_json()["items"] == []
    staff_items = api(organizer).get(f"/meetings/{meeting.id}/items").get_json()["items"]
    assert [(i["text"], i["is_approved"]) for i in staff_items] == [("待审核的事项", False)]

    assert api(organizer).post(f"/items/{item_id}/approve").status_code == 200
    assert [i["text"] for i in api(token).get(f"/meetings/{meeting.id}/items").get_json()["items"]] == ["待审核的事项"]


# ------------------------------------------------------------------ anonymity

def test_hidden_identity_items_store_no_identity(api, make_meeting):
    meeting = make_meeting()
    token = join(api, meeting, name="赵秘密")
    response = submit(api, token, meeting, anonymity="hidden_identity", text="有人在井下抽烟")
    assert response.status_code == 201
    assert "follow_token" not in response.get_json()
    item = Item.query.one()
    assert (item.participant_id, item.submitter_name, item.follow_token) == (None, None, None)
    assert "赵秘密" not in json.dumps(response.get_json(), ensure_ascii=False)


def test_anonymous_names_never_appear_in_api_payloads(api, make_meeting, make_user):
    meeting = make_meeting()
    token = join(api, meeting, name="钱匿名")
    created = submit(api, token, meeting, anonymity="anonymous", text="食堂饭菜偏咸")
    assert created.status_code == 201
    item = Item.query.one()
    assert item.submitter_name == "钱匿名" and item.participant_id is not None  # kept for staff follow-up
    organizer = make_user("organizer")
    payloads = [created.get_json(),
                api(token).get(f"/meetings/{meeting.id}/items").get_json(),
                api(organizer).get(f"/meetings/{meeting.id}/items").get_json(),
                api(token).post(f"/items/{item.id}/vote").get_json(),
                api(organizer).post(f"/items/{item.id}/answer", json={"answer": "已通知食堂"}).get_json()]
    for payload in payloads:
        assert "钱匿名" not in json.dumps(payload, ensure_ascii=False)
    named = submit(api, token, meeting, anonymity="named", text="实名提出").get_json()
    assert named["submitter"] == "钱匿名"


def test_staff_can_enter_an_item_for_a_participant(api, make_meeting, make_user, lead_user):
    meeting = make_meeting()
    response = api(lead_user).post(f"/meetings/{meeting.id}/items", json={
        "client_id": new_client_id(), "kind": "difficulty", "text": "家中老人生病，希望调班",
        "anonymity": "named", "submitter_name": "孙大勇"})
    assert response.status_code == 201
    body = response.get_json()
    assert body["entered_by_staff"] is True and body["submitter"] == "孙大勇"
    item = Item.query.one()
    assert item.entered_by_user_id == lead_user.id and item.participant_id is None
    assert AuditEvent.query.filter_by(entity="item", entity_id=item.id, action="create").one().actor_user_id \
        == lead_user.id

    viewer = api(make_user("viewer")).post(f"/meetings/{meeting.id}/items", json={
        "client_id": new_client_id(), "kind": "question", "text": "x", "anonymity": "named"})
    assert viewer.status_code == 403
    assert error_message(viewer) == "只有组织者或本场牵头人可以代为录入事项。"


def test_submitting_without_joining_is_refused(api, make_meeting):
    meeting = make_meeting()
    response = submit(api, None, meeting)
    assert response.status_code == 403 and error_message(response) == "请先扫码加入慧谈。"


# ------------------------------------------------------------------ bad input changes nothing

@pytest.mark.parametrize("body, message", [
    ({"text": ""}, "内容不能为空。"),
    ({"text": " \n\t\u3000 "}, "内容不能为空。"),
    ({"text": "字" * 501}, "内容不能超过 500 个字（现在 501 个字）。"),
    ({"text": None}, "内容不能为空。"),
    ({"text": ["列表"]}, "内容不能为空。"),
    ({"kind": "complaint"}, "请选择事项类型：问题意见、诉求、困难或合理化建议。"),
    ({"kind": None}, "请选择事项类型：问题意见、诉求、困难或合理化建议。"),
    ({"anonymity": "secret"}, "请选择署名方式：实名、对会场匿名或完全匿名。"),
    ({"client_id": "short"}, "client_id 必须是 8 到 64 位的字母、数字、横线或下划线。"),
    ({"client_id": 12345678}, "client_id 必须是 8 到 64 位的字母、数字、横线或下划线。"),
    ({"client_id": "a" * 65}, "client_id 必须是 8 到 64 位的字母、数字、横线或下划线。"),
    ({"category": "类" * 33}, "分类不能超过 32 个字。"),
])
def test_bad_items_get_a_clear_message_and_store_nothing(api, make_meeting, body, message):
    meeting = make_meeting()
    token = join(api, meeting)
    payload = {"client_id": new_client_id(), "kind": "question", "text": "正常内容", "anonymity": "named"}
    payload.update(body)
    response = api(token).post(f"/meetings/{meeting.id}/items", json=payload)
    assert response.status_code == 400
    assert error_message(response) == message
    assert Item.query.count() == 0
    db.session.refresh(meeting)
    assert meeting.next_seq == 0


def test_non_json_and_oversized_bodies_are_refused(api, make_meeting):
    meeting = make_meeting()
    token = join(api, meeting)
    headers = {"Authorization": f"Bearer {token}"}
    response = api(token).client.post(f"/api/v1/meetings/{meeting.id}/items", data="text=hi", headers=headers)
    assert response.status_code == 400 and error_message(response) == "请求体必须是 JSON 对象。"
    response = api(token).post(f"/meetings/{meeting.id}/items", json={
        "client_id": new_client_id(), "kind": "question", "text": "字" * 70000, "anonymity": "named"})
    assert response.status_code == 413 and error_message(response).startswith("提交的内容太大")
    assert Item.query.count() == 0


def test_exactly_500_characters_and_html_are_stored_as_plain_text(api, make_meeting):
    meeting = make_meeting()
    token = join(api, meeting)
    assert submit(api, token, meeting, text="字" * 500).status_code == 201
    script = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    created = submit(api, token, meeting, text=script)
    assert created.status_code == 201
    assert created.get_json()["text"] == script  # JSON carries it verbatim; pages render it as text
    assert Item.query.filter_by(seq=2).one().text == script


def test_closed_or_planned_meeting_rejects_new_items(api, make_meeting, make_user):
    from facilitation.scheduling.services import close_meeting
    meeting = make_meeting()
    token = join(api, meeting)
    client_id = new_client_id()
    assert submit(api, token, meeting, client_id=client_id, text="会前提交").status_code == 201
    api(make_user("organizer")).post(f"/items/{Item.query.one().id}/answer", json={"answer": "好"})
    close_meeting(make_user("organizer"), meeting)
    db.session.commit()

    refused = submit(api, token, meeting, text="会后再提")
    assert refused.status_code == 409
    assert error_message(refused) == "这场慧谈已经结束，不能再提交或修改事项。"
    retry = submit(api, token, meeting, client_id=client_id, text="会前提交")
    assert retry.status_code == 200  # an outbox retry of a stored item still gets its answer
    assert Item.query.count() == 1

    planned = make_meeting(status="planned")
    response = api(make_user("organizer")).post(f"/meetings/{planned.id}/items", json={
        "client_id": new_client_id(), "kind": "question", "text": "还没开始", "anonymity": "named"})
    assert response.status_code == 409 and error_message(response) == "这场慧谈不在进行中。"


# ------------------------------------------------------------------ votes

def test_vote_once_per_participant(api, make_meeting):
    meeting = make_meeting()
    author, voter = join(api, meeting, "甲"), join(api, meeting, "乙")
    item_id = submit(api, author, meeting).get_json()["id"]
    first = api(voter).post(f"/items/{item_id}/vote")
    assert first.status_code == 200 and first.get_json()["votes"] == 1
    twice = api(voter).post(f"/items/{item_id}/vote")
    assert twice.status_code == 409 and error_message(twice) == "您已经为这条事项 +1 过了。"
    assert api(author).post(f"/items/{item_id}/vote").get_json()["votes"] == 2
    assert Vote.query.count() == 2 and db.session.get(Item, item_id).votes == 2


def test_cannot_vote_on_another_meetings_item(api, make_meeting, make_user):
    meeting, other = make_meeting(), make_meeting()
    item_id = submit(api, join(api, other), other).get_json()["id"]
    outsider = join(api, meeting)
    response = api(outsider).post(f"/items/{item_id}/vote")
    assert response.status_code == 403 and error_message(response) == "参会凭证不属于这场慧谈。"
    staff = api(make_user("organizer")).post(f"/items/{item_id}/vote")
    assert staff.status_code == 403
    assert api(outsider).post("/items/999999/vote").status_code == 404
    assert Vote.query.count() == 0


def test_cannot_vote_on_hidden_items_or_after_closing(api, make_meeting, make_user):
    from facilitation.scheduling.services import close_meeting
    meeting = make_meeting()
    organizer = make_user("organizer")
    token = join(api, meeting)
    hidden_id = submit(api, token, meeting, text="广告").get_json()["id"]
    open_id = submit(api, token, meeting, text="正常事项").get_json()["id"]
    api(organizer).post(f"/items/{hidden_id}/hide", json={"reason": "与主题无关"})
    response = api(token).post(f"/items/{hidden_id}/vote")
    assert response.status_code == 409 and error_message(response) == "该事项不能点赞。"

    api(organizer).post(f"/items/{open_id}/answer", json={"answer": "马上办"})
    close_meeting(organizer, meeting)
    db.session.commit()
    response = api(token).post(f"/items/{open_id}/vote")
    assert response.status_code == 409
    assert error_message(response) == "这场慧谈已经结束，不能再提交或修改事项。"
    assert Vote.query.count() == 0
