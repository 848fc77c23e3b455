"""Backups restore with every row: SQLite via the online backup API, PostgreSQL via pg_dump.

The PostgreSQL restore follows docs/operations.md exactly: a new database owned by the
(non-superuser) application role, then pg_restore as that role. On PostgreSQL 15 the schema
``public`` belongs to the database owner, so restoring into a database someone else owns
fails with "permission denied for schema public".
"""

import os
import secrets
import stat
import subprocess
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.engine import make_url

from learnhub import backup as backup_module
from learnhub.extensions import db


def _all_rows(engine) -> dict[str, list[tuple]]:  # type: ignore[no-untyped-def]
    rows = {}
    with engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            rows[table.name] = [tuple(r) for r in conn.execute(select(table).order_by(*table.primary_key.columns))]
    return rows


@pytest.fixture
def seeded(app, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("LEARNHUB_DEMO_PASSWORD", "backup-test-password")
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        rows = _all_rows(db.engine)
    assert sum(len(v) for v in rows.values()) > 30
    return rows


def test_backup_restores_every_row(app, seeded, tmp_path):
    target = tmp_path / "backup.file"
    result = app.test_cli_runner().invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    url = app.config["SQLALCHEMY_DATABASE_URI"]

    if make_url(url).get_backend_name() == "sqlite":
        restored = create_engine(f"sqlite:///{target}")
        assert _all_rows(restored) == seeded
        restored.dispose()
        return

    counts = {table: len(rows) for table, rows in seeded.items()}
    restored_rows = restore_as_documented(url, target)
    assert {table: len(rows) for table, rows in restored_rows.items()} == counts
    assert restored_rows == seeded


def restore_as_documented(url: str, archive) -> dict[str, list[tuple]]:  # type: ignore[no-untyped-def]
    """docs/operations.md, "Restore": createdb --owner=<app role>, then pg_restore as that role."""
    suffix = secrets.token_hex(4)
    role, name = f"learnhub_restore_role_{suffix}", f"learnhub_restore_{suffix}"
    admin_url = make_url(url)
    run = {"check": True, "capture_output": True, "text": True}
    libpq = ["--host", admin_url.host or "127.0.0.1", "--port", str(admin_url.port or 5432), "--username"]
    subprocess.run(
        ["psql", *libpq, admin_url.username or "postgres", "--dbname", admin_url.database, "-c", f"CREATE ROLE {role} LOGIN"],
        **run,
    )
    try:
        subprocess.run(["createdb", *libpq, admin_url.username or "postgres", f"--owner={role}", name], **run)
        restored = subprocess.run(
            [
                "pg_restore",
                *libpq,
                role,
                "--dbname",
                name,
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                str(archive),
            ],
            check=False,
            capture_output=True,
            text=True,
        )
        assert restored.returncode == 0, restored.stderr
        engine = create_engine(admin_url.set(database=name))
        rows = _all_rows(engine)
        engine.dispose()
        return rows
    finally:
        subprocess.run(["dropdb", *libpq, admin_url.username or "postgres", "--if-exists", name], **run)
        subprocess.run(
            [
                "psql",
                *libpq,
                admin_url.username or "postgres",
                "--dbname",
                admin_url.database,
                "-c",
                f"DROP ROLE IF EXISTS {role}",
            ],
            **run,
        )


def test_backups_are_private_files_in_private_folders(app, tmp_path):
    os.umask(0o022)  # what a login shell or cron usually has
    folder = tmp_path / "new" / "backups"
    result = app.test_cli_runner().invoke(args=["backup", "--into", str(folder)])
    assert result.exit_code == 0, result.output
    (made,) = folder.iterdir()
    assert made.name.startswith("learnhub-")
    assert stat.S_IMODE(made.stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "new").stat().st_mode) == 0o700
    assert os.umask(0o022) == 0o022  # the process's umask is given back


def test_keep_days_deletes_only_old_learnhub_backups(app, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    old_time = time.time() - 20 * 86400
    old = folder / "learnhub-20200101T000000Z.dump"
    other = folder / "notes.txt"
    recent = folder / "learnhub-20991231T000000Z.sqlite"
    for path in (old, other, recent):
        path.write_text("x")
    os.utime(old, (old_time, old_time))
    os.utime(other, (old_time, old_time))
    result = app.test_cli_runner().invoke(args=["backup", "--into", str(folder), "--keep-days", "14"])
    assert result.exit_code == 0, result.output
    assert not old.exists()
    assert other.exists()
    assert recent.exists()
    assert len(list(folder.glob("learnhub-*"))) == 2


def test_pg_dump_gets_the_password_from_a_private_file_not_its_command_line(tmp_path, monkeypatch):
    seen = {}

    def fake_run(argv, **kwargs):  # type: ignore[no-untyped-def]
        passfile = kwargs["env"]["PGPASSFILE"]
        seen.update(
            argv=argv, mode=stat.S_IMODE(os.stat(passfile).st_mode), content=Path(passfile).read_text(), passfile=passfile
        )
        return subprocess.CompletedProcess(argv, 0, "", "")

    monkeypatch.setattr(backup_module.shutil, "which", lambda name: "/usr/bin/" + name)
    monkeypatch.setattr(backup_module.subprocess, "run", fake_run)
    url = "postgresql+psycopg://learnhub:s3cr:et@db.example.internal:5433/learnhub"
    backup_module.backup_postgresql(url, tmp_path / "x.dump")
    assert not any("s3cr" in arg for arg in seen["argv"])
    assert "postgresql://learnhub@db.example.internal:5433/learnhub" in seen["argv"]
    assert seen["mode"] == 0o600
    assert seen["content"] == "db.example.internal:5433:learnhub:learnhub:s3cr\\:et\n"
    assert not os.path.exists(seen["passfile"])  # removed afterwards


def test_backup_refuses_to_overwrite(app, tmp_path):
    target = tmp_path / "exists.file"
    target.write_text("precious")
    result = app.test_cli_runner().invoke(args=["backup", str(target)])
    assert result.exit_code != 0
    assert "already exists" in result.output
    assert target.read_text() == "precious"
