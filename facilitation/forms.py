"""Forms shared by every feature."""
from flask_wtf import FlaskForm


class EmptyForm(FlaskForm):
    """CSRF-only form for buttons that post."""


def first_error(form, default):
    """The first field error of a form that did not validate (what to tell the user), else `default`."""
    for errors in form.errors.values():
        for message in errors:
            return str(message)
    return str(default)
