"""Online backups: SQLite through its backup API, PostgreSQL through pg_dump.

Both are safe while LearnHub is serving requests: SQLite's backup API copies a consistent
snapshot page by page, and pg_dump reads inside one repeatable-read transaction.

Backups are private: folders are created 0700 and files 0600 (under ``umask 077``), and
pg_dump never sees the password on its command line (where ``ps`` shows it to every user):
it reads it from a temporary password file (``PGPASSFILE``, mode 0600) that is removed after.
"""

import os
import shutil
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import URL, make_url

#: Names of the files ``backup --into`` writes (and ``--keep-days`` may delete).
PREFIX = "learnhub-"
SUFFIXES = {"sqlite": ".sqlite", "postgresql": ".dump"}


class BackupError(RuntimeError):
    """The backup could not be made."""


def libpq_url(sqlalchemy_url: str, *, with_password: bool = True) -> str:
    """The URL as pg_dump/psql understand it (no ``+psycopg`` driver suffix)."""
    url = make_url(sqlalchemy_url).set(drivername="postgresql")
    if not with_password:
        url = url._replace(password=None)  # set(password=None) would keep it
    return url.render_as_string(hide_password=False)


def _pgpass_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace(":", "\\:")


@contextmanager
def libpq_environment(sqlalchemy_url: str) -> Iterator[dict[str, str]]:
    """Environment for pg_dump/pg_restore: the password in a private temporary ``PGPASSFILE``."""
    url: URL = make_url(sqlalchemy_url)
    env = dict(os.environ)
    if not url.password:
        yield env
        return
    with tempfile.TemporaryDirectory(prefix="learnhub-pgpass-") as folder:
        passfile = Path(folder) / "pgpass"
        line = ":".join(
            _pgpass_escape(str(part))
            for part in (url.host or "*", url.port or "*", url.database or "*", url.username or "*", url.password)
        )
        descriptor = os.open(passfile, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(line + "\n")
        env["PGPASSFILE"] = str(passfile)
        env.pop("PGPASSWORD", None)
        yield env


@contextmanager
def private_files() -> Iterator[None]:
    """``umask 077`` for the duration: anything created is readable by its owner only."""
    previous = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(previous)


def backup_sqlite(database_path: str, target: Path) -> None:
    """Copy a live SQLite database to ``target`` with the online backup API."""
    source = sqlite3.connect(f"file:{database_path}?mode=ro", uri=True)
    destination = sqlite3.connect(target)
    try:
        with destination:
            source.backup(destination)
    finally:
        destination.close()
        source.close()


def backup_postgresql(url: str, target: Path) -> None:
    """Dump a PostgreSQL database in pg_dump's custom format (restore with pg_restore)."""
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise BackupError("pg_dump is not installed (Debian: apt-get install postgresql-client)")
    with libpq_environment(url) as env:
        result = subprocess.run(  # noqa: S603 - fixed program, URL from our own configuration
            [
                pg_dump,
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--file={target}",
                libpq_url(url, with_password=False),
            ],
            capture_output=True,
            text=True,
            check=False,
            env=env,
        )
    if result.returncode != 0:
        target.unlink(missing_ok=True)
        raise BackupError(f"pg_dump failed: {result.stderr.strip()}")


def backup(sqlalchemy_url: str, target: Path) -> str:
    """Back up the configured database to ``target``; returns the kind of backup made."""
    url = make_url(sqlalchemy_url)
    with private_files():
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if target.exists():
            raise BackupError(f"{target} already exists; choose a new file name")
        if url.get_backend_name() == "sqlite":
            if not url.database or url.database == ":memory:":
                raise BackupError("An in-memory SQLite database cannot be backed up")
            backup_sqlite(url.database, target)
            kind = "sqlite"
        elif url.get_backend_name() == "postgresql":
            backup_postgresql(sqlalchemy_url, target)
            kind = "postgresql"
        else:
            raise BackupError(f"Backups of {url.get_backend_name()} databases are not supported")
        target.chmod(0o600)
    return kind


def dated_target(sqlalchemy_url: str, folder: Path, now: datetime | None = None) -> Path:
    """``folder/learnhub-20261123T023000Z.dump`` (``.sqlite`` for SQLite)."""
    kind = make_url(sqlalchemy_url).get_backend_name()
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    return folder / f"{PREFIX}{stamp}{SUFFIXES.get(kind, '.backup')}"


def prune(folder: Path, keep_days: int, *, keep: Path, now: float | None = None) -> list[Path]:
    """Delete this command's own backups in ``folder`` older than ``keep_days`` (never ``keep``).

    Only files named ``learnhub-*.dump`` / ``learnhub-*.sqlite`` are considered, so other files
    in the folder are safe. Returns what was deleted.
    """
    cutoff = (now or time.time()) - keep_days * 86400
    deleted = []
    for path in sorted(folder.glob(f"{PREFIX}*")):
        if path == keep or path.suffix not in SUFFIXES.values() or not path.is_file():
            continue
        if path.stat().st_mtime < cutoff:
            path.unlink()
            deleted.append(path)
    return deleted
