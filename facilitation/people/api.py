"""JSON API: tiers and departments."""
from flask import jsonify

from ..accounts.context import staff_required
from ..api import bp
from .models import Department
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
