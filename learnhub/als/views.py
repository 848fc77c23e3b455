"""Pages for ALS: hub administration, facilitators recording sessions, members' own view."""

import csv
import io
from datetime import UTC, date, datetime

import click
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from learnhub.accounts.models import User
from learnhub.als import access, services
from learnhub.als.calendar import sessions_calendar
from learnhub.als.forms import (
    EXTRA_ACTION_ROWS,
    ButtonForm,
    CsvForm,
    EmailForm,
    GroupForm,
    MemberGroupForm,
    MoveForm,
    ProgrammeForm,
    RetentionForm,
    ThemeForm,
    UnavailableForm,
    record_form_class,
)
from learnhub.als.models import AlsAction, AlsFacilitator, AlsProgramme, AlsSession
from learnhub.audit import Action, audit
from learnhub.extensions import db
from learnhub.organisations.csv_import import decode_csv
from learnhub.roles import PROFESSIONAL_ROLES
from learnhub.security import hub_admin_required
from learnhub.spreadsheet import safe_cell
from learnhub.suppression import mask_count
from learnhub.templating import als_when
from learnhub.urls import external_url

bp = Blueprint("als", __name__, template_folder="templates", url_prefix="/als")


# --- members and facilitators ---------------------------------------------------------------------


@bp.get("/")
@login_required
def mine():  # type: ignore[no-untyped-def]
    """The signed-in person's groups, coming sessions, actions, bids and CPD minutes."""
    memberships = services.memberships(current_user, with_groups=True)
    upcoming = services.upcoming_sessions_for(current_user)
    facilitated = services.facilitated_sessions(current_user)
    bid_ids = {b.session_id for b in services.own_bids(current_user)}
    feed_url = None
    if memberships or facilitated:
        feed_url = external_url("als.feed", token=services.calendar_token(current_user))
    return render_template(
        "als/mine.html",
        memberships=memberships,
        upcoming=upcoming,
        past=services.past_sessions_for(current_user),
        facilitated=facilitated,
        actions=services.own_actions(current_user),
        bid_ids=bid_ids,
        cpd_minutes=services.cpd_minutes(current_user),
        feed_url=feed_url,
        member_group_ids={m.group_id for m in memberships},
        form=ButtonForm(),
        now=datetime.now(UTC),
    )


@bp.get("/facilitating")
@login_required
def facilitating():  # type: ignore[no-untyped-def]
    """Every session the signed-in person facilitates, across groups."""
    pools = db.session.scalars(
        select(AlsFacilitator).where(AlsFacilitator.user_id == current_user.id, AlsFacilitator.active.is_(True))
    ).all()
    return render_template(
        "als/facilitating.html", sessions=services.facilitated_sessions(current_user), pools=pools, now=datetime.now(UTC)
    )


@bp.route("/facilitating/<int:facilitator_id>/unavailable", methods=["GET", "POST"])
@login_required
def my_unavailable(facilitator_id: int):  # type: ignore[no-untyped-def]
    """Facilitators declare days they cannot facilitate."""
    entry = access.get_own_pool_entry(current_user, facilitator_id)
    form = UnavailableForm()
    if form.validate_on_submit():
        services.add_unavailability(current_user, entry, form.first_day.data, form.last_day.data)
        flash("Your unavailable days have been saved. The hub will re-plan any sessions they affect.", "success")
        return redirect(url_for("als.facilitating"))
    return render_template(
        "als/unavailable.html", programme=entry.programme, facilitator=entry, form=form, back=url_for("als.facilitating")
    )


@bp.get("/sessions/<int:session_id>")
@login_required
def session_detail(session_id: int):  # type: ignore[no-untyped-def]
    """A session's confidential record, for its group's members and facilitators (each read is logged)."""
    session = access.get_session_for(current_user, session_id, access.VIEW)
    record = services.read_session_record(current_user, session) if session.status == AlsSession.HELD else None
    return render_template(
        "als/session.html",
        session=session,
        record=record,
        is_facilitator=access.facilitates(current_user, session.id),
        is_member=access.is_group_member(current_user, session.group_id),
        bidding=any(b.user_id == current_user.id for b in session.bids),
        apologising=any(a.user_id == current_user.id and a.status == "apologies" for a in session.attendance),
        form=ButtonForm(),
        now=datetime.now(UTC),
    )


