"""Conflict checks on meetings made by hand (API and form) and by the monthly plan."""
from datetime import date, datetime

import pytest

from facilitation.extensions import db
from facilitation.scheduling.models import Meeting
from facilitation.timeutil import SHANGHAI


def body(tier, **overrides):
    data = {"title": "职工层级慧谈", "kind": "regular", "tier_id": tier.id, "starts_at": "2030-12-05T15:00",
            "location": "调度楼三楼会议室"}
    data.update(overrides)
    return data


@pytest.fixture
def other_lead(make_user):
    from facilitation.people.models import Tier
    from facilitation.people.services import assign_tier_lead
    user = make_user("lead", display_name="宋玉梅")
    assign_tier_lead(Tier.query.filter_by(code="party_member").one(), user)
    db.session.commit()
    return user


def test_same_lead_same_day_is_refused_and_nothing_saved(api, organizer, lead_user, tier):
    client = api(organizer)
    assert client.post("/meetings", json=body(tier)).status_code == 201
    clash = client.post("/meetings", json=body(tier, title="第二场", starts_at="2030-12-05T19:00", location="职工之家"))
    assert clash.status_code == 409
    error = clash.get_json()["error"]
    assert error["code"] == "schedule_conflict"
    assert error["message"] == "牵头人韩立军在 2030-12-05 已有慧谈《职工层级慧谈》（15:00），同一牵头人一天只安排一场。"
    assert Meeting.query.count() == 1
    # the next day is fine, and a cancelled meeting does not block its day
    assert client.post("/meetings", json=body(tier, starts_at="2030-12-06T15:00")).status_code == 201
    first = Meeting.query.order_by(Meeting.id).first()
    first.status = "cancelled"
    db.session.commit()
    assert client.post("/meetings", json=body(tier, title="改期", starts_at="2030-12-05T09:00")).status_code == 201


def test_same_room_same_time_is_refused(api, organizer, lead_user, other_lead, tier):
    from facilitation.people.models import Tier
    party = Tier.query.filter_by(code="party_member").one()
    client = api(organizer)
    assert client.post("/meetings", json=body(tier, ends_at="2030-12-05T17:00")).status_code == 201
    clash = client.post("/meetings", json=body(party, title="党员层级慧谈", starts_at="2030-12-05T16:30",
                                               location=" 调度楼三楼会议室 "))
    assert clash.status_code == 409
    assert clash.get_json()["error"]["message"] == \
        "地点“调度楼三楼会议室”在 2030-12-05 15:00 已安排慧谈《职工层级慧谈》，请换一个时间或地点。"
    # right after it ends, or in another room, is fine; without an end a meeting holds its room 2 hours
    assert client.post("/meetings", json=body(party, title="党员层级慧谈", starts_at="2030-12-05T17:00")).status_code == 201
    assert Meeting.query.count() == 2


def test_meetings_without_an_end_hold_the_room_for_the_default_time(api, organizer, lead_user, other_lead, tier):
    from facilitation.people.models import Tier
    party = Tier.query.filter_by(code="party_member").one()
    client = api(organizer)
    client.post("/meetings", json=body(tier))
    assert client.post("/meetings", json=body(party, starts_at="2030-12-05T16:59")).status_code == 409
    assert client.post("/meetings", json=body(party, starts_at="2030-12-05T13:01")).status_code == 409
    assert client.post("/meetings", json=body(party, starts_at="2030-12-05T13:00")).status_code == 201


def test_online_meetings_without_a_room_only_have_the_lead_rule(api, organizer, lead_user, other_lead, tier):
    from facilitation.people.models import Tier
    party = Tier.query.filter_by(code="party_member").one()
    client = api(organizer)
    online = dict(kind="online", location=None, video_url="https://meeting.example.cn/j/1")
    assert client.post("/meetings", json=body(tier, **online)).status_code == 201
    assert client.post("/meetings", json=body(party, **online)).status_code == 201


def test_editing_by_hand_checks_conflicts_too(client, login_as, organizer, lead_user, make_regular, tier):
    first = make_regular(starts_at=datetime(2030, 12, 5, 15, tzinfo=SHANGHAI), location="职工之家")
    second = make_regular(starts_at=datetime(2030, 12, 8, 15, tzinfo=SHANGHAI), location="职工之家")
    login_as(organizer)
    response = client.post(f"/meetings/{second.id}/edit", data={
        "title": second.title, "kind": "regular", "tier_id": str(tier.id), "lead_user_id": "0",
        "starts_at": "2030-12-05T18:00", "location": "职工之家", "max_participants": "10"})
    assert response.status_code == 409
    assert "同一牵头人一天只安排一场" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Meeting, second.id).starts_at.astimezone(SHANGHAI).date() == date(2030, 12, 8)
    # the meeting may keep its own slot when edited
    same = client.post(f"/meetings/{first.id}/edit", data={
        "title": "改了主题", "kind": "regular", "tier_id": str(tier.id), "lead_user_id": "0",
        "starts_at": "2030-12-05T15:00", "location": "职工之家", "max_participants": "10"})
    assert same.status_code == 302
    created = client.post("/meetings/new", data={
        "title": "手工安排", "kind": "regular", "tier_id": str(tier.id), "lead_user_id": "0",
        "starts_at": "2030-12-08T09:00", "location": "党群活动室", "max_participants": "10"})
    assert created.status_code == 409 and "同一牵头人一天只安排一场" in created.get_data(as_text=True)
    assert Meeting.query.count() == 2


