"""JSON API: handling slips and their lifecycle."""
from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.auth import bearer_token, roles_required, staff_required
from ..api import bp, json_body
from ..edges import commits, unit_of_work
from ..errors import DomainError, NotFound, ValidationError
from ..timeutil import local_today, parse_date, parse_local_datetime, to_local
from ..validation import ID_MAX, PAGE_MAX, query_int
from . import labels as slip_labels, queries, services
from .models import SLIP_STATUSES

PAGE_SIZE_MAX = 200


def _visible_slip(slip_id):
    slip = services.get_slip(slip_id)
    if not services.can_view(current_user, slip):
        raise NotFound(_("找不到该承办单。"))
    return slip


def _date(data, key, required=True):
    value = data.get(key)
    if value in (None, "") and not required:
        return None
    try:
        return parse_date(value)
    except (TypeError, ValueError, AttributeError):
        raise ValidationError(_("日期格式应为 YYYY-MM-DD。"), code="bad_date")


def _ok(slip, status=200):
    return jsonify({"slip": services.slip_to_dict(slip)}), status


@bp.route("/slips")
@staff_required
def list_slips():
    """Slips visible to the caller, filtered and paginated.
    ---
    get:
      summary: List slips (handlers see their department's, leads the ones they supervise)
      parameters:
        - {name: status, in: query, schema: {type: string, enum: [issued, accepted, replied, closed]}}
        - {name: department_id, in: query, schema: {type: integer}}
        - {name: tier_id, in: query, schema: {type: integer}}
        - {name: overdue, in: query, schema: {type: boolean}}
        - {name: q, in: query, schema: {type: string}, description: search in item text, reply and number}
        - {name: page, in: query, schema: {type: integer, default: 1}}
        - {name: per_page, in: query, schema: {type: integer, default: 50, maximum: 200}}
      responses:
        200:
          description: '{"slips": [{"id", "number", "status", "department_id", "due_date", "is_overdue", "item_id"}], "page", "per_page", "total"}'
          content: {application/json: {schema: {$ref: '#/components/schemas/SlipList'}}}
        400:
          description: bad filter
    """
    args = request.args
    status = args.get("status") or None
    if status and status not in SLIP_STATUSES:
        raise ValidationError(_("未知状态：%(s)s。", s=status))
    ints = {key: query_int(args.get(key), key, 1, ID_MAX) for key in ("department_id", "tier_id")}
    overdue = (args.get("overdue") or "").lower()
    overdue = True if overdue in ("1", "true", "yes") else False if overdue in ("0", "false", "no") else None
    query = queries.filter_slips(queries.visible_slips(current_user), status=status, overdue=overdue,
                                 q=(args.get("q") or "")[:64], **ints)
    page = query_int(args.get("page"), "page", 1, PAGE_MAX, default=1)
    per_page = query_int(args.get("per_page"), "per_page", 1, PAGE_SIZE_MAX, default=50)
    pagination = queries.for_listing(query, with_item=False).order_by(*queries.DEADLINE_ORDER).paginate(
        page=page, per_page=per_page, error_out=False)
    today, labels = local_today(), {status: slip_labels.status_label(status) for status in SLIP_STATUSES}
    return jsonify({"slips": [services.slip_to_dict(s, today, labels) for s in pagination.items],
                    "page": pagination.page, "per_page": per_page, "total": pagination.total})


@bp.route("/slips/<int:slip_id>")
@staff_required
def get_slip(slip_id):
    """One slip.
    ---
    get:
      summary: Get a slip
      parameters: [{name: slip_id, in: path, required: true, schema: {type: integer}}]
      responses:
        200:
          description: the slip
          content: {application/json: {schema: {$ref: '#/components/schemas/Slip'}}}
        404:
          description: no such slip, or not visible to the caller
    """
    return jsonify(services.slip_to_dict(_visible_slip(slip_id)))


