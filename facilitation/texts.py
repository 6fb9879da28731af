"""Text in the reader's language: enumerations, labels, brackets, long dates.

Used by services (stored notes), documents, queries and, through templating.py, templates.
Imports no service, so that any layer may use it.
"""
from flask_babel import gettext

from .timeutil import to_local


# The punctuation that glues a sentence together belongs to the language: Chinese writes
# "甲、乙", "标签：内容" and "名称（说明）" with full-width marks, English "A, B", "Label: text" and
# "Name (note)". These helpers put the marks inside translatable strings; in Chinese they give
# exactly the text written by hand before. Plain text here; the template versions in templating.py
# escape their parts and return Markup (a part may itself be Markup, e.g. a `{% set %}` block).

def list_separator():
    """The separator of an enumeration: 、 in Chinese, ", " in English."""
    return gettext("、")


def join_list(values):
    """An enumeration: 甲、乙、丙 / A, B, C."""
    return list_separator().join(str(value) for value in values)


def labelled(label, text=""):
    """"标签：内容" / "Label: text"; without a text, the label with its colon ("标签：" / "Label: ")."""
    return gettext("%(label)s：%(text)s", label=label, text=text)


def bracketed(text, note):
    """"名称（说明）" / "Name (note)"."""
    return gettext("%(text)s（%(note)s）", text=text, note=note)


def local_datetime_text(value):
    """A date and time in the long form of the language: 2026年12月04日 10:00 / 2026-12-04 10:00."""
    value = to_local(value)
    return gettext("%(y)d年%(m)02d月%(d)02d日 %(time)s", y=value.year, m=value.month, d=value.day,
                   time=value.strftime("%H:%M"))


def user_choice_label(user):
    """How a user is offered in a choice list: display name and username."""
    return bracketed(user.display_name, user.username)
