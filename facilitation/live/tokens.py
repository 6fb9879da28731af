"""Participant tokens: signed, expiring, bound to one meeting and one participant."""
from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ..errors import PermissionDenied

PREFIX = "p."


def _serializer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="huitan-participant")


def issue_participant_token(participant):
    return PREFIX + _serializer().dumps({"m": participant.meeting_id, "p": participant.id})


def read_participant_token(token):
    """Return (meeting_id, participant_id) or raise PermissionDenied with a clear message."""
    if not token or not token.startswith(PREFIX):
        raise PermissionDenied(_("参会凭证无效，请重新扫码加入。"), code="invalid_token")
    try:
        data = _serializer().loads(token[len(PREFIX):], max_age=current_app.config["PARTICIPANT_TOKEN_MAX_AGE"])
    except SignatureExpired:
        raise PermissionDenied(_("参会凭证已过期，请重新扫码加入。"), code="token_expired")
    except BadSignature:
        raise PermissionDenied(_("参会凭证无效，请重新扫码加入。"), code="invalid_token")
    return data["m"], data["p"]
