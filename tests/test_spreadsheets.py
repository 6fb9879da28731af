"""Every .xlsx we produce goes through facilitation/spreadsheets.py and never holds a formula
made from user text (=HYPERLINK(…) in an item once became a live link in the ledger)."""
import io
import uuid
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from facilitation.extensions import db
from facilitation.spreadsheets import XlsxWriter, restore_text, safe_text
from facilitation.timeutil import local_today

from conftest import login

PAYLOADS = ("=1+1", "+1+1", "-2+3", "@SUM(1)", '=HYPERLINK("http://evil.example/x","点我")', "\t=1+1", "\r=1+1")
# every route that answers with a workbook; a new one must be added here (the test checks)
XLSX_ROUTES = {"/slips/ledger.xlsx", "/people/export.xlsx", "/awards/<int:review_id>/sheet.xlsx",
               "/assessment/<int:year>.xlsx"}


def formula_cells(data):
    workbook = load_workbook(io.BytesIO(data))
    found, texts = [], []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f" or (isinstance(cell.value, str) and cell.value[:1] in "=+-@\t\r"):
                    found.append(f"{sheet.title}!{cell.coordinate}={cell.value!r}")
                if isinstance(cell.value, str):
                    texts.append(cell.value)
    return found, texts


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_writer_neutralises_formula_starts(payload):
    writer = XlsxWriter()
    sheet = writer.sheet("测试")
    sheet.header(["内容"])
    sheet.row([payload, 3, None])
    found, texts = formula_cells(writer.to_bytes())
    assert found == []
    stored = payload.replace("\r", "\n")  # XML keeps line breaks as LF
    assert texts[1] == "'" + stored and restore_text(texts[1]) == stored
    assert safe_text("普通文字-不变") == "普通文字-不变"


def test_every_workbook_route_is_covered(app):
    routes = {rule.rule for rule in app.url_map.iter_rules() if rule.rule.endswith(".xlsx")}
    assert routes == XLSX_ROUTES


def test_no_workbook_we_produce_contains_a_formula(app, client, make_user, make_meeting, make_department, lead_user):
    from facilitation.awards import services as awards
    from facilitation.live.services import adopt_suggestion, join_meeting, submit_item
    from facilitation.people.models import Person, Unit
    from facilitation.slips import services as slips

    department = make_department("后勤管理部")
    handler = make_user("handler", department=department)
    organizer = make_user("organizer")
    admin = make_user("admin")
    meeting = make_meeting()
    unit = Unit(name="综采一队")
    db.session.add(unit)
    db.session.flush()
    for n, payload in enumerate(PAYLOADS):
        db.session.add(Person(employee_no=f"X{n:04d}", name=payload[:60], unit_id=unit.id,
                              tier_id=meeting.tier_id, post=payload[:60], focus_reason=payload, is_focus=True))
        participant = join_meeting(meeting.join_code, name=f"职工{n}")
        item, _created = submit_item(meeting, client_id=uuid.uuid4().hex, kind="suggestion", text=payload,
                                     category=payload[:30], participant=participant)
        slip = adopt_suggestion(lead_user, item, department.id, local_today() + timedelta(days=5))
        slips.accept_slip(handler, slip)
        slips.reply_slip(handler, slip, payload, payload)
        slips.rate_slip(slip, "dissatisfied", payload)
    db.session.commit()
    year, month = local_today().year, local_today().month
    quarter = f"{year}-Q{(month - 1) // 3 + 1}"
    review = awards.create_review(organizer, quarter, 1000)
    db.session.commit()
    first_item = slip.item
    awards.set_award(organizer, review, first_item.id, 200, PAYLOADS[0])
    db.session.commit()

    login(client, admin)
    checked = {}
    for url in ("/slips/ledger.xlsx", "/people/export.xlsx", f"/awards/{review.id}/sheet.xlsx",
                f"/assessment/{year}.xlsx"):
        response = client.get(url)
        assert response.status_code == 200, url
        found, texts = formula_cells(response.data)
        assert found == [], (url, found[:5])
        checked[url] = texts
    ledger = checked["/slips/ledger.xlsx"]
    for payload in PAYLOADS[:5]:
        assert "'" + payload in ledger  # shown as text, apostrophe first, never evaluated
