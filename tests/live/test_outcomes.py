"""Board actions give every item exactly one outcome; closing needs all of them and locks the meeting."""
import re
import uuid
from datetime import timedelta

import pytest

from facilitation.audit.models import AuditEvent
from facilitation.extensions import db
from facilitation.live.models import Item
from facilitation.people.models import Tier
from facilitation.slips.models import Slip
from facilitation.timeutil import local_today


@pytest.fixture
def department(make_department):
    return make_department("后勤管理部")


@pytest.fixture
def board(api, lead_user):
    """The tier lead's API client: the person who chairs the meeting and acts on the board."""
    return api(lead_user)


@pytest.fixture
def raise_item(api):
    """Join the meeting as a new participant and raise one item; returns the item id."""
    def do(meeting, text="澡堂热水时有时无", kind="question", anonymity="named"):
        token = api().post(f"/join/{meeting.join_code}", json={"name": "周志强"}).get_json()["participant_token"]
        response = api(token).post(f"/meetings/{meeting.id}/items", json={
            "client_id": uuid.uuid4().hex, "kind": kind, "text": text, "anonymity": anonymity})
        assert response.status_code == 201
        return response.get_json()["id"]
    return do


def due(days=7):
    return (local_today() + timedelta(days=days)).isoformat()


def error_message(response):
    return response.get_json()["error"]["message"]


def audit_trail(item_id):
    return [(e.action, e.text) for e in AuditEvent.query.filter_by(entity="item", entity_id=item_id)
            .order_by(AuditEvent.id)]


def test_answer_on_the_spot(board, make_meeting, raise_item, lead_user):
    meeting = make_meeting()
    item_id = raise_item(meeting)
    response = board.post(f"/items/{item_id}/answer", json={"answer": "  后勤今天检修锅炉，明天恢复。 "})
    assert response.status_code == 200
    assert response.get_json()["status"] == "answered"
    item = db.session.get(Item, item_id)
    assert (item.status, item.answer, item.outcome_by_user_id) == ("answered", "后勤今天检修锅炉，明天恢复。", lead_user.id)
    assert audit_trail(item_id)[-1] == ("answered", "后勤今天检修锅炉，明天恢复。")

    again = board.post(f"/items/{item_id}/answer", json={"answer": "再答一次"})
    assert again.status_code == 409
    assert error_message(again) == "该事项已有处理结果（已现场答复），不能重复处理。"
    empty = board.post(f"/items/{raise_item(meeting)}/answer", json={"answer": "   "})
    assert empty.status_code == 400 and error_message(empty) == "请填写答复内容。"


def test_transfer_issues_a_numbered_slip_supervised_by_the_tier_lead(board, make_meeting, raise_item,
                                                                       department, lead_user):
    meeting = make_meeting()
    item_id = raise_item(meeting)
    response = board.post(f"/items/{item_id}/transfer", json={"department_id": department.id, "due_date": due()})
    assert response.status_code == 201
    slip = response.get_json()["slip"]
    assert re.fullmatch(rf"HT-{local_today():%Y%m}-\d{{4}}", slip["number"])
    assert (slip["status"], slip["due_date"], slip["department_id"]) == ("issued", due(), department.id)
    assert response.get_json()["item"]["status"] == "transferred"
    assert response.get_json()["item"]["slip"]["department"] == "后勤管理部"
    stored = Slip.query.one()
    assert stored.item_id == item_id and stored.supervisor_user_id == lead_user.id and stored.purpose == "handle"

    second = board.post(f"/items/{raise_item(meeting)}/transfer", json={"department_id": department.id,
                                                                        "due_date": due()})
    first_no, second_no = slip["number"], second.get_json()["slip"]["number"]
    assert int(second_no[-4:]) == int(first_no[-4:]) + 1


@pytest.mark.parametrize("body, message", [
    ({"department_id": 99999, "due_date": "+7"}, "请选择有效的承办科室。"),
    ({"department_id": "后勤", "due_date": "+7"}, "请选择有效的承办科室。"),
    ({"due_date": "+7"}, "请选择有效的承办科室。"),
    ({"department_id": "ok", "due_date": "2020-01-01"}, "答复期限不能早于今天。"),
    ({"department_id": "ok", "due_date": "下周"}, "答复期限格式应为 YYYY-MM-DD。"),
    ({"department_id": "ok"}, "请填写答复期限。"),
    ({"department_id": "ok", "due_date": 20261201}, "答复期限格式应为 YYYY-MM-DD。"),
])
def test_bad_transfers_change_nothing(board, make_meeting, raise_item, department, body, message):
    meeting = make_meeting()
    item_id = raise_item(meeting)
    body = dict(body)
    if body.get("department_id") == "ok":
        body["department_id"] = department.id
    if body.get("due_date") == "+7":
        body["due_date"] = due()
    response = board.post(f"/items/{item_id}/transfer", json=body)
    assert response.status_code == 400 and error_message(response) == message
    assert db.session.get(Item, item_id).status == "open" and Slip.query.count() == 0


