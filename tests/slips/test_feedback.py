"""The submitter's side: the personal follow link, rating the reply (only with the submitter's
token, only once replied, a second rating replaces the first), dissatisfied going back to the
supervisor, and the two-week follow-up question."""
from datetime import timedelta

import pytest

from facilitation.audit.models import AuditEvent
from facilitation.slips.models import Notification
from facilitation.timeutil import utcnow


def test_feedback_only_with_the_submitters_token(world, api):
    slip = world.advance(world.new_slip(), "replied")
    stranger = world.new_slip(text="别人的事项", name="李四")
    token = slip.item.follow_token
    attempts = {
        "no token": api(None).post(f"/slips/{slip.id}/feedback", json={"rating": "dissatisfied"}),
        "wrong token": api(None).post(f"/slips/{slip.id}/feedback",
                                      json={"rating": "dissatisfied", "token": "x" * 32}),
        "another item's token": api(None).post(f"/slips/{slip.id}/feedback",
                                               json={"rating": "dissatisfied", "token": stranger.item.follow_token}),
        "another participant": api(stranger.participant_token).post(f"/slips/{slip.id}/feedback",
                                                                    json={"rating": "dissatisfied"}),
        "the supervisor": api(world.lead).post(f"/slips/{slip.id}/feedback", json={"rating": "dissatisfied"}),
        "an organizer": api(world.organizer).post(f"/slips/{slip.id}/feedback", json={"rating": "dissatisfied"}),
    }
    for who, response in attempts.items():
        assert response.status_code == 403, who
        assert response.get_json()["error"]["code"] == "not_submitter", who
        assert "本人" in response.get_json()["error"]["message"]
    assert world.reload(slip).rating is None
    # the follow token works in the body or as a bearer token
    assert api(None).post(f"/slips/{slip.id}/feedback", json={"rating": "basically_satisfied",
                                                              "token": token}).status_code == 200
    assert api(token).post(f"/slips/{slip.id}/feedback", json={"rating": "dissatisfied"}).status_code == 200
    assert world.reload(slip).rating == "dissatisfied"


def test_feedback_only_once_replied(world, api):
    slip = world.new_slip()
    for state in ("issued", "accepted"):
        if state == "accepted":
            world.advance(slip, "accepted")
        response = api(slip.participant_token).post(f"/slips/{slip.id}/feedback", json={"rating": "satisfied"})
        assert response.status_code == 409, state
        assert "还没有答复" in response.get_json()["error"]["message"]
        assert world.reload(slip).rating is None


@pytest.mark.parametrize("body", [{"rating": "很好"}, {"rating": None}, {}, {"rating": "satisfied", "comment": 5},
                                  {"rating": "satisfied", "comment": "长" * 1001}])
def test_feedback_bad_input(world, api, body):
    slip = world.advance(world.new_slip(), "replied")
    response = api(slip.participant_token).post(f"/slips/{slip.id}/feedback", json=body)
    assert response.status_code == 400
    slip = world.reload(slip)
    assert (slip.rating, slip.status) == (None, "replied")


def test_second_rating_replaces_the_first_and_satisfied_closes(world, api):
    slip = world.advance(world.new_slip(), "replied")
    submitter = api(slip.participant_token)
    first = submitter.post(f"/slips/{slip.id}/feedback", json={"rating": "dissatisfied", "comment": "夜班还是凉的"})
    assert first.get_json()["slip"]["status"] == "replied"
    second = submitter.post(f"/slips/{slip.id}/feedback", json={"rating": "satisfied", "comment": "现在热了"})
    assert second.status_code == 200 and second.get_json()["slip"]["status"] == "closed"
    slip = world.reload(slip)
    assert (slip.rating, slip.rating_comment) == ("satisfied", "现在热了")
    assert slip.closed_at is not None
    texts = [e.text for e in AuditEvent.query.filter_by(entity="slip", entity_id=slip.id, action="rate")
             .order_by(AuditEvent.id)]
    assert texts == ["不满意：夜班还是凉的", "不满意 → 满意：现在热了"]
    auto = AuditEvent.query.filter_by(entity="slip", entity_id=slip.id, action="auto_close").one()
    assert (auto.from_state, auto.to_state, auto.actor_user_id, auto.actor_label) == (
        "replied", "closed", None, "system")


