"""Build a large, realistic SQLite database for the page benchmarks: a year of sessions of the
eight tiers with 50,000 items, 10,000 handling slips in every state (many closed, some replied,
some open, some overdue and escalated), their audit trails, ledger entries and notifications.

Run from the repository root:
    .venv/bin/python bench/make_big_dataset.py /tmp/huitan-big.sqlite3 [--items 50000] [--slips 10000]
The file is replaced. Accounts (password `bench-password-1`): bench-organizer, bench-viewer,
bench-lead-<tier code>, bench-handler-<n> (one per department, n from 1). Prints one JSON object
with the row counts and the build time.
Rows go in with bulk INSERTs (executemany), not through the services: the point is volume.
"""
import argparse
import json
import os
import random
import secrets
import sys
import time
from datetime import datetime, timedelta, timezone

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir))
sys.path.insert(0, ROOT)

PASSWORD = "bench-password-1"
DEPARTMENTS = ["人力资源部", "经管科", "安监处", "后勤管理部", "工会", "机电科", "通风科", "生产技术科",
               "调度室", "财务科", "保卫科", "地测科"]
UNITS = ["综采一队", "综采二队", "综掘一队", "综掘二队", "开拓一队", "机运队", "通风队", "运输队", "机电队"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶"
GIVEN = "伟刚勇毅俊峰强军平保东文辉力明永健世广志义兴良海山仁波宁贵福生龙元全国胜学祥才发武新利清飞彬富顺信子杰涛昌成康"
CATEGORIES = [None, None, "安全", "薪酬", "后勤", "培训", "生产", "福利"]
KINDS = ["question", "demand", "demand", "difficulty", "suggestion"]
SUBJECTS = ["井下班中餐", "澡堂热水", "更衣室柜子", "井口候车室暖气", "夜班补贴", "工资条", "劳保用品", "矿灯充电架",
            "通勤班车", "职工宿舍", "食堂饭菜", "安全培训课时", "绩效考核办法", "带班制度", "巷道照明", "皮带巷积水",
            "防尘口罩", "自救器", "子女入学", "体检安排", "探亲假", "技能鉴定", "轮岗安排", "工作服尺码"]
PROBLEMS = ["送到时已经凉了", "供应时间太短", "数量不够用", "一直没人修", "计算方法看不懂", "标准偏低",
            "发放不及时", "质量不好", "安排不合理", "希望增加", "建议改进", "反映多次没有解决"]
ASKS = ["希望尽快解决。", "请相关科室给个说法。", "建议研究改进办法。", "盼答复。", "希望能统一标准。", ""]
REPLIES = ["已协调相关区队落实，{d}前完成整改。", "经研究，按矿相关规定执行，已向职工当面解释。",
           "已列入本月工作计划，由专人负责跟踪。", "已更换设备并加强日常巡检。", "已调整安排，并在班前会上通报。"]
BASES = ["《职工福利管理办法》", "《安全生产责任制》", "矿务会决定", "《绩效考核实施细则》", "《后勤服务标准》"]
CHUNK = 5000


def _name(rng):
    return rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2))))


def _text(rng):
    return f"{rng.choice(UNITS)}职工反映：{rng.choice(SUBJECTS)}{rng.choice(PROBLEMS)}，{rng.choice(ASKS)}"


def _insert(db, model, rows):
    for start in range(0, len(rows), CHUNK):
        db.session.execute(model.__table__.insert(), rows[start:start + CHUNK])