def test_adopt_and_decline_are_for_suggestions_only(board, make_meeting, raise_item, department):
    meeting = make_meeting()
    suggestion = raise_item(meeting, text="建议在副井口加装风幕", kind="suggestion")
    question = raise_item(meeting, kind="question")

    adopted = board.post(f"/items/{suggestion}/adopt", json={"department_id": department.id, "due_date": due(30)})
    assert adopted.status_code == 201
    assert adopted.get_json()["item"]["status"] == "adopted"
    assert Slip.query.one().purpose == "implement"

    refused = board.post(f"/items/{question}/adopt", json={"department_id": department.id, "due_date": due()})
    assert refused.status_code == 409
    assert error_message(refused) == "只有合理化建议可以“采纳”；其他事项请答复或转承办。"
    refused = board.post(f"/items/{question}/decline", json={"explanation": "不合适"})
    assert refused.status_code == 409 and error_message(refused) == "只有合理化建议可以“不采纳”。"
    assert db.session.get(Item, question).status == "open"


def test_decline_needs_an_explanation(board, make_meeting, raise_item):
    meeting = make_meeting()
    suggestion = raise_item(meeting, text="建议取消夜班", kind="suggestion")
    empty = board.post(f"/items/{suggestion}/decline", json={"explanation": ""})
    assert empty.status_code == 400 and error_message(empty) == "请填写不采纳的论证说明。"
    response = board.post(f"/items/{suggestion}/decline", json={"explanation": "生产组织需要三班倒，已当面说明。"})
    assert response.status_code == 200
    item = db.session.get(Item, suggestion)
    assert (item.status, item.outcome_note) == ("declined", "生产组织需要三班倒，已当面说明。")


def test_merge_moves_votes_to_the_target(api, board, make_meeting, raise_item):
    meeting = make_meeting()
    target, duplicate = raise_item(meeting, text="班车太少"), raise_item(meeting, text="班车不够坐")
    voter = api().post(f"/join/{meeting.join_code}", json={"name": "吴敏"}).get_json()["participant_token"]
    api(voter).post(f"/items/{duplicate}/vote")
    api(voter).post(f"/items/{target}/vote")

    response = board.post(f"/items/{duplicate}/merge", json={"target_id": target})
    assert response.status_code == 200
    assert response.get_json()["status"] == "merged" and response.get_json()["merged_into_seq"] == 1
    assert db.session.get(Item, target).votes == 2
    self_merge = board.post(f"/items/{target}/merge", json={"target_id": target})
    assert self_merge.status_code == 400 and error_message(self_merge) == "请选择同一场慧谈中的另一条事项。"


def test_merge_into_another_meetings_item_is_refused(board, make_meeting, raise_item):
    meeting, other = make_meeting(), make_meeting()
    item_id, foreign = raise_item(meeting), raise_item(other)
    response = board.post(f"/items/{item_id}/merge", json={"target_id": foreign})
    assert response.status_code == 400 and error_message(response) == "请选择同一场慧谈中的另一条事项。"
    assert db.session.get(Item, item_id).status == "open"


def test_hide_keeps_the_reason_in_the_audit_trail(api, board, make_meeting, raise_item, make_user):
    meeting = make_meeting()
    item_id = raise_item(meeting, text="卖保险，加微信")
    empty = board.post(f"/items/{item_id}/hide", json={"reason": " "})
    assert empty.status_code == 400 and error_message(empty) == "请填写隐藏原因。"
    response = board.post(f"/items/{item_id}/hide", json={"reason": "广告，与慧谈无关"})
    assert response.status_code == 200
    assert audit_trail(item_id)[-1] == ("hidden", "广告，与慧谈无关")

    phone = api().post(f"/join/{meeting.join_code}", json={"name": "郑华"}).get_json()["participant_token"]
    public = api(phone).get(f"/meetings/{meeting.id}/items").get_json()["items"]
    assert [(i["status"], i["text"], i["outcome_note"]) for i in public] == [("hidden", "", None)]
    staff = api(make_user("organizer")).get(f"/meetings/{meeting.id}/items").get_json()["items"]
    assert [(i["text"], i["outcome_note"]) for i in staff] == [("卖保险，加微信", "广告，与慧谈无关")]