@bp.post("/sessions/<int:session_id>/bid")
@login_required
def bid(session_id: int):  # type: ignore[no-untyped-def]
    """Bid for presenting time at a coming session, or withdraw the bid."""
    session = access.get_session_for(current_user, session_id, access.VIEW)
    if not access.is_group_member(current_user, session.group_id):
        abort(403)
    if ButtonForm().validate_on_submit():
        try:
            bidding = services.toggle_bid(current_user, session)
        except services.AlsError as error:
            flash(str(error), "error")
        else:
            flash("You have bid for time at this session." if bidding else "Your bid has been withdrawn.", "success")
    return redirect(url_for("als.session_detail", session_id=session.id))


@bp.post("/sessions/<int:session_id>/apologies")
@login_required
def apologies(session_id: int):  # type: ignore[no-untyped-def]
    """Send apologies for a coming session (the rotation then skips you), or take them back."""
    session = access.get_session_for(current_user, session_id, access.VIEW)
    if not access.is_group_member(current_user, session.group_id):
        abort(403)
    if ButtonForm().validate_on_submit():
        try:
            sent = services.toggle_apologies(current_user, session)
        except services.AlsError as error:
            flash(str(error), "error")
        else:
            flash("Your apologies have been sent." if sent else "Your apologies have been withdrawn.", "success")
    return redirect(url_for("als.session_detail", session_id=session.id))


@bp.get("/sessions/<int:session_id>/calendar.ics")
@login_required
def session_ics(session_id: int):  # type: ignore[no-untyped-def]
    """Download one session as a calendar file."""
    session = access.get_session_for(current_user, session_id, access.VIEW)
    body = sessions_calendar([session], name="Action learning set", url_for_session=_session_url)
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="als-session-{session.id}.ics"'},
    )


@bp.get("/calendar/<token>.ics")
def feed(token: str):  # type: ignore[no-untyped-def]
    """A person's calendar feed: the secret token in the address is the only credential."""
    user = services.user_for_calendar_token(token)
    if user is None or not user.active:
        abort(404)
    sessions = services.upcoming_sessions_for(user)
    body = sessions_calendar(sessions, name="Action learning sets", url_for_session=_session_url)
    return Response(body, mimetype="text/calendar", headers={"Cache-Control": "private, max-age=900"})


@bp.post("/calendar/reset")
@login_required
def reset_feed():  # type: ignore[no-untyped-def]
    """Give the signed-in person a new feed address; the old one stops working."""
    if ButtonForm().validate_on_submit():
        services.reset_calendar_token(current_user)
        flash("Your calendar address has changed. Add the new one to your calendar app.", "success")
    return redirect(url_for("als.mine"))


def _session_url(session: AlsSession) -> str:
    return external_url("als.session_detail", session_id=session.id)


# --- recording a session ------------------------------------------------------------------------------


@bp.route("/sessions/<int:session_id>/record", methods=["GET", "POST"])
@login_required
def record(session_id: int):  # type: ignore[no-untyped-def]
    """The facilitator records attendance, presenters, themes, notes, actions and the review of earlier actions."""
    session = access.get_session_for(current_user, session_id, access.RECORD)
    if session.status == AlsSession.CANCELLED:
        flash("This session was cancelled, so there is nothing to record.", "error")
        return redirect(url_for("als.session_detail", session_id=session.id))
    members = services.group_members(session.group)
    themes = services.hub_themes(session.group.programme.hub_id)
    reviews = services.open_actions_for_review(session)
    existing_actions = list(
        db.session.scalars(select(AlsAction).where(AlsAction.session_id == session.id).order_by(AlsAction.id))
    )
    rows = max(session.group.programme.presenter_slots, len(existing_actions)) + EXTRA_ACTION_ROWS
    form_class = record_form_class(members, themes, reviews, rows, current_user.id)
    form = form_class()
    if request.method == "GET":
        _prefill(form, session, existing_actions, reviews)
        if session.note:
            services.log_note_read(current_user, session)
    if form.validate_on_submit():
        data = services.SessionRecord(
            attendance={u.id: form[f"attendance_{u.id}"].data for u in members},
            presenters=[int(p) for p in form.presenters.data or []],
            theme_ids=[int(t) for t in form.themes.data or []],
            notes=form.notes.data,
            actions=[
                services.ActionInput(
                    int(form[f"action_{i}_owner"].data), form[f"action_{i}_text"].data, form[f"action_{i}_shared"].data
                )
                for i in range(rows)
                if form[f"action_{i}_owner"].data
            ],
            reviews=[
                services.ReviewInput(
                    a.id, form[f"review_{a.id}_outcome"].data or "", form[f"review_{a.id}_reflection"].data or ""
                )
                for a in reviews
            ],
        )
        try:
            edit = services.record_session(current_user, session, data)
        except services.AlsError as error:
            flash(str(error), "error")
        else:
            flash("The session record has been updated." if edit else "The session has been recorded.", "success")
            return redirect(url_for("als.session_detail", session_id=session.id))
    facilitated_ids = {s.id for s in services.facilitated_sessions(current_user)}
    return render_template(
        "als/record.html",
        session=session,
        form=form,
        members=members,
        rows=rows,
        reviews=reviews,
        readable_review={a.id for a in reviews if a.shared or a.session_id in facilitated_ids},
        suggested=services.presenter_suggestion(session),
        bidders=[b.user for b in session.bids],
    )


