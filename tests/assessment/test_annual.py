"""The annual department assessment on a constructed year where every number is known: slips
and ledger entries with fixed Asia/Shanghai timestamps on both sides of the year's boundaries."""
import io
import re
import uuid
from datetime import date, datetime

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from facilitation.assessment.services import annual_assessment
from facilitation.extensions import db
from facilitation.live.models import Item
from facilitation.people.services import create_department
from facilitation.slips.models import PointEntry, Slip
from facilitation.timeutil import SHANGHAI

PASSWORD = "correct-horse-1"


@pytest.fixture(autouse=True)
def cheap_password_hashes(monkeypatch):
    """Users here only need to log in: a one-round hash instead of scrypt."""
    from werkzeug.security import generate_password_hash
    import facilitation.accounts.models as account_models
    monkeypatch.setattr(account_models, "generate_password_hash",
                        lambda password: generate_password_hash(password, method="pbkdf2:sha256:1"))


def sh(*args):
    return datetime(*args, tzinfo=SHANGHAI)


def make_slip(department, issued, due, replied=None, closed=False, rating=None):
    """A slip made straight in the tables with fixed times (the services stamp 'now')."""
    make_slip.count += 1
    item = Item(channel="qr", client_id=uuid.uuid4().hex, kind="demand", text=f"诉求 {make_slip.count}",
                anonymity="named", submitter_name="王建国", status="transferred", created_at=issued)
    status = "closed" if closed else ("replied" if replied else "accepted")
    slip = Slip(number=f"HT-TEST-{make_slip.count:04d}", item=item, department_id=department.id, due_date=due,
                status=status, issued_at=issued, accepted_at=issued, replied_at=replied,
                replied_on_time=(replied.astimezone(SHANGHAI).date() <= due) if replied else None,
                reply="已处理" if replied else None, closed_at=replied if closed else None, rating=rating)
    db.session.add(slip)
    db.session.flush()
    return slip


make_slip.count = 0


def deduct(department, reason, at, slip=None):
    """A ledger entry booked at `at`; it belongs to that local day (an overdue one: its deadline)."""
    points = {"overdue": -2, "perfunctory": -1, "absent": -1}[reason]
    day = at.astimezone(SHANGHAI).date()
    if reason == "overdue" and slip is not None:
        day = slip.due_date
    db.session.add(PointEntry(department_id=department.id, slip_id=slip.id if slip else None, reason=reason,
                              points=points, created_at=at, occurred_on=day))


@pytest.fixture
def year_2025():
    """Four departments; every figure of 2025 is worked out in the comments."""
    a = create_department("后勤管理部")
    b = create_department("人力资源部")
    c = create_department("安监处")
    d = create_department("工会")  # nothing at all in 2025
    # 后勤: 2 slips, both replied and closed; one on time (2 days), one late (10 days, −2).
    make_slip(a, sh(2025, 3, 3, 10), date(2025, 3, 10), replied=sh(2025, 3, 5, 10), closed=True, rating="satisfied")
    late = make_slip(a, sh(2025, 6, 2, 9), date(2025, 6, 9), replied=sh(2025, 6, 12, 9), closed=True,
                     rating="dissatisfied")
    deduct(a, "overdue", sh(2025, 6, 10, 8), late)
    # 人力: one slip issued at 23:30 on New Year's Eve (still 2025), replied in 2 days, not rated;
    # one never replied (overdue, −2); absent from a meeting at 23:50 on 31 Dec (−1, counts);
    # a perfunctory reply flagged at 00:10 on 1 Jan 2026 (not 2025).
    eve = make_slip(b, sh(2025, 12, 31, 23, 30), date(2026, 1, 7), replied=sh(2026, 1, 2, 23, 30))
    stuck = make_slip(b, sh(2025, 4, 1, 9), date(2025, 4, 8))
    deduct(b, "overdue", sh(2025, 4, 9, 8), stuck)
    deduct(b, "absent", sh(2025, 12, 31, 23, 50))
    deduct(b, "perfunctory", sh(2026, 1, 1, 0, 10), eve)
    # 安监: one slip, replied next day, closed, basically satisfied; one from 2024 does not count.
    make_slip(c, sh(2025, 9, 1, 10), date(2025, 9, 5), replied=sh(2025, 9, 2, 10), closed=True,
              rating="basically_satisfied")
    make_slip(c, sh(2024, 12, 31, 23, 50), date(2025, 1, 6))
    deduct(c, "overdue", sh(2024, 12, 31, 23, 59))
    db.session.commit()
    return {"a": a, "b": b, "c": c, "d": d}


