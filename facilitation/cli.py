"""flask commands: init-db, demo, create-user, create-token, backup, restore."""
import os
import sqlite3

import click
from flask import current_app
from flask.cli import with_appcontext

from .edges import commit
from .errors import DomainError
from .extensions import db


def upgrade_schema():
    """Create or upgrade the schema with the migrations (one head)."""
    from flask_migrate import upgrade
    upgrade()


def run(call, *args, **kwargs):
    """A command's one unit of work: commit once; a domain error becomes the command's error message."""
    try:
        return commit(call, *args, **kwargs)
    except DomainError as error:
        raise click.ClickException(error.message)


def _seed_schema():
    """Create or upgrade the schema and seed the eight tiers; returns how many tiers were created."""
    from .people.services import seed_tiers
    upgrade_schema()
    return seed_tiers()


@click.command("init-db")
@with_appcontext
def init_db_command():
    """Create/upgrade the schema and seed the eight tiers (idempotent)."""
    created = run(_seed_schema)
    click.echo(f"database ready; {created} tier(s) created")


@click.command("demo")
@click.option("--quiet", is_flag=True, help="do not print the demo logins")
@with_appcontext
def demo_command(quiet):
    """Load the demo organisation (idempotent) and print the demo logins."""
    from .demo import load_demo
    run(_seed_schema)
    summary = run(load_demo)
    if not quiet:
        click.echo(summary)


@click.command("create-user")
@click.option("--username", required=True)
@click.option("--password", required=True)
@click.option("--role", required=True, type=click.Choice(["admin", "organizer", "lead", "handler", "viewer"]))
@click.option("--department", "department_name", default=None, help="department name (handlers)")
@click.option("--name", "display_name", default=None, help="display name")
@with_appcontext
def create_user_command(username, password, role, department_name, display_name):
    """Create a staff account."""
    from .accounts.services import create_user, find_department_by_name
    user = run(lambda: create_user(username, password, role, display_name=display_name,
                                   department=find_department_by_name(department_name) if department_name else None))
    click.echo(f"created user {user.username} ({user.role})")


@click.command("create-token")
@click.option("--username", required=True)
@click.option("--label", default="cli")
@with_appcontext
def create_token_command(username, label):
    """Print a new bearer token for the JSON API."""
    from .accounts.services import get_user_by_username, issue_api_token
    token = run(lambda: issue_api_token(get_user_by_username(username), label=label))
    click.echo(token)


def _sqlite_path():
    uri = current_app.config["SQLALCHEMY_DATABASE_URI"]
    if not uri.startswith("sqlite:///") or ":memory:" in uri:
        raise click.ClickException("backup/restore work on the SQLite file; use pg_dump for PostgreSQL")
    return uri[len("sqlite:///"):]


@click.command("backup")
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False))
@with_appcontext
def backup_command(out_path):
    """Copy the SQLite database with SQLite's online backup API (safe while serving)."""
    source_path = _sqlite_path()
    if os.path.exists(out_path):
        raise click.ClickException(f"{out_path} exists; choose a new file")
    source = sqlite3.connect(source_path)
    target = sqlite3.connect(out_path)
    try:
        with target:
            source.backup(target)
    finally:
        target.close()
        source.close()
    click.echo(f"backup written to {out_path}")


@click.command("restore")
@click.option("--from", "in_path", required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="replace the current database without asking")
@with_appcontext
def restore_command(in_path, yes):
    """Replace the SQLite database with a backup (stop the server first)."""
    target_path = _sqlite_path()
    check = sqlite3.connect(in_path)
    try:
        is_intact = check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    except sqlite3.DatabaseError:
        check.close()
        raise click.ClickException("not a SQLite database")
    if not is_intact:
        check.close()
        raise click.ClickException("the backup file is damaged")
    if not yes:
        click.confirm(f"replace {target_path}?", abort=True)
    db.engine.dispose()
    target = sqlite3.connect(target_path)
    try:
        with target:
            check.backup(target)
    finally:
        target.close()
        check.close()
    click.echo(f"restored {target_path} from {in_path}")


slips_cli = click.Group("slips", help="Handling slips: reminders for cron.")


@slips_cli.command("remind")
@click.option("--date", "on_date", default=None, help="pretend today is YYYY-MM-DD (for testing)")
@with_appcontext
def remind_command(on_date):
    """Notify due-tomorrow / due-today / overdue slips, deduct −2 once per overdue slip,
    escalate long-overdue ones, and post a summary to SLIP_WEBHOOK_URL when configured."""
    from datetime import date
    from .slips.reminders import run_reminders, send_webhook
    today = date.fromisoformat(on_date) if on_date else None
    report, messages = run(run_reminders, today)
    for bucket in ("due_tomorrow", "due_today", "overdue", "escalated", "deducted"):
        click.echo(f"{bucket}: {len(report[bucket])} {' '.join(report[bucket])}".rstrip())
    url = current_app.config.get("SLIP_WEBHOOK_URL")
    if url and messages:
        ok = send_webhook(url, "\n".join(messages))
        click.echo("webhook: sent" if ok else "webhook: failed", err=not ok)


def register_cli(app):
    app.cli.add_command(slips_cli)
    for command in (init_db_command, demo_command, create_user_command, create_token_command,
                    backup_command, restore_command):
        app.cli.add_command(command)
