"""Account pages: register, sign in, sign out, password reset and invitation, profile."""

import json
from functools import partial

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select
from wtforms.validators import Optional

from learnhub import transactions
from learnhub.accounts import services, throttle
from learnhub.accounts.forms import (
    ChangePasswordForm,
    DownloadDataForm,
    ForgotPasswordForm,
    LoginForm,
    ProfileForm,
    RegisterForm,
    SetPasswordForm,
)
from learnhub.accounts.models import PasswordToken, User
from learnhub.audit import Action
from learnhub.deferred import after_response
from learnhub.extensions import csrf, db, limiter, login_manager
from learnhub.organisations.models import Hub, Pcn, Practice
from learnhub.roles import normalise_registration_number
from learnhub.security import is_safe_next, same_origin_post

bp = Blueprint("accounts", __name__, template_folder="templates", url_prefix="/account")

BAD_LOGIN = "Enter a correct email address and password"


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """Load the signed-in user; a stale session version (password changed) signs them out."""
    user_id, _, version = session_id.partition(".")
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or str(user.session_version) != version:
        return None
    return user


def _hub_choices() -> list[tuple[str, str]]:
    hubs = db.session.scalars(select(Hub).order_by(Hub.name)).all()
    return [("", "Select your training hub")] + [(str(h.id), h.name) for h in hubs]


def _failed_login(response) -> bool:  # type: ignore[no-untyped-def]
    """Only failed sign-in attempts count towards the limits."""
    return response.status_code != 302


@bp.route("/register", methods=["GET", "POST"])
def register():  # type: ignore[no-untyped-def]
    """Ask for an account. The answer is the same whether the email already has one (GOV.UK pattern)."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = RegisterForm()
    form.hub_id.choices = _hub_choices()
    if len(form.hub_id.choices) == 1:  # no hubs yet: an account can still be made
        form.hub_id.validators = [Optional()]
        form.hub_id.flags.required = False
    if form.validate_on_submit():
        hub_id = int(form.hub_id.data) if form.hub_id.data else None
        services.register(
            name=form.name.data,
            email=form.email.data,
            password=form.password.data,
            professional_role=form.professional_role.data,
            hub_id=hub_id,
        )
        return render_template("accounts/register_sent.html", email=form.email.data)
    return render_template("accounts/register.html", form=form)


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_RATE_LIMIT"],
    methods=["POST"],
    deduct_when=_failed_login,
    exempt_when=throttle.trusted_device,
)
@limiter.limit(
    lambda: current_app.config["LOGIN_EMAIL_RATE_LIMIT"],
    methods=["POST"],
    key_func=throttle.email_and_address_key,
    deduct_when=_failed_login,
    exempt_when=throttle.trusted_device,
)
@limiter.limit(
    lambda: current_app.config["LOGIN_DEVICE_RATE_LIMIT"],
    methods=["POST"],
    key_func=throttle.device_key,
    deduct_when=_failed_login,
    exempt_when=throttle.untrusted_device,
)
def login():  # type: ignore[no-untyped-def]
    """Sign in with email and password (throttling: ``learnhub.accounts.throttle``)."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user)
            target = request.args.get("next")
            response = redirect(target if is_safe_next(target) else url_for("main.index"))
            throttle.remember_device(response, user.email)
            return response
        form.email.errors.append(BAD_LOGIN)
    return render_template("accounts/login.html", form=form)


