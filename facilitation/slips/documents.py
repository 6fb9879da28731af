"""Documents of the slips: the paper slip form (plain data for templates/pdf/slip.html) and the
ledger workbook (承办台账). No ORM object reaches a template; the submitter's name only for
named items."""
from flask_babel import gettext as _

from ..spreadsheets import XlsxWriter
from ..timeutil import local_today, to_local
from . import labels as slip_labels, services
from .models import SLIP_STATUSES


def status_and_rating_labels():
    """Translated status and rating names, looked up once per page or document."""
    return {"status": {key: slip_labels.status_label(key) for key in SLIP_STATUSES},
            "rating": {key: slip_labels.rating_label(key) for key in slip_labels.RATING_LABELS}}


def document_labels():
    """The translated words of the slip form, looked up once per document or ledger."""
    from ..live.payloads import KIND_LABELS, kind_label
    labels = status_and_rating_labels()
    labels.update(kind={key: kind_label(key) for key in KIND_LABELS},
                  purpose={key: _(text) for key, text in slip_labels.PURPOSE_LABELS.items()},
                  anonymous=_("匿名"), hidden_identity=_("完全匿名"), qr=_("一码通"), cross_tier=_("跨层级"),
                  printed=local_today().isoformat())
    return labels


def source_of(item, labels=None):
    """Where an item came from, for staff documents: the meeting's title, or 一码通·<channel>."""
    if item.meeting is not None:
        return item.meeting.title
    channel = item.qr_channel
    qr = labels["qr"] if labels else _("一码通")
    return f"{qr}·{channel.name}" if channel is not None else qr


def slip_document(slip, labels=None):
    """Plain data for the paper slip form and a ledger row (no ORM objects reach the PDF template).

    The submitter's name only for named items; anonymous and hidden-identity items say so instead.
    """
    labels = labels or document_labels()
    item = slip.item
    meeting = item.meeting
    return {
        "number": slip.number, "purpose": labels["purpose"].get(slip.purpose, ""),
        "meeting": meeting.title if meeting else source_of(item, labels),
        "meeting_date": to_local(meeting.starts_at if meeting else item.created_at).strftime("%Y-%m-%d"),
        "tier": (meeting.tier.name if meeting.tier else labels["cross_tier"]) if meeting else "",
        "instruction": slip.instruction or "",
        "kind": labels["kind"].get(item.kind, item.kind), "category": item.category or "", "text": item.text,
        "submitter": (item.submitter_name or "") if item.anonymity == "named" else labels[item.anonymity],
        "department": slip.department.name,
        "issued": to_local(slip.issued_at).strftime("%Y-%m-%d"), "due": slip.due_date.isoformat(),
        "supervisor": slip.supervisor.display_name if slip.supervisor else "",
        "handler": slip.handler.display_name if slip.handler else "",
        "status": labels["status"][slip.status], "reply": slip.reply or "", "basis": slip.basis or "",
        "replied": to_local(slip.replied_at).strftime("%Y-%m-%d") if slip.replied_at else "",
        "rating": labels["rating"].get(slip.rating, ""), "rating_comment": slip.rating_comment or "",
        "reopen_count": slip.reopen_count, "printed": labels["printed"],
    }


LEDGER_COLUMNS = ("number", "meeting", "meeting_date", "tier", "kind", "category", "text", "submitter",
                  "department", "issued", "due", "supervisor", "handler", "status", "reply", "basis",
                  "replied", "rating", "rating_comment", "reopen_count", "instruction")
LEDGER_WRAPPED = frozenset(("meeting", "text", "reply", "basis", "rating_comment", "instruction"))
LEDGER_WIDTHS = (16, 22, 12, 14, 10, 8, 40, 10, 12, 12, 12, 10, 12, 8, 40, 24, 12, 10, 20, 8, 24)


def ledger_headers():
    return [_("编号"), _("来源"), _("提出日期"), _("层级"), _("类型"), _("分类"), _("事项内容"), _("提出人"),
            _("承办科室"), _("交办日期"), _("答复期限"), _("督办员"), _("承办人"), _("状态"), _("答复内容"),
            _("答复依据"), _("答复日期"), _("职工评价"), _("评价说明"), _("退回次数"), _("领导批示")]


def ledger_workbook(slips):
    """The ledger of `slips` (an iterable of slips loaded for documents) as .xlsx bytes."""
    writer = XlsxWriter()
    sheet = writer.sheet(_("承办台账"), widths=LEDGER_WIDTHS, freeze="A2",
                         wrapped=[i for i, c in enumerate(LEDGER_COLUMNS) if c in LEDGER_WRAPPED])
    sheet.header(ledger_headers())
    labels = document_labels()
    for slip in slips:
        doc = slip_document(slip, labels)
        sheet.row([doc[c] for c in LEDGER_COLUMNS])
    return writer.to_bytes()


def public_rows(slips):
    """The public board's rows: only these fields leave the server (no participant, nothing from
    the roster; a name only for named items, beside the person's own item)."""
    from ..live.payloads import kind_label
    labels = status_and_rating_labels()
    return [{"number": s.number, "text": services.public_text(s.item), "is_summary": s.item.publication == "summary",
             "kind": kind_label(s.item.kind), "department": s.department.name, "source": public_source(s.item),
             # a summary is there to keep the person out of view: no name beside it
             "submitter": s.item.submitter_name if s.item.anonymity == "named" and s.item.publication == "full"
             else None,
             "reply": s.reply, "basis": s.basis, "issued": to_local(s.issued_at).strftime("%m-%d"),
             "replied": to_local(s.replied_at).strftime("%m-%d") if s.replied_at else "",
             "status": s.status, "status_label": labels["status"][s.status],
             "rating": labels["rating"].get(s.rating, "")} for s in slips]


def public_source(item):
    """Where an item came from, as the public board says it: 一码通·<channel>, or the tier's 慧谈."""
    if item.meeting_id is None:
        channel = item.qr_channel
        return _("一码通·%(n)s", n=channel.name) if channel is not None else _("一码通")
    meeting = item.meeting
    return _("%(t)s层级慧谈", t=meeting.tier.name) if meeting.tier is not None else _("专题慧谈")


def month_navigation(year, month):
    """The previous and next month (YYYY-MM), for the public pages' month links."""
    previous = (year - 1, 12) if month == 1 else (year, month - 1)
    following = (year + 1, 1) if month == 12 else (year, month + 1)
    return {"previous": "%04d-%02d" % previous, "next": "%04d-%02d" % following,
            "is_current": (year, month) == (local_today().year, local_today().month)}
