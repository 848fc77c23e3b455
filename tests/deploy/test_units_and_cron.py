"""deploy/: the systemd units, the environment file template and bin/learnhub-cron."""

import configparser
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from learnhub import create_app
from learnhub.config import DEFAULTS
from learnhub.envfile import EnvFileError, parse

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
UNITS = sorted((DEPLOY / "systemd").iterdir())
CRON = ROOT / "bin" / "learnhub-cron"


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(DEPLOY / "systemd" / name)
    return parser


@pytest.mark.skipif(
    shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed (Debian: apt-get install systemd)"
)
def test_systemd_accepts_every_unit(tmp_path):
    # The units name /srv/learnhub; point them at this checkout so the programs they run exist.
    for path in UNITS:
        (tmp_path / path.name).write_text(path.read_text().replace("/srv/learnhub", str(ROOT)))
    (ROOT / ".venv" / "bin" / "rq").stat()  # the worker's program comes with the locked environment
    result = subprocess.run(
        ["systemd-analyze", "verify", *[str(tmp_path / p.name) for p in UNITS]], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "", result.stderr  # no unknown keys or bad values, even ignored ones


@pytest.mark.parametrize("name", ["learnhub-web.service", "learnhub-worker.service"])
def test_long_running_units_restart_always_as_learnhub_writing_only_instance(name):
    service = unit(name)["Service"]
    assert service["Restart"] == "always"
    assert service["User"] == "learnhub"
    assert service["ProtectSystem"] == "strict"  # everything read-only ...
    assert service["ReadWritePaths"] == "/srv/learnhub/instance"  # ... except instance/
    assert service["EnvironmentFile"] == "/etc/learnhub/learnhub.env"


def test_the_worker_unit_runs_learnhubs_worker_command():
    """`flask worker` (tests/core/test_worker.py), not bare `rq worker`: its lines are JSON too."""
    assert unit("learnhub-worker.service")["Service"]["ExecStart"] == "/srv/learnhub/.venv/bin/flask --app learnhub worker"


TIMERS = sorted(p.name for p in UNITS if p.suffix == ".timer")


def test_timers_run_through_the_cron_wrapper_and_every_command_exists(tmp_path):
    import click

    assert {"learnhub-backup.timer", "learnhub-daily.timer", "learnhub-mail.timer"} <= set(TIMERS)
    app = create_app({"SECRET_KEY": "x" * 32, "PUBLIC_BASE_URL": "http://localhost"}, instance_path=str(tmp_path))
    context = click.Context(app.cli)
    for timer in TIMERS:
        assert unit(timer)["Timer"]["Persistent"] == "true"
        text = (DEPLOY / "systemd" / timer.replace(".timer", ".service")).read_text()
        commands = [line for line in text.splitlines() if line.startswith("ExecStart=")]
        assert commands
        for line in commands:
            assert line.startswith("ExecStart=/srv/learnhub/bin/learnhub-cron "), line
            # the words before the options name a command of `flask --app learnhub` (a renamed one fails here)
            words = [w for w in line.split()[1:] if not w.startswith("-")]
            command: click.Command | None = app.cli
            for word in words:
                if not isinstance(command, click.Group):
                    break
                command = command.get_command(context, word)
                assert command is not None, f"{timer}: no command {word!r} in {line}"


def test_environment_template_has_no_inline_comments_and_gives_a_secure_production_app(tmp_path):
    text = (DEPLOY / "learnhub.env.example").read_text()
    values = parse(text)  # refuses "KEY=value # comment"
    for line in text.splitlines():
        if line and not line.startswith("#"):
            assert "#" not in line, line
    known = {f"LEARNHUB_{key}" for key in DEFAULTS} | {"LEARNHUB_BIND", "LEARNHUB_WORKERS", "LEARNHUB_PUBLIC_BASE_URL"}
    assert set(values) <= known, set(values) - known

    values["LEARNHUB_SECRET_KEY"] = "x" * 64
    environment = {key: value for key, value in os.environ.items() if not key.startswith("LEARNHUB_")}
    script = (
        "from learnhub import create_app; app = create_app(); "
        "print(app.config['SESSION_COOKIE_SECURE'], app.config['PROXY_FIX_COUNT'], app.config['PREFERRED_URL_SCHEME'], "
        "app.config['MAIL_USE_TLS'])"
    )
    result = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), "-c", script],
        env={**environment, **values},
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "1", "https", "True"]


