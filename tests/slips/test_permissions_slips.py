"""Who may do what on a slip: every role × every slip action (allowed → 200 and the change is
made; denied → 401/403/404 and nothing changes), who sees which slips in lists and pages, and
the hidden-identity guarantee (no identity in the database, the API, pages, the PDF or Excel)."""
import io
import json
from datetime import timedelta

import pytest
from sqlalchemy import inspect, text

from facilitation.audit.models import AuditEvent
from facilitation.extensions import db
from facilitation.timeutil import local_today

ROLES = ("anonymous", "participant", "viewer", "other_handler", "handler", "other_lead", "lead", "organizer",
         "admin")
SUPERVISORS = {"lead": 200, "organizer": 200, "admin": 200, "other_lead": 404, "handler": 403,
               "other_handler": 403, "viewer": 403, "anonymous": 401, "participant": 401}
HANDLERS = {"handler": 200, "admin": 200, "other_handler": 404, "lead": 403, "other_lead": 403, "organizer": 403,
            "viewer": 403, "anonymous": 401, "participant": 401}

# action -> (state the slip is in, request body, expected status per role)
MATRIX = {
    "accept": ("issued", {}, HANDLERS),
    "reply": ("accepted", {"reply": "已协调食堂", "basis": "后勤管理制度"}, HANDLERS),
    "extend": ("issued", {"due_date": "+4", "reason": "等待采购"}, dict(HANDLERS, lead=200, organizer=200, other_lead=404)),
    "extension/approve": ("pending", {}, SUPERVISORS),
    "extension/refuse": ("pending", {}, SUPERVISORS),
    "close": ("replied", {}, SUPERVISORS),
    "reopen": ("replied", {"reason": "未落实"}, SUPERVISORS),
    "reassign": ("issued", {"department_id": "other"}, SUPERVISORS),
    "perfunctory": ("replied", {"reason": "敷衍"}, SUPERVISORS),
    "feedback": ("replied", {"rating": "basically_satisfied"},
                 dict({role: 403 for role in ROLES}, participant=200)),
}


def _snapshot(slip):
    db.session.expire_all()
    row = db.session.execute(text("SELECT status, due_date, department_id, reopen_count, rating FROM slips "
                                  "WHERE id = :id"), {"id": slip.id}).one()
    events = AuditEvent.query.filter_by(entity="slip", entity_id=slip.id).count()
    return tuple(row) + (events,)


def _prepare(world, state):
    slip = world.new_slip()
    if state == "pending":
        from facilitation.slips.services import request_extension
        request_extension(world.handler, slip, slip.due_date + timedelta(days=3), "需要协调")
        db.session.commit()
    else:
        world.advance(slip, state)
    return slip


@pytest.mark.parametrize("action", list(MATRIX))
def test_role_matrix(world, api, action):
    state, body, expected = MATRIX[action]
    for role in ROLES:
        slip = _prepare(world, state)
        data = dict(body)
        if data.get("department_id") == "other":
            data["department_id"] = world.other_department.id
        if data.get("due_date", "").startswith("+"):
            data["due_date"] = (slip.due_date + timedelta(days=int(data["due_date"]))).isoformat()
        caller = {"anonymous": api(None), "participant": api(slip.participant_token)}.get(role) or \
            api(getattr(world, role))
        before = _snapshot(slip)
        response = caller.post(f"/slips/{slip.id}/{action}", json=data)
        assert response.status_code == expected[role], (action, role, response.get_json())
        if expected[role] == 200:
            assert _snapshot(slip) != before, (action, role)
        else:
            assert _snapshot(slip) == before, (action, role)
            assert response.get_json()["error"]["message"]


def test_reading_a_slip(world, api):
    slip = world.new_slip()
    expected = {"organizer": 200, "admin": 200, "viewer": 200, "lead": 200, "handler": 200,
                "other_lead": 404, "other_handler": 404}
    for role, status in expected.items():
        assert api(getattr(world, role)).get(f"/slips/{slip.id}").status_code == status, role
    assert api(None).get(f"/slips/{slip.id}").status_code == 401
    assert api(slip.participant_token).get(f"/slips/{slip.id}").status_code == 401
    assert api(world.organizer).get("/slips/987654").status_code == 404