def _prefill(form, session: AlsSession, actions: list[AlsAction], reviews: list[AlsAction]) -> None:  # type: ignore[no-untyped-def]
    for a in session.attendance:
        if f"attendance_{a.user_id}" in form:
            form[f"attendance_{a.user_id}"].data = a.status
    form.presenters.data = [str(p.user_id) for p in session.presenters]
    form.themes.data = [str(t.id) for t in session.themes]
    if session.note:
        form.notes.data = session.note.text
    for i, a in enumerate(actions):
        form[f"action_{i}_owner"].data = str(a.owner_id)
        form[f"action_{i}_text"].data = a.text
        form[f"action_{i}_shared"].data = a.shared
    for a in reviews:
        if a.reviewed_session_id == session.id:
            form[f"review_{a.id}_outcome"].data = a.outcome
            form[f"review_{a.id}_reflection"].data = a.reflection


# --- hub administration --------------------------------------------------------------------------------


@bp.route("/programmes", methods=["GET"])
@hub_admin_required
def programmes():  # type: ignore[no-untyped-def]
    """The hub's ALS programmes."""
    rows = db.session.scalars(
        select(AlsProgramme).where(AlsProgramme.hub_id == current_user.hub_id).order_by(AlsProgramme.start_date.desc())
    ).all()
    return render_template("als/programmes.html", programmes=rows)


@bp.route("/programmes/new", methods=["GET", "POST"])
@hub_admin_required
def new_programme():  # type: ignore[no-untyped-def]
    """Create a programme."""
    form = ProgrammeForm()
    if form.validate_on_submit():
        programme = services.create_programme(
            current_user,
            current_user.hub_id,
            name=form.name.data.strip(),
            eligible_roles=",".join(form.eligible_roles.data),
            min_group_size=form.min_group_size.data,
            max_group_size=form.max_group_size.data,
            session_count=form.session_count.data,
            cadence_weeks=form.cadence_weeks.data,
            session_minutes=form.session_minutes.data,
            presenter_slots=form.presenter_slots.data,
            start_date=form.start_date.data,
            end_date=form.end_date.data,
            session_time=form.session_time.data,
            mode=form.mode.data,
            venue=(form.venue.data or "").strip() or None,
            co_facilitation=form.co_facilitation.data,
            continuity=form.continuity.data,
        )
        flash(f"{programme.name} has been created. Now add its members.", "success")
        return redirect(url_for("als.programme", programme_id=programme.id))
    return render_template("als/programme_new.html", form=form)


