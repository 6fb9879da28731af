"""The cap and the list hold at the door: POST /join/<code> and the phone page."""
import threading
from datetime import datetime

import pytest
import requests

from facilitation.extensions import db
from facilitation.scheduling.models import Participant
from facilitation.scheduling.services import approve_participants, set_participants, start_meeting
from facilitation.timeutil import SHANGHAI


def join(api, meeting, **body):
    return api().post(f"/join/{meeting.join_code}", json=body)


def error_code(response):
    return response.get_json()["error"]["code"]


def joined_count(meeting):
    return Participant.query.filter(Participant.meeting_id == meeting.id, Participant.joined_at.isnot(None)).count()


@pytest.fixture
def live(make_regular, organizer):
    def make(**overrides):
        meeting = make_regular(**overrides)
        start_meeting(organizer, meeting)
        db.session.commit()
        return meeting
    return make


def test_without_a_list_anyone_with_a_name_up_to_the_cap(api, live, make_roster, tier):
    meeting = live(max_participants=3)
    people = make_roster(tier, 2)
    assert join(api, meeting, name="路人甲").status_code == 200
    first = join(api, meeting, employee_no=people[0].employee_no)
    assert first.status_code == 200 and first.get_json()["participant"]["is_guest"] is False
    nameless = join(api, meeting, employee_no="X-404")  # unknown 工号 and no name: who is it?
    assert nameless.status_code == 400 and error_code(nameless) == "name_required"
    assert join(api, meeting, employee_no="X-404", name="外来人员").status_code == 200  # unknown 工号: a guest
    full = join(api, meeting, name="路人乙")
    assert full.status_code == 409 and error_code(full) == "full"
    assert "已满员（上限 3 人）" in full.get_json()["error"]["message"] and "一码通" in full.get_json()["error"]["message"]
    assert join(api, meeting, employee_no=people[1].employee_no).status_code == 409
    # the same people again get a token again and are counted once
    again = join(api, meeting, employee_no=people[0].employee_no)
    assert again.status_code == 200 and again.get_json()["participant_token"]
    assert again.get_json()["participant"]["id"] == first.get_json()["participant"]["id"]
    assert join(api, meeting, name="路人甲").status_code == 200
    assert join(api, meeting, employee_no="X-404").status_code == 200
    assert joined_count(meeting) == 3
    guests = Participant.query.filter_by(meeting_id=meeting.id, is_guest=True).count()
    assert guests == 2


def test_with_an_approved_list_only_the_list_gets_in(api, live, lead_user, make_roster, tier):
    meeting = live(max_participants=4)
    people = make_roster(tier, 6)
    set_participants(lead_user, meeting, [p.id for p in people[:3]])
    db.session.commit()
    # saved but not approved yet: the door is still open
    assert join(api, meeting, employee_no=people[5].employee_no).status_code == 200
    approve_participants(lead_user, meeting)
    db.session.commit()
    for body in ({"employee_no": people[4].employee_no}, {"employee_no": "NOBODY"}, {"name": "路人甲"},
                 {"employee_no": people[4].employee_no, "name": people[4].name}):
        refused = join(api, meeting, **body)
        assert refused.status_code == 403 and error_code(refused) == "not_invited", body
        assert "不在名单中" in refused.get_json()["error"]["message"]
    assert join(api, meeting, employee_no=people[0].employee_no).status_code == 200
    # a name is not proof once the list is approved: the 工号 is asked for
    by_name = join(api, meeting, name=people[1].name)
    assert by_name.status_code == 400 and error_code(by_name) == "employee_no_required"
    assert joined_count(meeting) == 2
    assert join(api, meeting, employee_no=people[1].employee_no).status_code == 200
    assert join(api, meeting, employee_no=people[5].employee_no).status_code == 200  # joined before approval
    assert join(api, meeting, employee_no=people[2].employee_no).status_code == 200
    assert joined_count(meeting) == 4
    assert join(api, meeting, employee_no=people[0].employee_no).status_code == 200  # again: counted once
    assert joined_count(meeting) == 4


