"""A member's or facilitator's own view: their sets, sessions, bids, apologies and calendar."""

from datetime import UTC, datetime

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from learnhub.als import access
from learnhub.als.calendar import sessions_calendar
from learnhub.als.forms import ButtonForm, ParticipationForm, UnavailableForm
from learnhub.als.models import AlsFacilitator, AlsSession
from learnhub.als.services import participation, planning, records
from learnhub.als.services.common import AlsError
from learnhub.als.views import bp
from learnhub.extensions import db
from learnhub.urls import external_url, public_host


@bp.get("/")
@login_required
def mine():  # type: ignore[no-untyped-def]
    """The signed-in person's groups, coming sessions, actions, bids and CPD minutes."""
    memberships = participation.memberships(current_user, with_groups=True)
    upcoming = participation.upcoming_sessions_for(current_user)
    facilitated = participation.facilitated_sessions(current_user)
    bid_ids = {b.session_id for b in participation.own_bids(current_user)}
    feed_url = None
    if memberships or facilitated:
        # The one row a GET may create, with an upsert: sixteen first visits at once share one token.
        feed_url = external_url("als.feed", token=participation.calendar_token(current_user))
    return render_template(
        "als/mine.html",
        memberships=memberships,
        upcoming=upcoming,
        past=participation.past_sessions_for(current_user),
        facilitated=facilitated,
        actions=participation.own_actions(current_user),
        bid_ids=bid_ids,
        cpd_minutes=participation.cpd_minutes(current_user),
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
        "als/facilitating.html",
        sessions=participation.facilitated_sessions(current_user),
        pools=pools,
        now=datetime.now(UTC),
    )


@bp.route("/facilitating/<int:facilitator_id>/unavailable", methods=["GET", "POST"])
@login_required
def my_unavailable(facilitator_id: int):  # type: ignore[no-untyped-def]
    """Facilitators declare days they cannot facilitate."""
    entry = access.get_own_pool_entry(current_user, facilitator_id)
    form = UnavailableForm()
    if form.validate_on_submit():
        planning.add_unavailability(current_user, entry, form.first_day.data, form.last_day.data)
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
    record = records.read_session_record(current_user, session) if session.status == AlsSession.HELD else None
    return render_template(
        "als/session.html",
        session=session,
        record=record,
        is_facilitator=access.facilitates(current_user, session.id),
        is_member=access.member_may_see(current_user, session),
        bidding=any(b.user_id == current_user.id for b in session.bids),
        apologising=any(a.user_id == current_user.id and a.status == "apologies" for a in session.attendance),
        form=ParticipationForm(),
        now=datetime.now(UTC),
    )


#: What the member is told after each choice (the same whether or not a twin request got there first).
PARTICIPATION_MESSAGES = {
    (participation.BID, True): "You have bid for time at this session.",
    (participation.BID, False): "Your bid has been withdrawn.",
    (participation.APOLOGIES, True): "Your apologies have been sent.",
    (participation.APOLOGIES, False): "Your apologies have been withdrawn.",
}


def _participate(session_id: int, kind: str):  # type: ignore[no-untyped-def]
    """Bid or apologies: one mechanism, for the set's members only (access.PARTICIPATE)."""
    session = access.get_session_for(current_user, session_id, access.PARTICIPATE)
    form = ParticipationForm()
    if form.validate_on_submit():
        wanted = form.wanted.data == "yes"
        try:
            participation.set_participation(current_user, session, kind, wanted)
        except AlsError as error:
            flash(str(error), "error")
        else:
            flash(PARTICIPATION_MESSAGES[kind, wanted], "success")
    return redirect(url_for("als.session_detail", session_id=session.id))


@bp.post("/sessions/<int:session_id>/bid")
@login_required
def bid(session_id: int):  # type: ignore[no-untyped-def]
    """Bid for presenting time at a coming session, or withdraw the bid."""
    return _participate(session_id, participation.BID)


@bp.post("/sessions/<int:session_id>/apologies")
@login_required
def apologies(session_id: int):  # type: ignore[no-untyped-def]
    """Send apologies for a coming session (the rotation then skips you), or take them back."""
    return _participate(session_id, participation.APOLOGIES)


@bp.get("/sessions/<int:session_id>/calendar.ics")
@login_required
def session_ics(session_id: int):  # type: ignore[no-untyped-def]
    """Download one session as a calendar file."""
    session = access.get_session_for(current_user, session_id, access.VIEW)
    body = sessions_calendar([session], name="Action learning set", url_for_session=_session_url, host=public_host())
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="als-session-{session.id}.ics"'},
    )


@bp.get("/calendar/<token>.ics")
def feed(token: str):  # type: ignore[no-untyped-def]
    """A person's calendar feed: the secret token in the address is the only credential."""
    user = participation.user_for_calendar_token(token)
    if user is None or not user.active:
        abort(404)
    sessions = participation.upcoming_sessions_for(user)
    body = sessions_calendar(sessions, name="Action learning sets", url_for_session=_session_url, host=public_host())
    return Response(body, mimetype="text/calendar", headers={"Cache-Control": "private, max-age=900"})


@bp.post("/calendar/reset")
@login_required
def reset_feed():  # type: ignore[no-untyped-def]
    """Give the signed-in person a new feed address; the old one stops working."""
    if ButtonForm().validate_on_submit():
        participation.reset_calendar_token(current_user)
        flash("Your calendar address has changed. Add the new one to your calendar app.", "success")
    return redirect(url_for("als.mine"))


def _session_url(session: AlsSession) -> str:
    return external_url("als.session_detail", session_id=session.id)
