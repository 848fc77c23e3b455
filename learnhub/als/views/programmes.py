"""Hub administrators: programmes, their members and sets, the schedule and facilitator planning.

Each change on the programme page has its own endpoint (no dispatch on a form "action").
"""

from datetime import UTC, datetime

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from learnhub.accounts.models import User
from learnhub.als import access
from learnhub.als.forms import ButtonForm, CsvForm, EmailForm, GroupForm, MemberGroupForm, ProgrammeForm
from learnhub.als.models import AlsProgramme, AlsSession
from learnhub.als.services import planning
from learnhub.als.services import programmes as programme_services
from learnhub.als.services.common import AlsError
from learnhub.als.views import bp
from learnhub.extensions import db
from learnhub.roles import PROFESSIONAL_ROLES
from learnhub.security import hub_admin_required
from learnhub.templating import als_when


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
        programme = programme_services.create_programme(
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


def _programme_page(programme: AlsProgramme, member_form: EmailForm | None = None, group_form: GroupForm | None = None):  # type: ignore[no-untyped-def]
    programme_services.load_programme_people(programme)
    sessions = programme_services.programme_sessions(programme)
    group_choices = [("", "Not in a group")] + [(str(g.id), g.name) for g in programme.groups]
    member_forms = {}
    for m in programme.members:
        f = MemberGroupForm(prefix=f"m{m.id}", group_id=str(m.group_id or ""), formdata=None)
        f.group_id.choices = group_choices
        member_forms[m.id] = f
    return render_template(
        "als/programme.html",
        programme=programme,
        member_form=member_form or EmailForm(prefix="member", formdata=None),
        group_form=group_form or GroupForm(prefix="group", formdata=None),
        button=ButtonForm(),
        member_forms=member_forms,
        sessions=sessions,
        needs_cover=planning.sessions_needing_cover(programme) if sessions else set(),
        size_problems=programme_services.group_size_problems(programme),
        waiting=programme_services.waiting_list(programme),
        role_names=[PROFESSIONAL_ROLES.get(c, c) for c in programme.role_codes],
        now=datetime.now(UTC),
    )


def _back_to(programme: AlsProgramme, anchor: str = ""):  # type: ignore[no-untyped-def]
    return redirect(url_for("als.programme", programme_id=programme.id) + anchor)


@bp.get("/programmes/<int:programme_id>")
@hub_admin_required
def programme(programme_id: int):  # type: ignore[no-untyped-def]
    """A programme: members, groups and schedule, with the forms that change them."""
    return _programme_page(access.get_programme_for_admin(current_user, programme_id))


@bp.post("/programmes/<int:programme_id>/members")
@hub_admin_required
def add_member(programme_id: int):  # type: ignore[no-untyped-def]
    """Add one member by email address."""
    programme = access.get_programme_for_admin(current_user, programme_id)
    form = EmailForm(prefix="member")
    if form.validate_on_submit():
        user = db.session.scalar(select(User).where(User.email == form.email.data))
        try:
            if user is None:
                raise AlsError("Nobody in your hub has this email address: invite them first")
            member = programme_services.add_member(current_user, programme, user)
        except AlsError as error:
            form.email.errors.append(str(error))
        else:
            if member.waiting_since is not None:
                flash(f"Every set is full: {user.name} is on the waiting list.", "success")
            else:
                flash(f"{user.name} has been added.", "success")
            return _back_to(programme)
    return _programme_page(programme, member_form=form)


@bp.post("/programmes/<int:programme_id>/groups")
@hub_admin_required
def add_group(programme_id: int):  # type: ignore[no-untyped-def]
    """Add an empty set by hand."""
    programme = access.get_programme_for_admin(current_user, programme_id)
    form = GroupForm(prefix="group")
    if form.validate_on_submit():
        try:
            programme_services.create_group(current_user, programme, form.group_name.data)
        except AlsError as error:
            form.group_name.errors.append(str(error))
        else:
            flash("The group has been added.", "success")
            return _back_to(programme)
    return _programme_page(programme, group_form=form)


@bp.post("/programmes/<int:programme_id>/groups/auto")
@hub_admin_required
def auto_groups(programme_id: int):  # type: ignore[no-untyped-def]
    """Split every member into balanced sets."""
    programme = access.get_programme_for_admin(current_user, programme_id)
    if ButtonForm().validate_on_submit():
        try:
            groups = programme_services.auto_form_groups(current_user, programme)
        except AlsError as error:
            flash(str(error), "error")
        else:
            flash(f"Members have been split into {len(groups)} groups.", "success")
    return _back_to(programme)


@bp.post("/programmes/<int:programme_id>/schedule")
@hub_admin_required
def make_schedule(programme_id: int):  # type: ignore[no-untyped-def]
    """Make the sessions of every set that has none yet."""
    programme = access.get_programme_for_admin(current_user, programme_id)
    if ButtonForm().validate_on_submit():
        try:
            made = planning.generate_schedule(current_user, programme)
        except AlsError as error:
            flash(str(error), "error")
        else:
            flash(f"{made} sessions have been scheduled." if made else "Every group already has its sessions.", "success")
    return _back_to(programme)


@bp.post("/programmes/<int:programme_id>/plan")
@hub_admin_required
def plan(programme_id: int):  # type: ignore[no-untyped-def]
    """Assign facilitators to coming sessions that need one (and to those a change left needing cover)."""
    programme = access.get_programme_for_admin(current_user, programme_id)
    if ButtonForm().validate_on_submit():
        if not programme_services.programme_sessions(programme):
            flash("There are no sessions to plan yet: make the schedule first.", "error")
            return _back_to(programme)
        uncovered = planning.run_planner(current_user, programme)
        if uncovered:
            flash(uncovered_message(uncovered), "error")
        else:
            flash("Every coming session has a facilitator.", "success")
    return _back_to(programme)


def uncovered_message(sessions: list[AlsSession]) -> str:
    """What the administrator is told about sessions nobody could cover."""
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
            programme_services.set_member_group(current_user, member, group)
        except AlsError as error:
            flash(str(error), "error")
        else:
            flash(f"{member.user.name}'s group has been saved.", "success")
    else:
        flash("Select a group from the list", "error")
    return _back_to(programme, "#members")


@bp.post("/programmes/<int:programme_id>/members/<int:member_id>/remove")
@hub_admin_required
def remove_member(programme_id: int, member_id: int):  # type: ignore[no-untyped-def]
    """Take a member out of their set, even one that has met (audited); they then see none of it."""
    programme = access.get_programme_for_admin(current_user, programme_id)
    member = access.get_member_for_admin(current_user, programme, member_id)
    if ButtonForm().validate_on_submit():
        group = programme_services.remove_from_set(current_user, member)
        if group is not None:
            flash(f"{member.user.name} has been removed from {group.name}.", "success")
    return _back_to(programme, "#members")


@bp.route("/programmes/<int:programme_id>/members/import", methods=["GET", "POST"])
@hub_admin_required
def import_members(programme_id: int):  # type: ignore[no-untyped-def]
    """Add members from a CSV file: all of them, or none if any row has a problem."""
    programme = access.get_programme_for_admin(current_user, programme_id)
    form = CsvForm()
    result = None
    if form.validate_on_submit():
        result = programme_services.import_members(current_user, programme, form.csv_file.data.read())
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