def test_an_end_of_line_comment_is_refused_with_the_line_number():
    with pytest.raises(EnvFileError, match="line 2: LEARNHUB_PREFERRED_URL_SCHEME has an end-of-line comment"):
        parse("LEARNHUB_SECRET_KEY=abc\nLEARNHUB_PREFERRED_URL_SCHEME=https   # links use https\n")
    assert parse('# comment\n\nA="quoted # kept"\nB=plain\n') == {"A": "quoted # kept", "B": "plain"}


def _cron(env_file: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("LEARNHUB_")}
    environment["LEARNHUB_ENV_FILE"] = str(env_file)
    return subprocess.run([str(CRON), *args], env=environment, capture_output=True, text=True, cwd=cwd)


@pytest.mark.usefixtures("_schema")
def test_cron_wrapper_loads_the_service_environment_and_refuses_sqlite(tmp_path, database_url):
    env_file = tmp_path / "learnhub.env"

    env_file.write_text("LEARNHUB_DATABASE_URL=postgresql+psycopg://nobody@127.0.0.1:1/none\n")
    missing_key = _cron(env_file, "db-check", cwd=tmp_path)
    assert missing_key.returncode == 2
    assert "needs a secret key" in missing_key.stderr

    # The key alone (as when it only lived in instance/config.py): the default SQLite file.
    env_file.write_text("# settings\nLEARNHUB_SECRET_KEY=abc123abc123\nLEARNHUB_PUBLIC_BASE_URL=https://learnhub.example.org\n")
    sqlite_file = ROOT / "instance" / "learnhub.sqlite"
    existed = sqlite_file.exists()
    refused = _cron(env_file, "db-check", cwd=tmp_path)
    assert refused.returncode == 2
    assert "refusing to run" in refused.stderr
    assert "SQLite" in refused.stderr
    assert sqlite_file.exists() == existed  # not even an empty database was created

    allow = "LEARNHUB_ALLOW_SQLITE=true\n" if database_url.startswith("sqlite") else ""
    env_file.write_text(
        f"LEARNHUB_SECRET_KEY=abc123abc123\nLEARNHUB_PUBLIC_BASE_URL=https://learnhub.example.org\n"
        f"LEARNHUB_DATABASE_URL={database_url}\n{allow}"
    )
    ran = _cron(env_file, "db-check", cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr
    assert "up to date" in ran.stdout

    env_file.write_text("LEARNHUB_SECRET_KEY=abc\nLEARNHUB_PREFERRED_URL_SCHEME=https # comment\n")
    commented = _cron(env_file, "db-check", cwd=tmp_path)
    assert commented.returncode == 2
    assert "end-of-line comment" in commented.stderr


def test_db_check_says_when_the_database_is_behind(tmp_path):
    from flask_migrate import upgrade

    app = create_app(
        {"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'fresh.sqlite'}"},
        instance_path=str(tmp_path),
    )
    runner = app.test_cli_runner()
    behind = runner.invoke(args=["db-check"])
    assert behind.exit_code == 1
    assert "Database is behind" in behind.output
    assert "db upgrade" in behind.output
    with app.app_context():
        upgrade(revision="0002_courses")
    assert runner.invoke(args=["db-check"]).exit_code == 1
    with app.app_context():
        upgrade()
    current = runner.invoke(args=["db-check"])
    assert current.exit_code == 0
    assert "up to date" in current.output
    with app.app_context():
        from sqlalchemy import text

        from learnhub.extensions import db

        db.session.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
        db.session.commit()
        db.engine.dispose()
    ahead = runner.invoke(args=["db-check"])
    assert ahead.exit_code == 2
    assert "newer release" in ahead.output
