"""Online backups: SQLite through its backup API, PostgreSQL through pg_dump.

Both are safe while LearnHub is serving requests: SQLite's backup API copies a consistent
snapshot page by page, and pg_dump reads inside one repeatable-read transaction.
"""

import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url


class BackupError(RuntimeError):
    """The backup could not be made."""


def libpq_url(sqlalchemy_url: str) -> str:
    """The URL as pg_dump/psql understand it (no ``+psycopg`` driver suffix)."""
    url = make_url(sqlalchemy_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


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
    result = subprocess.run(  # noqa: S603 - fixed program, URL from our own configuration
        [pg_dump, "--format=custom", "--no-owner", f"--file={target}", libpq_url(url)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_dump failed: {result.stderr.strip()}")


def backup(sqlalchemy_url: str, target: Path) -> str:
    """Back up the configured database to ``target``; returns the kind of backup made."""
    url = make_url(sqlalchemy_url)
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        raise BackupError(f"{target} already exists; choose a new file name")
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            raise BackupError("An in-memory SQLite database cannot be backed up")
        backup_sqlite(url.database, target)
        return "sqlite"
    if url.get_backend_name() == "postgresql":
        backup_postgresql(sqlalchemy_url, target)
        return "postgresql"
    raise BackupError(f"Backups of {url.get_backend_name()} databases are not supported")