@bp.route("/programmes/<int:programme_id>", methods=["GET", "POST"])
@hub_admin_required
def programme(programme_id: int):  # type: ignore[no-untyped-def]
    """A programme: members, groups and schedule, with the actions that change them."""
    programme = access.get_programme_for_admin(current_user, programme_id)
    member_form = EmailForm(prefix="member")
    group_form = GroupForm(prefix="group")
    button = ButtonForm()
    if request.method == "POST":
        action = request.form.get("action")
        if action == "add_member" and member_form.validate_on_submit():
            user = db.session.scalar(select(User).where(User.email == member_form.email.data))
            try:
                if user is None:
                    raise services.AlsError("Nobody in your hub has this email address: invite them first")
                services.add_member(current_user, programme, user)
            except services.AlsError as error:
                member_form.email.errors.append(str(error))
            else:
                flash(f"{user.name} has been added.", "success")
                return redirect(url_for("als.programme", programme_id=programme.id))
        elif action == "add_group" and group_form.validate_on_submit():
            try:
                services.create_group(current_user, programme, group_form.group_name.data)
            except services.AlsError as error:
                group_form.group_name.errors.append(str(error))
            else:
                flash("The group has been added.", "success")
                return redirect(url_for("als.programme", programme_id=programme.id))
        elif action in {"auto_groups", "schedule", "plan"} and button.validate_on_submit():
            try:
                if action == "auto_groups":
                    groups = services.auto_form_groups(current_user, programme)
                    flash(f"Members have been split into {len(groups)} groups.", "success")
                elif action == "schedule":
                    made = services.generate_schedule(current_user, programme)
                    flash(f"{made} sessions have been scheduled." if made else "Every group already has its sessions.", "success")
                else:
                    uncovered = services.run_planner(current_user, programme)
                    if uncovered:
                        flash(_uncovered_message(uncovered), "error")
                    else:
                        flash("Every coming session has a facilitator.", "success")
            except services.AlsError as error:
                flash(str(error), "error")
            return redirect(url_for("als.programme", programme_id=programme.id))
    services.load_programme_people(programme)
    sessions = services.programme_sessions(programme)
    group_choices = [("", "Not in a group")] + [(str(g.id), g.name) for g in programme.groups]
    member_forms = {}
    for m in programme.members:
        f = MemberGroupForm(prefix=f"m{m.id}", group_id=str(m.group_id or ""))
        f.group_id.choices = group_choices
        member_forms[m.id] = f
    return render_template(
        "als/programme.html",
        programme=programme,
        member_form=member_form,
        group_form=group_form,
        button=button,
        member_forms=member_forms,
        sessions=sessions,
        size_problems=services.group_size_problems(programme),
        role_names=[PROFESSIONAL_ROLES.get(c, c) for c in programme.role_codes],
        now=datetime.now(UTC),
    )


def _uncovered_message(sessions: list[AlsSession]) -> str:
    listed = "; ".join(f"{s.group.name} on {als_when(s.starts_at)}" for s in sessions[:10])
    return f"{len(sessions)} sessions could not be covered: {listed}. Add facilitators or ask about availability."


@bp.post("/programmes/<int:programme_id>/members/<int:member_id>/group")
@hub_admin_required
def member_group(programme_id: int, member_id: int):  # type: ignore[no-untyped-def]
    """Put a member in a group by hand."""
    programme = access.get_programme_for_admin(current_user, programme_id)
    member = access.get_member_for_admin(current_user, programme, member_id)
    form = MemberGroupForm(prefix=f"m{member.id}")
    form.group_id.choices = [("", "Not in a group")] + [(str(g.id), g.name) for g in programme.groups]
    if form.validate_on_submit():
        group = access.get_group_for_admin(current_user, programme, int(form.group_id.data)) if form.group_id.data else None
        try:
            services.set_member_group(current_user, member, group)
        except services.AlsError as error:
            flash(str(error), "error")
        else:
            flash(f"{member.user.name}'s group has been saved.", "success")
    else:
        flash("Select a group from the list", "error")
    return redirect(url_for("als.programme", programme_id=programme.id) + "#members")


@bp.route("/programmes/<int:programme_id>/members/import", methods=["GET", "POST"])
@hub_admin_required
def import_members(programme_id: int):  # type: ignore[no-untyped-def]
    """Add members from a CSV file: all of them, or none if any row has a problem."""
    programme = access.get_programme_for_admin(current_user, programme_id)
    form = CsvForm()
    result = None
    if form.validate_on_submit():
        text = decode_csv(form.csv_file.data.read())
        if text is None:
            form.csv_file.errors.append("The selected file must be a CSV saved as UTF-8")
        else:
            result = services.import_members(current_user, programme, text)
            if result.ok:
                flash(f"{len(result.user_ids)} members have been added.", "success")
                return redirect(url_for("als.programme", programme_id=programme.id))
            if result.file_errors:
                form.csv_file.errors.extend(result.file_errors)
            else:
                form.csv_file.errors.append(
                    f"{len(result.errors)} rows have a problem. Nobody has been added. Fix the rows listed below and try again"
                )
    return render_template("als/import.html", programme=programme, form=form, result=result)


