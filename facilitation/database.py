"""Engine set-up: SQLite pragmas on every connection, pool settings per backend."""
from sqlalchemy import event


def configure_engine_options(app):
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if uri.startswith("sqlite"):
        # Threads of the Socket.IO server share the file; waiting beats failing.
        options.setdefault("connect_args", {"timeout": 30, "check_same_thread": False})
        if ":memory:" in uri or uri in ("sqlite://", "sqlite:///"):
            from sqlalchemy.pool import StaticPool
            options["poolclass"] = StaticPool
    else:
        options.setdefault("pool_size", 10)
        options.setdefault("max_overflow", 20)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def install_sqlite_pragmas(engine):
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def set_pragmas(dbapi_connection, connection_record):
        # WAL lets the board read while phones write; FULL survives a power cut on site.
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    # Connections opened before the listener was attached (none normally) are discarded.
    engine.dispose()