def test_each_role_sees_its_own_slips(world, api, logged_in, make_meeting):
    from facilitation.people.models import Tier
    from facilitation.live.services import join_meeting, submit_item, transfer_item
    ours = world.new_slip(text="食堂饭菜太咸")
    theirs = world.new_slip(text="工资条看不懂", department_id=world.other_department.id)
    party_meeting = make_meeting(tier_id=Tier.query.filter_by(code="party_member").one().id, title="党员慧谈")
    item, _ = submit_item(party_meeting, client_id="party-0001", kind="demand", text="党员活动室空调坏了",
                          participant=join_meeting(party_meeting.join_code, name="赵党员"))
    party_slip = transfer_item(world.other_lead, item, world.department.id, local_today() + timedelta(days=3))
    db.session.commit()
    assert party_slip.supervisor_user_id == world.other_lead.id

    everyone = {ours.number, theirs.number, party_slip.number}
    expected = {"handler": {ours.number, party_slip.number}, "other_handler": {theirs.number},
                "lead": {ours.number, theirs.number}, "other_lead": {party_slip.number},
                "organizer": everyone, "viewer": everyone, "admin": everyone}
    for role, numbers in expected.items():
        listed = api(getattr(world, role)).get("/slips?per_page=200").get_json()
        assert {s["number"] for s in listed["slips"]} == numbers, role
        assert listed["total"] == len(numbers)
        page = logged_in(getattr(world, role)).get("/slips/").get_data(as_text=True)
        for number in everyone:
            assert (number in page) == (number in numbers), (role, number)
    # a handler cannot widen the view with a filter
    filtered = api(world.handler).get(f"/slips?department_id={world.other_department.id}").get_json()
    assert filtered["slips"] == [] and filtered["total"] == 0
    assert logged_in(world.handler).get(f"/slips/{theirs.id}").status_code == 404
    assert logged_in(world.other_lead).get(f"/slips/{ours.id}").status_code == 404


def test_viewer_sees_the_slip_page_without_action_forms(world, logged_in):
    slip = world.advance(world.new_slip(), "replied")
    page = logged_in(world.viewer).get(f"/slips/{slip.id}").get_data(as_text=True)
    assert slip.number in page and "已更换保温餐箱" in page
    assert 'value="close"' not in page and 'value="reply"' not in page
    lead_page = logged_in(world.lead).get(f"/slips/{slip.id}").get_data(as_text=True)
    assert 'value="close"' in lead_page and 'value="reopen"' in lead_page
    response = logged_in(world.viewer).post(f"/slips/{slip.id}", data={"action": "close"}, follow_redirects=True)
    assert "只有督办员" in response.get_data(as_text=True)
    assert world.reload(slip).status == "replied"


