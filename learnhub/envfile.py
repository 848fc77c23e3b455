"""Run a ``flask --app learnhub`` command with the service's environment file (cron, timers).

``bin/learnhub-cron`` calls ``python -m learnhub.envfile FILE COMMAND...``. cron does not read
the systemd ``EnvironmentFile``, so without this every cron line either stopped ("LearnHub
needs a secret key") or, with the key in ``instance/config.py``, quietly worked on an empty
``instance/learnhub.sqlite``. This reads the same file the units use (systemd's format:
``KEY=value`` lines, whole-line ``#`` comments, optional quotes), then refuses to run against
SQLite unless the file says ``LEARNHUB_ALLOW_SQLITE=true`` (a trial installation).
"""

import os
import sys
from pathlib import Path


class EnvFileError(ValueError):
    """The environment file cannot be used."""


def parse(text: str) -> dict[str, str]:
    """Parse an environment file as systemd does (no shell expansion, whole-line comments only)."""
    values: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        key, sep, value = line.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key.replace("_", "").isalnum():
            raise EnvFileError(f"line {number} is not KEY=value: {raw!r}")
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        elif " #" in value:
            # systemd keeps an end-of-line comment as part of the value: say so rather than
            # run with "https  # comment" as the URL scheme.
            raise EnvFileError(
                f"line {number}: {key} has an end-of-line comment, which becomes part of the value; "
                "put comments on their own line"
            )
        values[key] = value
    return values


def load(path: Path) -> dict[str, str]:
    """Read and parse ``path``."""
    try:
        return parse(path.read_text())
    except OSError as error:
        raise EnvFileError(f"cannot read {path}: {error.strerror}") from error


def database_problem(database_uri: str, allow_sqlite: bool) -> str | None:
    """Why a scheduled command must not run against this database, if it must not."""
    if database_uri.startswith("sqlite") and not allow_sqlite:
        return (
            f"the database is SQLite ({database_uri}), but this installation is expected to use PostgreSQL: "
            "set LEARNHUB_DATABASE_URL in the environment file (or LEARNHUB_ALLOW_SQLITE=true for a trial installation)"
        )
    return None


def main(argv: list[str] | None = None) -> int:
    """``python -m learnhub.envfile FILE COMMAND...``: load FILE, check the database, run the command."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) < 2:
        print("usage: learnhub-cron COMMAND [ARGS...]  (environment from $LEARNHUB_ENV_FILE)", file=sys.stderr)
        return 2
    path, command = Path(args[0]), args[1:]
    try:
        os.environ.update(load(path))
    except EnvFileError as error:
        print(f"learnhub-cron: {error}", file=sys.stderr)
        return 2

    from learnhub import ConfigurationError, create_app
    from learnhub.config import env_flag

    try:
        app = create_app()
    except ConfigurationError as error:
        print(f"learnhub-cron: {error}", file=sys.stderr)
        return 2
    problem = database_problem(app.config["SQLALCHEMY_DATABASE_URI"], env_flag("LEARNHUB_ALLOW_SQLITE"))
    if problem:
        print(f"learnhub-cron: refusing to run: {problem}", file=sys.stderr)
        return 2

    from flask.cli import FlaskGroup

    cli = FlaskGroup(create_app=lambda: app)
    return cli.main(args=command, prog_name="learnhub-cron", standalone_mode=True) or 0


if __name__ == "__main__":
    sys.exit(main())
