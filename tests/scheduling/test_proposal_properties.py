"""Property tests of the proposal (Hypothesis): the pure ranking on generated rosters, and the
database path (GET /meetings/<id>/proposal) on generated rosters of two tiers."""
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from facilitation.extensions import db
from facilitation.scheduling.proposal import BOOKED, FOCUS, NEVER, RECENT, WAITING, Candidate, rank_candidates

ON_DAY = date(2027, 6, 15)
CUTOFF = date(2026, 12, 15)  # six months before ON_DAY


@st.composite
def candidates(draw, max_size=60):
    size = draw(st.integers(min_value=0, max_value=max_size))
    people = []
    for person_id in range(1, size + 1):
        last = draw(st.one_of(st.none(), st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 6, 14))))
        is_focus = draw(st.integers(0, 5)) == 0
        is_booked = draw(st.integers(0, 6)) == 0
        people.append(Candidate(
            person_id=person_id, name=f"职工{person_id}",
            unit=draw(st.sampled_from(["综采一区", "掘进一区", "机电工区", None])),
            post=draw(st.sampled_from(["支架工", "电钳工", None])),
            gender=draw(st.sampled_from(["male", "male", "male", "female", None])),
            is_focus=is_focus, focus_reason="工伤复岗" if is_focus else None,
            focus_since=draw(st.one_of(st.none(), st.dates(min_value=date(2026, 1, 1), max_value=ON_DAY)))
            if is_focus else None,
            standing=draw(st.sampled_from([None, None, None, "advanced", "lagging"])),
            last_attended=last,
            booked_on=ON_DAY + timedelta(days=3) if is_booked else None))
    return people


def rank(pool, limit, **kw):
    return rank_candidates(pool, on_day=ON_DAY, limit=limit, recent_months=6, **kw)


@given(pool=candidates(), limit=st.integers(min_value=1, max_value=25), is_large=st.booleans(),
       seed=st.integers(min_value=0, max_value=10 ** 6))
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_ranking_properties(pool, limit, is_large, seed):
    picks = rank(pool, limit, is_large=is_large, seed=seed)
    ids = [p.person_id for p in picks]
    # never above the cap, exactly the cap when the pool has that many, each person once
    assert len(picks) == min(limit, len(pool))
    assert len(set(ids)) == len(ids) and set(ids) <= {c.person_id for c in pool}
    # deterministic, and independent of the order the roster comes in
    assert [p.person_id for p in rank(pool, limit, is_large=is_large, seed=seed)] == ids
    assert [p.person_id for p in rank(list(reversed(pool)), limit, is_large=is_large, seed=seed)] == ids
    # groups fill in order: focus, never heard, longest waiting, booked elsewhere, recently heard
    groups = [p.group for p in picks]
    assert groups == sorted(groups)
    left_out = {c.person_id for c in pool} - set(ids)
    by_id = {c.person_id: c for c in pool}
    worst = max(groups) if groups else None
    for person_id in left_out:
        candidate = by_id[person_id]
        # nobody left out ranks strictly before someone picked
        group = rank([candidate], 1)[0].group
        assert group >= worst, (candidate, worst)
    # nobody heard in the last 6 months while someone of the pool still waits
    if RECENT in groups:
        assert all(rank([by_id[i]], 1)[0].group == RECENT for i in left_out)
        assert all(p.candidate.last_attended >= CUTOFF for p in picks if p.group == RECENT)
    # every pick carries a Chinese reason
    assert all(p.reason and any("\u4e00" <= ch <= "\u9fff" for ch in p.reason) for p in picks)


@given(pool=candidates(max_size=40), limit=st.integers(min_value=1, max_value=12))
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_focus_persons_due_always_come_first(pool, limit):
    picks = rank(pool, limit)
    due = [c for c in pool if rank([c], 1)[0].group == FOCUS]
    picked = {p.person_id for p in picks}
    if len(due) <= limit:
        assert {c.person_id for c in due} <= picked
    else:
        assert all(p.group == FOCUS for p in picks)


def test_groups_and_reasons_on_a_known_roster():
    pool = [
        Candidate(1, "王建国", last_attended=date(2027, 5, 20)),  # heard last month
        Candidate(2, "李明", last_attended=date(2026, 8, 1)),  # waiting 10 months
        Candidate(3, "张伟"),  # never heard
        Candidate(4, "刘芳", is_focus=True, focus_reason="工伤复岗", last_attended=date(2027, 5, 20),
                  focus_since=date(2027, 6, 1)),  # heard, then flagged: due again
        Candidate(5, "陈静", is_focus=True, focus_reason="家庭困难", last_attended=date(2027, 5, 20)),
        Candidate(6, "赵磊", booked_on=date(2027, 6, 20)),
        Candidate(7, "孙勇", last_attended=date(2026, 11, 30)),  # waiting 6 months
    ]
    picks = rank(pool, 7)
    assert [(p.person_id, p.group) for p in picks] == [
        (4, FOCUS), (3, NEVER), (2, WAITING), (7, WAITING), (6, BOOKED), (5, RECENT), (1, RECENT)]
    reasons = {p.person_id: p.reason for p in picks}
    assert reasons[4] == "重点人员（三必谈五必访）：工伤复岗；2027-06-01 列为重点后尚未谈过"
    assert reasons[3] == "从未参加过慧谈"
    assert reasons[2] == "已 10 个月未参加（上次 2026-08-01）"
    assert reasons[7] == "已 6 个月未参加（上次 2026-11-30）"
    assert reasons[6] == "已列入 2027-06-20 另一场慧谈的名单，作为备选"
    assert reasons[1] == "近 6 个月内参加过（上次 2027-05-20），其他候选人均已轮到"


