"""Site administration of hubs; hub administration of PCNs, practices and users."""

from datetime import UTC

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from learnhub.accounts.models import User
from learnhub.extensions import db
from learnhub.organisations import access, services
from learnhub.organisations.forms import (
    ActiveForm,
    AuditFilterForm,
    EraseForm,
    FindPersonForm,
    HubForm,
    ImportForm,
    InviteForm,
    PcnForm,
    PermissionForm,
    PracticeForm,
)
from learnhub.organisations.models import Hub
from learnhub.params import MAX_DATE, arg_choice, arg_int, arg_text
from learnhub.privacy import erasure
from learnhub.roles import HUB_ROLE_LABELS, HubRole, may_act_on
from learnhub.security import hub_admin_required, site_admin_required

bp = Blueprint("organisations", __name__, template_folder="templates")


def get_hub_user(user_id: int) -> User:
    """A user of the current administrator's hub; 404 for anyone else (see :mod:`.access`)."""
    return access.get_hub_user(current_user, user_id)


def get_manageable_user(user_id: int) -> User:
    """A user of the administrator's hub whom they may act on.

    404 outside the hub; 403 for anyone with more power than the administrator (a site
    administrator), whatever the action: permission, deactivation, invitation or erasure.
    """
    user = get_hub_user(user_id)
    if not may_act_on(current_user, user):
        abort(403)
    return user


def _current_hub() -> Hub:
    return access.current_hub(current_user)


# --- site administration -------------------------------------------------------------------


@bp.route("/admin/hubs", methods=["GET", "POST"])
@site_admin_required
def hubs():  # type: ignore[no-untyped-def]
    """List training hubs and create a new one."""
    form = HubForm()
    if form.validate_on_submit():
        hub, created = services.create_hub(current_user, form.name.data, form.signatory.data)
        if created:
            flash(f"{hub.name} has been created. Now invite its administrator.", "success")
        else:  # the same form sent twice at once: the first request created it
            flash(f"{hub.name} already exists. This is its page.", "warning")
        return redirect(url_for("organisations.hub_detail", hub_id=hub.id))
    counts = dict(db.session.execute(select(User.hub_id, func.count()).group_by(User.hub_id)).all())
    all_hubs = db.session.scalars(select(Hub).order_by(Hub.name)).all()
    return render_template("organisations/hubs.html", form=form, hubs=all_hubs, counts=counts)


@bp.route("/admin/hubs/<int:hub_id>", methods=["GET", "POST"])
@site_admin_required
def hub_detail(hub_id: int):  # type: ignore[no-untyped-def]
    """A hub's administrators, and inviting a new one."""
    hub = db.get_or_404(Hub, hub_id)
    form = InviteForm(hub_role=HubRole.HUB_ADMIN.value)
    form.hub_role.choices = [(HubRole.HUB_ADMIN.value, "Hub administrator")]
    if form.validate_on_submit():
        _, created = services.invite_user(
            current_user,
            hub,
            name=form.name.data,
            email=form.email.data,
            professional_role=form.professional_role.data,
            hub_role=HubRole.HUB_ADMIN.value,
        )
        _flash_invited(form.email.data, created)
        return redirect(url_for("organisations.hub_detail", hub_id=hub.id))
    admins = db.session.scalars(
        select(User).where(User.hub_id == hub.id, User.hub_role == HubRole.HUB_ADMIN.value).order_by(User.name)
    ).all()
    return render_template("organisations/hub_detail.html", hub=hub, admins=admins, form=form)


# --- hub administration: PCNs and practices ---------------------------------------------------


def _structure_page(hub: Hub, pcn_form: PcnForm, practice_form: PracticeForm, status: int = 200):  # type: ignore[no-untyped-def]
    practice_form.pcn_id.choices = [("", "Select a PCN")] + [(str(p.id), p.name) for p in hub.pcns]
    page = render_template("organisations/structure.html", hub=hub, pcn_form=pcn_form, practice_form=practice_form)
    return page, status


@bp.get("/hub/structure")
@hub_admin_required
def structure():  # type: ignore[no-untyped-def]
    """The hub's PCNs and practices, with a form to add either."""
    return _structure_page(_current_hub(), PcnForm(prefix="pcn", formdata=None), PracticeForm(prefix="practice", formdata=None))