@bp.route("/programmes/<int:programme_id>/facilitators", methods=["GET", "POST"])
@hub_admin_required
def facilitators(programme_id: int):  # type: ignore[no-untyped-def]
    """The facilitator pool: add people, record unavailable days."""
    programme = access.get_programme_for_admin(current_user, programme_id)
    form = EmailForm(prefix="facilitator")
    if form.validate_on_submit():
        user = db.session.scalar(select(User).where(User.email == form.email.data))
        try:
            if user is None:
                raise services.AlsError("Nobody in your hub has this email address: invite them first")
            services.add_facilitator(current_user, programme, user)
        except services.AlsError as error:
            form.email.errors.append(str(error))
        else:
            flash(f"{user.name} has joined the facilitator pool.", "success")
            return redirect(url_for("als.facilitators", programme_id=programme.id))
    return render_template(
        "als/facilitators.html", programme=programme, form=form, button=ButtonForm(), load=services.dashboard(programme).load
    )


@bp.route("/programmes/<int:programme_id>/facilitators/<int:facilitator_id>/unavailable", methods=["GET", "POST"])
@hub_admin_required
def unavailable(programme_id: int, facilitator_id: int):  # type: ignore[no-untyped-def]
    """Record days a facilitator cannot facilitate."""
    programme = access.get_programme_for_admin(current_user, programme_id)
    facilitator = access.get_facilitator_for_admin(current_user, programme, facilitator_id)
    form = UnavailableForm()
    if form.validate_on_submit():
        services.add_unavailability(current_user, facilitator, form.first_day.data, form.last_day.data)
        flash("The unavailable days have been saved. Run the planner again to update coming sessions.", "success")
        return redirect(url_for("als.facilitators", programme_id=programme.id))
    return render_template("als/unavailable.html", programme=programme, facilitator=facilitator, form=form)


@bp.post("/programmes/<int:programme_id>/facilitators/<int:facilitator_id>/withdraw")
@hub_admin_required
def withdraw(programme_id: int, facilitator_id: int):  # type: ignore[no-untyped-def]
    """Take a facilitator out of the pool and re-plan only their coming sessions."""
    programme = access.get_programme_for_admin(current_user, programme_id)
    facilitator = access.get_facilitator_for_admin(current_user, programme, facilitator_id)
    if ButtonForm().validate_on_submit() and facilitator.active:
        uncovered = services.withdraw_facilitator(current_user, facilitator)
        if uncovered:
            flash(f"{facilitator.user.name} has left the pool. " + _uncovered_message(uncovered), "error")
        else:
            flash(f"{facilitator.user.name} has left the pool and their coming sessions have been re-planned.", "success")
    return redirect(url_for("als.facilitators", programme_id=programme.id))


@bp.route("/sessions/<int:session_id>/manage", methods=["GET", "POST"])
@hub_admin_required
def manage_session(session_id: int):  # type: ignore[no-untyped-def]
    """Move or cancel one coming session."""
    session = access.get_session_for(current_user, session_id, access.MANAGE)
    form = MoveForm()
    button = ButtonForm(prefix="cancel")
    if request.method == "GET":
        local = services.to_local(session.starts_at)
        form.new_date.data, form.new_time.data = local.date(), local.time()
    try:
        if request.form.get("action") == "cancel" and button.validate_on_submit():
            services.cancel_session(current_user, session)
            flash("The session has been cancelled.", "success")
            return redirect(url_for("als.programme", programme_id=session.group.programme_id) + "#schedule")
        if request.form.get("action") == "move" and form.validate_on_submit():
            removed = services.move_session(current_user, session, services.local_start(form.new_date.data, form.new_time.data))
            if removed:
                names = ", ".join(u.name for u in removed)
                flash(f"The session has been moved. {names} cannot facilitate at the new time: run the planner.", "error")
            else:
                flash("The session has been moved.", "success")
            return redirect(url_for("als.programme", programme_id=session.group.programme_id) + "#schedule")
    except services.AlsError as error:
        flash(str(error), "error")
    return render_template("als/manage_session.html", session=session, form=form, button=button, now=datetime.now(UTC))


@bp.route("/themes", methods=["GET", "POST"])
@hub_admin_required
def themes():  # type: ignore[no-untyped-def]
    """The hub's list of session themes."""
    form = ThemeForm()
    if form.validate_on_submit():
        if services.add_theme(current_user, current_user.hub_id, form.theme_name.data):
            flash("The theme has been added.", "success")
            return redirect(url_for("als.themes"))
        form.theme_name.errors.append("This theme is already on the list")
    current = services.hub_themes(current_user.hub_id)
    db.session.commit()
    return render_template("als/themes.html", form=form, themes=current)


