"""Every success answer in /api/v1/openapi.json names a JSON schema, and the real answers of the
roster, plan, proposal, invitation-list and coverage endpoints match the schemas the document gives.

The document is OpenAPI 3.0: `nullable: true` is not JSON Schema, so nullable schemas are turned into
`anyOf [schema, {"type": "null"}]` before validating; `$ref`s resolve inside the document's components.
"""
from datetime import datetime

import jsonschema_rs
import pytest

from facilitation.extensions import db
from facilitation.people.models import Person, Tier, Unit
from facilitation.scheduling.models import Meeting, Participant
from facilitation.timeutil import SHANGHAI, local_today


@pytest.fixture
def document(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def test_every_success_response_has_a_json_schema(document):
    without = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            for code, response in operation["responses"].items():
                if str(code).startswith("2"):
                    schema = response.get("content", {}).get("application/json", {}).get("schema")
                    if not schema:
                        without.append(f"{method.upper()} {path} {code}")
    assert not without, "2xx responses without a content schema:\n" + "\n".join(without)


# ------------------------------------------------------------------ validating real answers

def allow_null(schema):
    """OpenAPI 3.0 → JSON Schema: a schema with `nullable: true` also admits null."""
    if isinstance(schema, list):
        return [allow_null(value) for value in schema]
    if not isinstance(schema, dict):
        return schema
    nullable = schema.get("nullable") is True
    converted = {key: allow_null(value) for key, value in schema.items()
                 if not (key == "nullable" and isinstance(value, bool))}
    return {"anyOf": [converted, {"type": "null"}]} if nullable else converted


def validator(document, method, path, code):
    response = document["paths"][path][method]["responses"][str(code)]
    schema = response["content"]["application/json"]["schema"]
    root = {"$schema": "http://json-schema.org/draft-07/schema#", "allOf": [allow_null(schema)],
            "components": allow_null(document["components"])}
    return jsonschema_rs.validator_for(root)


def errors_of(document, method, path, code, body):
    return [f"{list(error.instance_path)}: {error.message}"
            for error in validator(document, method, path, code).iter_errors(body)]


def checked(document, response, method, path, code):
    """The JSON body of `response`, after checking its status and that it matches the document."""
    assert response.status_code == code, response.get_data(as_text=True)[:500]
    assert response.is_json
    body = response.get_json()
    errors = errors_of(document, method, path, code, body)
    assert not errors, f"{method.upper()} {path} {code} does not match its schema:\n" + "\n".join(errors)
    return body


def put(client, token, url, body):
    return client.put("/api/v1" + url, json=body, headers={"Authorization": f"Bearer {token}"})


def test_the_null_conversion_and_the_refs_are_not_vacuous(document):
    """A missing required key, a null where none is allowed, a wrong type in a $ref'd item all fail."""
    path = "/api/v1/tiers/{tier_id}/coverage"
    good = {"active": 0, "covered": 0, "share": None, "never": [], "months": [None] * 12}
    assert errors_of(document, "get", path, 200, good) == []
    assert errors_of(document, "get", path, 200, {**good, "share": 1.5})
    assert errors_of(document, "get", path, 200, {**good, "active": None})
    assert errors_of(document, "get", path, 200, {**good, "months": [None] * 11})
    assert errors_of(document, "get", path, 200, {key: v for key, v in good.items() if key != "never"})
    people = {"people": [{"id": 1, "employee_no": "S1", "name": "王伟", "tier_id": None, "unit": None,
                          "gender": None, "post": None, "is_active": True}]}
    assert errors_of(document, "get", "/api/v1/people", 200, people) == []
    assert errors_of(document, "get", "/api/v1/people", 200, {"people": [{**people["people"][0], "name": None}]})
    assert errors_of(document, "get", "/api/v1/people", 200,
                     {"people": [{**people["people"][0], "gender": "unknown"}]})
    plan = {"meetings": [{"id": "1"}], "notes": []}
    assert errors_of(document, "post", "/api/v1/plans/{month}", 201, plan)


# ------------------------------------------------------------------ the roster

def test_people_answers_match_person_and_person_list(document, api, make_user, tier):
    organizer, viewer = make_user("organizer"), make_user("viewer")
    path = "/api/v1/people"
    full = checked(document, api(organizer).post("/people", json={
        "employee_no": "S90001", "name": "郭海涛", "tier_id": tier.id, "unit": "综采一区", "gender": "男",
        "post": "支架工", "phone": "13800000000", "is_focus": True, "focus_reason": "家庭困难",
        "standing": "lagging"}), "post", path, 201)
    bare = checked(document, api(organizer).post("/people", json={
        "employee_no": "S90002", "name": "林静", "tier_id": tier.id}), "post", path, 201)
    assert full == {"id": full["id"], "employee_no": "S90001", "name": "郭海涛", "tier_id": tier.id,
                    "unit": "综采一区", "gender": "male", "post": "支架工", "is_active": True, "is_focus": True,
                    "focus_reason": "家庭困难", "standing": "lagging"}
    assert bare == {"id": bare["id"], "employee_no": "S90002", "name": "林静", "tier_id": tier.id, "unit": None,
                    "gender": None, "post": None, "is_active": True, "is_focus": False, "focus_reason": None,
                    "standing": None}
    stored = db.session.get(Person, full["id"])
    assert (stored.unit.name, stored.gender, stored.phone, stored.standing) == ("综采一区", "male", "13800000000",
                                                                               "lagging")
    assert stored.focus_since is not None
    # a roster entry without a tier (left over from an import) and one no longer in post
    db.session.add(Person(employee_no="S90003", name="唐军", tier=None, is_active=False))
    db.session.commit()

    listed = checked(document, api(organizer).get("/people"), "get", path, 200)
    assert [p["employee_no"] for p in listed["people"]] == ["S90001", "S90002", "S90003"]
    assert listed["people"][:2] == [full, bare]
    assert listed["people"][2]["tier_id"] is None and listed["people"][2]["is_active"] is False
    # a viewer sees no focus marks: the keys are absent, and the schema does not require them
    seen = checked(document, api(viewer).get("/people?active=true"), "get", path, 200)
    assert [p["employee_no"] for p in seen["people"]] == ["S90001", "S90002"]
    assert all(not {"is_focus", "focus_reason", "standing"} & set(p) for p in seen["people"])
    by_tier = checked(document, api(viewer).get(f"/people?tier_id={tier.id}"), "get", path, 200)
    assert len(by_tier["people"]) == 2


# ------------------------------------------------------------------ the month plan

def test_plan_answer_matches_plan(document, api, make_user, lead_user, tier):
    organizer = make_user("organizer")
    month = f"{local_today().year + 2}-03"
    path = "/api/v1/plans/{month}"
    body = checked(document, api(organizer).post(f"/plans/{month}"), "post", path, 201)
    meeting = Meeting.query.one()  # only the staff tier has a lead
    assert [m["id"] for m in body["meetings"]] == [meeting.id]
    assert body["meetings"][0]["tier_id"] == tier.id and body["meetings"][0]["lead_user_id"] == lead_user.id
    assert meeting.plan_month == month and meeting.status == "planned"
    assert len(body["notes"]) == Tier.query.count() - 1 and all(isinstance(n, str) and n for n in body["notes"])
    again = checked(document, api(organizer).post(f"/plans/{month}"), "post", path, 201)
    assert again["meetings"] == [] and Meeting.query.count() == 1


# ------------------------------------------------------------------ proposal, list, approval

def roster(tier, n):
    unit = Unit(name="综采二区", kind="team")
    db.session.add(unit)
    people = [Person(employee_no=f"S{index:05d}", name=f"职工{index}", tier=tier, unit=unit if index % 2 else None,
                     gender="male" if index % 3 else None, is_focus=index == 4,
                     focus_reason="近期违章（三违）受处理" if index == 4 else None) for index in range(n)]
    db.session.add_all(people)
    db.session.commit()
    return people


def test_proposal_and_invitation_list_answers_match_their_schemas(document, api, client, make_user, make_meeting,
                                                                 lead_user, tier, token_for):
    from facilitation.live.services import join_meeting
    from facilitation.scheduling.services import start_meeting
    organizer = make_user("organizer")
    people = roster(tier, 7)
    meeting = make_meeting(status="planned", max_participants=3)
    base = "/api/v1/meetings/{meeting_id}"

    proposal = checked(document, api(organizer).get(f"/meetings/{meeting.id}/proposal"), "get",
                       base + "/proposal", 200)
    assert proposal["max_participants"] == 3
    assert len(proposal["participants"]) == 3 and len(proposal["alternates"]) == 4
    proposed = [p["person_id"] for p in proposal["participants"] + proposal["alternates"]]
    assert sorted(proposed) == sorted(p.id for p in people)
    assert proposal["participants"][0]["person_id"] == people[4].id  # the focus person first
    assert all(p["reason"] for p in proposal["participants"])

    chosen = [proposal["participants"][0]["person_id"], proposal["participants"][1]["person_id"],
              proposal["alternates"][0]["person_id"]]
    token = token_for(organizer)
    listed = checked(document, put(client, token, f"/meetings/{meeting.id}/participants", {"person_ids": chosen}),
                     "put", base + "/participants", 200)
    assert [p["person_id"] for p in listed["participants"]] == chosen
    assert listed["approved"] is False and listed["max_participants"] == 3
    assert listed["participants"][0]["is_focus"] is True and listed["participants"][0]["joined"] is False
    assert all(p["tier_id"] == tier.id for p in listed["participants"])
    stored = {p.person_id: p.reason for p in Participant.query.filter_by(meeting_id=meeting.id, source="invited")}
    assert set(stored) == set(chosen)
    assert stored[chosen[0]] == proposal["participants"][0]["reason"]

    # a list set before reasons were kept has none: the answer says null
    Participant.query.filter_by(meeting_id=meeting.id, person_id=chosen[2]).one().reason = None
    db.session.commit()
    shown = checked(document, api(lead_user).get(f"/meetings/{meeting.id}/participants"), "get",
                    base + "/participants", 200)
    assert [p["reason"] for p in shown["participants"]][2] is None and shown["approved"] is False

    approved = checked(document, api(lead_user).post(f"/meetings/{meeting.id}/participants/approve"), "post",
                       base + "/participants/approve", 200)
    assert approved["approved"] is True and [p["person_id"] for p in approved["participants"]] == chosen
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).participants_approved_at is not None
    assert Participant.query.filter_by(meeting_id=meeting.id, source="invited").filter(
        Participant.approved_at.isnot(None)).count() == 3

    start_meeting(organizer, db.session.get(Meeting, meeting.id))
    join_meeting(meeting.join_code, db.session.get(Person, chosen[1]).employee_no)
    db.session.commit()
    after = checked(document, api(organizer).get(f"/meetings/{meeting.id}/participants"), "get",
                    base + "/participants", 200)
    assert [p["joined"] for p in after["participants"]] == [False, True, False]