@bp.post("/hub/structure/pcns")
@hub_admin_required
def add_pcn():  # type: ignore[no-untyped-def]
    """Add a PCN to the hub."""
    hub = _current_hub()
    pcn_form = PcnForm(prefix="pcn")
    if pcn_form.validate_on_submit():
        if services.add_pcn(current_user, hub, pcn_form.pcn_name.data):
            flash(f"{pcn_form.pcn_name.data} has been added.", "success")
            return redirect(url_for("organisations.structure"))
        pcn_form.pcn_name.errors.append("This hub already has a PCN with that name")
    return _structure_page(hub, pcn_form, PracticeForm(prefix="practice", formdata=None), 400)


@bp.post("/hub/structure/practices")
@hub_admin_required
def add_practice():  # type: ignore[no-untyped-def]
    """Add a practice to one of the hub's PCNs."""
    hub = _current_hub()
    practice_form = PracticeForm(prefix="practice")
    practice_form.pcn_id.choices = [("", "Select a PCN")] + [(str(p.id), p.name) for p in hub.pcns]
    if practice_form.validate_on_submit():
        pcn = access.get_pcn_for(current_user, practice_form.pcn_id.data)
        if services.add_practice(current_user, pcn, practice_form.practice_name.data, practice_form.ods_code.data):
            flash(f"{practice_form.practice_name.data} has been added to {pcn.name}.", "success")
            return redirect(url_for("organisations.structure"))
        practice_form.practice_name.errors.append("This PCN already has a practice with that name")
    return _structure_page(hub, PcnForm(prefix="pcn", formdata=None), practice_form, 400)


# --- hub administration: users -----------------------------------------------------------------


def _flash_invited(email: str, created: bool) -> None:
    if created:
        flash(f"An invitation has been sent to {email}.", "success")
    else:  # the same form sent twice at once: the first request invited them
        flash(f"An account for {email} already exists. No new invitation was sent.", "warning")


@bp.get("/hub/users")
@hub_admin_required
def users():  # type: ignore[no-untyped-def]
    """People in the hub, searchable by name or email and filterable by permission."""
    hub = _current_hub()
    query = arg_text("q").value
    role = arg_choice("permission", [r.value for r in HubRole]).value
    stmt = select(User).where(User.hub_id == hub.id).order_by(User.name, User.id)
    if query:
        like = f"%{query.lower()}%"
        stmt = stmt.where(or_(func.lower(User.name).like(like), User.email.like(like)))
    if role:
        stmt = stmt.where(User.hub_role == role)
    page = arg_int("page", default=1, maximum=1_000_000).value
    people = db.paginate(stmt, page=page, per_page=USERS_PAGE_SIZE, error_out=False, count=True)
    return render_template(
        "organisations/users.html",
        hub=hub,
        people=people,
        q=query,
        permission=role,
        labels=HUB_ROLE_LABELS,
        args={"q": query, "permission": role},
    )


@bp.route("/hub/users/invite", methods=["GET", "POST"])
@hub_admin_required
def invite():  # type: ignore[no-untyped-def]
    """Invite one person by email."""
    hub = _current_hub()
    form = InviteForm()
    if form.validate_on_submit():
        _, created = services.invite_user(
            current_user,
            hub,
            name=form.name.data,
            email=form.email.data,
            professional_role=form.professional_role.data,
            hub_role=form.hub_role.data,
        )
        _flash_invited(form.email.data, created)
        return redirect(url_for("organisations.users"))
    return render_template("organisations/invite.html", form=form, hub=hub)


@bp.route("/hub/users/import", methods=["GET", "POST"])
@hub_admin_required
def import_users():  # type: ignore[no-untyped-def]
    """Invite many people from a CSV file; nobody is invited unless every row is valid."""
    hub = _current_hub()
    form = ImportForm()
    result = None
    if form.validate_on_submit():
        result, invited = services.import_users(current_user, hub, form.csv_file.data.read())
        if result.ok:
            flash(f"{len(invited)} people have been invited.", "success")
            return redirect(url_for("organisations.users"))
        if result.file_errors:
            form.csv_file.errors.extend(result.file_errors)
        elif result.errors:
            form.csv_file.errors.append(
                f"{len(result.errors)} rows have a problem. Nobody has been invited. Fix the rows below and upload the file again"
            )
    status = 400 if form.errors else 200
    return render_template("organisations/import.html", form=form, hub=hub, result=result), status


