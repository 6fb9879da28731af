"""The proposal, the invitation list and its approval over the API; invitations after approval."""
import io
import re
from datetime import datetime

import pytest
from pypdf import PdfReader

from facilitation.extensions import db
from facilitation.scheduling.models import Meeting, Participant
from facilitation.timeutil import SHANGHAI

CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def meeting(make_regular):
    return make_regular(starts_at=datetime(2030, 3, 12, 15, tzinfo=SHANGHAI))


def ids(response):
    return [p["person_id"] for p in response.get_json()["participants"]]


def test_proposal_has_exactly_the_cap_with_reasons_focus_first(api, lead_user, meeting, make_roster, tier):
    people = make_roster(tier, 30, focus=(7, 19), inactive=(3,))
    response = api(lead_user).get(f"/meetings/{meeting.id}/proposal")
    assert response.status_code == 200
    body = response.get_json()
    assert len(body["participants"]) == 10 and body["max_participants"] == 10
    assert [p["person_id"] for p in body["participants"][:2]] == [people[7].id, people[19].id] or \
        [p["person_id"] for p in body["participants"][:2]] == [people[19].id, people[7].id]
    assert body["participants"][0]["reason"].startswith("重点人员（三必谈五必访）：近期违章（三违）受处理")
    assert all(CHINESE.search(p["reason"]) for p in body["participants"])
    assert all(p["reason"] == "从未参加过慧谈" for p in body["participants"][2:])
    assert people[3].id not in ids(response)  # inactive
    assert len(body["alternates"]) == 10 and not set(ids(response)) & {a["person_id"] for a in body["alternates"]}
    # the same answer for the same data
    assert api(lead_user).get(f"/meetings/{meeting.id}/proposal").get_json() == body


def test_a_tier_smaller_than_the_cap_gets_everyone(api, organizer, meeting, make_roster, tier):
    people = make_roster(tier, 6, inactive=(5,))
    body = api(organizer).get(f"/meetings/{meeting.id}/proposal").get_json()
    assert sorted(p["person_id"] for p in body["participants"]) == sorted(p.id for p in people[:5])
    assert body["alternates"] == []


def test_people_heard_recently_wait_while_others_have_not_been(api, organizer, lead_user, make_regular,
                                                               make_roster, tier):
    people = make_roster(tier, 14)
    past = make_regular(starts_at=datetime(2030, 1, 8, 15, tzinfo=SHANGHAI))
    for person in people[:10]:
        db.session.add(Participant(meeting=past, person=person, source="invited", joined_at=past.starts_at))
    past.status = "closed"
    db.session.commit()
    meeting = make_regular(starts_at=datetime(2030, 3, 12, 15, tzinfo=SHANGHAI))
    body = api(organizer).get(f"/meetings/{meeting.id}/proposal").get_json()
    reasons = [p["reason"] for p in body["participants"]]
    assert set(ids_of(body)[:4]) == {p.id for p in people[10:]}  # the four never heard first
    assert all(r == "从未参加过慧谈" for r in reasons[:4])
    assert all(r.startswith("近 6 个月内参加过（上次 2030-01-08）") for r in reasons[4:])
    # six months later the January people are due again, the longest waiting first
    later = make_regular(starts_at=datetime(2030, 8, 12, 15, tzinfo=SHANGHAI), max_participants=4)
    body = api(organizer).get(f"/meetings/{later.id}/proposal").get_json()
    assert set(ids_of(body)) == {p.id for p in people[10:]}  # still never heard: first


def ids_of(body):
    return [p["person_id"] for p in body["participants"]]


def test_set_list_over_the_cap_other_tier_unknown_inactive(api, organizer, meeting, make_roster, tier):
    from facilitation.people.models import Tier
    people = make_roster(tier, 14, inactive=(13,))
    party = make_roster(Tier.query.filter_by(code="party_member").one(), 2, prefix="P")
    client = api(organizer)
    cases = [([p.id for p in people[:11]], "over_cap", "超过本场参会人数上限 10 人"),
             ([people[0].id, party[0].id], "other_tier", "例行慧谈只能邀请本层级职工"),
             ([people[0].id, 987654], "unknown_person", "找不到职工"),
             ([people[13].id], "inactive_person", "已不在岗"),
             (["1"], "bad_person_ids", "person_ids"),
             ([True], "bad_person_ids", "person_ids"),
             ("1,2", "bad_person_ids", "person_ids")]
    for person_ids, code, message in cases:
        response = client.client.put(f"/api/v1/meetings/{meeting.id}/participants", json={"person_ids": person_ids},
                                     headers=client._headers())
        assert response.status_code == 400, (person_ids, response.get_data(as_text=True))
        error = response.get_json()["error"]
        assert error["code"] == code and message in error["message"], error
    assert Participant.query.count() == 0