def test_dissatisfied_reaches_the_supervisors_inbox(world, api, logged_in):
    slip = world.advance(world.new_slip(), "closed")
    response = api(slip.participant_token).post(f"/slips/{slip.id}/feedback",
                                                json={"rating": "dissatisfied", "comment": "问题没解决"})
    assert response.status_code == 200
    notes = Notification.query.filter_by(user_id=world.lead.id, kind="dissatisfied").all()
    assert len(notes) == 1 and notes[0].slip_id == slip.id
    assert Notification.query.filter_by(kind="dissatisfied").count() == 1  # nobody else
    inbox = logged_in(world.lead).get("/inbox").get_data(as_text=True)
    assert f"{slip.number}：职工对答复不满意" in inbox
    page = logged_in(world.lead).get(f"/slips/{slip.id}").get_data(as_text=True)
    assert "不满意" in page and "问题没解决" in page and 'value="reopen"' in page


def test_follow_page_shows_progress_and_takes_the_rating(world, client):
    slip = world.new_slip(text="更衣室柜子不够用")
    token = slip.item.follow_token
    page = client.get(f"/f/{token}").get_data(as_text=True)
    assert "更衣室柜子不够用" in page and slip.number in page and "后勤管理部" in page
    assert "您对答复是否满意" not in page  # nothing to rate yet
    assert client.post(f"/f/{token}", data={"fb-rating": "satisfied"}).status_code in (200, 302)
    assert world.reload(slip).rating is None

    world.advance(slip, "replied")
    page = client.get(f"/f/{token}").get_data(as_text=True)
    assert "已更换保温餐箱" in page and "您对答复是否满意" in page
    response = client.post(f"/f/{token}", data={"fb-rating": "basically_satisfied", "fb-comment": "基本可以"},
                           follow_redirects=True)
    assert "感谢您的评价" in response.get_data(as_text=True)
    slip = world.reload(slip)
    assert (slip.rating, slip.rating_comment, slip.status) == ("basically_satisfied", "基本可以", "replied")
    assert "您的评价：基本满意" in client.get(f"/f/{token}").get_data(as_text=True)
    assert client.get("/f/" + "y" * 32).status_code == 404
    assert client.get("/f/short").status_code == 404


def test_two_weeks_after_closing_the_link_asks_once_more(world, client, clock, logged_in):
    slip = world.advance(world.new_slip(), "closed")
    token = slip.item.follow_token
    assert "这件事真的解决了吗" not in client.get(f"/f/{token}").get_data(as_text=True)
    response = client.post(f"/f/{token}", data={"fu-answer": "not_solved"}, follow_redirects=True)
    assert "现在不需要回访确认" in response.get_data(as_text=True)
    assert world.reload(slip).followup_answer is None

    clock.set(utcnow() + timedelta(days=14, minutes=1))
    page = client.get(f"/f/{token}").get_data(as_text=True)
    assert "这件事真的解决了吗" in page
    response = client.post(f"/f/{token}", data={"fu-answer": "not_solved"}, follow_redirects=True)
    assert "感谢您的回访确认" in response.get_data(as_text=True)
    slip = world.reload(slip)
    assert slip.followup_answer == "not_solved"
    note = Notification.query.filter_by(user_id=world.lead.id, kind="followup_not_solved").one()
    assert "仍未解决" in note.text
    # asked once: the question is gone and a second answer changes nothing
    assert "这件事真的解决了吗" not in client.get(f"/f/{token}").get_data(as_text=True)
    client.post(f"/f/{token}", data={"fu-answer": "solved"})
    assert world.reload(slip).followup_answer == "not_solved"
    assert "仍未解决" in logged_in(world.lead).get(f"/slips/{slip.id}").get_data(as_text=True)


def test_followup_solved_notifies_nobody(world, client, clock):
    slip = world.advance(world.new_slip(), "closed")
    clock.set(utcnow() + timedelta(days=15))
    client.post(f"/f/{slip.item.follow_token}", data={"fu-answer": "solved"})
    assert world.reload(slip).followup_answer == "solved"
    assert Notification.query.filter_by(kind="followup_not_solved").count() == 0


def test_anonymous_submitter_rates_with_the_phone_token(world, api):
    slip = world.advance(world.new_slip(anonymity="anonymous", name="周匿名"), "replied")
    assert slip.item.follow_token
    response = api(slip.participant_token).post(f"/slips/{slip.id}/feedback", json={"rating": "satisfied"})
    assert response.status_code == 200 and world.reload(slip).status == "closed"


def test_a_non_ascii_follow_token_is_403_not_500(world, client):
    slip = world.new_slip()
    world.advance(slip, "replied")
    response = client.post(f"/api/v1/slips/{slip.id}/feedback", json={"rating": "satisfied", "token": "令牌"})
    assert response.status_code == 403
