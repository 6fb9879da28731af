"""JSON API: meetings."""
from flask import jsonify
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.context import roles_required, staff_required
from ..api import bp, json_body
from ..errors import ValidationError
from ..extensions import db
from ..timeutil import parse_local_datetime
from . import services


def _parse_meeting_body(data):
    parsed = dict(data)
    try:
        parsed["starts_at"] = parse_local_datetime(data.get("starts_at")) if data.get("starts_at") else None
        parsed["ends_at"] = parse_local_datetime(data.get("ends_at")) if data.get("ends_at") else None
    except (TypeError, ValueError):
        raise ValidationError(_("时间格式不正确，请使用 YYYY-MM-DDTHH:MM。"))
    for key in ("tier_id", "max_participants"):
        if parsed.get(key) is not None and not isinstance(parsed[key], int):
            raise ValidationError(_("%(field)s 必须是整数。", field=key))
    ids = parsed.get("department_ids") or []
    if not isinstance(ids, list) or not all(isinstance(i, int) for i in ids):
        raise ValidationError(_("department_ids 必须是整数列表。"))
    for key in ("title", "kind", "location", "video_url"):
        if parsed.get(key) is not None and not isinstance(parsed[key], str):
            raise ValidationError(_("%(field)s 必须是字符串。", field=key))
    return parsed


@bp.route("/meetings", methods=["POST"])
@roles_required("organizer")
def create_meeting():
    """Schedule a meeting.
    ---
    post:
      summary: Create a meeting
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [title, starts_at]
              properties:
                tier_id: {type: integer, nullable: true}
                title: {type: string, maxLength: 120}
                kind: {type: string, enum: [regular, topic, professional, milestone, online]}
                starts_at: {type: string, description: 'ISO 8601; without offset = Asia/Shanghai'}
                location: {type: string}
                video_url: {type: string}
                department_ids: {type: array, items: {type: integer}}
      responses:
        201:
          description: '{"id", "tier_id", "title", "kind", "status", "join_code", "starts_at"}'
        400:
          description: invalid input
        403:
          description: not an organizer
    """
    meeting = services.create_meeting(current_user, _parse_meeting_body(json_body()))
    db.session.commit()
    return jsonify(services.meeting_to_dict(meeting)), 201


@bp.route("/meetings/<int:meeting_id>")
@staff_required
def get_meeting(meeting_id):
    """One meeting.
    ---
    get:
      summary: Get a meeting
      parameters:
        - {name: meeting_id, in: path, required: true, schema: {type: integer}}
      responses:
        200:
          description: the meeting
        404:
          description: no such meeting
    """
    return jsonify(services.meeting_to_dict(services.get_meeting(meeting_id)))


@bp.route("/meetings/<int:meeting_id>/start", methods=["POST"])
@roles_required("organizer", "lead")
def start_meeting(meeting_id):
    """Start a planned meeting (organizer or its lead).
    ---
    post:
      summary: Start a meeting
      parameters:
        - {name: meeting_id, in: path, required: true, schema: {type: integer}}
      responses:
        200:
          description: the meeting, now live
        409:
          description: not planned
    """
    meeting = services.start_meeting(current_user, services.get_meeting(meeting_id))
    db.session.commit()
    return jsonify(services.meeting_to_dict(meeting))


@bp.route("/meetings/<int:meeting_id>/close", methods=["POST"])
@roles_required("organizer", "lead")
def close_meeting(meeting_id):
    """Close a live meeting; 409 listing the items that still have no outcome.
    ---
    post:
      summary: Close a meeting
      parameters:
        - {name: meeting_id, in: path, required: true, schema: {type: integer}}
      responses:
        200:
          description: the meeting, now closed
        409:
          description: items without outcome (error.details.items) or wrong state
    """
    meeting = services.close_meeting(current_user, services.get_meeting(meeting_id))
    db.session.commit()
    return jsonify(services.meeting_to_dict(meeting))