def test_only_the_chair_may_act_on_a_meetings_items(api, make_meeting, raise_item, make_user, department):
    from facilitation.people.services import assign_tier_lead
    meeting = make_meeting()
    item_id = raise_item(meeting)
    other_lead = make_user("lead", username="lead-party")
    assign_tier_lead(Tier.query.filter_by(code="party_member").one(), other_lead)
    db.session.commit()

    for user in (other_lead, make_user("viewer"), make_user("handler")):
        response = api(user).post(f"/items/{item_id}/answer", json={"answer": "越权答复"})
        assert response.status_code == 403, user.role
    refused = api(other_lead).post(f"/items/{item_id}/transfer", json={"department_id": department.id,
                                                                       "due_date": due()})
    assert refused.status_code == 403 and error_message(refused) == "只有组织者或本场牵头人可以处理事项。"
    assert api().post(f"/items/{item_id}/hide", json={"reason": "x"}).status_code == 401
    assert db.session.get(Item, item_id).status == "open" and Slip.query.count() == 0


def test_participant_token_cannot_act_on_items(api, make_meeting, raise_item):
    meeting = make_meeting()
    item_id = raise_item(meeting)
    token = api().post(f"/join/{meeting.join_code}", json={"name": "冯刚"}).get_json()["participant_token"]
    assert api(token).post(f"/items/{item_id}/answer", json={"answer": "自问自答"}).status_code == 401
    assert db.session.get(Item, item_id).status == "open"


# ------------------------------------------------------------------ closing

def test_close_is_refused_while_items_have_no_outcome(board, make_meeting, raise_item):
    meeting = make_meeting()
    answered, open_one, open_two = raise_item(meeting), raise_item(meeting, text="第二条"), raise_item(meeting, text="第三条")
    board.post(f"/items/{answered}/answer", json={"answer": "已答复"})

    response = board.post(f"/meetings/{meeting.id}/close")
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "items_without_outcome"
    assert error["message"] == "还有 2 条事项没有处理结果，不能结束。"
    assert [(i["id"], i["seq"], i["text"]) for i in error["details"]["items"]] == [
        (open_one, 2, "第二条"), (open_two, 3, "第三条")]
    db.session.refresh(meeting)
    assert meeting.status == "live"

    board.post(f"/items/{open_one}/answer", json={"answer": "好"})
    board.post(f"/items/{open_two}/hide", json={"reason": "重复"})
    closed = board.post(f"/meetings/{meeting.id}/close")
    assert closed.status_code == 200 and closed.get_json()["status"] == "closed"


def test_a_closed_meeting_is_locked(api, board, make_meeting, raise_item, department):
    meeting = make_meeting()
    item_id = raise_item(meeting, kind="suggestion")
    token = api().post(f"/join/{meeting.join_code}", json={"name": "陈立"}).get_json()["participant_token"]
    board.post(f"/items/{item_id}/answer", json={"answer": "已答复"})
    assert board.post(f"/meetings/{meeting.id}/close").status_code == 200

    locked = "这场慧谈已经结束，不能再提交或修改事项。"
    attempts = [
        api(token).post(f"/meetings/{meeting.id}/items", json={
            "client_id": uuid.uuid4().hex, "kind": "question", "text": "会后补充", "anonymity": "named"}),
        api(token).post(f"/items/{item_id}/vote"),
        board.post(f"/items/{item_id}/hide", json={"reason": "改主意了"}),
        board.post(f"/items/{item_id}/decline", json={"explanation": "改主意了"}),
        board.post(f"/items/{item_id}/transfer", json={"department_id": department.id, "due_date": due()}),
    ]
    for response in attempts:
        assert response.status_code == 409 and error_message(response) == locked
    again = board.post(f"/meetings/{meeting.id}/close")
    assert again.status_code == 409 and error_message(again) == "这场慧谈已经结束。"
    item = db.session.get(Item, item_id)
    assert (item.status, item.votes, Item.query.count(), Slip.query.count()) == ("answered", 0, 1, 0)
