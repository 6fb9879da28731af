"""Engine set-up (SQLite pragmas, pool sizes) and the process's SQLite write turn."""
import threading
from contextlib import contextmanager

from sqlalchemy import event

from .extensions import db

_sqlite_write_lock = threading.RLock()


def configure_engine_options(app):
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if uri.startswith("sqlite"):
        # A file cannot drop a connection the way a server can: no ping before every request
        # (one statement of six on a phone's submit).
        options["pool_pre_ping"] = False
        # Threads of the Socket.IO server share the file; waiting beats failing.
        options.setdefault("connect_args", {"timeout": 30, "check_same_thread": False})
        if ":memory:" in uri or uri in ("sqlite://", "sqlite:///"):
            from sqlalchemy.pool import StaticPool
            options["poolclass"] = StaticPool
        else:
            # A SQLite connection is a file handle: cheap. A pool as large as the busiest moment
            # (every phone of a mine group at once) means a request never waits for one.
            options.setdefault("pool_size", 20)
            options.setdefault("max_overflow", 200)
            options.setdefault("pool_timeout", 10)
    else:
        options.setdefault("pool_size", 10)
        options.setdefault("max_overflow", 40)
        options.setdefault("pool_timeout", 10)
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


@contextmanager
def write_turn():
    """Hold this process's SQLite write turn from the service call through its commit.

    SQLite lets one transaction write at a time and makes the others poll with growing sleeps
    (busy_timeout): during a burst of phones that added seconds and starved some requests.
    Queueing on a lock hands the turn over as soon as the writer has committed.

    Order matters: the request takes its database connection *before* the lock, everywhere.
    A request that held the lock and then waited for a connection, while the requests holding
    every connection waited for the lock, stalled the server for the pool timeout.

    Broadcasts are not sent inside the turn: realtime hands them to its sender at commit.
    PostgreSQL queues writers on its row locks itself, so only SQLite takes the lock.
    """
    if db.engine.dialect.name != "sqlite":
        yield
        return
    db.session.connection()  # connection first, then the lock: one order for every writer
    with _sqlite_write_lock:
        try:
            yield
        except BaseException:
            db.session.rollback()  # give SQLite's lock back before the next writer's turn
            raise
