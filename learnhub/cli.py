"""Command-line commands: ``seed-demo`` and ``create-admin``."""

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
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(path: Path) -> None:
    """Back up the database to PATH while the app keeps running.

    SQLite: a consistent copy made with SQLite's online backup API (open it as the database,
    or copy it into place while the app is stopped). PostgreSQL: a pg_dump custom-format
    archive (restore with pg_restore).
    """
    from learnhub.backup import BackupError, backup

    try:
        kind = backup(current_app.config["SQLALCHEMY_DATABASE_URI"], path)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"{kind} backup written to {path} ({path.stat().st_size:,} bytes)")
