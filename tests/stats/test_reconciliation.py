"""Reconciliation: a constructed October 2026 where every figure is known in advance gives exactly
those figures in every place that shows them — GET /api/v1/stats, the monthly report (figures,
page and PDF), the league table, the annual assessment and the home dashboard — on SQLite and
PostgreSQL, with slips on both sides of the Asia/Shanghai month boundaries.

The month (all times Asia/Shanghai; the figures are read on 20 November):

  后勤管理部 (A)
    A1 issued 10-08 09:00, due 10-15, replied 10-12 09:00 (on time), 满意 → closed      4 days
    A2 issued 10-09 09:00, due 10-16, replied 10-20 09:00 (late), 不满意                11 days
       −2 belongs to 10-16, booked by the late reply itself (the job never ran in between)
       flagged 搪塞应付 on 10-21 (−1), reversed on 11-02: counts for nothing
    A3 issued 10-10 09:00, due 10-17, never signed for: overdue; −2 belongs to 10-17 (job ran 11-03)
    A4 issued 10-31 23:30 (still October), due 11-05, replied 11-04 23:30 (on time),
       基本满意, closed by the supervisor                                                4 days
  人力资源部 (B)
    S0 issued 09-20, due 09-30, never replied: September's slip; its −2 belongs to September
       although the job booked it on 10-03
    B1 issued 10-12 09:00, due 10-19, extension to 10-26 approved, replied 10-24 09:00
       (on time: the extended deadline counts), 满意 → closed                            12 days
    B2 issued 10-13 09:00, due 10-20, replied 10-18, sent back 10-22 (new deadline 10-29),
       replied again 10-31 09:00 (late); the rating was reset by the new reply           18 days
       −2 belongs to 10-29, the deadline in force when it passed
    B3 issued 11-01 00:10 (November), due 11-08, replied 11-05 00:10 (on time)            4 days
    absent from the 10-28 meeting it was invited to: −1 on 10-28
  工会 (C): no slip; −1 on 10-25 for a report not sent in time (不服从慧谈工作安排)
  安监处 (D): nothing
  Items: 7 in October (the six above and one answered on the spot); the minutes' action item
  is raised by nobody and does not count, but its slip (issued 11-06 to A, due 11-30) is a
  slip like any other. S0's item is September's, B3's November's.
"""
import io
import re
from datetime import date, datetime

import pytest
from pypdf import PdfReader

from facilitation.assessment.services import annual_assessment
from facilitation.extensions import db
from facilitation.live import services as live
from facilitation.minutes.services import add_action_item
from facilitation.people.services import create_department
from facilitation.reports.queries import monthly_figures
from facilitation.scheduling import services as scheduling
from facilitation.slips import points, reminders, services as slips
from facilitation.slips.models import PointEntry
from facilitation.stats import queries as stats
from facilitation.timeutil import SHANGHAI

from conftest import login

OCTOBER = {"items": 7, "slips": 6, "replied": 5, "replied_on_time": 3, "closed": 3, "overdue": 1, "rated": 4,
           "satisfied": 3, "reply_rate": 0.8333, "on_time_rate": 0.5, "closure_rate": 0.5, "satisfaction_rate": 0.75}
NOVEMBER = {"items": 1, "slips": 2, "replied": 1, "replied_on_time": 1, "closed": 0, "overdue": 0, "rated": 0,
            "satisfied": 0, "reply_rate": 0.5, "on_time_rate": 1.0, "closure_rate": 0.0, "satisfaction_rate": None}
DEPARTMENT_KEYS = ("rank", "slips", "replied", "replied_on_time", "overdue", "closed", "rated", "satisfied",
                   "reply_rate", "on_time_rate", "closure_rate", "satisfaction_rate", "avg_days_to_reply", "points")
OCTOBER_DEPARTMENTS = {
    "人力资源部": (1, 2, 2, 1, 0, 1, 1, 1, 1.0, 0.5, 0.5, 1.0, 15.0, -3),
    "后勤管理部": (2, 4, 3, 2, 1, 2, 3, 2, 0.75, 0.5, 0.5, 0.6667, 6.3, -4),
    "工会": (None, 0, 0, 0, 0, 0, 0, 0, None, None, None, None, None, -1),
    "安监处": (None, 0, 0, 0, 0, 0, 0, 0, None, None, None, None, None, 0),
}
YEAR_DEPARTMENTS = {
    "后勤管理部": (1, 5, 3, 2, 1, 2, 3, 2, 0.6, 0.5, 0.4, 0.6667, 6.3, -4),
    "人力资源部": (2, 4, 3, 2, 1, 1, 1, 1, 0.75, 0.5, 0.25, 1.0, 11.3, -5),
    "工会": (None, 0, 0, 0, 0, 0, 0, 0, None, None, None, None, None, -1),
    "安监处": (None, 0, 0, 0, 0, 0, 0, 0, None, None, None, None, None, 0),
}
TODAY = (2026, 11, 20, 12, 0)


