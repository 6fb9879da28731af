"""Jinja filters and globals shared by all templates (the text helpers behind some of them are
in texts.py, which services, documents and queries use as well)."""
from flask import request
from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup, escape

from .texts import list_separator
from .timeutil import to_local


def _markup_format(msgid, **parts):
    return Markup(escape(gettext(msgid))) % parts


def setup_templating(app):
    @app.template_filter("join_list")
    def join_list_filter(values):
        """`names|join_list`: the items escaped and joined with the language's separator."""
        return Markup(escape(list_separator())).join(values)

    app.jinja_env.globals.update(
        labelled=lambda label, text="": _markup_format("%(label)s：%(text)s", label=label, text=text),
        bracketed=lambda text, note: _markup_format("%(text)s（%(note)s）", text=text, note=note),
        list_separator=list_separator)

    @app.template_filter("localtime")
    def localtime(value, fmt="%Y-%m-%d %H:%M"):
        return to_local(value).strftime(fmt) if value else ""

    @app.template_filter("ymd")
    def ymd(value):
        return value.strftime("%Y-%m-%d") if value else ""

    @app.template_filter("pct")
    def pct(value):
        """A 0–1 rate as "85.7%"; "—" when there was nothing to divide by."""
        return "—" if value is None else f"{round(100 * value, 1):g}%"

    @app.template_filter("chart")
    def chart(svg):
        """An SVG chart we rendered (pygal, scripts stripped), its <style> allowed by the CSP nonce."""
        from markupsafe import Markup
        from .http import csp_nonce
        from .reports.charts import with_style_nonce
        return Markup(with_style_nonce(svg or "", csp_nonce()))

    # Label helpers as Jinja globals, so that imported macros see them too.
    from .accounts.forms import ROLE_LABELS
    from .live.payloads import category_label, kind_label as item_kind_label, status_label as item_status_label
    from .scheduling.services import kind_label, status_label
    from .stats.queries import is_overdue
    app.jinja_env.globals.update(meeting_kind_label=kind_label, meeting_status_label=status_label,
                                 item_kind_label=item_kind_label, item_status_label=item_status_label,
                                 item_category_label=category_label, role_labels=ROLE_LABELS, is_overdue=is_overdue)

    @app.before_request
    def fresh_locale():
        # Flask-Babel caches the locale on the app context; a request must choose its own.
        from flask_babel import refresh
        refresh()

    @app.context_processor
    def inject_globals():
        from .scheduling.services import kind_label, status_label
        from .accounts.forms import ROLE_LABELS
        from .live.payloads import kind_label as item_kind_label, status_label as item_status_label
        nav, more = [], []
        if current_user.is_authenticated:
            nav.append(("home.index", _l("首页")))
            nav.append(("scheduling.list_meetings", _l("慧谈安排")))
            if current_user.has_role("organizer", "viewer", "lead"):
                nav.append(("scheduling.plans", _l("月度计划")))
            nav.append(("slips.list_slips", _l("承办单")))
            if current_user.has_role("organizer", "viewer", "lead"):
                nav.append(("intake.inbox", _l("一码通")))
            if current_user.has_role("organizer", "viewer", "lead"):
                nav.append(("reports.current_month", _l("月度报告")))
            nav.append(("slips.league", _l("科室考核")))
            nav.append(("awards.list_reviews", _l("金点子评审")))
            nav.append(("slips.inbox", _l("消息")))
            if current_user.has_role("organizer", "lead"):
                more.append(("people.list_people", _l("职工名单")))
            more.append(("people.list_tiers", _l("层级与牵头人")))
            more.append(("people.list_departments", _l("职能科室")))
            if current_user.has_role("organizer", "lead"):
                more.append(("people.list_units", _l("区队科室")))
            if current_user.has_role("organizer", "viewer", "lead"):
                more.append(("assessment.index", _l("年度考核")))
            if current_user.has_role("organizer"):
                more.append(("intake.list_channels", _l("一码通渠道与海报")))
            more.append(("slips.public_board", _l("公示栏")))
            more.append(("intake.current_summary", _l("月度公示")))
            if current_user.has_role("admin"):
                more.append(("accounts.list_users", _l("用户管理")))
        return {"current_locale": str(get_locale()), "nav_items": nav, "nav_more": more,
                "meeting_kind_label": kind_label, "meeting_status_label": status_label,
                "role_labels": ROLE_LABELS, "item_kind_label": item_kind_label,
                "item_status_label": item_status_label, "request_path": request.path}
