"""GET /people and POST /people: filters, who sees focus marks, duplicates, bad input."""
import pytest

from facilitation.extensions import db
from facilitation.people.models import Person, Tier, Unit


@pytest.fixture
def roster(tier):
    party = Tier.query.filter_by(code="party_member").one()
    unit = Unit(name="综采一区", kind="team")
    people = [Person(employee_no="YB001", name="王建国", tier=tier, unit=unit, is_focus=True, focus_reason="工伤复岗"),
              Person(employee_no="YB002", name="李秀英", tier=tier, unit=unit, gender="female"),
              Person(employee_no="YB003", name="张伟", tier=tier, is_active=False),
              Person(employee_no="YB004", name="赵磊", tier=party)]
    db.session.add_all(people)
    db.session.commit()
    return people


@pytest.mark.parametrize("role, sees_focus", [("organizer", True), ("lead", True), ("admin", True),
                                              ("viewer", False), ("handler", False)])
def test_list_people_and_who_sees_focus_marks(api, make_user, roster, tier, role, sees_focus):
    response = api(make_user(role)).get(f"/people?tier_id={tier.id}&active=true")
    assert response.status_code == 200
    people = response.get_json()["people"]
    assert [p["employee_no"] for p in people] == ["YB001", "YB002"]
    assert {"id", "employee_no", "name", "tier_id", "unit"} <= set(people[0])
    assert people[0]["unit"] == "综采一区" and people[0]["tier_id"] == tier.id
    assert ("is_focus" in people[0]) == sees_focus and ("focus_reason" in people[0]) == sees_focus
    if sees_focus:
        assert people[0]["is_focus"] is True and people[1]["is_focus"] is False


def test_list_filters(api, make_user, roster, tier):
    client = api(make_user("organizer"))
    assert len(client.get("/people").get_json()["people"]) == 4
    assert [p["name"] for p in client.get(f"/people?tier_id={tier.id}&active=false").get_json()["people"]] == ["张伟"]
    assert client.get("/people?active=maybe").status_code == 400
    assert client.get("/people?tier_id=abc").status_code == 400
    assert api(None).get("/people").status_code == 401


def test_add_a_person(api, make_user, roster, tier):
    client = api(make_user("organizer"))
    response = client.post("/people", json={"employee_no": "YB100", "name": "陈静", "tier_id": tier.id,
                                            "unit": "安监处", "gender": "female", "post": "安监员",
                                            "is_focus": True, "focus_reason": "新入职大学生"})
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert body["employee_no"] == "YB100" and body["unit"] == "安监处" and body["is_focus"] is True
    person = db.session.get(Person, body["id"])
    assert person.unit.kind == "office" and person.focus_since is not None and person.is_active
    minimal = client.post("/people", json={"employee_no": "YB101", "name": "吴勇", "tier_id": tier.id})
    assert minimal.status_code == 201 and minimal.get_json()["unit"] is None
    assert client.post("/people", json={"employee_no": "YB102", "name": "周杰", "tier_id": tier.id,
                                        "unit": "综采一区"}).get_json()["unit"] == "综采一区"
    assert Unit.query.filter_by(name="综采一区").count() == 1


def test_a_known_employee_number_is_409_duplicate(api, make_user, roster, tier):
    response = api(make_user("organizer")).post("/people", json={"employee_no": "YB001", "name": "王建国",
                                                                 "tier_id": tier.id})
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "duplicate" and "YB001" in error["message"]
    assert Person.query.count() == 4


@pytest.mark.parametrize("body, message", [
    ({"name": "王", "tier_id": 1}, "工号不能为空"),
    ({"employee_no": "YB 9", "name": "王", "tier_id": 1}, "工号只能包含"),
    ({"employee_no": "YB9", "name": "", "tier_id": 1}, "姓名不能为空"),
    ({"employee_no": "YB9", "name": "王"}, "tier_id"),
    ({"employee_no": "YB9", "name": "王", "tier_id": 987654}, "请选择层级"),
    ({"employee_no": "YB9", "name": "王", "tier_id": 1, "gender": "x"}, "性别"),
    ({"employee_no": "YB9", "name": "王", "tier_id": 1, "is_focus": "yes"}, "is_focus"),
    ({"employee_no": "YB9", "name": "王\x00", "tier_id": 1}, "控制字符"),
    ({"employee_no": "YB9", "name": "王", "tier_id": 1, "standing": "best"}, "表现档次"),
    ({"employee_no": "Y" * 33, "name": "王", "tier_id": 1}, "不能超过"),
])
def test_bad_input_is_400_and_stores_nothing(api, make_user, body, message):
    response = api(make_user("organizer")).post("/people", json=body)
    assert response.status_code == 400, response.get_data(as_text=True)
    assert message in response.get_json()["error"]["message"]
    assert Person.query.count() == 0


def test_only_organizers_add_people(api, make_user, tier):
    for role in ("lead", "viewer", "handler"):
        assert api(make_user(role)).post("/people", json={"employee_no": "YB9", "name": "王",
                                                          "tier_id": tier.id}).status_code == 403