@bp.post("/sign-out")
@csrf.exempt
def logout():  # type: ignore[no-untyped-def]
    """Sign out. The header button posts here without a token, so the origin is checked instead."""
    if not same_origin_post():
        abort(400)
    if current_user.is_authenticated:
        # Server-side: the session's version stops matching, so a copy of this cookie is refused too.
        services.end_sessions(current_user)  # type: ignore[arg-type]
    logout_user()
    flash("You have signed out.", "success")
    return redirect(url_for("accounts.login"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def forgot_password():  # type: ignore[no-untyped-def]
    """Ask for a reset link. The answer is the same whether the account exists or not."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        # Everything — the lookup, the token, the email — happens after the response has been
        # sent, so a real account's answer takes no longer than an unknown one's.
        after_response(partial(_reset_in_own_transaction, form.email.data))
        return render_template("accounts/reset_sent.html", email=form.email.data)
    return render_template("accounts/forgot_password.html", form=form)


def _reset_in_own_transaction(email: str) -> None:
    """The reset runs after the response, outside the request's transaction: its own unit of work."""
    services.request_password_reset(email)
    transactions.commit()


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):  # type: ignore[no-untyped-def]
    """Choose a new password from an emailed reset link."""
    return _set_password_from_link(token, PasswordToken.RESET)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invite(token: str):  # type: ignore[no-untyped-def]
    """Set a password from an invitation link and start using LearnHub."""
    return _set_password_from_link(token, PasswordToken.INVITE)


def _set_password_from_link(token: str, purpose: str):  # type: ignore[no-untyped-def]
    check = services.check_token(token, purpose)
    if check.user is None:
        return render_template("accounts/link_problem.html", problem=check.problem, purpose=purpose), 410
    form = SetPasswordForm(user=check.user)
    if form.validate_on_submit():
        user = services.use_token(token, purpose, form.password.data)
        if user is None:  # used in another tab (or by a double click) a moment ago
            problem = "This link has already been used. Ask for a new one if you need to."
            return render_template("accounts/link_problem.html", problem=problem, purpose=purpose), 410
        logout_user()
        login_user(user)
        flash("Your password has been set. You are signed in.", "success")
        return redirect(url_for("main.index"))
    return render_template("accounts/set_password.html", form=form, purpose=purpose, user=check.user)


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():  # type: ignore[no-untyped-def]
    """Edit your name, professional role, registration and organisation."""
    user: User = current_user  # type: ignore[assignment]
    form = ProfileForm(obj=user if request.method == "GET" else None)
    if request.method == "GET":
        form.hub_id.data = str(user.hub_id or "")
        form.pcn_id.data = str(user.pcn_id or "")
        form.practice_id.data = str(user.practice_id or "")
        form.registration_body.data = user.registration_body or ""
    form.hub_id.choices = _hub_choices()
    hub_id = user.hub_id
    pcns = db.session.scalars(select(Pcn).where(Pcn.hub_id == hub_id).order_by(Pcn.name)).all() if hub_id else []
    practices = (
        db.session.scalars(select(Practice).join(Pcn).where(Pcn.hub_id == hub_id).order_by(Pcn.name, Practice.name)).all()
        if hub_id
        else []
    )
    form.pcn_id.choices = [("", "Not set")] + [(str(p.id), p.name) for p in pcns]
    form.practice_id.choices = [("", "Not set")] + [(str(p.id), f"{p.name} ({p.pcn.name})") for p in practices]
    if user.hub_role != "learner" and user.hub_id:
        # Staff with hub permissions move hub only through an administrator.
        form.hub_id.render_kw = {"disabled": True}

    if form.validate_on_submit():
        new_hub = int(form.hub_id.data) if form.hub_id.data else None
        if user.hub_role != "learner" and user.hub_id:
            new_hub = user.hub_id
        pcn = next((p for p in pcns if str(p.id) == form.pcn_id.data), None)
        practice = next((p for p in practices if str(p.id) == form.practice_id.data), None)
        if new_hub != user.hub_id:
            pcn = practice = None  # PCNs belong to the old hub
        elif practice and pcn and practice.pcn_id != pcn.id:
            form.practice_id.errors.append("Select a practice in the PCN you chose, or leave the PCN blank")
        if practice and not pcn:
            pcn = practice.pcn
        if not form.practice_id.errors:
            services.update_profile(
                user,
                name=form.name.data.strip(),
                professional_role=form.professional_role.data,
                registration_body=form.registration_body.data or None,
                registration_number=normalise_registration_number(form.registration_number.data) or None,
                hub_id=new_hub,
                pcn_id=pcn.id if pcn else None,
                practice_id=practice.id if practice else None,
            )
            flash("Your profile has been saved.", "success")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/profile.html", form=form, download_form=DownloadDataForm())


@bp.post("/my-data")
@login_required
def download_my_data():  # type: ignore[no-untyped-def]
    """Download everything LearnHub holds about you, as JSON.

    A POST with a CSRF token, not a GET: another site cannot make a signed-in browser fetch
    (and so audit) a copy of someone's data, and the copy is never cached or prefetched.
    """
    from learnhub.privacy.export import export_data

    user: User = current_user  # type: ignore[assignment]
    if not DownloadDataForm().validate_on_submit():
        abort(400)
    data = export_data(user)
    services.audit(user, Action.EXPORT_PERSONAL_DATA, format="json")
    body = json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False)
    return Response(
        body,
        mimetype="application/json",
        headers={
            "Content-Disposition": 'attachment; filename="learnhub-my-data.json"',
            "Cache-Control": "private, no-store",
        },
    )


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():  # type: ignore[no-untyped-def]
    """Change your password."""
    user: User = current_user  # type: ignore[assignment]
    form = ChangePasswordForm(user=user)
    if form.validate_on_submit():
        services.change_password(user, form.password.data)
        login_user(user)  # keep this session; others are signed out
        flash("Your password has been changed.", "success")
        return redirect(url_for("accounts.profile"))
    return render_template("accounts/change_password.html", form=form)