def test_every_number_of_the_year(year_2025):
    doc = annual_assessment(2025, today=date(2026, 3, 1))
    rows = {r["department"]: r for r in doc["rows"]}
    picked = ("rank", "slips", "replied", "closed", "overdue", "rated", "satisfied", "reply_rate", "on_time_rate",
              "closure_rate", "satisfaction_rate", "avg_days_to_reply", "points")
    # on-time rate = replied on time / (replied + overdue): 人力资源部's never-answered slip counts against it
    assert {name: tuple(row[k] for k in picked) for name, row in rows.items()} == {
        "安监处": (1, 1, 1, 1, 0, 1, 1, 1.0, 1.0, 1.0, 1.0, 1.0, 0),
        "后勤管理部": (2, 2, 2, 2, 0, 2, 1, 1.0, 0.5, 1.0, 0.5, 6.0, -2),
        "人力资源部": (3, 2, 1, 0, 1, 0, 0, 0.5, 0.5, 0.0, None, 2.0, -3),
        "工会": (None, 0, 0, 0, 0, 0, 0, None, None, None, None, None, 0),  # nothing to assess: no rank
    }
    assert [r["department"] for r in doc["rows"]] == ["安监处", "后勤管理部", "人力资源部", "工会"]
    none = {"count": 0, "points": 0}
    assert rows["人力资源部"]["deductions"] == {"overdue": {"count": 1, "points": -2}, "perfunctory": none,
                                             "absent": {"count": 1, "points": -1}, "noncompliance": none}
    assert rows["后勤管理部"]["deductions"] == {"overdue": {"count": 1, "points": -2}, "perfunctory": none,
                                             "absent": none, "noncompliance": none}
    assert rows["安监处"]["deductions"] == {"overdue": none, "perfunctory": none, "absent": none,
                                          "noncompliance": none}
    assert doc["totals"]["slips"] == 5 and doc["totals"]["points"] == -5
    assert doc["totals"]["deductions"]["overdue"] == {"count": 2, "points": -4}
    # The flagged reply of 1 Jan 2026 and the 2024 slip belong to the neighbouring years.
    next_year = {r["department"]: r for r in annual_assessment(2026, today=date(2026, 3, 1))["rows"]}
    assert next_year["人力资源部"]["deductions"]["perfunctory"] == {"count": 1, "points": -1}
    assert next_year["人力资源部"]["slips"] == 0
    previous = {r["department"]: r for r in annual_assessment(2024, today=date(2026, 3, 1))["rows"]}
    assert previous["安监处"]["slips"] == 1 and previous["安监处"]["points"] == -2
    assert previous["安监处"]["rank"] == 1 and previous["后勤管理部"]["rank"] is None


def login(app, make_user, role, **kw):
    user = make_user(role, **kw)
    client = app.test_client()
    assert client.post("/login", data={"username": user.username, "password": PASSWORD}).status_code == 302
    return client


def test_page_pdf_and_xlsx(app, make_user, year_2025, screenshot_dir):
    viewer = login(app, make_user, "viewer")
    page = viewer.get("/assessment/2025")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "2025 年度职能科室承办考核" in html
    order = [html.index(name) for name in ("安监处", "后勤管理部", "人力资源部", "工会")]
    assert order == sorted(order)
    assert viewer.get("/assessment/?year=2025").headers["Location"].endswith("/assessment/2025")

    response = viewer.get("/assessment/2025.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages))
    assert "2025年度职能科室承办考核表" in text
    for name in ("安监处", "工会", "后勤管理部", "人力资源部", "逾期未办理", "受邀未派人参加慧谈"):
        assert name in text
    assert "1安监处1100%100%100%100%1.0" in text
    assert "3人力资源部250%50%0%—2.0" in text and "无承办工会0————" in text
    _to_png(response.data, screenshot_dir, "annual")

    response = viewer.get("/assessment/2025.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "2025 年度职能科室承办考核表"
    assert rows[1][:3] == ("名次", "科室", "交办") and rows[1][-1] == "合计扣分"
    assert rows[2] == (1, "安监处", 1, 1, 1, 0, 100, 100, 100, 100, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    assert rows[3][:11] == (2, "后勤管理部", 2, 2, 2, 0, 100, 50, 100, 50, 6)
    assert rows[4] == (3, "人力资源部", 2, 1, 0, 1, 50, 50, 0, None, 2, 1, -2, 0, 0, 1, -1, 0, 0, -3)
    assert rows[5][:3] == ("无承办", "工会", 0)
    assert rows[6][1] == "合计" and rows[6][2] == 5 and rows[6][-1] == -5


def test_who_reads_the_assessment(app, make_user, year_2025):
    for role in ("organizer", "lead", "admin"):
        assert login(app, make_user, role).get("/assessment/2025").status_code == 200
    handler = login(app, make_user, "handler", department=year_2025["a"])
    for url in ("/assessment/2025", "/assessment/2025.pdf", "/assessment/2025.xlsx"):
        assert handler.get(url).status_code == 403
    anonymous = app.test_client().get("/assessment/2025")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    assert login(app, make_user, "viewer").get("/assessment/1999").status_code == 404


def _to_png(pdf_bytes, screenshot_dir, name):
    import os
    import shutil
    import subprocess
    if not shutil.which("pdftoppm"):
        return
    path = os.path.join(screenshot_dir, name + ".pdf")
    with open(path, "wb") as handle:
        handle.write(pdf_bytes)
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", path,
                    os.path.join(screenshot_dir, name)], check=True, timeout=60)
    os.remove(path)
