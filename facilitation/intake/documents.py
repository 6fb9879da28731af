"""Documents of the standing QR channel as plain data: the A4 poster (templates/pdf/channel_poster.html)
and the monthly public summary (its page and templates/pdf/public_summary.html).

No ORM object reaches a template; every figure comes from stats.queries; the summary names nobody
(not even named submitters) and never shows a hidden item's text or a withheld one.
"""
import segno
from flask_babel import gettext as _
from markupsafe import Markup

from ..live.payloads import category_label, kind_label
from ..slips.documents import month_navigation
from ..slips.services import public_text
from ..stats import queries as stats
from ..timeutil import local_today, to_local
from . import queries
from .models import Channel

UNCATEGORIZED = None


def qr_svg(url, scale=10):
    """The QR code of `url` as an SVG element (ours, from segno: safe to place in a page or PDF)."""
    return Markup(segno.make(url, error="m").svg_inline(scale=scale, border=2, dark="#000", light="#fff",
                                                        omitsize=True))


def qr_svg_file(url, scale=10):
    """The QR code of `url` as a standalone SVG document (for an <img>)."""
    import io
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=scale, border=2, dark="#000", light="#fff", xmldecl=False)
    return out.getvalue()


def poster_document(channel, url):
    """The A4 poster of a channel: its name, the invitation line, the QR code, the promise."""
    return {"name": channel.name, "code": channel.code, "url": url, "qr": qr_svg(url),
            "invitation": channel.invitation or _("有问题、有诉求、有建议，扫一扫就能说，件件有回音。"),
            "reply_promise": channel.reply_promise or "",
            "unit": channel.unit.name if channel.unit else "", "printed": local_today().isoformat()}


def source_label(channel_name):
    return _("一码通·%(n)s", n=channel_name) if channel_name else _("各层级慧谈")


def _zero():
    return {"slips": 0, "replied": 0, "replied_on_time": 0, "closed": 0, "overdue": 0, "rated": 0,
            "satisfied": 0, "reply_rate": None, "on_time_rate": None, "closure_rate": None,
            "satisfaction_rate": None}


def source_rows(start, end, today=None):
    """Per source of items (each channel by name, then the meetings): the items received and
    answered directly, per category, and the slip figures of the period's slips from that source,
    all from stats.queries. Returns (rows, categories, category_totals)."""
    slips_by_source = stats.channel_figures(start, end, today)
    counts = stats.item_counts_by_channel(start, end)
    calls = stats.callback_figures(start, end, group_by_channel=True)
    channels = {c.id: c for c in Channel.query.all()}
    source_ids = {cid for cid, _category in counts} | set(slips_by_source) | \
        {c.id for c in channels.values() if c.is_active}
    ordered = sorted((cid for cid in source_ids if cid is not None), key=lambda cid: channels[cid].name)
    ordered.append(None)  # the meetings last
    category_totals = {}
    for (_cid, category), value in counts.items():
        category_totals[category] = category_totals.get(category, 0) + value["items"]
    categories = sorted((c for c in category_totals if c is not UNCATEGORIZED), key=lambda c: (-category_totals[c], c))
    if UNCATEGORIZED in category_totals:
        categories.append(UNCATEGORIZED)
    rows = []
    for cid in ordered:
        mine = {category: value for (source, category), value in counts.items() if source == cid}
        figures = slips_by_source.get(cid) or _zero()
        rows.append({
            "source": source_label(channels[cid].name if cid is not None else None), "is_channel": cid is not None,
            "is_active": channels[cid].is_active if cid is not None else True,
            "items": sum(v["items"] for v in mine.values()), "answered": sum(v["answered"] for v in mine.values()),
            "by_category": [mine.get(c, {}).get("items", 0) for c in categories],
            "slips": figures["slips"], "replied": figures["replied"], "closed": figures["closed"],
            "overdue": figures["overdue"], "reply_rate": figures["reply_rate"],
            "closure_rate": figures["closure_rate"], "satisfaction_rate": figures["satisfaction_rate"],
            "called_back": calls.get(cid, {}).get("called_back", 0)})
    labels = [category_label(c) if c is not UNCATEGORIZED else _("未分类") for c in categories]
    return rows, labels, [category_totals[c] for c in categories]


def summary_document(year, month, today=None):
    """The month's public summary: the headline figures (the same as GET /api/v1/stats), items
    received per source (each channel, and the meetings) and category, replies and closures per
    source, feedback calls, and the replies the organizer chose."""
    start, end, _first, _last = stats.period_of_month(year, month)
    month_text = f"{year:04d}-{month:02d}"
    rows, categories, category_totals = source_rows(start, end, today)
    channels = {c.id: c for c in Channel.query.all()}
    picks = [_pick_row(slip, channels) for slip in queries.picked_slips(month_text)]
    return {"month": month_text, "label": _("%(y)d年%(m)d月", y=year, m=month), "months": month_navigation(year, month),
            "figures": stats.figures(start, end, today), "callbacks": stats.callback_figures(start, end),
            "answered": sum(r["answered"] for r in rows), "rows": rows, "categories": categories,
            "category_totals": category_totals, "picks": picks, "as_of": (today or local_today()).isoformat()}


def _pick_row(slip, channels):
    item = slip.item
    channel = channels.get(item.channel_id)
    return {"number": slip.number, "source": source_label(channel.name if channel else None),
            "kind": kind_label(item.kind), "text": public_text(item), "is_summary": item.publication == "summary",
            "department": slip.department.name, "reply": slip.reply or "", "basis": slip.basis or "",
            "replied": to_local(slip.replied_at).strftime("%m-%d") if slip.replied_at else ""}