def put(api_client, meeting_id, person_ids):
    return api_client.client.put(f"/api/v1/meetings/{meeting_id}/participants", json={"person_ids": person_ids},
                                 headers=api_client._headers())


def test_list_approval_and_a_changed_list_needs_a_new_approval(api, organizer, lead_user, make_user, meeting,
                                                              make_roster, tier):
    people = make_roster(tier, 14)
    proposal = ids(api(lead_user).get(f"/meetings/{meeting.id}/proposal"))
    saved = put(api(organizer), meeting.id, proposal)
    assert saved.status_code == 200 and saved.get_json()["approved"] is False
    assert ids(saved) == proposal
    assert all(p["reason"] == "从未参加过慧谈" for p in saved.get_json()["participants"])
    # an organizer prepares, the tier's lead approves
    refused = api(organizer).post(f"/meetings/{meeting.id}/participants/approve")
    assert refused.status_code == 403
    other_lead = make_user("lead", display_name="宋玉梅")
    assert api(other_lead).post(f"/meetings/{meeting.id}/participants/approve").status_code == 403
    assert api(make_user("viewer")).post(f"/meetings/{meeting.id}/participants/approve").status_code == 403
    assert api(other_lead).get(f"/meetings/{meeting.id}/proposal").status_code == 403
    assert put(api(other_lead), meeting.id, proposal[:3]).status_code == 403
    assert db.session.get(Meeting, meeting.id).participants_approved_at is None
    approved = api(lead_user).post(f"/meetings/{meeting.id}/participants/approve")
    assert approved.status_code == 200 and approved.get_json()["approved"] is True
    assert api(lead_user).post(f"/meetings/{meeting.id}/participants/approve").status_code == 200  # replayed
    # the same list again keeps the approval; a swap loses it
    assert put(api(organizer), meeting.id, list(reversed(proposal))).get_json()["approved"] is True
    swap = proposal[:-1] + [next(p.id for p in people if p.id not in proposal)]
    changed = put(api(lead_user), meeting.id, swap)
    assert changed.get_json()["approved"] is False
    db.session.expire_all()
    stored = db.session.get(Meeting, meeting.id)
    assert stored.participants_approved_at is None
    # the seats approved before keep their mark (the door keeps to them until a new approval)
    assert {p.person_id for p in stored.invited if p.approved_at is not None} == set(swap[:-1])
    assert sorted(p.person_id for p in stored.invited) == sorted(swap)
    assert api(lead_user).get(f"/meetings/{meeting.id}/participants").get_json()["approved"] is False
    # an admin may approve too
    assert api(make_user("admin")).post(f"/meetings/{meeting.id}/participants/approve").get_json()["approved"]


def test_empty_list_cannot_be_approved_and_closed_meetings_are_locked(api, lead_user, meeting, make_roster, tier):
    people = make_roster(tier, 3)
    response = api(lead_user).post(f"/meetings/{meeting.id}/participants/approve")
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "empty_list"
    meeting.status = "closed"
    db.session.commit()
    locked = put(api(lead_user), meeting.id, [people[0].id])
    assert locked.status_code == 409 and "已结束或已取消" in locked.get_json()["error"]["message"]


def test_special_sessions_take_people_across_tiers_by_roster_filters(api, organizer, make_user, make_roster, tier):
    from facilitation.people.models import Tier
    party = Tier.query.filter_by(code="party_member").one()
    staff = make_roster(tier, 6)
    members = make_roster(party, 4, prefix="P")
    staff[1].post = members[2].post = "见习技术员"
    db.session.commit()
    chair = make_user("lead", display_name="袁德胜")
    created = api(organizer).post("/meetings", json={
        "title": "新入职大学生职业发展专题慧谈", "kind": "topic", "starts_at": "2030-04-09T09:00",
        "location": "职工之家", "lead_user_id": chair.id, "max_participants": 12})
    assert created.status_code == 201 and created.get_json()["lead_user_id"] == chair.id
    meeting_id = created.get_json()["id"]
    filtered = api(chair).get(f"/meetings/{meeting_id}/proposal?q=见习")
    assert sorted(ids(filtered)) == sorted([staff[1].id, members[2].id])
    everyone = api(organizer).get(f"/meetings/{meeting_id}/proposal")
    assert len(ids(everyone)) == 10  # both tiers, all active
    saved = put(api(organizer), meeting_id, [staff[1].id, members[2].id])
    assert saved.status_code == 200 and len(ids(saved)) == 2
    # the chair (no tier) approves
    assert api(chair).post(f"/meetings/{meeting_id}/participants/approve").get_json()["approved"] is True
    bad = api(organizer).get(f"/meetings/{meeting_id}/proposal?gender=other")
    assert bad.status_code == 400