@bp.get("/hub/users/<int:user_id>")
@hub_admin_required
def user_detail(user_id: int):  # type: ignore[no-untyped-def]
    """One person in the hub: details, permission, active or not."""
    user = get_hub_user(user_id)
    form = PermissionForm(hub_role=user.hub_role)
    manage = may_act_on(current_user, user)
    return render_template("organisations/user_detail.html", person=user, form=form, active_form=ActiveForm(), may_manage=manage)


@bp.post("/hub/users/<int:user_id>/permission")
@hub_admin_required
def change_permission(user_id: int):  # type: ignore[no-untyped-def]
    """Change someone's permission."""
    user = get_manageable_user(user_id)
    form = PermissionForm()
    if user.id == current_user.id:
        flash("You cannot change your own permission. Ask another hub administrator.", "warning")
        return redirect(url_for("organisations.user_detail", user_id=user.id))
    if user.erased_at is not None:
        flash(ERASED_UNCHANGEABLE, "warning")
        return redirect(url_for("organisations.user_detail", user_id=user.id))
    if form.validate_on_submit():
        services.set_permission(current_user, user, form.hub_role.data)
        flash(f"{user.name} is now a {user.hub_role_label.lower()}.", "success")
        return redirect(url_for("organisations.user_detail", user_id=user.id))
    return render_template("organisations/user_detail.html", person=user, form=form, active_form=ActiveForm()), 400


@bp.post("/hub/users/<int:user_id>/<any(deactivate, reactivate):action>")
@hub_admin_required
def change_active(user_id: int, action: str):  # type: ignore[no-untyped-def]
    """Deactivate or reactivate someone's account."""
    user = get_manageable_user(user_id)
    form = ActiveForm()
    if not form.validate_on_submit():
        abort(400)
    if user.id == current_user.id:
        flash("You cannot deactivate your own account.", "warning")
    elif user.erased_at is not None:
        flash(ERASED_UNCHANGEABLE, "warning")
    else:
        services.set_active(current_user, user, action == "reactivate")
        flash(f"{user.name} has been {action}d.", "success")
    return redirect(url_for("organisations.user_detail", user_id=user.id))


@bp.post("/hub/users/<int:user_id>/resend-invitation")
@hub_admin_required
def resend_invite(user_id: int):  # type: ignore[no-untyped-def]
    """Send a new invitation link to someone who has not set a password yet."""
    user = get_manageable_user(user_id)
    form = ActiveForm()
    if not form.validate_on_submit():
        abort(400)
    if user.erased_at is not None or not user.active:
        flash("Invitations cannot be sent to a deactivated or erased account.", "warning")
    elif user.password_hash:
        flash(f"{user.name} has already set a password.", "warning")
    else:
        services.resend_invite(current_user, user)
        flash(f"A new invitation has been sent to {user.email}.", "success")
    return redirect(url_for("organisations.user_detail", user_id=user.id))


# --- data protection: erasure ---------------------------------------------------------------------

ERASED_UNCHANGEABLE = "This person's personal data has been erased. The account cannot be changed or used again."


def _erase_page(user: User, form: EraseForm, *, back: str, status: int = 200, find_form: FindPersonForm | None = None):  # type: ignore[no-untyped-def]
    refusal = None
    if user.erased_at is None:
        try:
            erasure.check_erasure(current_user, user)
        except erasure.ErasureRefused as problem:
            refusal = str(problem)
    return (
        render_template(
            "organisations/erase_user.html",
            person=user,
            form=form,
            find_form=find_form,
            refusal=refusal,
            counts=erasure.counts_for_confirmation(user),
            back=back,
        ),
        status,
    )


def _do_erase(user: User, done_url: str, back: str):  # type: ignore[no-untyped-def]
    try:
        result = erasure.erase_user(current_user, user)
    except erasure.ErasureRefused as problem:
        flash(str(problem), "warning")
        return redirect(back)
    if result.already_erased:
        flash("This person's personal data had already been erased. Nothing has changed.", "warning")
    else:
        flash("The person's personal data has been erased. The erasure is recorded in the audit log.", "success")
    return redirect(done_url)


