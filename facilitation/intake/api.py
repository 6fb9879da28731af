"""JSON API of the standing QR channel (一码通): channels, submitting, the phone's own items, triage."""
import hashlib

from flask import current_app, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.auth import roles_required
from ..api import bp, json_body
from ..edges import unit_of_work
from ..errors import ValidationError
from ..extensions import limiter
from ..live.payloads import item_to_dict
from ..live.services import CLIENT_ID_RE, get_item
from ..slips.services import slip_to_dict
from ..timeutil import parse_date
from ..validation import PAGE_MAX, query_int
from . import queries, services

DEVICE_HEADER = "X-Huitan-Device"
PAGE_SIZE_MAX = 200


def _has_device():
    return bool(CLIENT_ID_RE.match(request.headers.get(DEVICE_HEADER, "")))


def _device_key():
    """Submissions are counted per device (a random id the page keeps); the id is hashed and lives
    only in the limiter's memory, never with an item. The header is the client's word, so the
    per-address limit applies as well, whatever the header says."""
    device = request.headers.get(DEVICE_HEADER, "")
    return "intake:device:" + hashlib.sha256(device.encode("ascii", "replace")).hexdigest()[:32]


def _address_key():
    return "intake:addr:" + (request.remote_addr or "-")


def _channel_key():
    return "intake:channel:" + (request.view_args or {}).get("code", "")[:16].strip().upper()


def _optional_string(data, key):
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise ValidationError(_("%(field)s 必须是字符串。", field=key))
    return value


@bp.route("/channels", methods=["GET", "POST"])
@roles_required("organizer")
def channels():
    """The standing channels (一码通), and creating one.
    ---
    get:
      summary: List the channels
      responses:
        200:
          description: '{"channels": [...]}'
          content: {application/json: {schema: {$ref: '#/components/schemas/ChannelList'}}}
    post:
      summary: Create a channel (a poster's code and QR code)
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [name]
              properties:
                name: {type: string, maxLength: 64, description: 'where the poster hangs, e.g. 职工食堂'}
                invitation: {type: string, maxLength: 120}
                reply_promise: {type: string, maxLength: 80}
                unit_id: {type: integer}
                supervisor_user_id: {type: integer, description: 'an organizer or lead; default the creator'}
                is_default: {type: boolean}
      responses:
        201:
          description: '{"id", "name", "code", ...}'
          content: {application/json: {schema: {$ref: '#/components/schemas/Channel'}}}
        400:
          description: no name, too long, unknown supervisor or unit
        409:
          description: 'a channel of that name exists (code duplicate)'
    """
    if request.method == "GET":
        return jsonify({"channels": [services.channel_to_dict(c) for c in queries.all_channels()]})
    data = json_body()
    with unit_of_work():
        channel = services.create_channel(current_user, data)
        body = services.channel_to_dict(channel)
    return jsonify(body), 201


@bp.route("/channels/<code>/items", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["CHANNEL_DEVICE_RATE_LIMIT"], key_func=_device_key, methods=["POST"],
               exempt_when=lambda: not _has_device())
@limiter.limit(lambda: current_app.config["CHANNEL_ADDRESS_RATE_LIMIT"], key_func=_address_key, methods=["POST"])
# Only accepted items count against the whole channel: refused junk cannot close it for everyone.
@limiter.limit(lambda: current_app.config["CHANNEL_RATE_LIMIT"], key_func=_channel_key, methods=["POST"],
               deduct_when=lambda response: response.status_code < 400)
def channel_items(code):
    """Submit an item through a channel's poster (no account, no token); or read back the phone's own.
    ---
    post:
      summary: Submit an item to a standing channel; idempotent on client_id
      security: []
      parameters:
        - {name: code, in: path, required: true, schema: {type: string}}
        - {name: X-Huitan-Device, in: header, required: false, schema: {type: string},
           description: 'random id the page keeps, for the per-device rate limit; never stored'}
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [client_id, kind, text]
              properties:
                client_id: {type: string, pattern: '^[A-Za-z0-9_-]{8,64}$'}
                kind: {type: string, enum: [question, demand, difficulty, suggestion]}
                text: {type: string, maxLength: 500}
                anonymity: {type: string, enum: [named, anonymous, hidden_identity]}
                category: {type: string, maxLength: 32}
                name: {type: string, maxLength: 64, description: 'ignored for hidden_identity'}
                employee_no: {type: string, maxLength: 32, description: 'ignored for hidden_identity'}
                phone: {type: string, maxLength: 32, description: 'for the callback; ignored for hidden_identity'}
      responses:
        201:
          description: the new item, with follow_token (none for hidden_identity)
          content: {application/json: {schema: {$ref: '#/components/schemas/ChannelItem'}}}
        200:
          description: the same item, client_id seen before
          content: {application/json: {schema: {$ref: '#/components/schemas/ChannelItem'}}}
        400:
          description: invalid item (empty, too long, control characters, wrong kind or anonymity)
        404:
          description: unknown channel code
        410:
          description: the channel is stopped
        429:
          description: too many submissions from this device or to this channel
    get:
      summary: The phone's own items of a channel, by the client ids it kept
      security: []
      parameters:
        - {name: code, in: path, required: true, schema: {type: string}}
        - {name: client_ids, in: query, required: false, schema: {type: string},
           description: 'comma-separated, at most 50'}
      responses:
        200:
          description: '{"items": [...]}'
          content: {application/json: {schema: {$ref: '#/components/schemas/ChannelItemList'}}}
        404:
          description: unknown channel code
    """
    if request.method == "GET":
        channel = services.channel_by_code(code)
        wanted = (request.args.get("client_ids") or "")[:50 * 65].split(",")
        items = services.items_by_client_ids(channel, [c.strip() for c in wanted if c.strip()])
        return jsonify({"items": [services.channel_item_to_dict(i) for i in items]})
    data = json_body()
    channel = services.channel_by_code(code)
    fields = {key: _optional_string(data, key) for key in ("name", "employee_no", "phone")}
    with unit_of_work():
        item, created = services.submit_channel_item(
            channel, client_id=data.get("client_id"), kind=data.get("kind"), text=data.get("text"),
            anonymity=_optional_string(data, "anonymity") or "named", category=data.get("category"), **fields)
        body = services.channel_item_to_dict(item)
        if item.follow_token:
            body["follow_token"] = item.follow_token
    return jsonify(body), 201 if created else 200


