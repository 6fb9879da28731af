"""Documents: the printable slip form (PDF, rendered in the worker process and inline) and the
ledger (.xlsx with the same columns), their contents, and who may download them."""
import io
import os
import subprocess
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from facilitation.extensions import db
from facilitation.slips.documents import LEDGER_COLUMNS, ledger_headers
from facilitation.timeutil import local_today, month_bounds


def _pdf_text(data):
    assert data[:5] == b"%PDF-"
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _ledger(client, query=""):
    response = client.get("/slips/ledger.xlsx" + query)
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    return rows[0], rows[1:]


@pytest.fixture
def inline_pdf(monkeypatch, app):
    monkeypatch.setitem(app.config, "PDF_INLINE", True)


def test_slip_pdf_from_the_worker_process(world, logged_in, app, monkeypatch, screenshot_dir):
    monkeypatch.setitem(app.config, "PDF_INLINE", False)
    slip = world.advance(world.new_slip(text="井下班中餐送到时已经凉了，希望增加保温措施"), "replied")
    response = logged_in(world.handler).get(f"/slips/{slip.id}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert f"{slip.number}.pdf" in response.headers["Content-Disposition"]
    text = _pdf_text(response.data)
    for expected in (slip.number, "井下班中餐送到时已经凉了", "后勤管理部", "韩立军", "孙后勤", "已更换保温餐箱",
                     "《井下送餐管理办法》", slip.due_date.isoformat(), "王建国", "已答复"):
        assert expected in text, expected
    assert "“八级慧谈”诉求承办单" in text.replace(" ", "")  # the title is letter-spaced
    from facilitation import pdf
    assert pdf._worker.pid is not None  # it really went through the worker process
    # a picture of the form for the visual check (poppler-utils is in the Makefile's packages)
    with open(os.path.join(screenshot_dir, "slips-form.pdf"), "wb") as out:
        out.write(response.data)
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-singlefile", out.name,
                    os.path.join(screenshot_dir, "slips-form-pdf")], check=True, timeout=60)
    assert os.path.getsize(os.path.join(screenshot_dir, "slips-form-pdf.png")) > 10000


def test_slip_pdf_shows_the_rating_and_reopen_count(world, api, logged_in, inline_pdf):
    slip = world.advance(world.new_slip(text="矿灯充电架损坏"), "replied")
    api(world.lead).post(f"/slips/{slip.id}/reopen", json={"reason": "未说明更换时间"})
    api(world.handler).post(f"/slips/{slip.id}/reply", json={"reply": "本周五前更换", "basis": "机电科维修计划"})
    api(slip.participant_token).post(f"/slips/{slip.id}/feedback", json={"rating": "basically_satisfied",
                                                                         "comment": "希望早点"})
    text = _pdf_text(logged_in(world.organizer).get(f"/slips/{slip.id}.pdf").data)
    assert "☑ 基本满意" in text.replace("\u3000", " ") or "☑基本满意" in text.replace(" ", "")
    assert "希望早点" in text and "退回重办 1 次" in text and "本周五前更换" in text


def test_slip_pdf_permissions(world, logged_in, client, inline_pdf):
    slip = world.new_slip()
    assert logged_in(world.other_handler).get(f"/slips/{slip.id}.pdf").status_code == 404
    assert logged_in(world.other_lead).get(f"/slips/{slip.id}.pdf").status_code == 404
    assert client.get(f"/slips/{slip.id}.pdf").status_code == 302  # to the login page
    assert logged_in(world.viewer).get(f"/slips/{slip.id}.pdf").status_code == 200


def test_slip_pdf_for_anonymous_submitters(world, logged_in, inline_pdf):
    slip = world.new_slip(text="工资里的夜班补贴少算了", anonymity="anonymous", name="周匿名")
    text = _pdf_text(logged_in(world.organizer).get(f"/slips/{slip.id}.pdf").data)
    assert "工资里的夜班补贴少算了" in text and "匿名" in text and "周匿名" not in text


def test_ledger_has_the_slip_form_columns(world, logged_in):
    named = world.advance(world.new_slip(text="井下班中餐送到时已经凉了"), "closed")
    anonymous = world.new_slip(text="夜班补贴少算了", anonymity="anonymous", name="周匿名")
    hidden = world.new_slip(text="有人代打卡", anonymity="hidden_identity", name="赵秘密",
                            department_id=world.other_department.id)
    header, rows = _ledger(logged_in(world.organizer))
    assert list(header) == ledger_headers()
    assert header[:3] == ("编号", "来源", "提出日期") and "答复依据" in header and "职工评价" in header
    assert len(header) == len(LEDGER_COLUMNS)
    by_number = {row[0]: dict(zip(LEDGER_COLUMNS, row)) for row in rows}
    assert set(by_number) == {named.number, anonymous.number, hidden.number}
    first = by_number[named.number]
    assert (first["text"], first["department"], first["submitter"], first["status"], first["basis"]) == (
        "井下班中餐送到时已经凉了", "后勤管理部", "王建国", "已办结", "后勤管理部《井下送餐管理办法》")
    assert (first["supervisor"], first["handler"], first["due"]) == ("韩立军", "孙后勤", named.due_date.isoformat())
    assert first["tier"] == "职工" and first["kind"] == "诉求" and first["meeting"] == "11月职工层级慧谈"
    assert by_number[anonymous.number]["submitter"] == "匿名"
    assert by_number[hidden.number]["submitter"] == "完全匿名"
    flat = "".join(str(v) for row in rows for v in row if v is not None)
    assert "周匿名" not in flat and "赵秘密" not in flat


def test_ledger_is_scoped_and_filtered(world, logged_in):
    ours = world.new_slip(text="本科室的")
    theirs = world.new_slip(text="别的科室的", department_id=world.other_department.id)
    _, rows = _ledger(logged_in(world.handler))
    assert [row[0] for row in rows] == [ours.number]
    _, rows = _ledger(logged_in(world.other_lead))
    assert rows == []
    # filtered by issue date (local days)
    old = world.new_slip(text="上个月交办的")
    start_of_month, _ = month_bounds(local_today().year, local_today().month)
    old.issued_at = start_of_month - timedelta(days=3)
    db.session.commit()
    organizer = logged_in(world.organizer)
    _, rows = _ledger(organizer, f"?start={local_today().replace(day=1).isoformat()}")
    assert {row[0] for row in rows} == {ours.number, theirs.number}
    _, rows = _ledger(organizer, f"?end={(local_today().replace(day=1) - timedelta(days=1)).isoformat()}")
    assert [row[0] for row in rows] == [old.number]
    response = organizer.get("/slips/ledger.xlsx?start=昨天", follow_redirects=True)
    assert "日期格式应为 YYYY-MM-DD" in response.get_data(as_text=True)