def test_a_meeting_without_a_chair_is_refused(api, organizer, tier, make_user):
    no_lead = api(organizer).post("/meetings", json=body(tier))
    assert no_lead.status_code == 400 and no_lead.get_json()["error"]["code"] == "lead_required"
    assert "层级“职工”还没有牵头人" in no_lead.get_json()["error"]["message"]
    chair = make_user("lead", display_name="代理牵头人")
    assert api(organizer).post("/meetings", json=body(tier, lead_user_id=chair.id)).status_code == 201


def test_slips_always_have_a_supervisor(make_user, make_meeting, lead_user, make_department):
    """A meeting whose tier lead left and that has no chair cannot issue a slip without a 督办员."""
    from datetime import timedelta
    from facilitation.errors import Conflict
    from facilitation.live.services import join_meeting, submit_item, transfer_item
    from facilitation.timeutil import local_today
    department = make_department()
    meeting = make_meeting()
    item, _ = submit_item(meeting, client_id="no-supervisor-01", kind="demand", text="更衣室没有热水",
                          participant=join_meeting(meeting.join_code, name="李师傅"))
    db.session.commit()
    lead = meeting.tier.current_lead
    lead.ended_on = local_today()
    meeting.lead_user_id = None
    db.session.commit()
    with pytest.raises(Conflict) as refused:
        transfer_item(make_user("organizer"), item, department.id, local_today() + timedelta(days=5))
    assert refused.value.code == "no_supervisor"
    db.session.rollback()


def test_cross_tier_slips_are_supervised_by_the_chair(api, organizer, make_user, make_department):
    from datetime import timedelta
    from facilitation.live.services import join_meeting, submit_item, transfer_item
    from facilitation.scheduling.services import start_meeting
    from facilitation.timeutil import local_today
    chair = make_user("lead", display_name="袁德胜")
    created = api(organizer).post("/meetings", json={"title": "安全专题慧谈", "kind": "topic", "tier_id": None,
                                                     "starts_at": "2030-12-09T09:00", "lead_user_id": chair.id})
    meeting = db.session.get(Meeting, created.get_json()["id"])
    start_meeting(organizer, meeting)
    item, _ = submit_item(meeting, client_id="cross-tier-0001", kind="demand", text="劳保鞋缺大码",
                          participant=join_meeting(meeting.join_code, name="赵师傅"))
    slip = transfer_item(chair, item, make_department().id, local_today() + timedelta(days=5))
    db.session.commit()
    assert slip.supervisor_user_id == chair.id


def test_plan_moves_around_hand_made_meetings(organizer, lead_user, make_regular, tier):
    """The preferred day of the staff tier is taken by its lead's hand-made meeting: the plan moves."""
    from facilitation.people.models import Tier
    from facilitation.scheduling.queries import working_days
    from facilitation.scheduling.plans import generate_month_plan
    for other in Tier.query.filter(Tier.id != tier.id):
        other.is_active = False
    days = working_days(2030, 6)
    preferred = days[len(days) // 2]  # where one meeting in the month would go
    make_regular(starts_at=datetime(preferred.year, preferred.month, preferred.day, 9, tzinfo=SHANGHAI),
                 location="职工之家", kind="topic", title="专题慧谈")
    created, notes, _plan = generate_month_plan(organizer, 2030, 6, today=date(2030, 5, 20))
    db.session.commit()
    assert notes == [] and len(created) == 1
    planned = created[0].starts_at.astimezone(SHANGHAI)
    assert planned.date() != preferred and planned.weekday() < 5 and abs((planned.date() - preferred).days) <= 3


def test_huge_ids_are_400_not_500(api, organizer, lead_user, tier):
    for body in ({"tier_id": 2 ** 40}, {"lead_user_id": 2 ** 40}, {"department_ids": [2 ** 40]}):
        data = {"title": "职工慧谈", "kind": "regular", "tier_id": tier.id, "starts_at": "2031-01-07T15:00"}
        data.update(body)
        response = api(organizer).post("/meetings", json=data)
        assert response.status_code == 400, (body, response.get_data(as_text=True))
