"""The one way an edge changes data: call a service, commit once, map domain errors.

HTML views, JSON endpoints, Socket.IO handlers and CLI commands parse their input and check
permissions, then run the service through `unit_of_work` / `commit` (JSON, CLI) or
`attempt` (HTML forms, which show a flash message instead of an error page). Services never
commit; a rolled-back change is never broadcast (realtime sends only after commit).
This plays the part of Indico's `RH.process`, which commits once at the end of a request.
"""
from contextlib import contextmanager
from dataclasses import dataclass
from functools import wraps

from flask import flash

from .database import write_turn
from .errors import DomainError
from .extensions import db


@contextmanager
def unit_of_work():
    """Take the SQLite write turn, run the block, commit once; roll back on any exception.

    Use the block form when the response must be built before the commit expires the rows.
    """
    with write_turn():
        try:
            yield db.session
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise


def commits(view):
    """For JSON endpoints: the whole view is one unit of work, committed once after it has built
    its response (so the rows are still loaded); a DomainError rolls back and becomes the
    JSON error. The SQLite write turn is held for the view, after its connection is taken."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        with unit_of_work():
            return view(*args, **kwargs)
    return wrapped


def commit(call, *args, **kwargs):
    """Run `call(*args, **kwargs)` as one unit of work and return its result.

    A DomainError propagates after the rollback: the JSON API and the error pages map it to
    `{"error": {"code", "message"}}` or a friendly page with its status.
    """
    with unit_of_work():
        return call(*args, **kwargs)


@dataclass
class Attempt:
    """The outcome of `attempt`: the service's result, or the domain error that stopped it."""

    value: object = None
    error: DomainError = None

    @property
    def ok(self):
        return self.error is None

    @property
    def status(self):
        return 200 if self.error is None else self.error.status


def attempt(call, *args, success=None, **kwargs):
    """For HTML forms: run `call` as one unit of work; flash `success` or the error's message.

    Returns an Attempt, so that the view can redirect on success or re-render its form with
    the error's status. Anything but a DomainError is a bug and propagates (after rollback).
    """
    try:
        value = commit(call, *args, **kwargs)
    except DomainError as error:
        flash(error.message, "error")
        return Attempt(error=error)
    if success:
        flash(success(value) if callable(success) else success, "success")
    return Attempt(value=value)
