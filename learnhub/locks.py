"""Run a scheduled command once across hosts: ``job_lock(name)`` and ``@single_run(name)``.

With several app hosts each running the same cron or timer (issue 21), the daily commands
(``send-eligibility-reminders``, ``als purge-expired-notes``) start on every host at about the
same moment. The lock lets the first one run and the others exit at once saying another host
holds it; "sent once per period" then holds across hosts.

- **PostgreSQL**: a session-level advisory lock, ``pg_try_advisory_lock``, on a connection of
  its own held for the whole run. If the process dies, PostgreSQL ends the session and the lock
  goes with it — no stale lock.
- **SQLite** (one host only, but cron and a person can still start the same command twice):
  a row in ``job_lock`` inserted atomically (its primary key is the name), deleted at the end.
  A row left by a process that crashed expires after ``JOB_LOCK_TTL_SECONDS`` (6 hours).

The lock is held on the database, which every host already shares; Redis is not needed.
"""

import functools
import hashlib
import os
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import click
from flask import current_app
from sqlalchemy import String, delete, insert, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from learnhub.extensions import db
from learnhub.timeutil import UTCDateTime, utcnow

DEFAULT_TTL_SECONDS = 6 * 3600


class JobLock(db.Model):
    """A held lock on SQLite (PostgreSQL uses advisory locks and leaves this table empty)."""

    __tablename__ = "job_lock"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    #: "<host>:<pid>:<random>", so only the holder deletes it.
    holder: Mapped[str] = mapped_column(String(200))
    acquired_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


def advisory_key(name: str) -> int:
    """A stable signed 64-bit key for ``pg_try_advisory_lock`` from the lock's name."""
    return int.from_bytes(hashlib.sha256(f"learnhub:{name}".encode()).digest()[:8], "big", signed=True)


@contextmanager
def job_lock(name: str) -> Iterator[bool]:
    """Try to take the lock ``name`` without waiting; yields True if taken (released on exit), else False."""
    engine = db.engine
    if engine.dialect.name == "postgresql":
        key = advisory_key(name)
        with engine.connect() as connection:
            taken = bool(connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar())
            connection.commit()  # session-level lock: it outlives the transaction; no idle transaction held
            try:
                yield taken
            finally:
                if taken:
                    connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                    connection.commit()
        return

    holder = f"{socket.gethostname()}:{os.getpid()}:{os.urandom(4).hex()}"
    taken = _take_row(name, holder)
    try:
        yield taken
    finally:
        if taken:
            with engine.begin() as connection:
                connection.execute(delete(JobLock).where(JobLock.name == name, JobLock.holder == holder))


def _take_row(name: str, holder: str) -> bool:
    """Insert the lock row; an expired one is removed first. True if this process now holds it."""
    ttl = int(current_app.config.get("JOB_LOCK_TTL_SECONDS", DEFAULT_TTL_SECONDS))
    now = utcnow()
    table = JobLock.__table__
    for _ in range(2):
        try:
            with db.engine.begin() as connection:
                connection.execute(
                    insert(table).values(name=name, holder=holder, acquired_at=now, expires_at=now + timedelta(seconds=ttl))
                )
            return True
        except IntegrityError:
            with db.engine.begin() as connection:
                removed = connection.execute(delete(table).where(table.c.name == name, table.c.expires_at < now)).rowcount
            if not removed:
                return False
    return False


def single_run(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorate a click command so that only one run at a time, across hosts, does its work.

    A run that finds the lock held prints that another host holds it and exits 0 (cron sees
    success: the work is being done).
    """

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(command)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with job_lock(name) as taken:
                if not taken:
                    click.echo(f"{name}: another host (or process) holds the lock and is running it; nothing done here.")
                    return None
                return command(*args, **kwargs)

        return wrapper

    return decorate