# ------------------------------------------------------------------ coverage

def test_coverage_answers_match_coverage(document, api, make_user, make_meeting, lead_user, tier):
    from facilitation.live.services import join_meeting
    from facilitation.scheduling.services import close_meeting, start_meeting
    organizer = make_user("organizer")
    people = roster(tier, 4)
    meeting = make_meeting(status="planned", starts_at=datetime(2030, 2, 6, 15, tzinfo=SHANGHAI))
    start_meeting(organizer, meeting)
    for person in people[:2]:
        join_meeting(meeting.join_code, person.employee_no)
    close_meeting(organizer, meeting)
    db.session.commit()
    path = "/api/v1/tiers/{tier_id}/coverage"

    body = checked(document, api(lead_user).get(f"/tiers/{tier.id}/coverage?year=2030"), "get", path, 200)
    assert (body["active"], body["covered"], body["share"]) == (4, 2, 0.5)
    assert body["never"] == [{"person_id": p.id, "name": p.name} for p in people[2:]]
    assert body["months"] == [0.0] + [0.5] * 11

    empty_tier = Tier.query.filter(Tier.id != tier.id).order_by(Tier.position).first()
    empty = checked(document, api(organizer).get(f"/tiers/{empty_tier.id}/coverage?year=2030"), "get", path, 200)
    assert empty == {"active": 0, "covered": 0, "share": None, "never": [], "months": [None] * 12}
