"""JSON API: tiers, departments and the roster."""
from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload, lazyload

from ..accounts.auth import roles_required, staff_required
from ..api import bp, json_body
from ..edges import unit_of_work
from ..errors import ValidationError
from ..validation import ID_MAX, bool_value, id_value, optional_text, query_int, required_text
from . import services
from .models import Department, Person
from .services import ordered_tiers


def tier_to_dict(tier):
    lead = tier.current_lead
    return {"id": tier.id, "code": tier.code, "name": tier.name, "position": tier.position,
            "lead": ({"user_id": lead.user_id, "name": lead.display_name} if lead else None),
            "lead_hint": tier.lead_hint, "is_active": tier.is_active}


@bp.route("/tiers")
@staff_required
def list_tiers():
    """List the eight tiers in order, each with its current lead.
    ---
    get:
      summary: Tiers in display order
      responses:
        200:
          description: '{"tiers": [{"id", "code", "name", "position", "lead"}]}'
          content: {application/json: {schema: {$ref: '#/components/schemas/TierList'}}}
        401:
          description: not logged in
    """
    return jsonify({"tiers": [tier_to_dict(t) for t in ordered_tiers()]})


@bp.route("/departments")
@staff_required
def list_departments():
    """List the functional departments that handle slips.
    ---
    get:
      summary: Departments
      responses:
        200:
          description: '{"departments": [{"id", "name"}]}'
          content: {application/json: {schema: {$ref: '#/components/schemas/DepartmentList'}}}
        401:
          description: not logged in
    """
    departments = Department.query.filter_by(is_active=True).order_by(Department.position, Department.name)
    return jsonify({"departments": [{"id": d.id, "name": d.name} for d in departments]})


def person_to_dict(person, with_focus):
    """A roster entry for the API; focus marks (and 抓两头 standing) only for organizers and leads."""
    data = {"id": person.id, "employee_no": person.employee_no, "name": person.name, "tier_id": person.tier_id,
            "unit": person.unit.name if person.unit else None, "gender": person.gender, "post": person.post,
            "is_active": person.is_active}
    if with_focus:
        data.update(is_focus=person.is_focus, focus_reason=person.focus_reason, standing=person.standing)
    return data


def _sees_focus():
    return current_user.has_role("organizer", "lead")


@bp.route("/people")
@staff_required
def list_people():
    """The roster, filtered by tier and by being in post.
    ---
    get:
      summary: People of the roster
      parameters:
        - {name: tier_id, in: query, required: false, schema: {type: integer}}
        - {name: active, in: query, required: false, schema: {type: string, enum: ['true', 'false', '1', '0']}}
      responses:
        200:
          description: '{"people": [{"id", "employee_no", "name", "tier_id", "unit", "is_focus"}]}; is_focus and
            focus_reason only for organizers and leads'
          content: {application/json: {schema: {$ref: '#/components/schemas/PersonList'}}}
        400:
          description: malformed filter
        401:
          description: not logged in
    """
    tier_id = query_int(request.args.get("tier_id"), "tier_id", 1, ID_MAX)
    active = request.args.get("active")
    if active not in (None, "", "true", "false", "1", "0"):
        raise ValidationError(_("active 只能是 true 或 false。"), code="bad_boolean")
    query = Person.query.options(joinedload(Person.unit), lazyload(Person.tier))
    if tier_id is not None:
        query = query.filter(Person.tier_id == tier_id)
    if active in ("true", "1"):
        query = query.filter(Person.is_active.is_(True))
    elif active in ("false", "0"):
        query = query.filter(Person.is_active.is_(False))
    with_focus = _sees_focus()
    return jsonify({"people": [person_to_dict(p, with_focus) for p in query.order_by(Person.employee_no)]})


@bp.route("/people", methods=["POST"])
@roles_required("organizer")
def create_person():
    """Add a person to the roster.
    ---
    post:
      summary: Add a roster entry
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [employee_no, name, tier_id]
              properties:
                employee_no: {type: string, maxLength: 32}
                name: {type: string, maxLength: 64}
                tier_id: {type: integer}
                unit: {type: string, maxLength: 64, description: unit name; created when new}
                gender: {type: string, enum: [male, female]}
                post: {type: string, maxLength: 64}
                phone: {type: string, maxLength: 32}
                is_focus: {type: boolean}
                focus_reason: {type: string, maxLength: 200}
                standing: {type: string, enum: [advanced, lagging], nullable: true}
      responses:
        201:
          description: the person
          content: {application/json: {schema: {$ref: '#/components/schemas/Person'}}}
        400:
          description: invalid input
        403:
          description: not an organizer
        409:
          description: 'a known employee_no (code "duplicate")'
    """
    data = json_body()
    values = {
        "employee_no": required_text(data.get("employee_no"), _("工号不能为空。"), 32),
        "name": required_text(data.get("name"), _("姓名不能为空，且不超过 64 个字符。"), 64),
        "tier_id": id_value(data.get("tier_id"), "tier_id"),
        "unit": optional_text(data.get("unit"), 64, "unit"),
        "gender": {"男": "male", "女": "female"}.get(data.get("gender"), optional_text(data.get("gender"), 8, "gender")),
        "post": optional_text(data.get("post"), 64, "post"),
        "phone": optional_text(data.get("phone"), 32, "phone"),
        "is_focus": bool_value(data.get("is_focus"), "is_focus", False),
        "focus_reason": optional_text(data.get("focus_reason"), 200, "focus_reason"),
        "standing": optional_text(data.get("standing"), 16, "standing"),
    }
    with unit_of_work():
        person = services.create_person(current_user, values)
        body = person_to_dict(person, True)
    return jsonify(body), 201