@bp.route("/settings", methods=["GET", "POST"])
@hub_admin_required
def settings():  # type: ignore[no-untyped-def]
    """How long the hub keeps confidential session notes."""
    from learnhub.organisations.models import Hub

    hub = db.get_or_404(Hub, current_user.hub_id)
    form = RetentionForm(months=hub.als_note_retention_months)
    if form.validate_on_submit():
        services.set_note_retention(current_user, hub.id, form.months.data)
        flash(f"Confidential notes will now be deleted {form.months.data} months after a programme ends.", "success")
        return redirect(url_for("als.programmes"))
    return render_template("als/settings.html", form=form)


@bp.get("/programmes/<int:programme_id>/dashboard")
@hub_admin_required
def dashboard(programme_id: int):  # type: ignore[no-untyped-def]
    """Counts for the hub: sessions, attendance, facilitator load and themes. Never notes or actions."""
    programme = access.get_programme_for_admin(current_user, programme_id)
    return render_template("als/dashboard.html", programme=programme, data=services.dashboard(programme))


@bp.get("/programmes/<int:programme_id>/dashboard.csv")
@hub_admin_required
def dashboard_csv(programme_id: int):  # type: ignore[no-untyped-def]
    """The dashboard's counts as CSV, with small numbers suppressed."""
    programme = access.get_programme_for_admin(current_user, programme_id)
    data = services.dashboard(programme)
    rows: list[list[object]] = [["section", "item", "value"]]
    rows += [["sessions", status, data.status_counts[status]] for status in ("planned", "held", "cancelled")]
    for g in data.groups:
        present, expected, rate = g.published()
        rows += [
            ["attendance present", g.group.name, present],
            ["attendance expected", g.group.name, expected],
            ["attendance rate", g.group.name, rate],
        ]
    for user, held, planned in data.load:
        rows += [["facilitator sessions held", user.name, held], ["facilitator sessions planned", user.name, planned]]
    rows += [["theme sessions", name, mask_count(n)] for name, n in data.themes]
    out = io.StringIO()
    # Group, facilitator and theme names are typed by people: keep them from running as formulas.
    csv.writer(out).writerows([safe_cell(v) for v in row] for row in rows)
    audit(current_user, Action.EXPORT_ALS_PROGRAMME, programme=programme.id, hub=programme.hub_id, format="csv")
    db.session.commit()
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="als-programme-{programme.id}.csv"'},
    )


@bp.cli.command("purge-expired-notes")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), help="Pretend today is this date (for testing).")
def purge_expired_notes(today) -> None:  # type: ignore[no-untyped-def]
    """Delete confidential notes past each hub's retention period (safe to run daily from cron)."""
    day = today.date() if today else date.today()
    count = services.purge_expired_notes(day)
    click.echo(f"Deleted {count} expired ALS note{'s' if count != 1 else ''}.")


@bp.get("/groups/<int:group_id>/note-access")
@login_required
def note_access_log(group_id: int):  # type: ignore[no-untyped-def]
    """Who read this group's confidential notes, and when: for the group's facilitators only (404 otherwise)."""
    from learnhub.als.models import AlsFacilitation, AlsGroup, AlsNoteAccess, AlsSession

    group = db.session.get(AlsGroup, group_id)
    facilitates_group = group is not None and db.session.scalar(
        select(AlsFacilitation.id)
        .join(AlsSession, AlsFacilitation.session_id == AlsSession.id)
        .where(AlsSession.group_id == group_id, AlsFacilitation.user_id == current_user.id)
        .limit(1)
    )
    if not facilitates_group:
        abort(404)
    reads = db.session.execute(
        select(AlsNoteAccess, AlsSession, User)
        .join(AlsSession, AlsNoteAccess.session_id == AlsSession.id)
        .outerjoin(User, AlsNoteAccess.user_id == User.id)
        .where(AlsSession.group_id == group_id)
        .order_by(AlsNoteAccess.accessed_at.desc(), AlsNoteAccess.id.desc())
        .limit(500)
    ).all()
    return render_template("als/note_access.html", group=group, reads=reads)
