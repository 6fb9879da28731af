"""Small checks shared by the services: required text with a length limit, rows by id."""
from flask_babel import gettext as _

from .errors import NotFound, ValidationError
from .extensions import db


def required_text(value, message, limit):
    """The stripped text, or a ValidationError (`message` when empty, a length message when too long)."""
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(message)
    value = value.strip()
    if len(value) > limit:
        raise ValidationError(_("内容不能超过 %(n)d 个字。", n=limit))
    return value


def fetch(model, ident, message, **options):
    """The row of `model` with primary key `ident`, or NotFound with `message`."""
    row = db.session.get(model, ident, **options) if ident is not None else None
    if row is None:
        raise NotFound(message)
    return row
