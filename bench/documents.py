"""Document speed (DESIGN.md §7): minutes PDF of a 60-item meeting ≤ 0.5 s warm, the first PDF
after start as fast as the next, publishing minutes ≤ 1 s; monthly report over 2,000 items
≤ 3 s. Builds its own SQLite database, prints one JSON object.

Cold start: the first minutes PDF and the first publication through a PDF worker started on
demand (what the app did before issue 13), then through a worker started and warmed ahead
(what `python app.py` does at start-up).

    .venv/bin/python bench/documents.py [--items 2000] [--repeat 5]
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

TEXTS = ("井下班中餐送到工作面时经常已经凉了，希望更换保温餐箱。", "夜班津贴的计算标准是什么时候调整的？",
         "通勤班车早上第一班太晚，赶不上早班点名。", "建议在皮带机头加装急停拉线的反光标识。",
         "劳保鞋的尺码不全，42码以上经常缺货。", "更衣室热水供应不稳定，升井后洗不上热水澡。",
         "技能鉴定报名信息发布太晚，希望提前通知。", "单身公寓宽带经常断网，影响休息。")


def build(app, items_in_month):
    from facilitation.accounts.services import create_user
    from facilitation.extensions import db
    from facilitation.live import services as live
    from facilitation.people.models import Tier
    from facilitation.people.services import assign_tier_lead, create_department, seed_tiers
    from facilitation.scheduling.services import close_meeting, create_meeting, start_meeting
    from facilitation.timeutil import local_today, local_zone
    from flask_migrate import upgrade
    upgrade()
    seed_tiers()
    organizer = create_user("organizer", "bench-password", "organizer")
    departments = [create_department(name) for name in ("后勤管理部", "经管科", "人力资源部", "安监处")]
    tiers = Tier.query.order_by(Tier.position).all()
    leads = {}
    for tier in tiers:  # one lead per tier, as in a mine (a lead chairs one session a day)
        leads[tier.id] = create_user(f"lead{tier.position}", "bench-password", "lead")
        assign_tier_lead(tier, leads[tier.id])
    rng = random.Random(7)
    today = local_today()
    due = today + timedelta(days=5)
    meetings = []
    per_meeting = 60
    count = max(items_in_month // per_meeting, 1)
    for index in range(count):
        tier = tiers[index % len(tiers)]
        lead = leads[tier.id]
        # each lead's sessions on successive days, each session in its own room (the conflict check)
        meeting = create_meeting(organizer, {"title": f"{tier.name}慧谈 {index + 1}", "kind": "regular",
                                             "tier_id": tier.id, "location": f"会议室{index + 1}",
                                             "starts_at": datetime.now(local_zone()) - timedelta(
                                                 hours=2, days=index // len(tiers))})
        start_meeting(organizer, meeting)
        participant = live.join_meeting(meeting.join_code, name=f"职工{index}")
        for n in range(per_meeting):
            kind = ("question", "demand", "difficulty", "suggestion")[n % 4]
            item, _ = live.submit_item(meeting, client_id=f"bench-{index:04d}-{n:04d}", kind=kind,
                                       text=rng.choice(TEXTS) + f"（{n}）", participant=participant,
                                       anonymity="anonymous" if n % 5 == 0 else "named")
            if n % 3 == 0:
                live.answer_item(lead, item, "按规定执行，已在现场说明。")
            elif kind == "suggestion" and n % 2:
                live.decline_suggestion(lead, item, "经论证暂不具备条件。")
            else:
                live.transfer_item(lead, item, departments[n % len(departments)].id, due)
        close_meeting(lead, meeting)
        meetings.append(meeting)
        db.session.commit()
    return organizer, meetings


def seconds(fn):
    start = time.perf_counter()
    fn()
    return round(time.perf_counter() - start, 3)


def publishing(app, username, meeting_ids, repeat):
    """POST /meetings/<id>/minutes/publish as the organizer: the first one after a fresh worker
    start (stopped, then started and warmed as at server start), then a revision each time."""
    from facilitation import pdf
    from facilitation.extensions import db
    from facilitation.minutes import services as minutes_services
    from facilitation.minutes.models import Minutes
    app.config["WTF_CSRF_ENABLED"] = False  # the bench posts the form without a page
    client = app.test_client()
    assert client.post("/login", data={"username": username, "password": "bench-password"}).status_code == 302
    meeting_id = meeting_ids[-1]

    def publish():
        start = time.perf_counter()
        response = client.post(f"/meetings/{meeting_id}/minutes/publish", data={})
        elapsed = time.perf_counter() - start
        assert response.status_code == 302, response.status_code
        return elapsed

    def revise():
        with app.app_context():
            minutes = Minutes.query.filter_by(meeting_id=meeting_id).one()
            from facilitation.accounts.models import User
            minutes_services.start_revision(User.query.filter_by(username=username).one(), minutes, "补充会后核实的情况")
            db.session.commit()

    pdf.stop_worker()
    pdf.start_worker()
    first = publish()
    runs = []
    for _ in range(repeat):
        revise()
        runs.append(publish())
    with app.app_context():
        revisions = Minutes.query.filter_by(meeting_id=meeting_id).one().revisions
        assert len(revisions) == repeat + 1, len(revisions)
    return {"first_after_start_s": round(first, 3), "warm_median_s": round(statistics.median(runs), 3),
            "warm_max_s": round(max(runs), 3)}


def timed(fn, repeat):
    fn()  # warm: imports, fonts, segmentation dictionary
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return {"warm_median_s": round(statistics.median(runs), 3), "warm_max_s": round(max(runs), 3)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    from facilitation import create_app
    from facilitation.extensions import db
    folder = tempfile.mkdtemp(prefix="huitan-bench-docs-")
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite:///" + os.path.join(folder, "bench.sqlite3"),
                      "SECRET_KEY": "bench", "SERVER_NAME": "bench.local"})
    with app.app_context():
        started = time.perf_counter()
        organizer, meetings = build(app, args.items)
        build_s = time.perf_counter() - started
        from facilitation.live.models import Item
        total_items = Item.query.count()
        meeting_ids = [m.id for m in meetings]
    from facilitation import pdf
    from facilitation.minutes import services as minutes_services
    from facilitation.reports.documents import report_document
    from facilitation.timeutil import local_today
    result = {"items_in_month": total_items, "build_s": round(build_s, 1),
              "load_average_before": round(os.getloadavg()[0], 2)}
    with app.test_request_context():
        meeting = db.session.merge(meetings[0])
        minutes = minutes_services.get_minutes(meeting)
        db.session.commit()

        def minutes_pdf():
            return pdf.render_pdf("pdf/minutes.html", doc=minutes_services.minutes_document(meeting, minutes))

        pdf.stop_worker()
        result["minutes_pdf_first_worker_on_demand_s"] = seconds(minutes_pdf)  # worker starts here
        pdf.stop_worker()
        began = time.perf_counter()
        pdf.start_worker()  # as python app.py does at start-up
        result["worker_start_and_warm_up_s"] = round(time.perf_counter() - began, 3)
        result["minutes_pdf_first_worker_warmed_s"] = seconds(minutes_pdf)
        result["minutes_pdf_60_items"] = timed(minutes_pdf, args.repeat)
        result["minutes_pdf_bytes"] = len(minutes_pdf())
        today = local_today()

        def monthly_pdf():
            return pdf.render_pdf("pdf/monthly_report.html", doc=report_document(today.year, today.month))
        result["monthly_report_pdf"] = timed(monthly_pdf, max(args.repeat // 2, 2))
    result["publish_minutes_60_items"] = publishing(app, "organizer", meeting_ids, args.repeat)
    result["load_average_after"] = round(os.getloadavg()[0], 2)
    result["targets"] = {"minutes_pdf_60_items_s": 0.5, "publish_minutes_s": 1.0, "monthly_report_pdf_s": 3.0}
    result["ok"] = (result["minutes_pdf_60_items"]["warm_median_s"] <= 0.5
                    and result["minutes_pdf_first_worker_warmed_s"] <= 0.5
                    and result["publish_minutes_60_items"]["first_after_start_s"] <= 1.0
                    and result["publish_minutes_60_items"]["warm_median_s"] <= 1.0
                    and result["monthly_report_pdf"]["warm_median_s"] <= 3.0)
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