@bp.route("/hub/users/<int:user_id>/erase", methods=["GET", "POST"])
@hub_admin_required
def erase_user(user_id: int):  # type: ignore[no-untyped-def]
    """Confirm, then erase the personal data of someone in the administrator's hub."""
    user = get_manageable_user(user_id)
    back = url_for("organisations.user_detail", user_id=user.id)
    form = EraseForm()
    if request.method == "POST":
        if user.erased_at is None and not form.validate_on_submit():
            return _erase_page(user, form, back=back, status=400)
        return _do_erase(user, url_for("organisations.users"), url_for("organisations.erase_user", user_id=user.id))
    return _erase_page(user, form, back=back)


@bp.route("/admin/people/erase", methods=["GET", "POST"])
@site_admin_required
def site_erase_user():  # type: ignore[no-untyped-def]
    """Site administrators: find anyone by email, confirm, then erase their personal data."""
    find_form = FindPersonForm()
    back = url_for("organisations.hubs")
    if request.method == "GET" or not find_form.validate_on_submit():
        status = 400 if request.method == "POST" else 200
        return render_template("organisations/erase_find.html", form=find_form, back=back), status
    from learnhub.accounts.services import get_user_by_email

    user = get_user_by_email(find_form.email.data)
    if user is None:
        find_form.email.errors.append("No account has this email address. Check it and try again")
        return render_template("organisations/erase_find.html", form=find_form, back=back), 400
    form = EraseForm()
    here = url_for("organisations.site_erase_user")
    if request.form.get("step") != "confirm":
        form = EraseForm(formdata=None)
        return _erase_page(user, form, back=here, find_form=find_form)
    if user.erased_at is None and not form.validate():
        return _erase_page(user, form, back=here, status=400, find_form=find_form)
    return _do_erase(user, here, here)


# --- hub administration: audit log -------------------------------------------------------------

AUDIT_PAGE_SIZE = 50
USERS_PAGE_SIZE = 100
#: Reads of confidential ALS notes are for the group's facilitators, not hub administrators.


def _in_range(day):  # type: ignore[no-untyped-def]
    return day is None or day <= MAX_DATE


def _start_of(day):  # type: ignore[no-untyped-def]
    from datetime import datetime

    return datetime(day.year, day.month, day.day, tzinfo=UTC) if day else None


@bp.get("/hub/audit")
@hub_admin_required
def audit_log():  # type: ignore[no-untyped-def]
    """Sensitive actions in the administrator's hub, newest first, filterable and paginated."""
    from datetime import timedelta

    from learnhub.audit import HIDDEN_FROM_HUB_ADMINS, Action, AuditEvent, audit_events

    hub = _current_hub()
    action = arg_text("action").value
    actor = arg_text("actor", max_length=254).value
    filters = AuditFilterForm(request.args)
    filters.validate()
    for date_field in (filters.date_from, filters.date_to):
        if not date_field.errors and not _in_range(date_field.data):
            date_field.errors = [f"{date_field.label.text} must be before {MAX_DATE.year + 1}"]
    # Dates past MAX_DATE are refused by the field's own range; the day after the last is safe.
    since = _start_of(filters.date_from.data) if not filters.date_from.errors and _in_range(filters.date_from.data) else None
    until = _start_of(filters.date_to.data) if not filters.date_to.errors and _in_range(filters.date_to.data) else None
    if until is not None:
        until = until + timedelta(days=1)
    page = arg_int("page", default=1, maximum=1_000_000)
    query = audit_events(hub_id=hub.id, action=action, actor=actor, since=since, until=until).where(
        AuditEvent.action.not_in(HIDDEN_FROM_HUB_ADMINS)
    )
    # The actor is shown on every row: load them together (one statement), not one per actor.
    events = db.paginate(
        query.options(selectinload(AuditEvent.actor)), page=page.value, per_page=AUDIT_PAGE_SIZE, error_out=False
    )
    # "page 2 of 5" in the title and caption: pages of one list must not share a title.
    pages = max(1, events.pages or 1)
    # Filter by any action a hub administrator may see (a code that is not an Action shows nothing).
    actions = sorted((a for a in Action if a not in HIDDEN_FROM_HUB_ADMINS), key=lambda a: a.label)
    return render_template(
        "organisations/audit.html",
        hub=hub,
        events=events,
        page=events.page,
        pages=pages,
        actions=actions,
        args={"action": action, "actor": actor}
        | {k: v for k, v in request.args.items() if k.startswith(("date_from", "date_to")) and v},
        filters=filters,
    )
