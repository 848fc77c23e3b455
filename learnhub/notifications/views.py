"""Each person's email choices, and the one-click unsubscribe link of every optional email."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from learnhub.accounts.models import User
from learnhub.audit import Action, audit
from learnhub.extensions import csrf, db
from learnhub.notifications import services
from learnhub.notifications.categories import OPTIONAL

bp = Blueprint("notifications", __name__, url_prefix="/notifications", template_folder="templates")


@bp.route("/preferences", methods=["GET", "POST"])
@login_required
def preferences():  # type: ignore[no-untyped-def]
    """Turn each optional kind of email on or off (service emails cannot be turned off)."""
    form = FlaskForm()
    user: User = current_user  # type: ignore[assignment]
    if form.validate_on_submit():
        chosen = set(request.form.getlist("category"))
        for category in OPTIONAL:
            services.set_preference(user, category, category in chosen)
        audit(user, Action.NOTIFICATION_PREFERENCES_CHANGED, off=sorted(set(OPTIONAL) - chosen))
        flash("Your email choices have been saved.", "success")
        return redirect(url_for("notifications.preferences"))
    return render_template("notifications/preferences.html", form=form, categories=OPTIONAL, chosen=services.preferences(user))


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt
def unsubscribe(token: str):  # type: ignore[no-untyped-def]
    """One-click unsubscribe (RFC 8058): GET asks to confirm; POST (a mail client's one click) turns it off.

    No sign-in and no CSRF token: the signed link itself names the person and the category, and
    all it can do is turn one optional category off.
    """
    found = services.read_unsubscribe_token(token)
    user = db.session.get(User, found[0]) if found else None
    if found is None or user is None or user.erased_at is not None:
        abort(404)
    category = found[1]
    label = OPTIONAL[category][0]
    if request.method == "POST":
        if services.wants(user, category):
            services.set_preference(user, category, False)
            audit(user, Action.NOTIFICATION_UNSUBSCRIBED, category=category)
        return render_template("notifications/unsubscribed.html", label=label)
    return render_template("notifications/unsubscribe.html", label=label, token=token)
