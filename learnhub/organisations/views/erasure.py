"""Erasure of a person's personal data, by a hub or site administrator."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from learnhub.accounts.models import User
from learnhub.organisations.forms import (
    EraseForm,
    FindPersonForm,
)
from learnhub.organisations.views import bp
from learnhub.organisations.views.common import get_manageable_user
from learnhub.privacy import erasure
from learnhub.security import hub_admin_required, site_admin_required

# --- data protection: erasure ---------------------------------------------------------------------


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
        flash(str(problem), "error")
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
