"""Minutes (纪要): built from a meeting's data, edited by the organizer, published as revisions.

Publishing stores the PDF (rendered by the edge through pdf.py) and its SHA-256 in a new
revision and locks the text; `start_revision` reopens a draft for the next revision.
"""
import hashlib

from flask_babel import gettext as _

from ..audit.services import record_event
from ..errors import Conflict, PermissionDenied, ValidationError
from ..extensions import db
from ..live.models import Item
from ..live.services import add_decided_item
from ..live.payloads import kind_label, status_label
from ..live.models import ITEM_KINDS
from ..people.services import active_department
from ..scheduling.services import kind_label as meeting_kind_label
from ..slips.services import public_text
from ..texts import local_datetime_text
from ..timeutil import to_local, utcnow
from .models import Minutes, MinutesRevision

TEXT_MAX = 20000
ACTION_CATEGORY = "会议决定"


def find_minutes(meeting):
    """The minutes of a meeting, or None when nobody has started them (reading creates nothing)."""
    return Minutes.query.filter_by(meeting_id=meeting.id).first()


def get_minutes(meeting):
    """The minutes of a meeting (created empty on first use; the caller commits)."""
    minutes = Minutes.query.filter_by(meeting_id=meeting.id).first()
    if minutes is None:
        minutes = Minutes(meeting_id=meeting.id, status="draft")
        db.session.add(minutes)
        db.session.flush()
    return minutes


def _require_organizer(actor):
    if actor is None or not actor.has_role("organizer"):
        raise PermissionDenied(_("只有组织者可以编写和发布纪要。"))


def _require_draft(minutes):
    if minutes.status != "draft":
        raise Conflict(_("纪要已发布并锁定；如需修改，请先新建修订版。"), code="minutes_locked")


def _clean(text, label):
    text = (text or "").strip() if isinstance(text, str) or text is None else None
    if text is None:
        raise ValidationError(_("%(f)s 必须是文字。", f=label))
    if len(text) > TEXT_MAX:
        raise ValidationError(_("%(f)s 不能超过 %(n)d 个字。", f=label, n=TEXT_MAX))
    return text or None


def save_minutes(actor, minutes, summary, conclusions):
    """Save the organizer's summary and conclusions on a draft."""
    _require_organizer(actor)
    _require_draft(minutes)
    minutes.summary = _clean(summary, _("会议小结"))
    minutes.conclusions = _clean(conclusions, _("结论与措施"))
    minutes.updated_by_user_id = actor.id
    record_event("minutes", minutes.id, "save", actor=actor)
    db.session.flush()
    return minutes


def add_action_item(actor, meeting, department_id, due_date, text):
    """An action decided while writing the minutes: stored as an item and issued as a slip."""
    _require_organizer(actor)
    minutes = get_minutes(meeting)
    _require_draft(minutes)
    text = _clean(text, _("事项内容"))
    if not text:
        raise ValidationError(_("请填写需要落实的事项。"))
    if len(text) > 500:
        raise ValidationError(_("事项内容不能超过 500 个字。"))
    return add_decided_item(actor, meeting, active_department(department_id), due_date, text, ACTION_CATEGORY)


def publish_minutes(actor, minutes, pdf_bytes, document):
    """Lock the text and store the rendered PDF with its SHA-256 as the next revision."""
    _require_organizer(actor)
    _require_draft(minutes)
    if minutes.meeting.status != "closed":
        raise Conflict(_("慧谈结束后才能发布纪要。"), code="meeting_not_closed")
    if not pdf_bytes or not pdf_bytes.startswith(b"%PDF"):
        raise ValidationError(_("纪要 PDF 生成失败。"))
    number = (minutes.latest_revision.revision if minutes.latest_revision else 0) + 1
    if document.get("revision") != number:
        raise Conflict(_("纪要已被他人发布，请刷新后重试。"))
    revision = MinutesRevision(minutes=minutes, revision=number, summary=minutes.summary,
                               conclusions=minutes.conclusions, pdf=pdf_bytes,
                               pdf_sha256=hashlib.sha256(pdf_bytes).hexdigest(),
                               published_by_user_id=actor.id, published_at=utcnow())
    db.session.add(revision)
    minutes.status = "published"
    record_event("minutes", minutes.id, "publish", actor=actor, from_state="draft", to_state="published",
                 text=f"r{number} sha256={revision.pdf_sha256[:12]}")
    db.session.flush()
    return revision