def test_online_sessions_carry_a_video_link(api, organizer, lead_user, tier):
    response = api(organizer).post("/meetings", json={
        "title": "新疆矿区云上慧谈", "kind": "online", "tier_id": tier.id, "starts_at": "2030-04-10T19:00",
        "video_url": "https://meeting.example.cn/j/8261", "max_participants": 30})
    assert response.status_code == 201
    body = response.get_json()
    assert body["video_url"] == "https://meeting.example.cn/j/8261" and body["max_participants"] == 30
    assert body["allow_guests"] is True  # special sessions admit guests by default
    no_link = api(organizer).post("/meetings", json={"title": "云上慧谈", "kind": "online", "tier_id": tier.id,
                                                     "starts_at": "2030-04-11T19:00"})
    assert no_link.status_code == 400 and "视频会议链接" in no_link.get_json()["error"]["message"]


def test_max_participants_bounds_and_cap_below_the_list(api, organizer, lead_user, meeting, make_roster, tier,
                                                        client, login_as):
    big = api(organizer).post("/meetings", json={"title": "职工代表大会专题慧谈", "kind": "topic", "tier_id": tier.id,
                                                 "starts_at": "2030-05-20T09:00", "max_participants": 1000})
    assert big.status_code == 201 and big.get_json()["max_participants"] == 1000
    default = db.session.get(Meeting, meeting.id)
    assert default.max_participants == 10 and default.allow_guests is False  # regular: list only
    people = make_roster(tier, 5)
    put(api(organizer), meeting.id, [p.id for p in people])
    login_as(organizer)
    response = client.post(f"/meetings/{meeting.id}/edit", data={
        "title": meeting.title, "kind": "regular", "tier_id": str(tier.id), "lead_user_id": "0",
        "starts_at": "2030-03-12T15:00", "location": meeting.location, "max_participants": "3"})
    assert response.status_code == 400 and "名单上已有 5 人" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).max_participants == 10


def test_invitations_only_after_approval(api, organizer, lead_user, meeting, make_roster, make_department, tier,
                                         client, login_as, app):
    app.config["PDF_INLINE"] = True
    people = make_roster(tier, 12)
    meeting.invited_departments  # noqa: B018 (load)
    from facilitation.scheduling.services import _set_departments
    _set_departments(meeting, [make_department("人力资源部").id])
    db.session.commit()
    put(api(organizer), meeting.id, [p.id for p in people[:8]])
    login_as(lead_user)
    early = client.get(f"/meetings/{meeting.id}/notice.pdf")
    assert early.status_code == 409 and "批准后才能发出通知" in early.get_data(as_text=True)
    assert client.get(f"/meetings/{meeting.id}/invite.ics").status_code == 409
    api(lead_user).post(f"/meetings/{meeting.id}/participants/approve")
    pdf = client.get(f"/meetings/{meeting.id}/notice.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.data))
    text = "".join(page.extract_text() for page in reader.pages)
    assert len(reader.pages) == 1
    for expected in ("参会通知", "2030年03月12日", "15:00", meeting.location, "韩立军", "人力资源部",
                     people[0].name, people[7].name, "参会人员（8 人）"):
        assert expected in text, expected
    assert people[8].name not in text and "重点" not in text
    ics = client.get(f"/meetings/{meeting.id}/invite.ics")
    body = ics.data.decode("utf-8")
    assert ics.mimetype == "text/calendar" and body.startswith("BEGIN:VCALENDAR\r\n")
    assert "DTSTART:20300312T070000Z" in body and "DTEND:20300312T090000Z" in body
    assert "SUMMARY:职工层级慧谈" in body and f"UID:meeting-{meeting.id}@" in body
    assert all(len(line.encode("utf-8")) <= 75 for line in body.split("\r\n"))
    unfolded = body.replace("\r\n ", "")
    assert people[0].name in unfolded and "牵头人：韩立军" in unfolded
    app.config["PDF_INLINE"] = False
