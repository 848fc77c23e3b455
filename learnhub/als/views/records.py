"""The facilitator's session record and the notes access log."""

from datetime import UTC, datetime

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from learnhub.accounts.models import User
from learnhub.als import access
from learnhub.als.forms import EXTRA_ACTION_ROWS, record_form_class
from learnhub.als.models import AlsAction, AlsNoteAccess, AlsSession
from learnhub.als.services import participation, programmes, records, reporting
from learnhub.als.services.common import AlsError
from learnhub.als.views import bp
from learnhub.extensions import db
from learnhub.params import arg_int

NOTE_ACCESS_PAGE_SIZE = 100


@bp.route("/sessions/<int:session_id>/record", methods=["GET", "POST"])
@login_required
def record(session_id: int):  # type: ignore[no-untyped-def]
    """The facilitator records attendance, presenters, themes, notes, actions and the review of earlier actions.

    Opening the form is not a notes read (the access log lists reads of the session page); a
    refused save shows the form again with everything that was typed.
    """
    session = access.get_session_for(current_user, session_id, access.RECORD)
    if session.status == AlsSession.CANCELLED:
        flash("This session was cancelled, so there is nothing to record.", "error")
        return redirect(url_for("als.session_detail", session_id=session.id))
    members = records.group_members(session.group)
    themes = programmes.hub_themes(session.group.programme.hub_id)
    reviews = records.open_actions_for_review(session)
    existing_actions = list(
        db.session.scalars(select(AlsAction).where(AlsAction.session_id == session.id).order_by(AlsAction.position))
    )
    used_rows = max((a.position for a in existing_actions), default=0)
    rows = max(session.group.programme.presenter_slots, used_rows) + EXTRA_ACTION_ROWS
    rules_here = records.may_record_ground_rules(session)
    form_class = record_form_class(members, themes, reviews, rows, current_user.id, ground_rules=rules_here)
    form = form_class()
    if request.method == "GET":
        _prefill(form, session, existing_actions, reviews)
    if form.validate_on_submit():
        data = records.SessionRecord(
            attendance={u.id: form[f"attendance_{u.id}"].data for u in members},
            presenters=[int(p) for p in form.presenters.data or []],
            theme_ids=[int(t) for t in form.themes.data or []],
            notes=form.notes.data,
            actions=[
                records.ActionInput(
                    int(form[f"action_{i}_owner"].data),
                    form[f"action_{i}_text"].data,
                    form[f"action_{i}_shared"].data,
                    position=i + 1,
                )
                for i in range(rows)
                if form[f"action_{i}_owner"].data
            ],
            ground_rules=(form.ground_rules.data or "") if rules_here else None,
            reviews=[
                records.ReviewInput(a.id, form[f"review_{a.id}_outcome"].data or "", form[f"review_{a.id}_reflection"].data or "")
                for a in reviews
            ],
        )
        try:
            edit = records.record_session(current_user, session, data)
        except AlsError as error:
            flash(str(error), "error")
        else:
            flash("The session record has been updated." if edit else "The session has been recorded.", "success")
            return redirect(url_for("als.session_detail", session_id=session.id))
    facilitated_ids = {s.id for s in participation.facilitated_sessions(current_user)}
    return render_template(
        "als/record.html",
        session=session,
        form=form,
        members=members,
        rows=rows,
        reviews=reviews,
        readable_review={a.id for a in reviews if a.shared or a.session_id in facilitated_ids},
        suggested=records.presenter_suggestion(session),
        bidders=[b.user for b in session.bids],
        now=datetime.now(UTC),
    )


def _prefill(form, session: AlsSession, actions: list[AlsAction], reviews: list[AlsAction]) -> None:  # type: ignore[no-untyped-def]
    for a in session.attendance:
        if f"attendance_{a.user_id}" in form:
            form[f"attendance_{a.user_id}"].data = a.status
    form.presenters.data = [str(p.user_id) for p in session.presenters]
    form.themes.data = [str(t.id) for t in session.themes]
    if session.note:
        form.notes.data = session.note.text
    if "ground_rules" in form:
        form.ground_rules.data = session.group.ground_rules
    for a in actions:
        i = a.position - 1
        form[f"action_{i}_owner"].data = str(a.owner_id)
        form[f"action_{i}_text"].data = a.text
        form[f"action_{i}_shared"].data = a.shared
    for a in reviews:
        if a.reviewed_session_id == session.id:
            form[f"review_{a.id}_outcome"].data = a.outcome
            form[f"review_{a.id}_reflection"].data = a.reflection


@bp.get("/groups/<int:group_id>/note-access")
@login_required
def note_access_log(group_id: int):  # type: ignore[no-untyped-def]
    """Who read this group's confidential notes, and when: for the group's facilitators only (404 otherwise)."""
    group = access.get_group_for_facilitator(current_user, group_id)
    page = arg_int("page", default=1, minimum=1, maximum=100_000).value or 1
    reads = db.paginate(
        select(AlsNoteAccess)
        .join(AlsSession, AlsNoteAccess.session_id == AlsSession.id)
        .where(AlsSession.group_id == group.id)
        .order_by(AlsNoteAccess.accessed_at.desc(), AlsNoteAccess.id.desc()),
        page=page,
        per_page=NOTE_ACCESS_PAGE_SIZE,
        error_out=False,
    )
    sessions = {s.id: s for s in group.sessions}
    readers = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_({r.user_id for r in reads.items})))}
    rows = [(r, sessions[r.session_id], readers.get(r.user_id)) for r in reads.items]
    return render_template("als/note_access.html", group=group, reads=reads, rows=rows)


@bp.get("/groups/<int:group_id>/report")
@login_required
def cohort_report(group_id: int):  # type: ignore[no-untyped-def]
    """Attendance and presentations per member: for the set's facilitators only (404 otherwise)."""
    group = access.get_group_for_facilitator(current_user, group_id)
    return render_template("als/cohort_report.html", group=group, rows=reporting.cohort_report(group))
