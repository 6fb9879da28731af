"""Migrations: one head, and `upgrade` on an empty database gives exactly the models' schema.

The upgrade runs as a real `flask --app app db upgrade` subprocess on a throwaway database
(a temporary SQLite file; with TEST_DATABASE_URL, a throwaway schema of that PostgreSQL
database), then Alembic's autogenerate comparison must find nothing to change.
"""
import os
import subprocess
import sys

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from facilitation import MIGRATIONS_DIR
from facilitation.extensions import db

from conftest import ROOT  # the repository root, where app.py lives


def script_directory():
    config = Config()
    config.set_main_option("script_location", MIGRATIONS_DIR)
    return ScriptDirectory.from_config(config)


def test_one_head():
    heads = script_directory().get_heads()
    assert len(heads) == 1, f"several migration heads {heads}: merge them (flask db merge heads)"


def test_every_revision_can_be_downgraded():
    """Each migration has a downgrade, so a bad release can be rolled back."""
    for revision in script_directory().walk_revisions():
        source = open(revision.path, encoding="utf-8").read()
        body = source.split("def downgrade():", 1)[1]
        assert body.strip() not in ("pass", ""), f"{revision.revision} has an empty downgrade()"


@pytest.fixture
def empty_database_url(tmp_path):
    """A database with nothing in it, dropped afterwards."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield "sqlite:///" + str(tmp_path / "empty.sqlite3")
        return
    url = make_url(base)
    if url.get_backend_name() != "postgresql":
        pytest.skip(f"no throwaway-schema recipe for {url.get_backend_name()}")
    schema = "migration_check_" + os.urandom(4).hex()
    admin = create_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        # libpq's options parameter makes the new schema the default one for every connection
        yield url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def upgrade(database_url, *revision, command="upgrade"):
    env = dict(os.environ, DATABASE_URL=database_url, SECRET_KEY="migration-test-secret")
    env.pop("TEST_DATABASE_URL", None)
    env.pop("FLASK_APP", None)
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "app", "db", command, *revision], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr


def test_upgrade_on_an_empty_database_equals_the_models(app, empty_database_url):
    upgrade(empty_database_url)
    engine = create_engine(empty_database_url)
    try:
        with engine.connect() as connection:
            version = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
            assert version == list(script_directory().get_heads())
            context = MigrationContext.configure(connection, opts={
                "compare_type": True,
                "compare_server_default": True,
                "render_as_batch": True,
            })
            differences = compare_metadata(context, db.metadata)
    finally:
        engine.dispose()
    # Nothing is ignored: every difference means a model change without its migration
    # (or the reverse). Create one with `flask --app app db migrate -m "…"` and review it.
    assert differences == [], "the migrations do not match the models:\n" + "\n".join(map(repr, differences))


def test_awards_made_before_claim_codes_get_one(empty_database_url):
    """c10e5f6a7b8c gives every existing award its own claim code, and downgrades cleanly."""
    import re
    upgrade(empty_database_url, "c10a1b2c3d4e")
    engine = create_engine(empty_database_url)
    try:
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO idea_reviews (id, quarter, budget, status, created_at) "
                                    "VALUES (1, '2026-Q3', 1000, 'finalized', '2026-10-01 00:00:00')"))
            for item_id in (1, 2, 3):
                connection.execute(text(
                    "INSERT INTO items (id, channel, client_id, kind, text, is_urgent, anonymity, is_approved, status, votes, "
                    "created_at, updated_at) VALUES (:id, 'meeting', :client, 'suggestion', '建议', false, 'anonymous', true, "
                    "'adopted', 0, '2026-08-01 00:00:00', '2026-08-01 00:00:00')"),
                    {"id": item_id, "client": f"c{item_id}"})
                connection.execute(text("INSERT INTO idea_awards (review_id, item_id, amount, awarded_at) "
                                        "VALUES (1, :id, 100, '2026-09-30 00:00:00')"), {"id": item_id})
        upgrade(empty_database_url)
        with engine.connect() as connection:
            codes = connection.execute(text("SELECT claim_code FROM idea_awards")).scalars().all()
        assert len(codes) == 3 and len(set(codes)) == 3
        assert all(re.fullmatch("[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{8}", code) for code in codes), codes
        upgrade(empty_database_url, "c10a1b2c3d4e", command="downgrade")
        with engine.connect() as connection:
            assert connection.execute(text("SELECT COUNT(*) FROM idea_awards")).scalar() == 3
    finally:
        engine.dispose()
