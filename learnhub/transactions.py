"""One transaction per request, CLI command or job; side effects only after it commits.

The boundary follows Indico: **services never commit**. They change objects, ``flush()`` when
they need ids, and call :func:`learnhub.audit.audit`, so the change and its audit row are one
unit. Whoever runs the unit of work commits it once:

* a web request: :func:`init_app` commits after the view when the response is a success or a
  redirect (status < 400), and rolls back otherwise (a 4xx/5xx page never leaves half a change);
* a CLI command or background job: it calls :func:`commit` itself, once per unit.

A service that can refuse *after* it has written (a domain error raised half way) wraps the
writes in :func:`atomic` so the refusal undoes its own writes while the request goes on.

Side effects that must not happen for a rolled-back change (mail, jobs on a queue, files) are
registered with :func:`after_commit` and run only once the transaction has committed; a
rollback discards them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask, Response, current_app
from sqlalchemy import event, select, update
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session

from learnhub import deferred
from learnhub.extensions import db

_KEY = "learnhub_after_commit"


def after_commit(fn: Callable[[], Any]) -> None:
    """Run ``fn()`` once the current transaction commits (never if it rolls back)."""
    db.session.info.setdefault(_KEY, []).append(fn)


def commit() -> None:
    """Commit the unit of work (CLI commands and jobs; requests commit by themselves)."""
    db.session.commit()


@contextmanager
def atomic() -> Iterator[None]:
    """A savepoint: an exception inside undoes only the writes made inside, then propagates."""
    with db.session.begin_nested():
        yield


def lock_row(model: Any, row_id: int) -> None:
    """Hold one row until the transaction ends, so twin requests change it one after the other.

    ``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite a no-op write to the row, which takes the
    database's single write lock (pysqlite starts the transaction at that write, so the wait is
    the busy timeout, not an error). Refresh the objects you read before the lock afterwards.
    """
    table = model.__table__
    key = list(table.primary_key.columns)[0]
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(key).where(key == row_id).with_for_update())
    else:
        db.session.execute(update(table).where(key == row_id).values({key.name: key}))


def _run_after_commit(session: Session) -> None:
    for fn in session.info.pop(_KEY, []):
        try:
            fn()
        except Exception:  # a side effect must not turn a committed change into an error page
            current_app.logger.exception("after-commit step %r failed", fn)


@event.listens_for(Session, "after_commit")
def _mark_committed(session: Session) -> None:
    # Fires for the outermost transaction only; the callbacks run once it has fully ended.
    session.info["learnhub_committed"] = True


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session: Session, transaction: Any) -> None:
    if transaction.parent is not None:  # a savepoint: the outer transaction decides
        return
    if session.info.pop("learnhub_committed", False):
        _run_after_commit(session)
    else:  # rolled back or closed without committing: the change never happened
        session.info.pop(_KEY, None)


def init_app(app: Flask) -> None:
    """Commit each request's unit of work once, after the view, if the response succeeded."""

    @app.after_request
    def _commit_request(response: Response) -> Response:
        if response.status_code < 400:
            try:
                db.session.commit()
            except (OperationalError, InterfaceError) as error:
                # The database went away while the view ran (a restart): the change is not
                # saved, so the person must not see a success page, nor a bare 500.
                from learnhub.errors import unavailable_page

                return deferred.attach(unavailable_page(error))
        else:
            db.session.rollback()
        return deferred.attach(response)  # last: includes work queued by after-commit steps
