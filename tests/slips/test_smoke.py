"""End-to-end happy path of a slip through the API (transfer → accept → reply → rate)."""
from datetime import timedelta

from facilitation.timeutil import local_today


def test_slip_happy_path(api, make_meeting, make_user, lead_user, make_department, client):
    department = make_department("后勤管理部")
    handler = make_user("handler", department=department)
    meeting = make_meeting()
    joined = client.post(f"/api/v1/join/{meeting.join_code}", json={"name": "王建国"}).get_json()
    participant = api(joined["participant_token"])
    item = participant.post(f"/meetings/{meeting.id}/items", json={
        "client_id": "abcdefgh-0001", "kind": "demand", "text": "井下班中餐送到时已经凉了", "anonymity": "named"})
    assert item.status_code == 201, item.get_json()
    item = item.get_json()
    due = (local_today() + timedelta(days=5)).isoformat()
    lead = api(lead_user)
    slip = lead.post(f"/items/{item['id']}/transfer", json={"department_id": department.id, "due_date": due})
    assert slip.status_code == 201, slip.get_json()
    slip = slip.get_json()["slip"]
    assert slip["number"].startswith("HT-") and slip["status"] == "issued"
    handler_api = api(handler)
    replied = handler_api.post(f"/slips/{slip['id']}/reply", json={"reply": "已更换保温餐箱", "basis": "后勤管理部采购计划"})
    assert replied.status_code == 200, replied.get_json()
    assert replied.get_json()["slip"]["status"] == "replied"
    rated = participant.post(f"/slips/{slip['id']}/feedback", json={"rating": "satisfied", "comment": "很好"})
    assert rated.status_code == 200, rated.get_json()
    assert rated.get_json()["slip"]["status"] == "closed"
    page = client.get("/public/slips").get_data(as_text=True)
    assert "已更换保温餐箱" in page and "—— 王建国" in page  # 实名: the name stands beside the own item