def test_hidden_identity_is_stored_and_shown_nowhere(world, api, logged_in, app):
    """The submitter joined as 赵秘密 and raised a hidden-identity item: nothing links them to it."""
    from openpyxl import load_workbook
    from pypdf import PdfReader
    secret = "赵秘密"
    slip = world.advance(world.new_slip(text="区队考勤有人代打卡", anonymity="hidden_identity", name=secret),
                         "replied")
    item = slip.item
    assert (item.participant_id, item.submitter_name, item.follow_token) == (None, None, None)

    # database: the name is only in the attendance list (participants), never on a row about the item
    for table in inspect(db.engine).get_table_names():
        if table in ("participants", "alembic_version"):
            continue
        columns = [c["name"] for c in inspect(db.engine).get_columns(table)
                   if str(c["type"]).upper().startswith(("VARCHAR", "TEXT", "STRING"))]
        for column in columns:
            hits = db.session.execute(text(f'SELECT COUNT(*) FROM "{table}" WHERE "{column}" LIKE :s'),
                                      {"s": f"%{secret}%"}).scalar()
            assert hits == 0, f"{table}.{column}"
    events = AuditEvent.query.filter_by(entity="item", entity_id=item.id).all()
    assert events and all(e.actor_user_id is None for e in events if e.action == "create")

    organizer = api(world.organizer)
    for url in (f"/slips/{slip.id}", "/slips", f"/meetings/{world.meeting.id}/items"):
        body = json.dumps(organizer.get(url).get_json(), ensure_ascii=False)
        assert slip.number in body or "区队考勤有人代打卡" in body, url
        assert secret not in body, url
    page = logged_in(world.organizer)
    for url in (f"/slips/{slip.id}", "/slips/", "/public/slips"):
        body = page.get(url).get_data(as_text=True)
        assert "区队考勤有人代打卡" in body and secret not in body, url
    assert "完全匿名" in page.get(f"/slips/{slip.id}").get_data(as_text=True)

    app.config["PDF_INLINE"] = True
    try:
        pdf = page.get(f"/slips/{slip.id}.pdf")
    finally:
        app.config.pop("PDF_INLINE")
    pdf_text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "区队考勤有人代打卡" in pdf_text and secret not in pdf_text and "完全匿名" in pdf_text
    workbook = load_workbook(io.BytesIO(page.get("/slips/ledger.xlsx").data))
    cells = [str(c.value) for row in workbook.active.iter_rows() for c in row if c.value is not None]
    assert "区队考勤有人代打卡" in cells and secret not in "".join(cells)
    # and the person who joined under that name cannot claim the item with their phone token
    rated = api(slip.participant_token).post(f"/slips/{slip.id}/feedback", json={"rating": "dissatisfied"})
    assert rated.status_code == 403 and world.reload(slip).rating is None


def test_dashboard_filters_search_sort_and_pages(world, api, logged_in, monkeypatch):
    import re
    monkeypatch.setattr("facilitation.slips.views.PAGE_SIZE", 2)
    soon = world.new_slip(text="食堂饭菜太咸", due_days=1)
    later = world.new_slip(text="澡堂热水不够", due_days=6)
    middle = world.new_slip(text="更衣柜锁坏了", due_days=3, department_id=world.other_department.id)
    done = world.advance(world.new_slip(text="矿灯充电架松动", due_days=2), "closed")
    late = world.new_slip(text="巷道照明不足_100%", due_days=4)
    late.due_date = local_today() - timedelta(days=2)
    db.session.commit()
    page = logged_in(world.organizer)

    def numbers(url):
        body = page.get(url).get_data(as_text=True)
        table = body[body.index('<table class="table slips">'):body.index("</table>")]
        return re.findall(r"HT-\d{6}-\d{4}", table), body

    first, body = numbers("/slips/")
    assert first == [late.number, soon.number]  # not closed, earliest deadline first
    assert "第 1 / 2 页，共 4 条" in body and "page=2" in body
    second, body = numbers("/slips/?page=2")
    assert second == [middle.number, later.number] and "上一页" in body
    assert numbers("/slips/?status=all&page=2")[0] == [done.number, middle.number]
    assert numbers("/slips/?status=closed")[0] == [done.number]
    assert numbers("/slips/?overdue=1")[0] == [late.number]
    assert numbers(f"/slips/?department_id={world.other_department.id}")[0] == [middle.number]
    assert numbers("/slips/?sort=newest")[0] == [late.number, middle.number]
    # search in Chinese: item text, reply text and number; % and _ are plain characters
    assert numbers("/slips/?q=热水")[0] == [later.number]
    assert numbers("/slips/?status=all&q=保温餐箱")[0] == [done.number]
    assert numbers(f"/slips/?q={soon.number}")[0] == [soon.number]
    assert numbers("/slips/?q=_100%25")[0] == [late.number]
    assert numbers("/slips/?q=%25%25")[0] == []
    # the API filters the same way and says how many there are
    listed = api(world.organizer).get("/slips?status=issued&per_page=2&page=2").get_json()
    assert (listed["total"], listed["page"], [s["number"] for s in listed["slips"]]) == (
        4, 2, [middle.number, later.number])
    assert [s["number"] for s in api(world.organizer).get("/slips?q=热水").get_json()["slips"]] == [later.number]
    assert api(world.organizer).get("/slips?status=lost").status_code == 400
    assert api(world.organizer).get("/slips?department_id=x").status_code == 400