def start_revision(actor, minutes, reason):
    """Reopen published minutes as a draft for the next revision (history kept)."""
    _require_organizer(actor)
    if minutes.status != "published":
        raise Conflict(_("纪要还是草稿，可以直接修改。"))
    reason = _clean(reason, _("修订原因"))
    if not reason:
        raise ValidationError(_("请说明修订原因。"))
    minutes.status = "draft"
    record_event("minutes", minutes.id, "revise", actor=actor, from_state="published", to_state="draft",
                 text=reason)
    db.session.flush()
    return minutes


# ---------------------------------------------------------------- the document

def _submitter(item):
    if item.anonymity == "named":
        return item.submitter_name or (_("组织者") if item.channel == "minutes" else "")
    return _("匿名")


def _outcome(item):
    slip = item.slip
    if item.status == "answered":
        return _("现场答复：%(a)s", a=item.answer or "")
    if item.status in ("transferred", "adopted") and slip is not None:
        head = _("采纳，交%(d)s研究落实", d=slip.department.name) if item.status == "adopted" else \
            _("转%(d)s承办", d=slip.department.name)
        return _("%(h)s（承办单 %(n)s，%(due)s 前答复）", h=head, n=slip.number, due=slip.due_date.isoformat())
    if item.status == "declined":
        return _("未采纳：%(e)s", e=item.outcome_note or "")
    if item.status == "merged":
        return _("与第 %(s)s 条合并", s=item.merged_into.seq if item.merged_into else "?")
    return _("尚无处理结果")


def _published_row(item, row):
    """What the participants' copy shows of an item: the organizer's publication choice holds
    here as on the public board (a summary instead of the text; nothing personal when withheld)."""
    text = public_text(item)
    if text is None:
        return dict(row, text=_("（本条涉及个人情况，不公示）"), submitter="",
                    outcome=status_label(item.status))
    return dict(row, text=text)


def minutes_document(meeting, minutes, draft=True, for_participants=False):
    """Plain data for the minutes page and PDF; anonymous names never appear.

    `for_participants`: the copy read on the phones (/j/<code>/minutes), which keeps each item's
    publication choice; the organizer's page and the filed PDF keep the full record.
    """
    items = (Item.query.filter(Item.meeting_id == meeting.id, Item.channel == "meeting")
             .order_by(Item.seq).all())
    actions = (Item.query.filter(Item.meeting_id == meeting.id, Item.channel == "minutes")
               .order_by(Item.seq).all())
    present = [p for p in meeting.participants if p.joined_at is not None]
    absent = [p for p in meeting.participants if p.joined_at is None and p.source == "invited"]
    groups = []
    for kind in ITEM_KINDS:
        rows = [{"seq": i.seq, "text": i.text, "category": i.category or "", "votes": i.votes,
                 "submitter": _submitter(i), "outcome": _outcome(i), "status": i.status,
                 "by_staff": i.entered_by_user_id is not None}
                for i in items if i.kind == kind and i.status != "hidden"]
        if for_participants:
            by_seq = {i.seq: i for i in items}
            rows = [_published_row(by_seq[row["seq"]], row) for row in rows]
        if rows:
            groups.append({"kind": kind, "label": kind_label(kind), "items": rows})
    counts = {status: sum(1 for i in items if i.status == status)
              for status in ("answered", "transferred", "adopted", "declined", "merged", "hidden", "open")}
    latest = minutes.latest_revision
    revision = (latest.revision if latest else 0) + (1 if minutes.status == "draft" else 0)
    return {
        "title": meeting.title, "kind": meeting_kind_label(meeting.kind),
        "tier": meeting.tier.name if meeting.tier else _("跨层级"),
        "date": local_datetime_text(meeting.starts_at),
        "location": meeting.location or (_("线上") if meeting.video_url else ""),
        "lead": meeting.lead.display_name if meeting.lead else "",
        "present": [p.name or _("未署名") for p in present], "guests": sum(1 for p in present if p.is_guest),
        "absent": [p.name for p in absent],
        "departments": [{"name": link.department.name,
                         "came": (not link.is_absent),
                         "attendee": link.attendee_name or ""} for link in meeting.invited_departments],
        "groups": groups, "total": len(items), "counts": counts,
        "summary": minutes.summary or "", "conclusions": minutes.conclusions or "",
        "actions": [{"text": a.text, "number": a.slip.number if a.slip else "",
                     "department": a.slip.department.name if a.slip else "",
                     "due": a.slip.due_date.isoformat() if a.slip else ""} for a in actions],
        "is_draft": draft, "revision": revision, "status": minutes.status,
        "generated": to_local(utcnow()).strftime("%Y-%m-%d %H:%M"),
    }