def sh(*args):
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def october(clock, make_user, make_meeting, lead_user):
    a, b = create_department("后勤管理部"), create_department("人力资源部")
    c = create_department("工会")
    create_department("安监处")  # nothing at all happens to it
    handler_a = make_user("handler", department=a, username="handler-a")
    handler_b = make_user("handler", department=b, username="handler-b")
    organizer = make_user("organizer", username="dangqun")
    clock.shanghai(2026, 9, 20, 8)
    meeting = make_meeting(starts_at=sh(2026, 10, 28, 15), department_ids=[b.id])
    lead = lead_user

    def raise_slip(code, department, at, due):
        clock.set(at)
        item, _created = live.submit_item(meeting, client_id=f"recon-{code}-0001", kind="demand",
                                          text=f"{code} 诉求", staff=lead)
        item.created_at = at
        slip = live.transfer_item(lead, item, department.id, due)
        db.session.commit()
        return slip

    def at(*args):
        clock.shanghai(*args)

    s0 = raise_slip("S0", b, sh(2026, 9, 20, 9), date(2026, 9, 30))
    at(2026, 10, 3, 8)
    reminders.run_reminders(date(2026, 10, 3))
    answered = live.submit_item(meeting, client_id="recon-spot-0001", kind="question", text="夜班津贴几号发", staff=lead)[0]
    at(2026, 10, 8, 9)
    answered.created_at = sh(2026, 10, 8, 9)
    live.answer_item(lead, answered, "每月 15 日随工资发放")
    a1 = raise_slip("A1", a, sh(2026, 10, 8, 9), date(2026, 10, 15))
    a2 = raise_slip("A2", a, sh(2026, 10, 9, 9), date(2026, 10, 16))
    a3 = raise_slip("A3", a, sh(2026, 10, 10, 9), date(2026, 10, 17))
    b1 = raise_slip("B1", b, sh(2026, 10, 12, 9), date(2026, 10, 19))
    b2 = raise_slip("B2", b, sh(2026, 10, 13, 9), date(2026, 10, 20))
    at(2026, 10, 12, 9)
    slips.accept_slip(handler_a, a1)
    slips.reply_slip(handler_a, a1, "已更换保温餐箱", "后勤保障办法第 3 条")
    slips.rate_slip(a1, "satisfied")
    at(2026, 10, 13, 10)
    slips.accept_slip(handler_b, b1)
    slips.accept_slip(handler_b, b2)
    at(2026, 10, 17, 10)
    slips.request_extension(handler_b, b1, date(2026, 10, 26), "需要集团审批")
    slips.decide_extension(lead, b1, True)
    at(2026, 10, 18, 9)
    slips.reply_slip(handler_b, b2, "按新标准执行", "人资〔2026〕12 号")
    at(2026, 10, 20, 9)
    slips.accept_slip(handler_a, a2)
    slips.reply_slip(handler_a, a2, "研究研究", "无")
    slips.rate_slip(a2, "dissatisfied", "答非所问")
    at(2026, 10, 21, 9)
    perfunctory = slips.flag_perfunctory(lead, a2, "答复敷衍")
    at(2026, 10, 22, 9)
    slips.reopen_slip(lead, b2, "没有说明补发时间", date(2026, 10, 29))
    at(2026, 10, 24, 9)
    slips.reply_slip(handler_b, b1, "已补发", "人资〔2026〕12 号")
    slips.rate_slip(b1, "satisfied")
    at(2026, 10, 25, 9)
    points.record_noncompliance(organizer, c.id, "十月职工思想动态报告未按时上报")
    at(2026, 10, 28, 16)
    scheduling.record_department_absence(organizer, meeting, b.id, "未派人列席")
    a4 = raise_slip("A4", a, sh(2026, 10, 31, 23, 30), date(2026, 11, 5))
    at(2026, 10, 31, 9)
    slips.reply_slip(handler_b, b2, "十一月随工资补发", "人资〔2026〕12 号")
    b3 = raise_slip("B3", b, sh(2026, 11, 1, 0, 10), date(2026, 11, 8))
    at(2026, 11, 2, 9)
    points.reverse_deduction(organizer, perfunctory, "经核实科室已多次电话沟通")
    at(2026, 11, 3, 8)
    reminders.run_reminders(date(2026, 11, 3))
    at(2026, 11, 4, 23, 30)
    slips.accept_slip(handler_a, a4)
    slips.reply_slip(handler_a, a4, "已安排", "后勤保障办法")
    slips.rate_slip(a4, "basically_satisfied")
    at(2026, 11, 5, 0, 10)
    slips.accept_slip(handler_b, b3)
    slips.reply_slip(handler_b, b3, "已答复", "人资规定")
    at(2026, 11, 6, 9)
    slips.close_slip(lead, a4)
    db.session.commit()
    # an action item decided while writing the minutes is not raised by anyone: not counted
    from facilitation.scheduling.services import close_meeting
    for item in live.items_after(meeting):
        assert item.status != "open"
    close_meeting(organizer, meeting)
    action = add_action_item(organizer, meeting, a.id, date(2026, 11, 30), "会后落实：更换更衣柜")
    action.item.created_at = sh(2026, 10, 29, 9)
    action.issued_at = sh(2026, 11, 6, 10)
    db.session.commit()
    clock.shanghai(*TODAY)
    assert s0 and a3 and b3
    return {"organizer": organizer, "admin": make_user("admin", username="root")}


