"""Huitan (慧谈): the eight-tier discussion sessions, from schedule to closed slips."""
import os
import sys

from flask import Flask, request

from .config import INSTANCE_DIR, config_from_environment
from .extensions import babel, csrf, db, limiter, login_manager, migrate, socketio

MIGRATIONS_DIR = os.path.join(os.path.dirname(__file__), "migrations")


def select_locale():
    from flask import current_app, has_request_context
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    lang = request.args.get("lang") or request.cookies.get("lang")
    if lang in current_app.config["LANGUAGES"]:
        return lang
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def async_mode():
    """gevent when `python app.py` monkey-patched the process (docs/async-mode.md), else threading.

    The flask CLI, WSGI imports and the test suite run unpatched, in threading mode.
    """
    monkey = sys.modules.get("gevent.monkey")
    return "gevent" if monkey is not None and monkey.is_module_patched("socket") else "threading"


def create_app(config=None):
    """Build the application: load config, bind extensions, register blueprints."""
    root = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir))
    app = Flask(__name__, instance_path=INSTANCE_DIR,
                template_folder=os.path.join(root, "templates"),
                static_folder=os.path.join(root, "static"))
    app.config.from_object(config_from_environment())
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)

    os.makedirs(app.instance_path, exist_ok=True)
    from .secrets_store import resolve_secret_key
    resolve_secret_key(app)

    from .http import install_http_layer
    install_http_layer(app)  # id converter, trusted proxies, security headers: before any route

    from .database import configure_engine_options
    configure_engine_options(app)

    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories=os.path.join(os.path.dirname(__file__), "translations"))
    login_manager.init_app(app)
    limiter.init_app(app)
    socketio.init_app(app, async_mode=async_mode(),
                      message_queue=app.config.get("SOCKETIO_MESSAGE_QUEUE"),
                      cors_allowed_origins=app.config.get("SOCKETIO_CORS_ORIGINS", []) or None,
                      max_http_buffer_size=64 * 1024)

    from . import models  # noqa: F401  (all models, so that metadata is complete)
    from .database import install_sqlite_pragmas
    with app.app_context():
        install_sqlite_pragmas(db.engine)

    from .accounts.auth import setup_login
    setup_login(app)

    from .errors import register_error_handlers
    register_error_handlers(app)

    from .templating import setup_templating
    setup_templating(app)

    from .home.views import bp as home_bp
    from .accounts.views import bp as accounts_bp
    from .people.views import bp as people_bp
    from .scheduling.views import bp as scheduling_bp
    from .live.views import bp as live_bp
    from .slips.views import bp as slips_bp
    from .minutes.views import bp as minutes_bp
    from .reports.views import bp as reports_bp
    from .awards.views import bp as awards_bp
    from .assessment.views import bp as assessment_bp
    from .intake.views import bp as intake_bp
    from .api import bp as api_bp
    for blueprint in (home_bp, accounts_bp, people_bp, scheduling_bp, live_bp, slips_bp, minutes_bp, reports_bp,
                      awards_bp, assessment_bp, intake_bp):
        app.register_blueprint(blueprint)
    # Each feature's JSON endpoints attach to the one /api/v1 blueprint when imported.
    from .live import api as live_api  # noqa: F401
    from .people import api as people_api  # noqa: F401
    from .scheduling import api as scheduling_api  # noqa: F401
    from .slips import api as slips_api  # noqa: F401
    from .stats import api as stats_api  # noqa: F401
    from .intake import api as intake_api  # noqa: F401
    from .api import openapi  # noqa: F401
    app.register_blueprint(api_bp)

    from . import realtime
    realtime.init_app(app)
    from .live import namespace  # noqa: F401  (registers the /live Socket.IO handlers)

    from .cli import register_cli
    register_cli(app)

    from .http import install_proxy_fix
    install_proxy_fix(app)
    return app
