"""Backups restore with every row: SQLite via the online backup API, PostgreSQL via pg_dump."""

import secrets
import shutil
import subprocess

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from learnhub.backup import libpq_url
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

    name = f"learnhub_restore_{secrets.token_hex(4)}"
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        restore_url = make_url(url).set(database=name)
        subprocess.run(
            [shutil.which("pg_restore"), "--no-owner", f"--dbname={libpq_url(restore_url.render_as_string(False))}", str(target)],
            check=True,
        )
        restored = create_engine(restore_url)
        assert _all_rows(restored) == seeded
        restored.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}"'))
        admin.dispose()


def test_backup_refuses_to_overwrite(app, tmp_path):
    target = tmp_path / "exists.file"
    target.write_text("precious")
    result = app.test_cli_runner().invoke(args=["backup", str(target)])
    assert result.exit_code != 0
    assert "already exists" in result.output
    assert target.read_text() == "precious"
