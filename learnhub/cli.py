"""Command-line commands: ``seed-demo``, ``create-admin``, ``backup``, ``db-check``, ``worker`` and ``evaluation``."""

import os
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from learnhub.accounts.models import User
from learnhub.extensions import db
from learnhub.passwords import password_problem


def register(app: Flask) -> None:
    """Attach LearnHub's commands to the ``flask`` command line."""
    app.cli.add_command(seed_demo)
    app.cli.add_command(create_admin)
    app.cli.add_command(backup_command)
    app.cli.add_command(db_check)
    app.cli.add_command(worker_command)
    app.cli.add_command(mail_group)
    app.cli.add_command(evaluation_group)
    app.cli.add_command(send_outbox)


@click.command("seed-demo")
@with_appcontext
def seed_demo() -> None:
    """Load demo data (idempotent) and print the demo logins."""
    from learnhub.demo import DemoContext, demo_password, run_steps

    password, source = demo_password()
    ctx = DemoContext(password=password, password_from_env=bool(os.environ.get("LEARNHUB_DEMO_PASSWORD")))
    run_steps(ctx)
    click.echo("Demo data is ready. Sign in at http://127.0.0.1:5000/ with any of these:")
    width = max(len(email) for email, _ in ctx.logins)
    for email, description in ctx.logins:
        click.echo(f"  {email.ljust(width)}  {description}")
    click.echo(f"Password for every demo account: {password}  ({source})")
    for note in ctx.notes:
        click.echo(note)


@click.command("create-admin")
@with_appcontext
@click.option("--email", prompt=True, help="Email address of the site administrator.")
@click.option("--name", prompt=True, help="Full name.")
@click.password_option(help="Password (asked for if not given).")
def create_admin(email: str, name: str, password: str) -> None:
    """Create a site administrator, or make an existing account one."""
    email = email.strip().lower()
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        problem = password_problem(password, min_length=int(current_app.config["PASSWORD_MIN_LENGTH"]), personal=(email, name))
        if problem:
            raise click.ClickException(problem)
        user = User(email=email, name=name.strip(), professional_role="other")
        user.set_password(password)
        db.session.add(user)
        action = "created"
    else:
        action = "updated"
    user.is_site_admin = True
    user.active = True
    db.session.commit()
    click.echo(f"Site administrator {email} {action}.")


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path), required=False)
@click.option(
    "--into",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write learnhub-<UTC time>.dump (or .sqlite) into this folder.",
)
@click.option(
    "--keep-days",
    type=click.IntRange(min=1),
    help="With --into: then delete this command's backups in the folder older than this many days.",
)
@with_appcontext
def backup_command(path: Path | None, folder: Path | None, keep_days: int | None) -> None:
    """Back up the database to PATH (or a dated file --into a folder) while the app keeps running.

    SQLite: a consistent copy made with SQLite's online backup API (open it as the database,
    or copy it into place while the app is stopped). PostgreSQL: a pg_dump custom-format
    archive (restore with pg_restore, docs/operations.md). Files are created mode 0600,
    folders 0700; the password never appears on pg_dump's command line.
    """
    from learnhub.backup import BackupError, backup, dated_target, prune

    url = current_app.config["SQLALCHEMY_DATABASE_URI"]
    if (path is None) == (folder is None):
        raise click.UsageError("give either PATH or --into FOLDER")
    if keep_days and folder is None:
        raise click.UsageError("--keep-days needs --into FOLDER")
    target = path if path is not None else dated_target(url, folder)  # type: ignore[arg-type]
    try:
        kind = backup(url, target)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"{kind} backup written to {target} ({target.stat().st_size:,} bytes)")
    if keep_days and folder is not None:
        for old in prune(folder, keep_days, keep=target):
            click.echo(f"deleted {old} (older than {keep_days} days)")


@click.command("db-check")
@with_appcontext
def db_check() -> None:
    """Say whether the database is at the migrations' head; exit 1 when it is behind.

    Exit codes: 0 up to date; 1 behind (run ``flask --app learnhub db upgrade``); 2 the
    database has a revision this code does not know (it was upgraded by newer code).
    """
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    migrate = current_app.extensions["migrate"]
    script = ScriptDirectory.from_config(migrate.migrate.get_config(migrate.directory))
    with db.engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    heads = set(script.get_heads())
    if current == heads:
        click.echo(f"Database is up to date (revision {', '.join(sorted(heads))}).")
        return
    known = {revision.revision for revision in script.walk_revisions()}
    unknown = current - known
    if unknown:
        click.echo(
            f"Database is at revision {', '.join(sorted(unknown))}, which this version of LearnHub does not know: "
            "it was upgraded by a newer release. Install that release (or restore the backup taken before it).",
            err=True,
        )
        raise SystemExit(2)
    click.echo(
        f"Database is behind: at {', '.join(sorted(current)) or 'no revision (empty)'}, code needs "
        f"{', '.join(sorted(heads))}. Run: flask --app learnhub db upgrade",
        err=True,
    )
    raise SystemExit(1)


