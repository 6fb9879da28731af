"""What an item looks like outside the database: its labels, the board's and phones' views, and
the broadcast of a change.

Kept apart from `live.services` so that `slips`, `minutes`, `intake` and the realtime callers can
build an item's view without importing the live capture services (and without a cycle).
"""
from flask_babel import get_locale, gettext as _

from .. import realtime
from ..extensions import db
from ..slips.labels import status_label as slip_status_label
from ..timeutil import to_local

SLIP_OUTCOMES = ("transferred", "adopted")

KIND_LABELS = {"question": "问题意见", "demand": "诉求", "difficulty": "困难", "suggestion": "合理化建议"}
STATUS_LABELS = {"open": "待处理", "answered": "已现场答复", "transferred": "已转承办", "adopted": "建议已采纳",
                 "declined": "建议未采纳", "merged": "已合并", "hidden": "已隐藏"}
# Item categories: the topics offered on the phone and the board (live.views.ITEM_CATEGORIES) and
# the category of the actions decided in the minutes (minutes.services.ACTION_CATEGORY). The stored
# value stays Chinese; it is shown translated (category_label), the values are msgids.
CATEGORY_LABELS = {"安全": "安全", "生产": "生产", "薪酬": "薪酬", "后勤": "后勤", "劳保": "劳保", "生活": "生活",
                   "培训": "培训", "其他": "其他", "会议决定": "会议决定"}


_translated = {}  # locale → {msgid: label}: item payloads need these labels on every submit and vote


def _label(msgid):
    # gettext goes through Babel's context for every call (a fifth of a submit's item payloads);
    # the labels are a handful of fixed strings, so each locale translates them once.
    locale = str(get_locale() or "")
    labels = _translated.setdefault(locale, {})
    if msgid not in labels:
        labels[msgid] = _(msgid)
    return labels[msgid]


def kind_label(kind):
    return _label(KIND_LABELS.get(kind, kind))


def status_label(status):
    return _label(STATUS_LABELS.get(status, status))


def category_label(category):
    """An item's category as shown: a known one in the reader's language, free text as stored."""
    return _label(CATEGORY_LABELS[category]) if category in CATEGORY_LABELS else category


def item_number(item):
    """How staff name an item without a meeting sequence number: 一码通 items are Y + their id."""
    return f"#{item.seq}" if item.seq is not None else f"Y{item.id}"


def item_to_dict(item, audience="staff"):
    """Plain view of an item. Anonymous names never leave the server in these payloads."""
    # Only these outcomes issue a slip; asking the others would cost a query per broadcast.
    slip = item.slip if item.status in SLIP_OUTCOMES else None
    data = {
        "id": item.id, "seq": item.seq, "client_id": item.client_id, "kind": item.kind,
        "kind_label": kind_label(item.kind), "category": item.category,
        "category_label": category_label(item.category),
        "text": item.text,
        "status": item.status, "status_label": status_label(item.status), "votes": item.votes,
        "anonymity": item.anonymity,
        "submitter": item.submitter_name if item.anonymity == "named" else None,
        "is_approved": item.is_approved, "is_urgent": item.is_urgent,
        "entered_by_staff": item.entered_by_user_id is not None,
        "answer": item.answer,
        "outcome_note": item.outcome_note,
        "merged_into_seq": item.merged_into.seq if item.merged_into is not None else None,
        "slip": _slip_summary(slip) if slip is not None else None,
        "created_at": to_local(item.created_at).isoformat(),
    }
    return public_view(item, data) if audience == "public" else data


def public_view(item, staff_view):
    """The phones' view of an item from its staff view: a hidden item shows neither text nor reason."""
    if item.status != "hidden":
        return staff_view
    return dict(staff_view, text="", outcome_note=None)


def _slip_summary(slip):
    """What the board and phones show of an item's slip.

    The reply is shown once given, as on the public board (公示), unless the item is withheld
    from publication (a difficulty speaks of illness or family): then the room sees the status only.
    """
    replied = slip.status in ("replied", "closed") and slip.item.publication != "withheld"
    return {"number": slip.number, "department": slip.department.name, "due_date": slip.due_date.isoformat(),
            "status": slip.status, "status_label": slip_status_label(slip.status),
            "reply": slip.reply if replied else None, "reopen_count": slip.reopen_count}


def queue_item_event(op, item):
    """Queue `item` events for after the commit: the full view to staff, the public view to phones.

    Items of the standing QR channel belong to no meeting and are not broadcast.
    """
    if item.meeting_id is None:
        return
    staff = item_to_dict(item, audience="staff")
    public = {"type": "item", "op": op, "item": public_view(item, staff)} if item.is_approved else None
    realtime.queue_for_meeting(db.session, "item", item.meeting_id, {"type": "item", "op": op, "item": staff}, public)
