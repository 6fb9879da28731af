"""Proposal benchmark: who is heard next, for every tier of a 5,000-person roster with a year of history.

Run from the repository root:  .venv/bin/python bench/proposal.py [--people 5000] [--repeat 5]
Prints one JSON object:
  {"people", "tiers", "history_meetings", "history_attendances", "build_s",
   "per_tier_ms": {tier: median ms}, "all_tiers_ms": {"median", "max"}, "ranking_only_ms"}
all_tiers_ms is GET /api/v1/meetings/<id>/proposal for the eight meetings of one month, one after
the other, through the real Flask app (query + ranking + JSON); ranking_only_ms is the pure
ranking of the largest tier from already-loaded candidates. Uses a fresh SQLite file in a
temporary directory; nothing else is touched.
"""
import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir))
sys.path.insert(0, ROOT)

# Share of the roster per tier: the five large tiers hold most people.
TIER_SHARES = (0.40, 0.15, 0.10, 0.12, 0.08, 0.06, 0.04, 0.05)
UNITS = ["综采一队", "综采二队", "综掘一队", "综掘二队", "开拓一队", "机运队", "通风队", "运输队", "机电队",
         "准备队", "生产技术科", "机电科", "安监处", "经管科", "人力资源部", "后勤管理部"]
POSTS = ["采煤机司机", "支架工", "掘进机司机", "锚杆工", "电钳工", "瓦斯检查工", "皮带司机", "班组长", "技术员"]


def build(app, people, seed=11):
    """Roster, leads, and a year of closed monthly meetings of 10 attendees per tier; next month planned."""
    from facilitation.accounts.services import create_user
    from facilitation.extensions import db
    from facilitation.people.models import Person, Tier, Unit
    from facilitation.people.services import assign_tier_lead, seed_tiers
    from facilitation.scheduling.models import Meeting, Participant
    from facilitation.timeutil import SHANGHAI
    from sqlalchemy import insert
    rng = random.Random(seed)
    seed_tiers()
    tiers = Tier.query.order_by(Tier.position).all()
    units = [Unit(name=name, kind="office" if name.endswith(("科", "处", "部")) else "team") for name in UNITS]
    db.session.add_all(units)
    db.session.flush()
    rows, number = [], 0
    for tier, share in zip(tiers, TIER_SHARES):
        for _index in range(int(people * share)):
            number += 1
            focus = rng.random() < 0.06
            roll = rng.random()
            rows.append({"employee_no": f"B{number:06d}", "name": f"职工{number}", "tier_id": tier.id,
                         "unit_id": rng.choice(units).id, "post": rng.choice(POSTS),
                         "gender": "female" if rng.random() < 0.12 else "male", "is_active": rng.random() > 0.02,
                         "is_focus": focus, "focus_reason": "家庭困难" if focus else None,
                         "standing": "advanced" if roll < 0.1 else ("lagging" if roll > 0.9 else None),
                         "created_at": datetime.now(SHANGHAI), "updated_at": datetime.now(SHANGHAI)})
    db.session.execute(insert(Person), rows)
    organizer = create_user("organizer", "bench-password-1", "organizer", display_name="组织者")
    for tier in tiers:
        assign_tier_lead(tier, create_user(f"lead{tier.position}", "bench-password-1", "lead",
                                           display_name=f"{tier.name}牵头人"))
    db.session.flush()
    by_tier = {}
    for person_id, tier_id in db.session.query(Person.id, Person.tier_id):
        by_tier.setdefault(tier_id, []).append(person_id)
    start = datetime(2030, 1, 1, tzinfo=SHANGHAI)
    meetings = attendances = 0
    for month in range(12):
        for tier in tiers:
            moment = start + timedelta(days=30 * month + tier.position * 3, hours=15)
            meeting = Meeting(tier_id=tier.id, kind="regular", title=f"{month + 1}月{tier.name}层级慧谈",
                              starts_at=moment, status="closed", join_code=f"B{month:02d}{tier.position:02d}X",
                              lead_user_id=tier.current_lead.user_id, max_participants=10)
            db.session.add(meeting)
            db.session.flush()
            chosen = rng.sample(by_tier[tier.id], min(10, len(by_tier[tier.id])))
            db.session.execute(insert(Participant), [
                {"meeting_id": meeting.id, "person_id": pid, "source": "invited", "is_guest": False,
                 "joined_at": moment if rng.random() > 0.06 else None} for pid in chosen])
            meetings += 1
            attendances += len(chosen)
    planned = []
    for tier in tiers:
        meeting = Meeting(tier_id=tier.id, kind="regular", title=f"1月{tier.name}层级慧谈", status="planned",
                          starts_at=datetime(2031, 1, 5, 15, tzinfo=SHANGHAI) + timedelta(days=tier.position),
                          join_code=f"P{tier.position:02d}NEXT", lead_user_id=tier.current_lead.user_id,
                          max_participants=10)
        db.session.add(meeting)
        planned.append(meeting)
    db.session.commit()
    return organizer, [(m.id, m.tier.name) for m in planned], meetings, attendances


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="huitan-proposal-")
    from facilitation import create_app
    from facilitation.extensions import db
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite:///" + os.path.join(workdir, "bench.sqlite3"),
                      "SECRET_KEY": "bench-secret-key-bench-secret-key-0123", "RATELIMIT_ENABLED": False})
    with app.app_context():
        from flask_migrate import upgrade
        upgrade()
        began = time.perf_counter()
        organizer, planned, meetings, attendances = build(app, args.people)
        build_s = time.perf_counter() - began
        from facilitation.accounts.services import issue_api_token
        token = issue_api_token(organizer)
        db.session.commit()
        client = app.test_client()
        headers = {"Authorization": f"Bearer {token}"}
        per_tier = {name: [] for _id, name in planned}
        totals = []
        for _round in range(args.repeat + 1):  # the first round warms caches and is not counted
            round_began = time.perf_counter()
            for meeting_id, name in planned:
                began = time.perf_counter()
                response = client.get(f"/api/v1/meetings/{meeting_id}/proposal", headers=headers)
                elapsed = (time.perf_counter() - began) * 1000
                assert response.status_code == 200 and len(response.get_json()["participants"]) == 10
                if _round:
                    per_tier[name].append(elapsed)
            if _round:
                totals.append((time.perf_counter() - round_began) * 1000)
        from facilitation.scheduling.models import Meeting
        from facilitation.scheduling.proposal import rank_candidates
        from facilitation.scheduling.queries import candidates_for
        largest = db.session.get(Meeting, planned[0][0])
        pool = candidates_for(largest)
        ranking = []
        for _round in range(args.repeat):
            began = time.perf_counter()
            rank_candidates(pool, on_day=largest.starts_at.date(), limit=20, is_large=True, seed=largest.id)
            ranking.append((time.perf_counter() - began) * 1000)
    print(json.dumps({
        "people": args.people, "tiers": len(planned), "history_meetings": meetings,
        "history_attendances": attendances, "build_s": round(build_s, 2),
        "largest_tier_pool": len(pool),
        "per_tier_ms": {name: round(statistics.median(values), 1) for name, values in per_tier.items()},
        "all_tiers_ms": {"median": round(statistics.median(totals), 1), "max": round(max(totals), 1)},
        "ranking_only_ms": round(statistics.median(ranking), 2),
    }, ensure_ascii=False))


if __name__ == "__main__":
    main()
