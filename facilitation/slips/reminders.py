"""The daily reminder job (`flask slips remind`): notices before and after deadlines, the −2 for
an overdue slip, escalation to the organizers, and the optional group-chat webhook."""
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _

from ..extensions import db
from ..timeutil import local_today, utcnow
from .models import OWING_REPLY, Slip
from .notices import active_handlers, active_organizers, notify
from .points import book_overdue


def run_reminders(today=None):
    """For cron (`flask slips remind`): notify due-tomorrow / due-today / overdue slips, deduct −2
    once per overdue slip, escalate long-overdue slips to the organizers. Idempotent per day.

    Returns a report dict and the list of webhook messages to send after commit.
    """
    today = today or local_today()
    escalate_after = current_app.config.get("SLIP_ESCALATE_AFTER_DAYS", 3)
    report = {"due_tomorrow": [], "due_today": [], "overdue": [], "escalated": [], "deducted": []}
    messages = []
    slips = (Slip.query.filter(Slip.status.in_(OWING_REPLY), Slip.due_date <= today + timedelta(days=1))
             .order_by(Slip.due_date, Slip.id).all())
    organizers = active_organizers()
    for slip in slips:
        if slip.due_date == today + timedelta(days=1):
            bucket, text = "due_tomorrow", _("%(n)s 明天到期（%(d)s）", n=slip.number, d=slip.department.name)
        elif slip.due_date == today:
            bucket, text = "due_today", _("%(n)s 今天到期（%(d)s）", n=slip.number, d=slip.department.name)
        else:
            late = (today - slip.due_date).days
            bucket, text = "overdue", _("%(n)s 已逾期 %(k)d 天（%(d)s）", n=slip.number, k=late, d=slip.department.name)
            # The deduction belongs to the deadline's day (and month), whenever this job runs.
            if book_overdue(slip) is not None:
                report["deducted"].append(slip.number)
            if late > escalate_after and slip.escalated_at is None:
                slip.escalated_at = utcnow()
                report["escalated"].append(slip.number)
                for organizer in organizers:
                    notify(organizer, "escalated", _("督办升级：%(t)s", t=text), slip,
                           dedupe_key=f"escalated:{slip.id}")
                messages.append(_("【督办升级】%(t)s", t=text))
        report[bucket].append(slip.number)
        key = f"{bucket}:{slip.id}:{today.isoformat()}"
        for handler in active_handlers(slip.department_id):
            notify(handler, bucket, text, slip, dedupe_key=key)
        if slip.supervisor is not None:
            notify(slip.supervisor, bucket, text, slip, dedupe_key=key)
    if slips:
        messages.insert(0, _("慧谈承办单提醒（%(d)s）：明天到期 %(a)d 件，今天到期 %(b)d 件，逾期 %(c)d 件。",
                             d=today.isoformat(), a=len(report["due_tomorrow"]), b=len(report["due_today"]),
                             c=len(report["overdue"])))
    db.session.flush()
    return report, messages


def send_webhook(url, text, timeout=5):
    """POST a WeCom/DingTalk-style text message to a group robot URL; returns True on 2xx."""
    import requests
    try:
        response = requests.post(url, json={"msgtype": "text", "text": {"content": text}}, timeout=timeout)
    except requests.RequestException:
        return False
    return 200 <= response.status_code < 300