@bp.route("/slips/<int:slip_id>/accept", methods=["POST"])
@roles_required("handler")
@commits
def accept_slip(slip_id):
    """The handler signs for the slip.
    ---
    post:
      summary: Accept (签收)
      parameters: [{name: slip_id, in: path, required: true, schema: {type: integer}}]
      responses:
        200:
          description: '{"slip": {...}}'
          content: {application/json: {schema: {$ref: '#/components/schemas/SlipEnvelope'}}}
        409:
          description: illegal transition
    """
    return _ok(services.accept_slip(current_user, _visible_slip(slip_id)))


@bp.route("/slips/<int:slip_id>/reply", methods=["POST"])
@roles_required("handler")
@commits
def reply_slip(slip_id):
    """The handler replies; reply and basis (依据) are required. An issued slip is signed for first.
    ---
    post:
      summary: Reply
      parameters: [{name: slip_id, in: path, required: true, schema: {type: integer}}]
      requestBody:
        content:
          application/json:
            schema: {type: object, required: [reply, basis], properties: {reply: {type: string}, basis: {type: string}}}
      responses:
        200:
          description: '{"slip": {...}}'
          content: {application/json: {schema: {$ref: '#/components/schemas/SlipEnvelope'}}}
        400:
          description: empty reply or basis
        409:
          description: illegal transition
    """
    data = json_body()
    slip = _visible_slip(slip_id)
    if slip.status == "issued" and services.is_handler_of(current_user, slip):
        services.accept_slip(current_user, slip)  # replying implies signing for it
    return _ok(services.reply_slip(current_user, slip, data.get("reply"), data.get("basis")))


@bp.route("/slips/<int:slip_id>/close", methods=["POST"])
@roles_required("organizer", "lead")
@commits
def close_slip(slip_id):
    """The supervisor closes a replied slip (a note is required after a dissatisfied rating).
    ---
    post:
      summary: Close
      parameters: [{name: slip_id, in: path, required: true, schema: {type: integer}}]
      requestBody:
        content:
          application/json:
            schema: {type: object, properties: {note: {type: string}}}
      responses:
        200:
          description: '{"slip": {...}}'
          content: {application/json: {schema: {$ref: '#/components/schemas/SlipEnvelope'}}}
        409:
          description: illegal transition
    """
    data = request.get_json(silent=True) or {}
    note = data.get("note") if isinstance(data, dict) else None
    return _ok(services.close_slip(current_user, _visible_slip(slip_id), note if isinstance(note, str) else None))


@bp.route("/slips/<int:slip_id>/reopen", methods=["POST"])
@roles_required("organizer", "lead")
@commits
def reopen_slip(slip_id):
    """退回重办: back to the department with a reason (and optionally a new deadline).
    ---
    post:
      summary: Reopen
      parameters: [{name: slip_id, in: path, required: true, schema: {type: integer}}]
      requestBody:
        content:
          application/json:
            schema: {type: object, required: [reason], properties: {reason: {type: string}, due_date: {type: string, format: date}}}
      responses:
        200:
          description: '{"slip": {...}}'
          content: {application/json: {schema: {$ref: '#/components/schemas/SlipEnvelope'}}}
        409:
          description: illegal transition
    """
    data = json_body()
    slip = services.reopen_slip(current_user, _visible_slip(slip_id), data.get("reason"),
                                _date(data, "due_date", required=False))
    return _ok(slip)


@bp.route("/slips/<int:slip_id>/extend", methods=["POST"])
@roles_required("handler", "organizer", "lead")
@commits
def extend_slip(slip_id):
    """延期: a handler asks (the supervisor decides); the supervisor extends at once.
    ---
    post:
      summary: Extend the deadline
      parameters: [{name: slip_id, in: path, required: true, schema: {type: integer}}]
      requestBody:
        content:
          application/json:
            schema: {type: object, required: [due_date, reason], properties: {due_date: {type: string, format: date}, reason: {type: string}}}
      responses:
        200:
          description: '{"slip": {...}, "extension": {"status": "pending"|"approved"}}'
          content: {application/json: {schema: {$ref: '#/components/schemas/SlipEnvelope'}}}
        400:
          description: not later than the current deadline, or in the past
    """
    data = json_body()
    slip = _visible_slip(slip_id)
    extension = services.extend_slip(current_user, slip, _date(data, "due_date"), data.get("reason"))
    return jsonify({"slip": services.slip_to_dict(slip),
                    "extension": {"status": extension.status, "new_due_date": extension.new_due_date.isoformat()}})