def build(path, n_items=50000, n_slips=10000, seed=7):
    """Create the schema in a fresh file at `path` and fill it; returns the row counts."""
    from flask_migrate import upgrade
    from werkzeug.security import generate_password_hash

    from facilitation import create_app
    from facilitation.accounts.models import User
    from facilitation.audit.models import AuditEvent
    from facilitation.extensions import db
    from facilitation.live.models import Item
    from facilitation.people.models import Department, Tier, TierLead
    from facilitation.people.services import seed_tiers
    from facilitation.scheduling.models import Meeting
    from facilitation.slips.models import Notification, PointEntry, Slip, SlipExtension
    from facilitation.timeutil import SHANGHAI

    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    rng = random.Random(seed)
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite:///" + os.path.abspath(path), "SECRET_KEY": "bench"})
    with app.app_context():
        upgrade()
        seed_tiers()
        db.session.commit()
        now = datetime.now(timezone.utc)
        today = now.astimezone(SHANGHAI).date()
        password_hash = generate_password_hash(PASSWORD)

        _insert(db, Department, [{"name": name, "position": i + 1, "is_active": True}
                                 for i, name in enumerate(DEPARTMENTS)])
        department_ids = [d.id for d in Department.query.order_by(Department.position)]
        tiers = Tier.query.order_by(Tier.position).all()
        users = [{"username": "bench-organizer", "display_name": "党群办周敏", "role": "organizer"},
                 {"username": "bench-viewer", "display_name": "矿长", "role": "viewer"}]
        users += [{"username": f"bench-lead-{t.code}", "display_name": _name(rng), "role": "lead"} for t in tiers]
        users += [{"username": f"bench-handler-{i + 1}", "display_name": _name(rng), "role": "handler",
                   "department_id": d} for i, d in enumerate(department_ids)]
        for user in users:
            user.update(password_hash=password_hash, is_enabled=True, created_at=now)
            user.setdefault("department_id", None)
        _insert(db, User, users)
        by_name = {u.username: u.id for u in User.query}
        lead_of = {t.id: by_name[f"bench-lead-{t.code}"] for t in tiers}
        handlers_of = {d: by_name[f"bench-handler-{i + 1}"] for i, d in enumerate(department_ids)}
        _insert(db, TierLead, [{"tier_id": t, "user_id": u, "started_on": today - timedelta(days=400)}
                               for t, u in lead_of.items()])

        # meetings: ten items each, spread over the last year, the newest this week
        n_meetings = max(n_items // 10, 1)
        meetings = []
        for m in range(n_meetings):
            tier = tiers[m % len(tiers)]
            age = timedelta(days=365 * (n_meetings - 1 - m) / max(n_meetings, 1), hours=rng.randint(0, 8))
            starts_at = now - age - timedelta(hours=2)
            meetings.append({"id": m + 1, "tier_id": tier.id, "kind": "regular", "status": "closed",
                             "title": f"{starts_at.astimezone(SHANGHAI):%m}月{tier.name}慧谈",
                             "lead_user_id": lead_of[tier.id], "starts_at": starts_at,
                             "ends_at": starts_at + timedelta(hours=2), "location": "调度楼三楼会议室",
                             "join_code": f"B{m:07d}", "allow_guests": True, "allow_nameless": False,
                             "is_moderated": False, "max_participants": 10, "next_seq": 10,
                             "created_by_id": by_name["bench-organizer"], "created_at": starts_at - timedelta(days=7),
                             "started_at": starts_at, "closed_at": starts_at + timedelta(hours=2)})
        _insert(db, Meeting, meetings)

        # slips go to an even spread of items, so every month has its share
        slip_items = set(rng.sample(range(n_items), min(n_slips, n_items)))
        items, slips, events, points, notes, extensions = [], [], [], [], [], []
        numbers = {}
        for i in range(n_items):
            meeting = meetings[min(i // 10, n_meetings - 1)]
            created_at = meeting["starts_at"] + timedelta(minutes=5 + (i % 10) * 9)
            anonymity = rng.choices(("named", "anonymous", "hidden_identity"), (80, 15, 5))[0]
            has_slip = i in slip_items
            item = {"id": i + 1, "channel": "meeting", "meeting_id": meeting["id"], "seq": i % 10 + 1,
                    "client_id": f"bench-{i + 1}", "kind": rng.choice(KINDS), "category": rng.choice(CATEGORIES),
                    "text": _text(rng), "is_urgent": False, "anonymity": anonymity,
                    "submitter_name": None if anonymity == "hidden_identity" else _name(rng),
                    "is_approved": True, "status": "transferred" if has_slip else "answered",
                    "answer": None if has_slip else "现场答复：" + rng.choice(REPLIES).format(d="月底"),
                    "votes": rng.randint(0, 6), "outcome_at": created_at + timedelta(minutes=3),
                    "outcome_by_user_id": meeting["lead_user_id"],
                    "follow_token": None if anonymity == "hidden_identity" else secrets.token_urlsafe(18),
                    "created_at": created_at, "updated_at": created_at}
            items.append(item)
            if has_slip:
                _make_slip(rng, item, meeting, department_ids, handlers_of, today, now, numbers,
                           slips, events, points, notes, extensions)
        _insert(db, Item, items)
        _insert(db, Slip, slips)
        _insert(db, SlipExtension, extensions)
        _insert(db, AuditEvent, events)
        _insert(db, PointEntry, points)
        _insert(db, Notification, notes)
        db.session.commit()
        counts = {"meetings": len(meetings), "items": len(items), "slips": len(slips),
                  "open_slips": sum(s["status"] in ("issued", "accepted") for s in slips),
                  "overdue_slips": sum(s["status"] in ("issued", "accepted") and s["due_date"] < today
                                       for s in slips),
                  "audit_events": len(events), "point_entries": len(points), "notifications": len(notes),
                  "pending_extensions": len(extensions)}
        db.session.remove()
        db.engine.dispose()
    return counts


def _make_slip(rng, item, meeting, department_ids, handlers_of, today, now, numbers,
               slips, events, points, notes, extensions):
    """One slip for `item`, in a state that fits its age, with its audit trail."""
    from facilitation.timeutil import SHANGHAI
    slip_id = len(slips) + 1
    issued_at = item["created_at"] + timedelta(minutes=30)
    local_issued = issued_at.astimezone(SHANGHAI)
    prefix = f"HT-{local_issued:%Y%m}-"
    numbers[prefix] = numbers.get(prefix, 0) + 1
    due_date = local_issued.date() + timedelta(days=rng.choice((2, 5, 7, 10)))
    department_id = rng.choice(department_ids)
    handler_id = handlers_of[department_id]
    supervisor_id = meeting["lead_user_id"]
    age_days = (today - local_issued.date()).days
    # older slips are mostly finished; a few stay open and overdue
    if age_days > 30:
        status = rng.choices(("closed", "replied", "accepted", "issued"), (97, 1.8, 0.8, 0.4))[0]
    else:
        status = rng.choices(("closed", "replied", "accepted", "issued"), (30, 25, 30, 15))[0]
    slip = {"id": slip_id, "number": f"{prefix}{numbers[prefix]:04d}", "item_id": item["id"],
            "department_id": department_id, "tier_id": meeting["tier_id"], "supervisor_user_id": supervisor_id,
            "handler_user_id": None, "purpose": "implement" if item["kind"] == "suggestion" else "handle",
            "due_date": due_date, "status": status, "issued_by_user_id": supervisor_id, "issued_at": issued_at,
            "accepted_at": None, "replied_at": None, "closed_at": None, "reply": None, "basis": None,
            "reopen_count": 0, "rating": None, "rating_comment": None, "rated_at": None, "close_note": None,
            "escalated_at": None, "followup_answer": None, "followup_at": None}
    trail = [("issue", supervisor_id, None, "issued", issued_at)]
    if status != "issued":
        slip["handler_user_id"] = handler_id
        slip["accepted_at"] = min(issued_at + timedelta(hours=rng.randint(1, 30)), now)
        trail.append(("accept", handler_id, "issued", "accepted", slip["accepted_at"]))
    if status in ("replied", "closed"):
        late = rng.random() < 0.1
        replied_at = datetime.combine(due_date + timedelta(days=rng.randint(1, 3) if late else -rng.randint(0, 2)),
                                      datetime.min.time(), tzinfo=SHANGHAI) + timedelta(hours=rng.randint(8, 17))
        slip["replied_at"] = min(max(replied_at, slip["accepted_at"]), now)
        slip["reply"] = rng.choice(REPLIES).format(d=f"{due_date:%m月%d日}")
        slip["basis"] = rng.choice(BASES)
        trail.append(("reply", handler_id, "accepted", "replied", slip["replied_at"]))
        if late:
            points.append({"department_id": department_id, "slip_id": slip_id, "reason": "overdue", "points": -2,
                           "note": "逾期", "created_at": slip["replied_at"]})
        if item["anonymity"] != "hidden_identity" and rng.random() < 0.7:
            slip["rating"] = rng.choices(("satisfied", "basically_satisfied", "dissatisfied"), (80, 15, 5))[0]
            if status == "replied" and slip["rating"] == "satisfied":
                slip["rating"] = "basically_satisfied"  # "satisfied" would have closed it
            slip["rated_at"] = min(slip["replied_at"] + timedelta(days=1), now)
    if status == "closed":
        slip["closed_at"] = min(slip["replied_at"] + timedelta(days=rng.randint(0, 3)), now)
        trail.append(("close", supervisor_id, "replied", "closed", slip["closed_at"]))
    if status in ("issued", "accepted") and due_date < today:
        points.append({"department_id": department_id, "slip_id": slip_id, "reason": "overdue", "points": -2,
                       "note": "逾期", "created_at": now})
        if (today - due_date).days > 3:
            slip["escalated_at"] = now
        notes.append({"user_id": handler_id, "kind": "overdue", "text": f"{slip['number']} 已逾期",
                      "slip_id": slip_id, "dedupe_key": f"overdue:{slip_id}:{today}", "created_at": now})
    elif status in ("issued", "accepted") and rng.random() < 0.15:
        extensions.append({"slip_id": slip_id, "requested_by_user_id": handler_id, "old_due_date": due_date,
                           "new_due_date": due_date + timedelta(days=7), "reason": "需要协调外部单位",
                           "status": "pending", "requested_at": now})
    slips.append(slip)
    for action, actor, before, after, at in trail:
        events.append({"at": at, "actor_user_id": actor, "entity": "slip", "entity_id": slip_id, "action": action,
                       "from_state": before, "to_state": after, "text": None})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", help="SQLite file to (re)create")
    parser.add_argument("--items", type=int, default=50000)
    parser.add_argument("--slips", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    started = time.perf_counter()
    counts = build(args.path, args.items, args.slips, args.seed)
    counts["build_s"] = round(time.perf_counter() - started, 2)
    counts["path"] = os.path.abspath(args.path)
    print(json.dumps(counts, ensure_ascii=False))


if __name__ == "__main__":
    main()
