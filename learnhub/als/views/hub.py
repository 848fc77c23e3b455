"""Hub administrators: themes, how long notes are kept, the programme dashboard and its export."""

from datetime import date

import click
from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from learnhub import transactions
from learnhub.als import access
from learnhub.als.forms import RetentionForm, ThemeForm
from learnhub.als.services import programmes, reporting, retention
from learnhub.als.views import bp
from learnhub.audit import Action
from learnhub.exports import csv_response
from learnhub.extensions import db
from learnhub.locks import single_run
from learnhub.security import hub_admin_required


@bp.route("/themes", methods=["GET", "POST"])
@hub_admin_required
def themes():  # type: ignore[no-untyped-def]
    """The hub's list of session themes."""
    form = ThemeForm()
    if form.validate_on_submit():
        if programmes.add_theme(current_user, current_user.hub_id, form.theme_name.data):
            flash("The theme has been added.", "success")
            return redirect(url_for("als.themes"))
        form.theme_name.errors.append("This theme is already on the list")
    return render_template("als/themes.html", form=form, themes=programmes.hub_themes(current_user.hub_id))


@bp.route("/settings", methods=["GET", "POST"])
@hub_admin_required
def settings():  # type: ignore[no-untyped-def]
    """How long the hub keeps confidential session notes."""
    from learnhub.organisations.models import Hub

    hub = db.get_or_404(Hub, current_user.hub_id)
    form = RetentionForm(months=hub.als_note_retention_months)
    if form.validate_on_submit():
        retention.set_note_retention(current_user, hub.id, form.months.data)
        flash(f"Confidential notes will now be deleted {form.months.data} months after a programme ends.", "success")
        return redirect(url_for("als.programmes"))
    return render_template("als/settings.html", form=form)


@bp.get("/programmes/<int:programme_id>/dashboard")
@hub_admin_required
def dashboard(programme_id: int):  # type: ignore[no-untyped-def]
    """Counts for the hub: sessions, attendance, facilitator load and themes. Never notes or actions."""
    programme = access.get_programme_for_admin(current_user, programme_id)
    return render_template("als/dashboard.html", programme=programme, data=reporting.dashboard(programme))


@bp.get("/programmes/<int:programme_id>/dashboard.csv")
@hub_admin_required
def dashboard_csv(programme_id: int):  # type: ignore[no-untyped-def]
    """The dashboard's counts as CSV, with small numbers suppressed."""
    programme = access.get_programme_for_admin(current_user, programme_id)
    data = reporting.dashboard(programme)
    rows: list[list[object]] = [["sessions", status, data.status_counts[status]] for status in ("planned", "held", "cancelled")]
    for g in [*data.groups, data.total]:
        present, expected, rate = g.published()
        name = g.group.name if g.group is not None else "All groups"
        rows += [
            ["attendance present", name, present],
            ["attendance expected", name, expected],
            ["attendance rate", name, rate],
        ]
    for user, held, planned in data.load:
        rows += [["facilitator sessions held", user.name, held], ["facilitator sessions planned", user.name, planned]]
    rows += [["theme sessions", name, n] for name, n in data.published_themes()]
    return csv_response(
        f"als-programme-{programme.id}.csv",
        ["section", "item", "value"],
        rows,
        action=Action.EXPORT_ALS_PROGRAMME,
        programme=programme.id,
        hub=programme.hub_id,
    )


@bp.cli.command("purge-expired-notes")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), help="Pretend today is this date (for testing).")
@single_run("als-purge-expired-notes")
def purge_expired_notes(today) -> None:  # type: ignore[no-untyped-def]
    """Delete confidential notes past each hub's retention period (safe to run daily from cron on every host)."""
    day = today.date() if today else date.today()
    count = retention.purge_expired_notes(day)
    transactions.commit()
    click.echo(f"Deleted {count} expired ALS note{'s' if count != 1 else ''}.")