@bp.route("/intake")
@roles_required("organizer", "viewer", "lead")
def intake():
    """The triage inbox (分办): items from the standing channels (a tier lead: the channels they supervise).
    ---
    get:
      summary: Channel items to triage
      parameters:
        - {name: status, in: query, schema: {type: string, enum: [new, handled, all], default: new},
           description: 'new: no outcome yet; handled: answered, transferred, merged …'}
        - {name: channel_id, in: query, schema: {type: integer}}
        - {name: page, in: query, schema: {type: integer, default: 1}}
        - {name: per_page, in: query, schema: {type: integer, default: 50, maximum: 200}}
      responses:
        200:
          description: '{"items": [...], "page", "per_page", "total"}'
          content: {application/json: {schema: {$ref: '#/components/schemas/ChannelItemList'}}}
        400:
          description: unknown status or bad number
    """
    args = request.args
    status = args.get("status") or "new"
    if status not in queries.INBOX_STATUSES:
        raise ValidationError(_("status 只能是 new、handled 或 all。"), code="bad_status")
    channel_id = query_int(args.get("channel_id"), "channel_id", 1, 2 ** 31 - 1)
    page = query_int(args.get("page"), "page", 1, PAGE_MAX, default=1)
    per_page = query_int(args.get("per_page"), "per_page", 1, PAGE_SIZE_MAX, default=50)
    pagination = queries.inbox(status, channel_id, user=current_user).paginate(page=page, per_page=per_page,
                                                                                error_out=False)
    return jsonify({"items": [services.channel_item_to_dict(i, audience="staff") for i in pagination.items],
                    "page": pagination.page, "per_page": per_page, "total": pagination.total})


@bp.route("/intake/<int:item_id>/urgent", methods=["POST"])
@roles_required("organizer", "viewer", "lead")
def mark_urgent(item_id):
    """特事特办: mark a channel item urgent (next working day; supervisor and handlers told at once).
    ---
    post:
      summary: Mark a channel item urgent
      parameters:
        - {name: item_id, in: path, required: true, schema: {type: integer}}
      responses:
        200:
          description: the item
          content: {application/json: {schema: {$ref: '#/components/schemas/ChannelItem'}}}
        403:
          description: not an organizer, a mine leader or the channel's supervisor
        404:
          description: no such item
        409:
          description: not a channel item, already urgent, or already answered
    """
    with unit_of_work():
        item = services.mark_urgent(current_user, get_item(item_id, for_update=True))
        body = services.channel_item_to_dict(item, audience="staff")
    return jsonify(body)


@bp.route("/intake/<int:item_id>/dispatch", methods=["POST"])
@roles_required("viewer", "organizer")
def dispatch(item_id):
    """批办: a mine leader hands a channel item to a department with an instruction.
    ---
    post:
      summary: Dispatch a channel item with an instruction (批示)
      parameters:
        - {name: item_id, in: path, required: true, schema: {type: integer}}
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [department_id, instruction]
              properties:
                department_id: {type: integer}
                instruction: {type: string, maxLength: 1000}
                due_date: {type: string, format: date, description: 'default: by kind and category; urgent the next working day'}
      responses:
        201:
          description: '{"slip": {...}, "item": {...}}'
          content: {application/json: {schema: {$ref: '#/components/schemas/Transfer'}}}
        400:
          description: no instruction, unknown department, bad deadline
        404:
          description: no such item
        409:
          description: not a channel item, or it already has an outcome
    """
    data = json_body()
    due_date = None
    if data.get("due_date") not in (None, ""):
        try:
            due_date = parse_date(data["due_date"] if isinstance(data["due_date"], str) else None)
        except (TypeError, ValueError, AttributeError):
            raise ValidationError(_("答复期限格式应为 YYYY-MM-DD。"), code="bad_due_date")
    with unit_of_work():
        item = get_item(item_id, for_update=True)
        slip = services.dispatch_item(current_user, item, data.get("department_id"), data.get("instruction"),
                                      due_date)
        body = {"slip": slip_to_dict(slip), "item": item_to_dict(item)}
    return jsonify(body), 201
