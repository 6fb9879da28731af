"""Invitations of a meeting: the printable notice (plain data for templates/pdf/meeting_notice.html)
and the calendar file (.ics). Both exist only once the lead has approved the list; neither
carries focus-person marks (a notice is pinned on a board)."""
from datetime import timedelta, timezone

from flask import current_app
from flask_babel import gettext as _

from ..errors import Conflict
from ..texts import join_list
from ..timeutil import to_local, utcnow
from .services import kind_label

WEEKDAYS = ("一", "二", "三", "四", "五", "六", "日")


def _require_approved(meeting):
    if not meeting.is_list_approved:
        raise Conflict(_("参会名单经牵头人批准后才能发出通知。"), code="not_approved")


def _end(meeting):
    return meeting.ends_at or meeting.starts_at + timedelta(minutes=current_app.config["MEETING_DEFAULT_MINUTES"])


def notice_document(meeting):
    """Plain data for the notice: time, place, lead, participants, invited departments."""
    _require_approved(meeting)
    start, end = to_local(meeting.starts_at), to_local(_end(meeting))
    people = []
    for participant in meeting.invited:
        person = participant.person
        people.append({"name": participant.name or "",
                       "unit": person.unit.name if person is not None and person.unit else "",
                       "post": (person.post or "") if person is not None else ""})
    approved = to_local(meeting.participants_approved_at)
    return {
        "title": meeting.title, "kind": kind_label(meeting.kind),
        "tier": meeting.tier.name if meeting.tier else _("跨层级"),
        "date": f"{start:%Y年%m月%d日}（星期{WEEKDAYS[start.weekday()]}）",
        "time": f"{start:%H:%M}—{end:%H:%M}",
        "location": meeting.location or (_("线上（云上慧谈）") if meeting.video_url else ""),
        "video_url": meeting.video_url or "",
        "lead": meeting.lead.display_name if meeting.lead else "",
        "approved_by": meeting.participants_approved_by.display_name if meeting.participants_approved_by else "",
        "approved": f"{approved:%Y-%m-%d}",
        "people": people,
        "departments": [link.department.name for link in meeting.invited_departments],
        "join_code": meeting.join_code,
        "printed": f"{to_local(utcnow()):%Y-%m-%d}",
    }


def _ics_text(value):
    """RFC 5545 TEXT: backslash, semicolon, comma and newlines escaped."""
    return (value or "").replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n") \
        .replace("\n", "\\n")


def _fold(line):
    """Lines of at most 75 octets, continued with a space; never splits a UTF-8 character."""
    out, current = [], b""
    for char in line:
        encoded = char.encode("utf-8")
        if len(current) + len(encoded) > (75 if not out else 74):
            out.append(current)
            current = b""
        current += encoded
    out.append(current)
    return b"\r\n ".join(out).decode("utf-8")


def to_utc_text(moment):
    return moment.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def meeting_ics(meeting, host="huitan"):
    """The meeting as an iCalendar event (bytes), for phones' and Outlook's calendars."""
    _require_approved(meeting)
    names = join_list(p.name or "" for p in meeting.invited)
    description = "\n".join(filter(None, [
        _("层级：%(tier)s", tier=meeting.tier.name if meeting.tier else _("跨层级")),
        _("牵头人：%(lead)s", lead=meeting.lead.display_name if meeting.lead else ""),
        _("参会人员：%(names)s", names=names),
        _("列席科室：%(names)s", names=join_list(l.department.name for l in meeting.invited_departments))
        if meeting.invited_departments else None,
        _("视频会议：%(url)s", url=meeting.video_url) if meeting.video_url else None,
        _("会上扫描大屏二维码（参会码 %(code)s）提出问题和诉求。", code=meeting.join_code),
    ]))
    lines = [
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Huitan//Baji Huitan//ZH", "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH", "BEGIN:VEVENT",
        f"UID:meeting-{meeting.id}@{host}",
        f"DTSTAMP:{to_utc_text(utcnow())}",
        f"DTSTART:{to_utc_text(meeting.starts_at)}",
        f"DTEND:{to_utc_text(_end(meeting))}",
        "SUMMARY:" + _ics_text(meeting.title),
        "LOCATION:" + _ics_text(meeting.location or meeting.video_url or ""),
        "DESCRIPTION:" + _ics_text(description),
    ]
    if meeting.video_url:
        lines.append("URL:" + meeting.video_url.replace("\r", "").replace("\n", ""))  # a URI, not TEXT
    lines += ["STATUS:CONFIRMED", "END:VEVENT", "END:VCALENDAR"]
    return ("\r\n".join(_fold(line) for line in lines) + "\r\n").encode("utf-8")
