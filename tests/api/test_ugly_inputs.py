"""Inputs found by a review after the Schemathesis run: each used to answer 500; now a clear 4xx
in Chinese, and nothing is stored."""
import re

from facilitation.extensions import db
from facilitation.scheduling.models import Meeting

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def chinese_error(response, status=400):
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    message = response.get_json()["error"]["message"]
    assert CHINESE.search(message), message
    return response.get_json()["error"]


def accepted_slip(make_user, make_meeting, lead_user, make_department, client_id):
    """A meeting item handed to 后勤管理部 and signed for by its handler: (slip, handler, department)."""
    from datetime import timedelta
    from facilitation.live.services import join_meeting, submit_item, transfer_item
    from facilitation.slips.services import accept_slip
    from facilitation.timeutil import local_today
    department = make_department("后勤管理部")
    handler = make_user("handler", department=department)
    meeting = make_meeting()
    participant = join_meeting(meeting.join_code, name="李明")
    item, _ = submit_item(meeting, client_id=client_id, kind="demand", text="澡堂热水不够", participant=participant)
    slip = transfer_item(lead_user, item, department.id, local_today() + timedelta(days=3))
    accept_slip(handler, slip)
    return slip, handler, department


def test_a_lone_surrogate_in_json_is_refused_before_any_view(client, api, make_user, tier):
    organizer = make_user("organizer")
    token = api(organizer).token
    body = '{"tier_id": %d, "title": "\\ud800", "starts_at": "2027-01-05T15:00"}' % tier.id
    response = client.post("/api/v1/meetings", data=body, content_type="application/json",
                           headers={"Authorization": f"Bearer {token}"})
    assert chinese_error(response)["code"] == "nul_byte"
    follow = client.post("/api/v1/slips/1/feedback", data='{"token": "\\udfff", "rating": "satisfied"}',
                         content_type="application/json")
    assert follow.status_code == 400
    assert Meeting.query.count() == 0


def test_meetings_far_in_the_past_or_future_are_refused(api, make_user, tier, lead_user, make_meeting):
    organizer = make_user("organizer")
    for starts_at in ("9999-12-31T15:00", "0001-01-01T00:00", "1900-01-01T09:00"):
        response = api(organizer).post("/meetings", {"tier_id": tier.id, "title": "十二月职工层级慧谈",
                                                     "starts_at": starts_at})
        chinese_error(response)
    meeting = make_meeting("planned")
    chinese_error(api(organizer).patch(f"/meetings/{meeting.id}", {"ends_at": "9999-12-31T23:59"}))
    assert Meeting.query.count() == 1


def test_an_extension_decision_note_must_be_text(api, make_user, make_meeting, lead_user, make_department):
    from datetime import timedelta
    from facilitation.slips.services import request_extension
    from facilitation.timeutil import local_today
    slip, handler, _department = accepted_slip(make_user, make_meeting, lead_user, make_department,
                                               "ugly-extension-01")
    request_extension(handler, slip, local_today() + timedelta(days=8), "需要采购配件")
    db.session.commit()
    for note in (5, ["x"], {"a": 1}):
        chinese_error(api(lead_user).post(f"/slips/{slip.id}/extension/approve", {"note": note}))
    db.session.expire_all()
    assert slip.pending_extension is not None and slip.due_date == local_today() + timedelta(days=3)


def test_the_ledger_refuses_dates_out_of_range(client, login_as, make_user):
    login_as(make_user("organizer"))
    for query in ("end=9999-12-31", "start=0001-01-01"):
        response = client.get(f"/slips/ledger.xlsx?{query}", follow_redirects=True)
        assert response.status_code == 200 and "日期应在 2000 年到 2100 年之间" in response.get_data(as_text=True)


def test_invisible_direction_controls_never_reach_the_pages(make_user, make_meeting, lead_user, make_department):
    """U+202E reorders what staff read ("abc‮gnp.exe" shows as "abcexe.png"): dropped from every
    kind of text a person types, not only item texts."""
    from facilitation.accounts.services import update_user
    from facilitation.people.roster import _cell_text
    from facilitation.slips.services import close_slip, rate_slip, reply_slip
    slip, handler, department = accepted_slip(make_user, make_meeting, lead_user, make_department,
                                              "bidi-controls-01")
    reply_slip(handler, slip, "已维修", "后勤管理办法")
    rate_slip(slip, "dissatisfied", "答复\u202eexe.gnp")
    close_slip(lead_user, slip, "已说明\u202e原因")
    update_user(handler, display_name="孙\u202e后勤", role="handler", department=department)
    db.session.commit()
    assert slip.rating_comment == "答复exe.gnp" and slip.close_note == "已说明原因"
    assert handler.display_name == "孙后勤"
    assert _cell_text("张\u202e三") == "张三" and _cell_text("李\x01四") == "李四" and _cell_text("王\u200f五") == "王五"
