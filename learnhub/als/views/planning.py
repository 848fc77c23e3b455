"""Hub administrators: the facilitator pool, unavailable days, moving and cancelling sessions."""

from datetime import UTC, datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from learnhub.accounts.models import User
from learnhub.als import access
from learnhub.als.forms import ButtonForm, EmailForm, MoveForm, UnavailableForm
from learnhub.als.services import participation, planning, reporting
from learnhub.als.services.common import AlsError, local_start, to_local
from learnhub.als.views import bp
from learnhub.als.views.programmes import uncovered_message
from learnhub.extensions import db
from learnhub.security import hub_admin_required


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
                raise AlsError("Nobody in your hub has this email address: invite them first")
            planning.add_facilitator(current_user, programme, user)
        except AlsError as error:
            form.email.errors.append(str(error))
        else:
            flash(f"{user.name} has joined the facilitator pool.", "success")
            return redirect(url_for("als.facilitators", programme_id=programme.id))
    return render_template(
        "als/facilitators.html",
        programme=programme,
        form=form,
        button=ButtonForm(),
        load=reporting.dashboard(programme).load,
        undoable={f.id for f in programme.facilitators if planning.withdrawal_undo_blockers(f) == []},
    )


@bp.route("/programmes/<int:programme_id>/facilitators/<int:facilitator_id>/unavailable", methods=["GET", "POST"])
@hub_admin_required
def unavailable(programme_id: int, facilitator_id: int):  # type: ignore[no-untyped-def]
    """Record days a facilitator cannot facilitate."""
    programme = access.get_programme_for_admin(current_user, programme_id)
    facilitator = access.get_facilitator_for_admin(current_user, programme, facilitator_id)
    form = UnavailableForm()
    if form.validate_on_submit():
        planning.add_unavailability(current_user, facilitator, form.first_day.data, form.last_day.data)
        flash("The unavailable days have been saved. Run the planner again to update coming sessions.", "success")
        return redirect(url_for("als.facilitators", programme_id=programme.id))
    return render_template("als/unavailable.html", programme=programme, facilitator=facilitator, form=form)


@bp.route("/programmes/<int:programme_id>/facilitators/<int:facilitator_id>/withdraw", methods=["GET", "POST"])
@hub_admin_required
def withdraw(programme_id: int, facilitator_id: int):  # type: ignore[no-untyped-def]
    """Confirm (GET: the coming sessions affected), then take a facilitator out of the pool and re-plan only those."""
    programme = access.get_programme_for_admin(current_user, programme_id)
    facilitator = access.get_facilitator_for_admin(current_user, programme, facilitator_id)
    if request.method == "GET":
        if not facilitator.active:
            return redirect(url_for("als.facilitators", programme_id=programme.id))
        now = datetime.now(UTC)
        affected = [
            s
            for s in participation.facilitated_sessions(facilitator.user)
            if s.group.programme_id == programme.id and s.is_open and s.starts_at > now
        ]
        return render_template(
            "als/withdraw.html", programme=programme, facilitator=facilitator, affected=affected, button=ButtonForm()
        )
    if ButtonForm().validate_on_submit() and facilitator.active:
        uncovered = planning.withdraw_facilitator(current_user, facilitator)
        if uncovered:
            flash(f"{facilitator.user.name} has left the pool. " + uncovered_message(uncovered), "error")
        else:
            flash(
                f"{facilitator.user.name} has left the pool and their coming sessions have been re-planned. "
                "You can undo this from the pool while none of those sessions has been re-planned again.",
                "success",
            )
    return redirect(url_for("als.facilitators", programme_id=programme.id))


@bp.post("/programmes/<int:programme_id>/facilitators/<int:facilitator_id>/undo-withdrawal")
@hub_admin_required
def undo_withdrawal(programme_id: int, facilitator_id: int):  # type: ignore[no-untyped-def]
    """Put a withdrawn facilitator back with the coming sessions the withdrawal took from them."""
    programme = access.get_programme_for_admin(current_user, programme_id)
    facilitator = access.get_facilitator_for_admin(current_user, programme, facilitator_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    if facilitator.active:  # undone a moment ago (a double click, another tab)
        flash(f"{facilitator.user.name} is in the facilitator pool.", "warning")
        return redirect(url_for("als.facilitators", programme_id=programme.id))
    try:
        count = planning.undo_withdrawal(current_user, facilitator)
    except AlsError as error:
        flash(str(error), "error")
    else:
        sessions = f"{count} coming session{'s' if count != 1 else ''}"
        flash(f"{facilitator.user.name} is back in the pool, with the {sessions} they had before.", "success")
    return redirect(url_for("als.facilitators", programme_id=programme.id))


def _schedule(session):  # type: ignore[no-untyped-def]
    return redirect(url_for("als.programme", programme_id=session.group.programme_id) + "#schedule")


@bp.route("/sessions/<int:session_id>/manage", methods=["GET", "POST"])
@hub_admin_required
def manage_session(session_id: int):  # type: ignore[no-untyped-def]
    """Move one coming session (the page also offers to cancel it)."""
    session = access.get_session_for(current_user, session_id, access.MANAGE)
    form = MoveForm()
    if not form.is_submitted():
        local = to_local(session.starts_at)
        form.new_date.data, form.new_time.data = local.date(), local.time()
    warnings: list[str] = []
    if form.validate_on_submit():
        new_start = local_start(form.new_date.data, form.new_time.data)
        warnings = planning.move_warnings(session, new_start)
        if not warnings or form.confirmed.data == new_start.isoformat():
            try:
                removed = planning.move_session(current_user, session, new_start)
            except AlsError as error:
                flash(str(error), "error")
            else:
                if removed:
                    names = ", ".join(u.name for u in removed)
                    flash(f"The session has been moved. {names} cannot facilitate at the new time: run the planner.", "error")
                else:
                    flash("The session has been moved.", "success")
                return _schedule(session)
            warnings = []
        else:
            # Pressing the button again confirms these warnings for this date and time only.
            form.confirmed.data = new_start.isoformat()
    return render_template(
        "als/manage_session.html",
        session=session,
        form=form,
        button=ButtonForm(prefix="cancel"),
        warnings=warnings,
        now=datetime.now(UTC),
    )


@bp.post("/sessions/<int:session_id>/cancel")
@hub_admin_required
def cancel_session(session_id: int):  # type: ignore[no-untyped-def]
    """Cancel one coming session."""
    session = access.get_session_for(current_user, session_id, access.MANAGE)
    if ButtonForm(prefix="cancel").validate_on_submit():
        try:
            planning.cancel_session(current_user, session)
        except AlsError as error:
            flash(str(error), "error")
            return redirect(url_for("als.manage_session", session_id=session.id))
        flash("The session has been cancelled.", "success")
    return _schedule(session)
