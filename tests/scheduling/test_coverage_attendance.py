"""Coverage (API, dashboard tile, tier page, monthly report) and attendance (phones, marks by the
organizer, departments invited to attend and the −1 that follows their record)."""
from datetime import datetime

import pytest

from facilitation.extensions import db
from facilitation.scheduling.models import Participant
from facilitation.scheduling.services import close_meeting, start_meeting
from facilitation.timeutil import SHANGHAI


def hold(organizer, meeting, people, phones=True):
    """Start, attend (from phones or marked), close."""
    from facilitation.live.services import join_meeting
    from facilitation.scheduling.services import mark_attendance
    start_meeting(organizer, meeting)
    for person in people:
        if phones:
            join_meeting(meeting.join_code, person.employee_no)
        else:
            participant = Participant(meeting=meeting, person=person, source="invited")
            db.session.add(participant)
            db.session.flush()
            mark_attendance(organizer, meeting, participant.id, True)
    close_meeting(organizer, meeting)
    db.session.commit()


def test_coverage_api_counts_closed_meetings_of_the_year(api, organizer, lead_user, make_regular, make_roster,
                                                         tier):
    people = make_roster(tier, 10, inactive=(9,))
    hold(organizer, make_regular(starts_at=datetime(2030, 2, 6, 15, tzinfo=SHANGHAI)), people[:3])
    hold(organizer, make_regular(starts_at=datetime(2030, 4, 9, 15, tzinfo=SHANGHAI)), people[2:5], phones=False)
    hold(organizer, make_regular(starts_at=datetime(2029, 12, 4, 15, tzinfo=SHANGHAI)), people[5:7])  # last year
    still_live = make_regular(starts_at=datetime(2030, 5, 7, 15, tzinfo=SHANGHAI))
    start_meeting(organizer, still_live)
    from facilitation.live.services import join_meeting
    join_meeting(still_live.join_code, people[7].employee_no)  # not closed: not covered yet
    hold(organizer, make_regular(starts_at=datetime(2030, 6, 4, 15, tzinfo=SHANGHAI)), [people[9]])  # inactive
    body = api(lead_user).get(f"/tiers/{tier.id}/coverage?year=2030").get_json()
    assert body["active"] == 9 and body["covered"] == 5 and body["share"] == pytest.approx(5 / 9, abs=1e-4)
    assert [p["person_id"] for p in body["never"]] == [p.id for p in people[5:9]]
    assert body["never"][0] == {"person_id": people[5].id, "name": people[5].name}
    assert body["months"][0] == 0 and body["months"][1] == pytest.approx(3 / 9, abs=1e-4)
    assert body["months"][3] == body["months"][11] == pytest.approx(5 / 9, abs=1e-4)
    last_year = api(lead_user).get(f"/tiers/{tier.id}/coverage?year=2029").get_json()
    assert last_year["covered"] == 2
    assert api(lead_user).get(f"/tiers/{tier.id}/coverage?year=30000").status_code == 400
    assert api(lead_user).get("/tiers/987654/coverage").status_code == 404
    empty = api(lead_user).get(f"/tiers/{tier.id}/coverage?year=2031").get_json()
    assert empty["covered"] == 0 and len(empty["never"]) == 9


def test_the_monthly_report_and_the_dashboard_use_the_same_coverage(client, login_as, organizer, lead_user,
                                                                      make_regular, make_roster, tier, make_user):
    from facilitation.reports.queries import monthly_figures
    from facilitation.scheduling.queries import coverage_by_tier
    from facilitation.timeutil import local_today
    people = make_roster(tier, 8)
    today = local_today()
    hold(organizer, make_regular(starts_at=datetime(today.year, today.month, 1, 8, tzinfo=SHANGHAI)), people[:2])
    figures = monthly_figures(today.year, today.month)
    row = next(t for t in figures["tiers"] if t["tier_id"] == tier.id)
    shared = coverage_by_tier(today.year)[tier.id]
    assert (row["attended_year"], row["roster"], row["coverage_year"]) == (2, 8, 25.0)
    assert shared["covered"] == 2 and shared["share"] == 0.25
    login_as(make_user("viewer"))
    home = client.get("/").get_data(as_text=True)
    assert "覆盖情况" in home and "已覆盖 2 / 8 人" in home and 'class="spark"' in home
    assert "谁还没参加" not in home  # names of who was not heard: organizers and leads only
    login_as(lead_user)
    home = client.get("/").get_data(as_text=True)
    assert "谁还没参加" in home
    page = client.get(f"/tiers/{tier.id}/coverage").get_data(as_text=True)
    assert "本年尚未参加的在岗职工（6 人）" in page and people[7].name in page and people[0].name not in page