def test_the_mix_spreads_units_posts_and_genders():
    """60 people never heard, 6 units, 20 % women: 10 seats take every unit and at least one woman."""
    units = ["综采一区", "综采二区", "掘进一区", "机电工区", "运输工区", "通风工区"]
    pool = [Candidate(i, f"职工{i}", unit=units[i % 6], post=["支架工", "电钳工"][i % 2],
                      gender="female" if i % 5 == 0 else "male") for i in range(1, 61)]
    picks = rank(pool, 10)
    chosen = [p.candidate for p in picks]
    assert {c.unit for c in chosen} == set(units)
    assert max(sum(1 for c in chosen if c.unit == u) for u in units) == 2
    assert 1 <= sum(1 for c in chosen if c.gender == "female") <= 3
    assert {c.post for c in chosen} == {"支架工", "电钳工"}


def test_large_tiers_take_both_ends_and_the_middle():
    pool = [Candidate(i, f"职工{i}", standing="advanced" if i <= 5 else ("lagging" if i <= 10 else None))
            for i in range(1, 51)]
    large = [p.candidate.standing for p in rank(pool, 10, is_large=True)]
    assert large.count("advanced") >= 1 and large.count("lagging") >= 1 and large.count(None) >= 5
    small = rank(pool, 10, is_large=False)
    assert not any("抓两头" in p.reason for p in small)
    marked = [p for p in rank(pool, 10, is_large=True) if p.candidate.standing]
    assert all("抓两头" in p.reason for p in marked)


# ------------------------------------------------------------------ the same properties through the database

@given(sizes=st.tuples(st.integers(0, 14), st.integers(0, 6)), cap=st.integers(1, 12),
       inactive=st.sets(st.integers(0, 13), max_size=5), focus=st.sets(st.integers(0, 13), max_size=4),
       heard=st.sets(st.integers(0, 13), max_size=8))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_proposal_api_properties(api, lead_user, organizer, tier, sizes, cap, inactive, focus, heard):
    """Never above the cap, never inactive, never another tier, the same answer twice."""
    from datetime import datetime
    from facilitation.people.models import Person, Tier
    from facilitation.scheduling.models import Meeting, Participant
    from facilitation.scheduling.services import create_meeting
    from facilitation.timeutil import SHANGHAI
    Participant.query.delete()
    Meeting.query.delete()
    Person.query.delete()
    db.session.commit()
    party = Tier.query.filter_by(code="party_member").one()
    mine = [Person(employee_no=f"A{i:03d}", name=f"职工{i}", tier=tier, is_active=i not in inactive,
                   is_focus=i in focus, gender="female" if i % 4 == 0 else "male") for i in range(sizes[0])]
    others = [Person(employee_no=f"B{i:03d}", name=f"党员{i}", tier=party) for i in range(sizes[1])]
    db.session.add_all(mine + others)
    past = create_meeting(organizer, {"title": "上月职工慧谈", "kind": "regular", "tier_id": tier.id,
                                      "starts_at": datetime(2027, 3, 2, 15, tzinfo=SHANGHAI)})
    past.status = "closed"
    for index in heard:
        if index < len(mine):
            db.session.add(Participant(meeting=past, person=mine[index], source="invited",
                                       joined_at=past.starts_at))
    meeting = create_meeting(organizer, {"title": "职工慧谈", "kind": "regular", "tier_id": tier.id,
                                         "starts_at": datetime(2027, 6, 15, 15, tzinfo=SHANGHAI),
                                         "max_participants": cap})
    db.session.commit()
    client = api(lead_user)
    first = client.get(f"/meetings/{meeting.id}/proposal")
    assert first.status_code == 200
    people = first.get_json()["participants"]
    eligible = {p.id for p in mine if p.is_active}
    ids = [p["person_id"] for p in people]
    assert len(ids) == min(cap, len(eligible)) and len(set(ids)) == len(ids)
    assert set(ids) <= eligible  # active people of this tier only
    assert client.get(f"/meetings/{meeting.id}/proposal").get_json() == first.get_json()
    due_focus = {p.id for i, p in enumerate(mine) if p.is_active and p.is_focus and i not in heard}
    if len(due_focus) <= cap:
        assert due_focus <= set(ids)
