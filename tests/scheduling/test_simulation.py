"""A year of monthly planning for a tier of 100, through the real API and services.

Every month: the organizer generates the month's plan, the lead reads the proposal and
approves it unchanged, the meeting starts, the invited people join from their phones (about
6 % stay away, seeded), one person without a phone is marked present by the organizer, the
meeting closes. Along the way three people become focus persons after they were heard
(months 3, 6 and 9), two people leave and two are hired in month 6.

It must reach full coverage of the active roster within the year and bring every focus
person in within two months of being flagged. The figures are printed as JSON (run with -s)
and written to the file named by HUITAN_SIMULATION_OUT, when set.
"""
import json
import os
import random
from datetime import date, datetime, timedelta

from facilitation.extensions import db
from facilitation.people.models import Person, Tier
from facilitation.scheduling.models import Meeting
from facilitation.scheduling.plans import generate_month_plan
from facilitation.scheduling.services import close_meeting, mark_attendance, start_meeting
from facilitation.timeutil import SHANGHAI

NO_SHOW = 0.06
INITIAL_FOCUS = (4, 17, 33, 48, 61, 77, 85, 96)  # 8 of the 100 on 1 January
FLAGGED = {3: 12, 6: 40, 9: 70}  # month → index of a person flagged as a focus person that month


def test_a_year_of_monthly_planning_covers_everyone(app, api, organizer, lead_user, make_roster, tier):
    year = date.today().year + 2
    for other in Tier.query.filter(Tier.id != tier.id):
        other.is_active = False
    people = make_roster(tier, 100, focus=INITIAL_FOCUS)
    for person in people:
        if person.is_focus:
            person.focus_since = datetime(year - 1, 12, 20, tzinfo=SHANGHAI)
    db.session.commit()
    rng = random.Random(20270101)
    lead, organizer_api = api(lead_user), api(organizer)
    focus_flagged = {people[i].id: (1, people[i].name) for i in INITIAL_FOCUS}
    first_heard = {}
    figures = {"year": year, "roster": 100, "cap": 10, "no_show_rate": NO_SHOW, "months": []}
    for month in range(1, 13):
        if month == 6:  # two leave, two are hired
            for person in people[98:100]:
                person.is_active = False
            people += [Person(employee_no=f"N{index}", name=f"新职工{index}", tier=tier, gender="male")
                       for index in (1, 2)]
            db.session.add_all(people[-2:])
        if month in FLAGGED:
            person = people[FLAGGED[month]]
            person.is_focus, person.focus_reason = True, "近期违章（三违）受处理"
            person.focus_since = datetime(year, month, 1, 8, tzinfo=SHANGHAI)  # flagged in the simulated month
            focus_flagged[person.id] = (month, person.name)
        db.session.commit()
        created, notes, _plan = generate_month_plan(organizer, year, month, today=date(year, month, 1) - timedelta(days=1))
        db.session.commit()
        assert len(created) == 1 and notes == []
        meeting = created[0]
        proposal = lead.get(f"/meetings/{meeting.id}/proposal").get_json()["participants"]
        put = organizer_api.client.put(f"/api/v1/meetings/{meeting.id}/participants",
                                       json={"person_ids": [p["person_id"] for p in proposal]},
                                       headers=organizer_api._headers())
        assert put.status_code == 200
        assert lead.post(f"/meetings/{meeting.id}/participants/approve").get_json()["approved"] is True
        start_meeting(lead_user, meeting)
        db.session.commit()
        invited = list(db.session.get(Meeting, meeting.id).invited)
        invited_ids = {p.person_id for p in invited}
        waiting = {p.id for p in people if p.is_active and p.id not in first_heard}
        again = [p for p in invited if p.person_id in first_heard and not (
            p.person_id in focus_flagged and focus_flagged[p.person_id][0] >= first_heard[p.person_id])]
        # somebody heard before is invited again only when everyone still waiting is invited too
        assert not again or waiting <= invited_ids, (month, [p.name for p in again])
        no_phone = invited[-1]
        came = []
        for participant in invited[:-1]:
            if rng.random() < NO_SHOW:
                continue
            response = api().post(f"/join/{meeting.join_code}", json={"employee_no": participant.person.employee_no})
            assert response.status_code == 200
            came.append(participant.person_id)
        mark_attendance(organizer, meeting, no_phone.id, True)
        came.append(no_phone.person_id)
        close_meeting(lead_user, meeting)
        db.session.commit()
        for person_id in came:
            first_heard.setdefault(person_id, month)
            flagged = focus_flagged.get(person_id)
            if flagged and flagged[0] <= month and person_id not in figures.setdefault("_focus_in", {}):
                figures["_focus_in"][person_id] = month
        coverage = lead.get(f"/tiers/{tier.id}/coverage?year={year}").get_json()
        figures["months"].append({"month": month, "invited": len(invited), "attended": len(came),
                                  "covered": coverage["covered"], "active": coverage["active"],
                                  "share": coverage["share"], "invited_again": len(again), "focus_invited": sum(
                                      1 for p in proposal if p["reason"].startswith("重点人员"))})
    focus_in = figures.pop("_focus_in")
    figures["focus_persons"] = [
        {"name": name, "flagged_month": flagged_month, "came_in_month": focus_in.get(person_id),
         "months_to_come_in": (focus_in[person_id] - flagged_month + 1) if person_id in focus_in else None}
        for person_id, (flagged_month, name) in sorted(focus_flagged.items(), key=lambda kv: (kv[1][0], kv[0]))]
    figures["full_coverage_month"] = next((row["month"] for row in figures["months"] if row["share"] == 1), None)
    text = json.dumps(figures, ensure_ascii=False, indent=1)
    print(text)
    if os.environ.get("HUITAN_SIMULATION_OUT"):
        with open(os.environ["HUITAN_SIMULATION_OUT"], "w", encoding="utf-8") as handle:
            handle.write(text)
    # full coverage of the active roster within the year
    assert figures["months"][-1]["share"] == 1 and figures["months"][-1]["active"] == 100
    assert figures["full_coverage_month"] <= 12
    # coverage grows every month until everyone is in
    shares = [row["share"] for row in figures["months"]]
    assert all(b >= a or b == 1 for a, b in zip(shares, shares[1:]))
    # every focus person within two months of being flagged (this month or the next)
    assert all(f["months_to_come_in"] is not None and f["months_to_come_in"] <= 2 for f in figures["focus_persons"])
