"""The names a slip's status, rating and purpose are shown with (translated at display time)."""
from flask_babel import gettext as _

STATUS_LABELS = {"issued": "待签收", "accepted": "办理中", "replied": "已答复", "closed": "已办结"}
RATING_LABELS = {"satisfied": "满意", "basically_satisfied": "基本满意", "dissatisfied": "不满意"}
PURPOSE_LABELS = {"handle": "转办", "implement": "研究落实"}


def status_label(status):
    return _(STATUS_LABELS.get(status, status))


def rating_label(rating):
    return _(RATING_LABELS[rating]) if rating in RATING_LABELS else ""
