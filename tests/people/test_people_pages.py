"""The roster pages: who sees focus persons, adding and editing a person, departments and units."""
import pytest

from facilitation.extensions import db
from facilitation.people.models import Department, Person, Tier, Unit
from facilitation.people.services import create_unit


@pytest.fixture
def unit():
    made = create_unit("综采一队")
    db.session.commit()
    return made


@pytest.fixture
def focus_person(unit, tier):
    person = Person(employee_no="YB1001", name="王建国", unit=unit, tier=tier, is_focus=True,
                    focus_reason="家庭困难")
    db.session.add(person)
    db.session.commit()
    return person


def person_form(unit, tier, **overrides):
    data = {"employee_no": "YB2001", "name": "张明", "gender": "male", "unit_id": unit.id, "post": "支架工",
            "tier_id": tier.id, "phone": "13800002001", "is_active": "y"}
    data.update(overrides)
    return data


# ---------------------------------------------------------------- roster and focus persons

def test_lead_sees_focus_persons(client, lead_user, login_as, focus_person):
    login_as(lead_user)
    response = client.get("/people/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "王建国" in html and "重点" in html and "家庭困难" in html
    assert "新增职工" not in html  # leads read, organizers edit
    assert client.get("/people/?focus=1").get_data(as_text=True).count("YB1001") == 1


@pytest.mark.parametrize("role", ["handler", "viewer"])
def test_handler_and_viewer_cannot_see_the_roster(client, make_user, login_as, focus_person, role):
    login_as(make_user(role))
    assert client.get("/people/").status_code == 403
    assert client.get("/people/export.xlsx").status_code == 403
    assert client.get(f"/people/{focus_person.id}/edit").status_code == 403


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get("/people/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_search_treats_percent_literally(client, make_user, login_as, unit, tier):
    db.session.add_all([Person(employee_no="YB3001", name="李强", unit=unit, tier=tier, post="100%安全员"),
                        Person(employee_no="YB3002", name="赵刚", unit=unit, tier=tier, post="支架工")])
    db.session.commit()
    login_as(make_user("organizer"))
    html = client.get("/people/?q=%25").get_data(as_text=True)
    assert "李强" in html and "赵刚" not in html


def test_organizer_adds_a_person(client, make_user, login_as, unit, tier):
    login_as(make_user("organizer"))
    response = client.post("/people/new", data=person_form(unit, tier, is_focus="y", focus_reason="新入职"))
    assert response.status_code == 302
    person = Person.query.filter_by(employee_no="YB2001").one()
    assert (person.name, person.gender, person.unit_id, person.tier_id) == ("张明", "male", unit.id, tier.id)
    assert person.is_focus is True and person.focus_reason == "新入职"
    assert "张明" in client.get("/people/").get_data(as_text=True)


def test_duplicate_employee_no_is_refused_in_chinese(client, make_user, login_as, focus_person, unit, tier):
    login_as(make_user("organizer"))
    response = client.post("/people/new", data=person_form(unit, tier, employee_no="YB1001", name="另一个人"))
    assert response.status_code == 409
    assert "工号 YB1001 已被其他职工使用" in response.get_data(as_text=True)
    assert Person.query.count() == 1
    assert Person.query.one().name == "王建国"


def test_person_needs_unit_and_tier(client, make_user, login_as, unit, tier):
    login_as(make_user("organizer"))
    response = client.post("/people/new", data=person_form(unit, tier, unit_id=0))
    assert response.status_code == 400
    assert "请选择单位" in response.get_data(as_text=True)
    response = client.post("/people/new", data=person_form(unit, tier, tier_id=0))
    assert "请选择层级" in response.get_data(as_text=True)
    response = client.post("/people/new", data=person_form(unit, tier, employee_no="YB 1"))
    assert "工号只能包含字母、数字" in response.get_data(as_text=True)
    response = client.post("/people/new", data=person_form(unit, tier, name=""))
    assert response.status_code == 400 and "请输入姓名" in response.get_data(as_text=True)
    assert Person.query.count() == 0


def test_organizer_edits_a_person_and_clears_focus(client, make_user, login_as, focus_person, unit, tier):
    login_as(make_user("organizer"))
    page = client.get(f"/people/{focus_person.id}/edit").get_data(as_text=True)
    assert 'value="YB1001"' in page and "家庭困难" in page
    # is_focus unchecked: the reason goes too (it is sensitive and means nothing alone)
    response = client.post(f"/people/{focus_person.id}/edit",
                           data=person_form(unit, tier, employee_no="YB1001", name="王建国", post="班组长",
                                            focus_reason="家庭困难"))
    assert response.status_code == 302
    db.session.expire_all()
    person = db.session.get(Person, focus_person.id)
    assert (person.post, person.is_focus, person.focus_reason) == ("班组长", False, None)


def test_editing_to_another_persons_employee_no_is_refused(client, make_user, login_as, focus_person, unit, tier):
    other = Person(employee_no="YB1002", name="李秀英", unit=unit, tier=tier)
    db.session.add(other)
    db.session.commit()
    login_as(make_user("organizer"))
    response = client.post(f"/people/{other.id}/edit", data=person_form(unit, tier, employee_no="YB1001",
                                                                         name="李秀英"))
    assert response.status_code == 409
    db.session.expire_all()
    assert db.session.get(Person, other.id).employee_no == "YB1002"


def test_lead_cannot_add_people(client, lead_user, login_as, unit, tier):
    login_as(lead_user)
    assert client.post("/people/new", data=person_form(unit, tier)).status_code == 403
    assert Person.query.count() == 0


# ---------------------------------------------------------------- departments and units

def test_organizer_adds_departments_and_duplicates_are_refused(client, make_user, login_as):
    login_as(make_user("organizer"))
    response = client.post("/departments/", data={"name": "人力资源部", "phone": "0530-1234567"})
    assert response.status_code == 302
    assert "人力资源部" in client.get("/departments/").get_data(as_text=True)
    response = client.post("/departments/", data={"name": " 人力资源部 "})
    assert response.status_code == 409
    assert "科室“人力资源部”已存在" in response.get_data(as_text=True)
    assert Department.query.count() == 1


def test_lead_cannot_add_departments_or_units(client, lead_user, login_as):
    login_as(lead_user)
    assert client.get("/departments/").status_code == 200
    assert client.post("/departments/", data={"name": "经管科"}).status_code == 403
    assert client.get("/units/").status_code == 200
    assert client.post("/units/", data={"name": "综掘二队", "kind": "team"}).status_code == 403
    assert Department.query.count() == 0 and Unit.query.count() == 0


def test_handler_reads_departments(client, make_user, login_as):
    handler = make_user("handler", display_name="赵承办")
    login_as(handler)
    html = client.get("/departments/").get_data(as_text=True)
    assert "赵承办" in html and "添加科室" not in html
    assert client.get("/units/").status_code == 403


def test_organizer_adds_units_and_duplicates_are_refused(client, make_user, login_as):
    login_as(make_user("organizer"))
    assert client.post("/units/", data={"name": "综掘二队", "kind": "team"}).status_code == 302
    assert client.post("/units/", data={"name": "地测科", "kind": "office"}).status_code == 302
    response = client.post("/units/", data={"name": "综掘二队", "kind": "office"})
    assert response.status_code == 409
    assert "单位“综掘二队”已存在" in response.get_data(as_text=True)
    assert {(u.name, u.kind) for u in Unit.query.all()} == {("综掘二队", "team"), ("地测科", "office")}
    assert client.post("/units/", data={"name": "", "kind": "team"}).status_code == 400


def test_tier_names_are_used_by_the_person_form(client, make_user, login_as, unit):
    login_as(make_user("organizer"))
    html = client.get("/people/new").get_data(as_text=True)
    for tier in Tier.query.all():
        assert tier.name in html
