"""JSON API: meetings."""
from flask import jsonify
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.context import roles_required, staff_required
from ..api import bp, json_body
from ..errors import ValidationError
from ..extensions import db
from ..timeutil import parse_local_datetime
from ..validation import id_value, int_value, is_id
from . import services


STRING_FIELDS = ("title", "kind", "location", "video_url")
BOOLEAN_FIELDS = ("allow_guests", "allow_nameless", "is_moderated")


def _datetime(data, key):
    value = data.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValidationError(_("%(field)s 必须是字符串。", field=key))
    try:
        return parse_local_datetime(value)
    except ValueError:
        raise ValidationError(_("时间格式不正确，请使用 YYYY-MM-DDTHH:MM。"))


def _parse_meeting_body(data):
    """Check the JSON types and build the services' input from the known keys only."""
    parsed = {"starts_at": _datetime(data, "starts_at"), "ends_at": _datetime(data, "ends_at")}
    for key in STRING_FIELDS:
        if data.get(key) is not None and not isinstance(data[key], str):
            raise ValidationError(_("%(field)s 必须是字符串。", field=key))
        parsed[key] = data.get(key)
    for key in ("tier_id", "lead_user_id"):
        parsed[key] = id_value(data.get(key), key, required=False)
    parsed["max_participants"] = int_value(data.get("max_participants"), _("参会人数上限"), 1, 1000)
    for key in BOOLEAN_FIELDS:
        if key in data:
            if not isinstance(data[key], bool):
                raise ValidationError(_("%(field)s 必须是 true 或 false。", field=key))
            parsed[key] = data[key]
    ids = data.get("department_ids") or []
    if not isinstance(ids, list) or not all(is_id(i) for i in ids):
        raise ValidationError(_("department_ids 必须是整数列表。"))
    parsed["department_ids"] = ids
    lead_user_id = parsed.pop("lead_user_id")
    if lead_user_id is not None:
        parsed["lead_user"] = services.get_chair_candidate(lead_user_id)
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
                ends_at: {type: string, nullable: true}
                location: {type: string, maxLength: 120}
                video_url: {type: string, maxLength: 500}
                department_ids: {type: array, items: {type: integer}}
                max_participants: {type: integer, minimum: 1, maximum: 1000, default: 10}
                lead_user_id: {type: integer, nullable: true, description: 'the chair; default the tier lead'}
                allow_guests: {type: boolean}
                allow_nameless: {type: boolean}
                is_moderated: {type: boolean}
      responses:
        201:
          description: '{"id", "tier_id", "title", "kind", "status", "join_code", "starts_at"}'
          content: {application/json: {schema: {$ref: '#/components/schemas/Meeting'}}}
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
          content: {application/json: {schema: {$ref: '#/components/schemas/Meeting'}}}
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
          content: {application/json: {schema: {$ref: '#/components/schemas/Meeting'}}}
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
          content: {application/json: {schema: {$ref: '#/components/schemas/Meeting'}}}
        409:
          description: items without outcome (error.details.items) or wrong state
    """
    meeting = services.close_meeting(current_user, services.get_meeting(meeting_id))
    db.session.commit()
    return jsonify(services.meeting_to_dict(meeting))