def test_attendance_marked_by_the_organizer_counts_toward_the_cap(organizer, make_regular, make_roster, tier,
                                                                  client, login_as):
    from facilitation.errors import Conflict
    from facilitation.scheduling.services import mark_attendance, set_participants
    people = make_roster(tier, 3)
    meeting = make_regular(max_participants=2)
    set_participants(organizer, meeting, [p.id for p in people[:2]])
    db.session.commit()
    login_as(organizer)
    invited = meeting.invited
    early = client.post(f"/meetings/{meeting.id}/attendance", data={"participant_id": invited[0].id, "present": "1"},
                        follow_redirects=True).get_data(as_text=True)
    assert "慧谈开始后才能登记到会情况" in early
    start_meeting(organizer, meeting)
    db.session.commit()
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "登记到会（无手机）" in page
    done = client.post(f"/meetings/{meeting.id}/attendance", data={"participant_id": invited[0].id, "present": "1"},
                       follow_redirects=True).get_data(as_text=True)
    assert "已登记到会情况" in done and "已到（登记）" in done
    from facilitation.live.services import join_meeting
    join_meeting(meeting.join_code, people[1].employee_no)
    db.session.commit()
    # full now: a third person cannot be marked, and a phone join cannot be undone here
    extra = Participant(meeting=meeting, person=people[2], source="walk_in")
    db.session.add(extra)
    db.session.commit()
    with pytest.raises(Conflict):
        mark_attendance(organizer, meeting, extra.id, True)
    db.session.rollback()
    phone = next(p for p in meeting.participants if p.person_id == people[1].id)
    with pytest.raises(Conflict):
        mark_attendance(organizer, meeting, phone.id, False)
    db.session.rollback()
    undo = client.post(f"/meetings/{meeting.id}/attendance", data={"participant_id": invited[0].id, "present": "0"},
                       follow_redirects=True)
    assert undo.status_code == 200
    db.session.expire_all()
    assert Participant.query.filter(Participant.meeting_id == meeting.id, Participant.joined_at.isnot(None)).count() == 1
    # after the session the clerk completes the record from the sign-in sheet, until the minutes are out
    from facilitation.minutes.services import get_minutes
    from facilitation.scheduling.services import close_meeting
    close_meeting(organizer, meeting)
    mark_attendance(organizer, meeting, invited[0].id, True)
    db.session.commit()
    assert invited[0].joined_at == meeting.starts_at
    get_minutes(meeting).status = "published"
    db.session.commit()
    locked = client.post(f"/meetings/{meeting.id}/attendance", data={"participant_id": invited[0].id, "present": "0"},
                         follow_redirects=True).get_data(as_text=True)
    assert "会议纪要已发布" in locked
    db.session.expire_all()
    assert db.session.get(Participant, invited[0].id).joined_at is not None


def test_departments_record_whom_they_sent_and_the_absence_deducts_once(organizer, make_regular, make_department,
                                                                        client, login_as, make_user):
    from facilitation.slips.models import PointEntry
    hr, canteen = make_department("人力资源部"), make_department("后勤管理部")
    meeting = make_regular(department_ids=[hr.id, canteen.id])
    start_meeting(organizer, meeting)
    db.session.commit()
    login_as(organizer)
    url = f"/meetings/{meeting.id}/departments"
    sent = client.post(url, data={"department_id": hr.id, "attendee_name": "刘干事", "sent": "1"},
                       follow_redirects=True).get_data(as_text=True)
    assert "已登记列席人员" in sent and "派 刘干事 参加" in sent
    missing_name = client.post(url, data={"department_id": hr.id, "attendee_name": "", "sent": "1"},
                               follow_redirects=True).get_data(as_text=True)
    assert "请填写科室派来参会的人员姓名" in missing_name
    absent = client.post(url, data={"department_id": canteen.id, "sent": "0"}, follow_redirects=True)
    assert "未派人（扣 1 分）" in absent.get_data(as_text=True)
    client.post(url, data={"department_id": canteen.id, "sent": "0"})  # recorded again: still once
    entries = PointEntry.query.filter_by(meeting_id=meeting.id).all()
    assert [(e.department_id, e.reason, e.points) for e in entries] == [(canteen.id, "absent", -1)]
    # the record is corrected: somebody came after all; the deduction follows the record
    client.post(url, data={"department_id": canteen.id, "attendee_name": "赵主任", "sent": "1"})
    # (withdrawn, not deleted: the ledger shows it was booked and why it was taken back)
    assert [(e.points, e.reversed_at is not None) for e in PointEntry.query.filter_by(meeting_id=meeting.id)] == \
        [(-1, True)]
    other = make_department("工会")
    not_invited = client.post(url, data={"department_id": other.id, "sent": "0"}, follow_redirects=True)
    assert "没有被邀请列席" in not_invited.get_data(as_text=True)
    login_as(make_user("lead"))
    assert client.post(url, data={"department_id": hr.id, "sent": "0"}).status_code == 403


def test_focus_marks_only_for_organizers_and_the_meetings_lead(client, login_as, organizer, lead_user, make_user,
                                                               make_regular, make_roster, tier):
    from facilitation.scheduling.services import set_participants
    people = make_roster(tier, 3, focus=(1,))
    meeting = make_regular()
    set_participants(organizer, meeting, [p.id for p in people])
    db.session.commit()
    for user, sees in ((organizer, True), (lead_user, True), (make_user("viewer"), False),
                       (make_user("handler"), False), (make_user("lead", display_name="别的牵头人"), False)):
        login_as(user)
        page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
        assert people[1].name in page
        assert ("badge-focus" in page) == sees, user.role
        assert ("近期违章" in page) == sees, user.role