@click.command("worker")
@click.argument("queues", nargs=-1)
@click.option("--burst", is_flag=True, help="Stop once the queues are empty (for tests and one-off runs).")
@with_appcontext
def worker_command(queues: tuple[str, ...], burst: bool) -> None:
    """Work on the background queues (default: every LearnHub queue) with LearnHub's logging.

    With ``LEARNHUB_LOG_FORMAT=json`` every line the worker and its jobs log is one JSON
    object, like the web app's and gunicorn's, so one log pipeline reads them all.
    """
    from redis import Redis
    from rq import Queue, Worker

    from learnhub.certificates.jobs import QUEUE as CERTIFICATES
    from learnhub.hardening import configure_process_logging
    from learnhub.notifications.delivery import QUEUE as MAIL

    url = current_app.config.get("REDIS_URL")
    if not url:
        raise click.ClickException("LEARNHUB_REDIS_URL is not set, so there is no queue: background jobs run in the web process.")
    configure_process_logging(current_app)
    connection = Redis.from_url(url)
    names = list(queues) or [CERTIFICATES, MAIL]
    worker = Worker([Queue(name, connection=connection) for name in names], connection=connection)
    worker.work(burst=burst, logging_level="INFO")


@click.group("mail")
def mail_group() -> None:
    """Messages the mail server did not take (kept in the outbox table until sent)."""


@click.command("send-outbox")
@with_appcontext
def send_outbox() -> None:
    """Send every message that is due (new, or due for a retry); for cron, e.g. every minute."""
    from learnhub.notifications.delivery import deliver_due

    result = deliver_due(current_app._get_current_object())  # type: ignore[attr-defined]
    click.echo(
        f"Sent {len(result.sent)}; retrying {len(result.retrying)}; failed {len(result.failed)}; bounced {len(result.bounced)}."
    )


@mail_group.command("waiting")
@with_appcontext
def mail_waiting() -> None:
    """List the messages waiting in the outbox (recipient and subject; never the body)."""
    from learnhub.mail import waiting_messages

    waiting = waiting_messages(current_app)
    for message in waiting:
        click.echo(f"{message.kept_at:%Y-%m-%d %H:%M} UTC  {message.to}  {message.subject}")
    click.echo(f"{len(waiting)} message{'' if len(waiting) == 1 else 's'} waiting.")


@mail_group.command("resend")
@with_appcontext
def mail_resend() -> None:
    """Hand every waiting message to the mail server; exit 1 if any is still waiting."""
    from learnhub.mail import resend_waiting

    try:
        sent, failed = resend_waiting(current_app)
    except RuntimeError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Sent {sent}; still waiting {failed}.")
    if failed:
        raise SystemExit(1)


@click.group("evaluation")
def evaluation_group() -> None:
    """Evaluation surveys: maintenance."""


@evaluation_group.command("send-survey-emails")
@with_appcontext
def send_survey_emails() -> None:
    """Email survey invitations when a wave opens and one reminder before it closes (cron, e.g. hourly)."""
    from learnhub.evaluation.notices import send_survey_emails as send
    from learnhub.transactions import commit

    invitations, reminders = send(commit)
    click.echo(f"Queued {invitations} survey invitation(s) and {reminders} reminder(s).")


@evaluation_group.command("rebuild-aggregates")
@click.option(
    "--instrument", "instrument_ids", type=int, multiple=True, help="Only this survey (repeatable; default: every survey)."
)
@with_appcontext
def rebuild_aggregates(instrument_ids: tuple[int, ...]) -> None:
    """Recompute the results' aggregate tables from the submitted answers (after a bulk load or restore).

    Saved responses keep the tables up to date; this replaces each survey's counts with counts
    recomputed from the answers, one survey per transaction.
    """
    from learnhub.evaluation.models import Instrument
    from learnhub.evaluation.services import aggregates

    query = select(Instrument.id).order_by(Instrument.id)
    if instrument_ids:
        query = query.where(Instrument.id.in_(instrument_ids))
    ids = list(db.session.scalars(query))
    if instrument_ids and len(ids) != len(set(instrument_ids)):
        missing = sorted(set(instrument_ids) - set(ids))
        raise click.ClickException(f"No survey with id {', '.join(map(str, missing))}")
    for instrument_id in ids:
        instrument = db.session.get(Instrument, instrument_id)
        rows = aggregates.rebuild(instrument)
        db.session.commit()
        click.echo(f"Survey {instrument_id} ({instrument.title}): {rows:,} aggregate rows")
    click.echo(f"Rebuilt the aggregates of {len(ids)} survey(s).")