def picked(row):
    return tuple(row[key] for key in DEPARTMENT_KEYS)


def text_of(html):
    return re.sub(r"\s+", "", re.sub(r"<[^>]+>", " ", html))


def test_every_figure_in_every_place(october, client, api, token_for):
    table = []

    # 1. the API
    response = api(october["admin"]).get("/stats/2026-10")
    assert response.status_code == 200
    assert response.get_json() == OCTOBER
    table.append(("GET /api/v1/stats/2026-10", OCTOBER, response.get_json()))
    assert api(october["admin"]).get("/stats/2026-11").get_json() == NOVEMBER

    # 2. the monthly report: its figures, its page and its PDF
    figures = monthly_figures(2026, 10)
    assert figures["slips"] == OCTOBER and figures["items_total"] == OCTOBER["items"]
    assert figures["ratings"] == {"satisfied": 2, "basically_satisfied": 1, "dissatisfied": 1}
    report_rows = {row["department"]: picked(row) for row in figures["departments"]}
    assert report_rows == {name: row for name, row in OCTOBER_DEPARTMENTS.items() if name != "安监处"}
    table.append(("monthly report figures", OCTOBER, figures["slips"]))
    sentence = ("交办承办单6件；截至2026-11-20，已答复5件（按期3件），已办结3件，逾期未答复1件；参与评价4件"
                "（满意2，基本满意1，不满意1）。答复率83.3%，按期答复率50%，办结率50%，满意率75%。")
    login(client, october["organizer"])
    page = text_of(client.get("/reports/monthly/2026-10").get_data(as_text=True))
    assert sentence in page
    assert "人力资源部2100%50%50%100%0-3" in page and "后勤管理部475%50%50%66.7%1-4" in page
    pdf = client.get("/reports/monthly/2026-10.pdf").data
    pdf_text = re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))
    assert sentence in pdf_text
    table.append(("monthly report page and PDF", sentence, "shown"))

    # 3. the league table of October
    league = stats.month_department_figures(2026, 10)
    assert {row["department"]: picked(row) for row in league} == OCTOBER_DEPARTMENTS
    html = text_of(client.get("/slips/league?month=2026-10").get_data(as_text=True))
    assert "1人力资源部2100%50%50%100%15.00-3" in html
    assert "2后勤管理部475%50%50%66.7%6.31-4" in html
    assert "无承办工会0————" in html and "无承办安监处0————" in html
    assert html.index("人力资源部") < html.index("后勤管理部") < html.index("工会")
    table.append(("league table 2026-10", OCTOBER_DEPARTMENTS, "shown"))

    # 4. the annual assessment of 2026 (September's slip and November's count for the year)
    doc = annual_assessment(2026)
    assert {row["department"]: picked(row) for row in doc["rows"]} == YEAR_DEPARTMENTS
    assert doc["totals"]["slips"] == 9 and doc["totals"]["points"] == -10
    assert [r["department"] for r in doc["rows"]][:2] == ["后勤管理部", "人力资源部"]
    html = text_of(client.get("/assessment/2026").get_data(as_text=True))
    assert "1后勤管理部560%50%40%66.7%6.3" in html and "2人力资源部475%50%25%100%11.3" in html
    table.append(("annual assessment 2026", YEAR_DEPARTMENTS, "shown"))

    # 5. the home dashboard shows this month (November) with the same definition
    home = text_of(client.get("/").get_data(as_text=True))
    assert "1/2本月交办已答复（答复率50%）" in home and "—本月满意率（0件评价）" in home
    table.append(("home dashboard (November)", NOVEMBER, "shown"))

    # the deductions say where they belong
    entries = {(e.department.name, e.reason, e.occurred_on): e for e in PointEntry.query.all()}
    assert sorted((name, day) for name, reason, day in entries if reason == "overdue") == [
        ("人力资源部", date(2026, 9, 30)), ("人力资源部", date(2026, 10, 29)),
        ("后勤管理部", date(2026, 10, 16)), ("后勤管理部", date(2026, 10, 17))]
    assert next(e for (n, r, _d), e in entries.items() if r == "perfunctory").reversed_at is not None
    print("\nreconciliation (expected = shown):")
    for place, expected, _shown in table:
        print(f"  {place}: {expected}")
