"""Hub administration of people: the list, invitations, CSV import, permissions, deactivation."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import func, or_, select

from learnhub.accounts.models import User
from learnhub.extensions import db
from learnhub.notifications.services import recent_for
from learnhub.organisations import services
from learnhub.organisations.forms import (
    ActiveForm,
    ImportForm,
    InviteForm,
    PermissionForm,
)
from learnhub.organisations.views import bp
from learnhub.organisations.views.common import (
    ERASED_UNCHANGEABLE,
    _current_hub,
    _flash_invited,
    flash_invitation_sent,
    get_hub_user,
    get_manageable_user,
)
from learnhub.params import arg_choice, arg_int, arg_text
from learnhub.roles import HUB_ROLE_LABELS, HubRole, may_act_on
from learnhub.security import hub_admin_required

# --- hub administration: users -----------------------------------------------------------------


USERS_PAGE_SIZE = 100


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
    return render_template(
        "organisations/user_detail.html",
        person=user,
        form=form,
        active_form=ActiveForm(),
        may_manage=manage,
        emails=recent_for(user),
    )


@bp.post("/hub/users/<int:user_id>/permission")
@hub_admin_required
def change_permission(user_id: int):  # type: ignore[no-untyped-def]
    """Change someone's permission."""
    user = get_manageable_user(user_id)
    form = PermissionForm()
    if user.id == current_user.id:
        flash("You cannot change your own permission. Ask another hub administrator.", "error")
        return redirect(url_for("organisations.user_detail", user_id=user.id))
    if user.erased_at is not None:
        flash(ERASED_UNCHANGEABLE, "error")
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
        flash("You cannot deactivate your own account.", "error")
    elif user.erased_at is not None:
        flash(ERASED_UNCHANGEABLE, "error")
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
        flash("Invitations cannot be sent to a deactivated or erased account.", "error")
    elif user.password_hash:
        flash(f"{user.name} has already set a password.", "error")
    else:
        services.resend_invite(current_user, user)
        flash_invitation_sent(user.email, again=True)
    return redirect(url_for("organisations.user_detail", user_id=user.id))