@bp.route("/slips/<int:slip_id>/extension/<any(approve, refuse):decision>", methods=["POST"])
@roles_required("organizer", "lead")
@commits
def decide_extension(slip_id, decision):
    """The supervisor approves or refuses the pending extension request.
    ---
    post:
      summary: Decide an extension request
      parameters:
        - {name: slip_id, in: path, required: true, schema: {type: integer}}
        - {name: decision, in: path, required: true, schema: {type: string, enum: [approve, refuse]}}
      requestBody:
        required: false
        content:
          application/json:
            schema: {type: object, properties: {note: {type: string, maxLength: 1000}}}
      responses:
        200:
          description: '{"slip": {...}}'
          content: {application/json: {schema: {$ref: '#/components/schemas/SlipEnvelope'}}}
        400:
          description: the note is not text, or too long
        409:
          description: no pending request
    """
    data = request.get_json(silent=True) or {}
    slip = _visible_slip(slip_id)
    services.decide_extension(current_user, slip, decision == "approve",
                              data.get("note") if isinstance(data, dict) else None)
    return _ok(slip)


@bp.route("/slips/<int:slip_id>/reassign", methods=["POST"])
@roles_required("organizer", "lead")
@commits
def reassign_slip(slip_id):
    """The supervisor moves an unanswered slip to another department.
    ---
    post:
      summary: Reassign
      parameters: [{name: slip_id, in: path, required: true, schema: {type: integer}}]
      requestBody:
        content:
          application/json:
            schema: {type: object, required: [department_id], properties: {department_id: {type: integer}, due_date: {type: string, format: date}}}
      responses:
        200:
          description: '{"slip": {...}}'
          content: {application/json: {schema: {$ref: '#/components/schemas/SlipEnvelope'}}}
    """
    data = json_body()
    slip = services.reassign_slip(current_user, _visible_slip(slip_id), data.get("department_id"),
                                  _date(data, "due_date", required=False))
    return _ok(slip)


@bp.route("/slips/<int:slip_id>/perfunctory", methods=["POST"])
@roles_required("organizer", "lead")
@commits
def flag_perfunctory(slip_id):
    """The supervisor flags a perfunctory reply: −1 point for the department.
    ---
    post:
      summary: Flag a perfunctory reply
      parameters: [{name: slip_id, in: path, required: true, schema: {type: integer}}]
      requestBody:
        content:
          application/json:
            schema: {type: object, required: [reason], properties: {reason: {type: string}}}
      responses:
        200:
          description: '{"slip": {...}}'
          content: {application/json: {schema: {$ref: '#/components/schemas/SlipEnvelope'}}}
    """
    slip = _visible_slip(slip_id)
    services.flag_perfunctory(current_user, slip, json_body().get("reason"))
    return _ok(slip)


def _submitter_participant():
    token = bearer_token()
    if not token or not token.startswith("p."):
        return None
    from ..live.tokens import read_participant_token
    from ..live.services import participant_for_token
    meeting_id, participant_id = read_participant_token(token)
    return participant_for_token(meeting_id, participant_id)


