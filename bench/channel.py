"""The standing QR channel (一码通): the server CPU a channel submission costs (DESIGN.md §7: a submit
costs ≤ 3 ms of server CPU), the triage inbox and the monthly public summary (page and PDF, warm)
over a month of channel items. Builds its own SQLite database, prints one JSON object.

    .venv/bin/python bench/channel.py [--submits 1000] [--items 2000] [--repeat 5]
"""
import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir))
sys.path.insert(0, ROOT)

TEXTS = ("女职工澡堂开放时间太短，夜班下班后洗不上澡。", "宿舍楼顶喇叭太响，夜班职工白天睡不好。",
         "食堂夜班饭只有两个菜，希望增加面食窗口。", "工资条上的扣税项目看不明白。",
         "会议室空调不制冷，班前会太热。", "劳保毛巾和肥皂发放不及时。")
CATEGORIES = ("后勤", "生活", "薪酬", "劳保", "安全", None)


def build(app, items):
    from facilitation.accounts.services import create_user
    from facilitation.extensions import db
    from facilitation.intake.services import create_channel, submit_channel_item
    from facilitation.live import services as live
    from facilitation.people.services import create_department, seed_tiers
    from facilitation.slips import services as slips
    from facilitation.timeutil import local_today
    from flask_migrate import upgrade
    upgrade()
    seed_tiers()
    organizer = create_user("organizer", "bench-password", "organizer")
    department = create_department("后勤管理部")
    handler = create_user("handler", "bench-password", "handler", department=department)
    channels = [create_channel(organizer, {"name": name}) for name in ("职工食堂", "2号宿舍楼", "职工浴室", "办公楼大厅")]
    db.session.commit()
    rng = random.Random(12)
    for n in range(items):
        item, _ = submit_channel_item(channels[n % 4], client_id=f"bench-qr-{n:06d}", kind="demand",
                                      text=rng.choice(TEXTS), category=rng.choice(CATEGORIES),
                                      anonymity=("named", "anonymous", "hidden_identity")[n % 3], name="段伟")
        if n % 3 == 0:
            live.answer_item(organizer, item, "已答复")
        elif n % 3 == 1:
            slip = live.transfer_item(organizer, item, department.id, local_today() + timedelta(days=5))
            if n % 2:
                slips.accept_slip(handler, slip)
                slips.reply_slip(handler, slip, "已处理", "《管理办法》")
        if n % 200 == 0:
            db.session.commit()
    db.session.commit()
    # the baseline: a live meeting whose phone submits the same way, measured in the same run
    from datetime import datetime
    from facilitation.live.tokens import issue_participant_token
    from facilitation.people.models import Tier
    from facilitation.people.services import assign_tier_lead
    from facilitation.scheduling.services import create_meeting, start_meeting
    from facilitation.timeutil import local_zone
    tier = Tier.query.order_by(Tier.position).first()
    assign_tier_lead(tier, organizer)
    meeting = create_meeting(organizer, {"title": "职工慧谈", "kind": "regular", "tier_id": tier.id,
                                         "location": "会议室", "starts_at": datetime.now(local_zone())})
    start_meeting(organizer, meeting)
    participant = live.join_meeting(meeting.join_code, name="段伟")
    db.session.commit()
    return organizer, channels[0].code, meeting.id, issue_participant_token(participant)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--submits", type=int, default=1000)
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="huitan-bench-channel-")
    from facilitation import create_app
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir}/bench.sqlite3", "SECRET_KEY": "b" * 40,
                      "RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": False})
    result = {"items_in_month": args.items, "submits": args.submits}
    with app.app_context():
        organizer, code, meeting_id, token = build(app, args.items)
    # Requests run outside any app context, each in its own as on the server (and with its own session).
    if True:
        client = app.test_client()
        body = {"kind": "demand", "text": "女职工澡堂开放时间太短，夜班下班后洗不上澡。", "anonymity": "named", "name": "段伟"}
        for name, url, headers in (
                ("channel", f"/api/v1/channels/{code}/items", lambda n: {"X-Huitan-Device": f"device-{n % 50:04d}-bench"}),
                ("meeting_baseline", f"/api/v1/meetings/{meeting_id}/items",
                 lambda n: {"Authorization": f"Bearer {token}"})):
            cpu, wall = [], []
            for n in range(args.submits):
                started, started_cpu = time.perf_counter(), time.process_time()
                response = client.post(url, json=dict(body, client_id=f"{name}-{n:08d}"), headers=headers(n))
                cpu.append(time.process_time() - started_cpu)
                wall.append(time.perf_counter() - started)
                assert response.status_code == 201, response.get_data(as_text=True)
            cpu.sort()
            wall.sort()
            # test-client CPU: the request's whole path in this process, the client's own share included
            result[f"{name}_submit_cpu_ms_median"] = round(1000 * statistics.median(cpu), 2)
            result[f"{name}_submit_cpu_ms_p95"] = round(1000 * cpu[int(0.95 * len(cpu)) - 1], 2)
            result[f"{name}_submit_wall_ms_p95"] = round(1000 * wall[int(0.95 * len(wall)) - 1], 2)
        client.post("/login", data={"username": "organizer", "password": "bench-password"})
        month = time.strftime("%Y-%m")
        for name, url in (("inbox_page", "/intake/"), ("summary_page", f"/public/summary/{month}"),
                          ("summary_pdf", f"/public/summary/{month}.pdf"),
                          ("report_page", f"/reports/monthly/{month}")):
            client.get(url)  # warm
            times = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                response = client.get(url)
                times.append(time.perf_counter() - started)
                assert response.status_code == 200, (url, response.status_code)
            result[f"{name}_s_median"] = round(statistics.median(times), 3)
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
