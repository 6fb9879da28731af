"""JSON API: handling slips (the lifecycle endpoints build on slips/services.py)."""
from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.context import staff_required
from ..api import bp
from ..errors import NotFound, ValidationError
from ..extensions import db
from ..timeutil import local_today
from .models import SLIP_STATUSES, Slip
from .services import slip_to_dict

PAGE_SIZE_MAX = 200


def visible_slips(user):
    """Handlers see their department's slips; leads the ones they supervise; others all."""
    query = Slip.query
    if user.role == "handler":
        query = query.filter(Slip.department_id == (user.department_id or -1))
    elif user.role == "lead":
        query = query.filter(Slip.supervisor_user_id == user.id)
    return query


@bp.route("/slips")
@staff_required
def list_slips():
    """Slips visible to the caller, filtered and paginated.
    ---
    get:
      summary: List slips
      parameters:
        - {name: status, in: query, schema: {type: string, enum: [issued, accepted, replied, closed]}}
        - {name: department_id, in: query, schema: {type: integer}}
        - {name: overdue, in: query, schema: {type: boolean}}
        - {name: page, in: query, schema: {type: integer, default: 1}}
        - {name: per_page, in: query, schema: {type: integer, default: 50, maximum: 200}}
      responses:
        200:
          description: '{"slips": [...], "page", "per_page", "total"}'
    """
    query = visible_slips(current_user)
    status = request.args.get("status")
    if status:
        if status not in SLIP_STATUSES:
            raise ValidationError(_("未知状态：%(s)s。", s=status))
        query = query.filter(Slip.status == status)
    department_id = request.args.get("department_id")
    if department_id:
        if not department_id.isdigit():
            raise ValidationError(_("department_id 必须是整数。"))
        query = query.filter(Slip.department_id == int(department_id))
    overdue = (request.args.get("overdue") or "").lower()
    if overdue in ("1", "true", "yes"):
        query = query.filter(Slip.status.in_(("issued", "accepted")), Slip.due_date < local_today())
    elif overdue in ("0", "false", "no"):
        query = query.filter(db.or_(Slip.status.in_(("replied", "closed")), Slip.due_date >= local_today()))
    page = request.args.get("page", 1, type=int) or 1
    per_page = min(max(request.args.get("per_page", 50, type=int) or 50, 1), PAGE_SIZE_MAX)
    pagination = query.order_by(Slip.due_date, Slip.id).paginate(page=max(page, 1), per_page=per_page,
                                                                  error_out=False)
    return jsonify({"slips": [slip_to_dict(s) for s in pagination.items], "page": pagination.page,
                    "per_page": per_page, "total": pagination.total})


@bp.route("/slips/<int:slip_id>")
@staff_required
def get_slip(slip_id):
    """One slip.
    ---
    get:
      summary: Get a slip
      parameters:
        - {name: slip_id, in: path, required: true, schema: {type: integer}}
      responses:
        200:
          description: the slip
        404:
          description: no such slip, or not visible to the caller
    """
    slip = visible_slips(current_user).filter(Slip.id == slip_id).first()
    if slip is None:
        raise NotFound(_("找不到该承办单。"))
    return jsonify(slip_to_dict(slip))