def test_a_list_changed_after_approval_admits_only_the_seats_approved_until_approved_again(
        api, live, lead_user, make_roster, tier):
    meeting = live(max_participants=4)
    people = make_roster(tier, 5)
    set_participants(lead_user, meeting, [p.id for p in people[:3]])
    approve_participants(lead_user, meeting)
    db.session.commit()
    # the list changes during the session: people[2] out, people[3] in, not yet approved again
    set_participants(lead_user, meeting, [people[0].id, people[1].id, people[3].id])
    db.session.commit()
    assert not meeting.is_list_approved
    waiting = join(api, meeting, employee_no=people[3].employee_no)
    assert waiting.status_code == 403 and "重新审核" in waiting.get_json()["error"]["message"]
    for outsider in (people[2].employee_no, people[4].employee_no):
        refused = join(api, meeting, employee_no=outsider)
        assert refused.status_code == 403 and error_code(refused) == "not_invited"
    assert join(api, meeting, name="路人甲").status_code == 403
    assert join(api, meeting, employee_no=people[0].employee_no).status_code == 200
    assert joined_count(meeting) == 1
    approve_participants(lead_user, meeting)
    db.session.commit()
    assert join(api, meeting, employee_no=people[3].employee_no).status_code == 200
    assert joined_count(meeting) == 2


def test_guests_allowed_never_take_the_seats_of_the_invited(api, live, lead_user, make_roster, tier):
    meeting = live(max_participants=3, allow_guests=True)
    people = make_roster(tier, 3)
    set_participants(lead_user, meeting, [p.id for p in people[:2]])
    approve_participants(lead_user, meeting)
    db.session.commit()
    assert join(api, meeting, name="路人甲").status_code == 200  # the one free seat
    full = join(api, meeting, name="路人乙")
    assert full.status_code == 409 and error_code(full) == "full"
    assert join(api, meeting, employee_no=people[2].employee_no).status_code == 409
    assert join(api, meeting, employee_no=people[0].employee_no).status_code == 200
    assert join(api, meeting, employee_no=people[1].employee_no).status_code == 200
    assert joined_count(meeting) == 3


def test_planned_regular_meetings_do_not_admit_guests_by_default(api, organizer, lead_user, tier):
    from facilitation.scheduling.plans import generate_month_plan
    from datetime import date
    created, _notes, _plan = generate_month_plan(organizer, 2030, 6, today=date(2030, 5, 20))
    db.session.commit()
    assert [m.allow_guests for m in created] == [False]
    hand = api(organizer).post("/meetings", json={"title": "职工慧谈", "kind": "regular", "tier_id": tier.id,
                                                  "starts_at": "2030-07-03T15:00"})
    assert hand.get_json()["allow_guests"] is False


def test_phone_page_says_why_and_points_to_the_standing_channel(client, live, lead_user, make_roster, tier):
    meeting = live(max_participants=5)
    people = make_roster(tier, 2)
    open_page = client.get(f"/j/{meeting.join_code}").get_data(as_text=True)
    assert "不在本场名单中的职工也可以加入" in open_page and "本场最多 5 人" in open_page
    assert 'id="join-turned-away"' in open_page and "一码通" in open_page
    assert "请扫描本单位张贴的“一码通”二维码提交" in open_page  # no channel URL until issue 12
    set_participants(lead_user, meeting, [people[0].id])
    approve_participants(lead_user, meeting)
    db.session.commit()
    closed_page = client.get(f"/j/{meeting.join_code}").get_data(as_text=True)
    assert "本场参会名单已由牵头人审核确定，只有名单内的职工可以加入" in closed_page


def test_phone_page_links_the_channel_when_it_exists(client, live, monkeypatch):
    meeting = live()
    monkeypatch.setattr("facilitation.live.views.standing_channel_url", lambda: "/c/DEMO01")
    page = client.get(f"/j/{meeting.join_code}").get_data(as_text=True)
    assert 'href="/c/DEMO01"' in page and "打开一码通" in page


def test_concurrent_joins_never_pass_the_cap(app, live_server, make_regular, organizer):
    """30 phones at once on the real server (SQLite write turn / PostgreSQL row lock): 10 get in."""
    meeting = make_regular(max_participants=10, starts_at=datetime(2030, 9, 3, 15, tzinfo=SHANGHAI))
    start_meeting(organizer, meeting)
    db.session.commit()
    url = f"{live_server.url}/api/v1/join/{meeting.join_code}"
    statuses = []
    lock = threading.Lock()
    barrier = threading.Barrier(30)

    def phone(index):
        barrier.wait()
        response = requests.post(url, json={"name": f"职工{index:02d}"}, timeout=30)
        with lock:
            statuses.append(response.status_code)

    threads = [threading.Thread(target=phone, args=(i,)) for i in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    db.session.expire_all()
    assert sorted(statuses) == [200] * 10 + [409] * 20
    assert joined_count(meeting) == 10