@bp.route("/slips/<int:slip_id>/feedback", methods=["POST"])
@commits
def slip_feedback(slip_id):
    """The submitter rates the reply, with the personal follow token or the participant token.
    ---
    post:
      summary: Rate the reply (满意 / 基本满意 / 不满意)
      security: []
      parameters: [{name: slip_id, in: path, required: true, schema: {type: integer}}]
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [rating]
              properties:
                rating: {type: string, enum: [satisfied, basically_satisfied, dissatisfied]}
                comment: {type: string, maxLength: 1000}
                token: {type: string, description: 'the follow token (or send it as Authorization: Bearer)'}
      responses:
        200:
          description: '{"slip": {...}}'
          content: {application/json: {schema: {$ref: '#/components/schemas/SlipEnvelope'}}}
        403:
          description: not the submitter
        409:
          description: not replied yet
    """
    data = json_body()
    slip = services.get_slip(slip_id)
    bearer = bearer_token()
    follow_token = data.get("token") if isinstance(data.get("token"), str) else \
        (bearer if bearer and not bearer.startswith(("p.", "ht_")) else None)
    try:
        participant = _submitter_participant()
    except DomainError:
        participant = None
    services.require_submitter(slip, follow_token=follow_token, participant=participant)
    services.rate_slip(slip, data.get("rating"), data.get("comment"))
    return _ok(slip)




def _callback_to_dict(entry):
    return {"id": entry.id, "slip_id": entry.slip_id, "called_at": to_local(entry.called_at).isoformat(),
            "caller": entry.caller, "summary": entry.summary, "reaction": entry.reaction,
            "reaction_label": services.callback_label(entry.reaction), "reaction_note": entry.reaction_note,
            "recorded_by": entry.recorded_by.display_name if entry.recorded_by else None}


@bp.route("/slips/<int:slip_id>/callbacks", methods=["GET", "POST"])
@roles_required("organizer", "lead", "handler", "viewer")
def slip_callbacks(slip_id):
    """The feedback calls (反馈电话) of a slip; a handler, the supervisor or an organizer logs one.
    ---
    get:
      summary: The slip's callback log
      parameters: [{name: slip_id, in: path, required: true, schema: {type: integer}}]
      responses:
        200:
          description: '{"callbacks": [...]}'
          content: {application/json: {schema: {$ref: '#/components/schemas/CallbackList'}}}
        404:
          description: no such slip, or not visible to the caller
    post:
      summary: Log a feedback call
      parameters: [{name: slip_id, in: path, required: true, schema: {type: integer}}]
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [summary, reaction]
              properties:
                called_at: {type: string, format: date-time, description: 'default now; local time when no offset'}
                caller: {type: string, maxLength: 64, description: 'default: the display name of the user logging it'}
                summary: {type: string, maxLength: 2000}
                reaction: {type: string, enum: [understood, partly, objection, unreachable]}
                reaction_note: {type: string, maxLength: 1000}
      responses:
        201:
          description: '{"callback": {...}}'
          content: {application/json: {schema: {$ref: '#/components/schemas/CallbackEnvelope'}}}
        400:
          description: no summary, unknown reaction, time in the future or over a year ago
        403:
          description: not the department's handler, the supervisor or an organizer
        404:
          description: no such slip, or not visible to the caller
        409:
          description: a fully anonymous item has no one to call
    """
    slip = _visible_slip(slip_id)
    if request.method == "GET":
        return jsonify({"callbacks": [_callback_to_dict(c) for c in slip.callbacks]})
    data = json_body()
    called_at = None
    if data.get("called_at") not in (None, ""):
        try:
            called_at = parse_local_datetime(data["called_at"] if isinstance(data["called_at"], str) else "")
        except (ValueError, OverflowError):
            raise ValidationError(_("通话时间格式应为 YYYY-MM-DDTHH:MM。"), code="bad_called_at")
    fields = {}
    for key in ("caller", "summary", "reaction", "reaction_note"):
        value = data.get(key)
        if value is not None and not isinstance(value, str):
            raise ValidationError(_("%(field)s 必须是字符串。", field=key))
        fields[key] = value
    with unit_of_work():
        entry = services.record_callback(current_user, slip, called_at=called_at, **fields)
        body = {"callback": _callback_to_dict(entry)}
    return jsonify(body), 201
