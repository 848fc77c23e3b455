"""Changes after planning show on the schedule, and "Plan facilitators" fixes exactly those (issue 16)."""

from sqlalchemy import select

from learnhub.als.models import AlsFacilitation, AlsFacilitator, AlsSession
from learnhub.als.services import common
from learnhub.extensions import db
from tests.helpers import assert_redirect


def _bookings(app):  # type: ignore[no-untyped-def]
    with app.app_context():
        return {(f.session_id, f.role): f.user_id for f in db.session.scalars(select(AlsFacilitation))}


def test_unavailability_after_planning_needs_cover_until_replanned(world, client, auth, app):
    group = world.groups[0]
    target = world.sessions[group][2]
    with app.app_context():
        lead = world.facilitator_of(target)
        entry = db.session.scalar(select(AlsFacilitator.id).where(AlsFacilitator.user_id == lead))
        day = common.to_local(db.session.get(AlsSession, target).starts_at).date()
    before = _bookings(app)
    auth.login_as(world.admin)
    url = f"/als/programmes/{world.programme}"
    assert "Needs cover" not in client.get(url).get_data(as_text=True)
    response = client.post(
        f"{url}/facilitators/{entry}/unavailable", data={"first_day": day.isoformat(), "last_day": day.isoformat()}
    )
    assert_redirect(response)
    page = client.get(url).get_data(as_text=True)
    assert "1 coming session needs a facilitator" in page
    assert page.count("Needs cover") == 1
    page = client.post(f"{url}/plan", follow_redirects=True).get_data(as_text=True)
    assert "Every coming session has a facilitator" in page
    assert "Needs cover" not in page
    after = _bookings(app)
    assert after[(target, "lead")] not in (None, lead)
    assert {k: v for k, v in after.items() if k[0] != target} == {k: v for k, v in before.items() if k[0] != target}


def test_plan_facilitators_without_a_schedule_says_there_are_no_sessions(build_world, client, auth):
    world = build_world(schedule=False)
    auth.login_as(world.admin)
    page = client.post(f"/als/programmes/{world.programme}/plan", follow_redirects=True).get_data(as_text=True)
    assert "There are no sessions to plan yet" in page
    assert "Every coming session has a facilitator" not in page


def test_coming_sessions_name_the_programme(world, client, auth):
    auth.login_as(world.members[world.groups[0]][0])
    page = client.get("/als/").get_data(as_text=True)
    assert 'class="nhsuk-table__header">Programme</th>' in page
    assert page.count("Test programme") >= 3  # the set heading and each coming session


def test_withdraw_shows_a_confirmation_listing_the_coming_sessions_first(world, client, auth, app):
    from datetime import UTC, datetime

    group = world.groups[0]
    target = world.sessions[group][2]
    with app.app_context():
        person = world.facilitator_of(target)
        entry = db.session.scalar(select(AlsFacilitator.id).where(AlsFacilitator.user_id == person))
        coming = db.session.scalars(
            select(AlsSession)
            .join(AlsFacilitation)
            .where(AlsFacilitation.user_id == person, AlsSession.starts_at > datetime.now(UTC))
        ).all()
        expected = [f"{s.group.name}, session {s.sequence}" for s in coming]
    auth.login_as(world.admin)
    url = f"/als/programmes/{world.programme}/facilitators/{entry}/withdraw"
    page = client.get(url)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "from the pool?" in text
    for label in expected:
        assert label in text
    with app.app_context():
        assert db.session.get(AlsFacilitator, entry).active  # looking is not withdrawing
    assert_redirect(client.post(url))
    with app.app_context():
        assert not db.session.get(AlsFacilitator, entry).active


def test_moving_a_session_onto_a_bank_holiday_warns_and_asks_to_confirm(world, client, auth, app):
    from datetime import date, time, timedelta

    import holidays

    with app.app_context():
        session = db.session.get(AlsSession, world.sessions[world.groups[0]][2])
        end = session.group.programme.end_date
        before = session.starts_at
    today = date.today()
    day = next(
        d
        for d in sorted(holidays.UK(subdiv="ENG", years=[today.year, today.year + 1]))
        if today + timedelta(days=1) < d < end and d.weekday() < 5
    )
    auth.login_as(world.admin)
    url = f"/als/sessions/{world.sessions[world.groups[0]][2]}/manage"
    data = {"new_date": day.isoformat(), "new_time": "14:00"}
    page = client.post(url, data=data)
    assert page.status_code == 200
    assert "is a bank holiday" in page.get_data(as_text=True)
    assert "Move the session anyway" in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(AlsSession, world.sessions[world.groups[0]][2]).starts_at == before
    data["confirmed"] = common.local_start(day, time(14, 0)).isoformat()
    assert_redirect(client.post(url, data=data))
    with app.app_context():
        assert common.to_local(db.session.get(AlsSession, world.sessions[world.groups[0]][2]).starts_at).date() == day


def test_moving_a_session_onto_a_weekend_warns(world, client, auth, app):
    from datetime import date, timedelta

    with app.app_context():
        end = db.session.get(AlsSession, world.sessions[world.groups[0]][2]).group.programme.end_date
    day = date.today() + timedelta(days=2)
    while day.weekday() != 5:
        day += timedelta(days=1)
    assert day < end
    auth.login_as(world.admin)
    page = client.post(
        f"/als/sessions/{world.sessions[world.groups[0]][2]}/manage", data={"new_date": day.isoformat(), "new_time": "10:00"}
    )
    assert "is a weekend" in page.get_data(as_text=True)


def test_a_withdrawal_can_be_undone_while_nothing_has_been_replanned_since(world, client, auth, app):
    """An admin who withdrew the wrong facilitator puts them back with exactly their sessions;
    a second click changes nothing; once a re-plan has touched those sessions, undo is refused
    with the sessions named and nothing changes."""
    group = world.groups[0]
    target = world.sessions[group][2]
    with app.app_context():
        person = world.facilitator_of(target)
        entry = db.session.scalar(select(AlsFacilitator.id).where(AlsFacilitator.user_id == person))
    before = _bookings(app)
    auth.login_as(world.admin)
    pool = f"/als/programmes/{world.programme}/facilitators"
    assert "Undo withdrawal" not in client.get(pool).get_data(as_text=True)
    client.post(f"{pool}/{entry}/withdraw")
    assert _bookings(app) != before
    page = client.get(pool).get_data(as_text=True)
    assert "Undo withdrawal" in page
    response = client.post(f"{pool}/{entry}/undo-withdrawal", follow_redirects=True)
    assert "is back in the pool" in response.get_data(as_text=True)
    assert _bookings(app) == before
    with app.app_context():
        assert db.session.get(AlsFacilitator, entry).active
    # A double click (or the other tab): nothing more happens.
    again = client.post(f"{pool}/{entry}/undo-withdrawal", follow_redirects=True).get_data(as_text=True)
    assert "is in the facilitator pool" in again
    assert _bookings(app) == before

    # Withdraw again, then something re-plans one of the freed sessions: undo is refused.
    client.post(f"{pool}/{entry}/withdraw")
    after_withdrawal = _bookings(app)
    with app.app_context():
        changes = db.session.get(AlsFacilitator, entry).withdrawal["changes"]
        session_id = next(c["session"] for c in changes if c["after"][0] is not None)
        db.session.execute(
            AlsFacilitation.__table__.delete().where(AlsFacilitation.session_id == session_id)
        )  # the session lost its cover since (e.g. another withdrawal)
        db.session.commit()
    refused = client.post(f"{pool}/{entry}/undo-withdrawal", follow_redirects=True).get_data(as_text=True)
    assert "cannot be undone" in refused
    assert "Error:" in refused.split("</title>")[0]
    with app.app_context():
        assert not db.session.get(AlsFacilitator, entry).active
    assert {k: v for k, v in _bookings(app).items()} == {k: v for k, v in after_withdrawal.items() if k[0] != session_id}
    assert "Undo withdrawal" not in client.get(pool).get_data(as_text=True)


def test_the_schedule_says_which_sessions_a_bank_holiday_moved_and_why(build_world, client, auth, app):
    from datetime import date, timedelta

    from learnhub.accounts.models import User
    from learnhub.als.models import AlsProgramme
    from learnhub.als.services import planning

    world = build_world(schedule=False)
    with app.app_context():
        programme = db.session.get(AlsProgramme, world.programme)
        # Set 1 starts on Thursday 24 December 2026, set 2 a day later: Christmas Day.
        programme.start_date = date(2026, 12, 24)
        programme.end_date = programme.start_date + timedelta(weeks=30)
        planning.generate_schedule(db.session.get(User, world.admin), programme)
        db.session.commit()
        moved = db.session.scalars(select(AlsSession).where(AlsSession.planned_on.is_not(None))).all()
        assert [(s.planned_on, common.to_local(s.starts_at).date()) for s in moved if s.sequence == 1] == [
            (date(2026, 12, 25), date(2026, 12, 29))  # past the weekend and the Boxing Day holiday
        ]
        moved_id = next(s.id for s in moved if s.sequence == 1)
        unmoved = db.session.scalar(select(AlsSession).where(AlsSession.planned_on.is_(None), AlsSession.sequence == 1))
        unmoved_label = f"{unmoved.group.name} ({unmoved.sequence})"
    auth.login_as(world.admin)
    page = client.get(f"/als/programmes/{world.programme}").get_data(as_text=True)
    assert "Moved from Fri 25 Dec 2026: Friday 25 December 2026 is a bank holiday (Christmas Day)" in page
    assert page.count("Moved from") == len(moved)
    assert unmoved_label in page
    # Moved again by hand, the bank holiday no longer explains its date.
    from datetime import UTC, datetime, time

    with app.app_context():
        session = db.session.get(AlsSession, moved_id)
        planning.move_session(
            db.session.get(User, world.admin),
            session,
            common.local_start(date(2027, 1, 5), time(10, 0)),
            now=datetime(2026, 12, 20, tzinfo=UTC),
        )
        db.session.commit()
        assert db.session.get(AlsSession, moved_id).planned_on is None


def _coming_sessions_of(app, person: int) -> set[int]:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    with app.app_context():
        return set(
            db.session.scalars(
                select(AlsSession.id)
                .join(AlsFacilitation)
                .where(AlsFacilitation.user_id == person, AlsSession.starts_at > datetime.now(UTC))
            )
        )


def _needs_cover_then_plan(client, app, world, expected: set[int], before: dict) -> None:  # type: ignore[no-untyped-def]
    """The schedule marks exactly ``expected`` in red; Plan facilitators covers them and changes no
    other booking (``before``: the bookings after the change)."""
    url = f"/als/programmes/{world.programme}"
    page = client.get(url).get_data(as_text=True)
    assert page.count("nhsuk-tag--red app-needs-cover") == len(expected)
    with app.app_context():
        from learnhub.als.models import AlsProgramme
        from learnhub.als.services import planning

        assert planning.sessions_needing_cover(db.session.get(AlsProgramme, world.programme)) == expected
    page = client.post(f"{url}/plan", follow_redirects=True).get_data(as_text=True)
    assert "Every coming session has a facilitator" in page
    assert "app-needs-cover" not in page
    after = _bookings(app)
    assert {k: v for k, v in after.items() if k[0] not in expected} == {k: v for k, v in before.items() if k[0] not in expected}
    assert all(after.get((sid, "lead")) is not None for sid in expected)


def test_an_erased_facilitator_s_coming_sessions_need_cover_until_replanned(world, client, auth, app):
    from learnhub.accounts.models import User
    from learnhub.privacy.erasure import erase_user

    person = world.facilitators[0]
    coming = _coming_sessions_of(app, person)
    assert coming
    with app.app_context():
        erase_user(db.session.get(User, world.admin), db.session.get(User, person))
        db.session.commit()
    before = _bookings(app)  # erasure itself removes their bookings of sessions not held
    auth.login_as(world.admin)
    _needs_cover_then_plan(client, app, world, coming, before)
    assert not _coming_sessions_of(app, person)


def test_a_facilitator_who_joins_the_set_as_a_member_is_taken_off_its_coming_sessions(world, client, auth, app):
    from learnhub.accounts.models import User
    from learnhub.als.models import AlsGroup, AlsMember
    from learnhub.als.services import programmes

    group = world.groups[0]
    person = world.facilitators[0]
    with app.app_context():
        in_set = {s for s in _coming_sessions_of(app, person) if s in world.sessions[group]}
    assert in_set, "the facilitator should lead some of the set's coming sessions"
    with app.app_context():
        member = AlsMember(programme_id=world.programme, user_id=person)
        db.session.add(member)
        db.session.flush()
        programmes.set_member_group(db.session.get(User, world.admin), member, db.session.get(AlsGroup, group))
        db.session.commit()
    before = _bookings(app)
    auth.login_as(world.admin)
    _needs_cover_then_plan(client, app, world, in_set, before)
    assert not _coming_sessions_of(app, person) & set(world.sessions[group])


def test_a_session_moved_onto_its_facilitator_s_other_session_needs_cover_until_replanned(world, client, auth, app):
    from datetime import timedelta

    from learnhub.accounts.models import User
    from learnhub.als.services import planning

    target = world.sessions[world.groups[0]][2]
    with app.app_context():
        person = world.facilitator_of(target)
        other = next(s for s in world.sessions[world.groups[1]][1:] if world.facilitator_of(s) == person)
        when = db.session.get(AlsSession, other).starts_at + timedelta(minutes=30)
    with app.app_context():
        planning.move_session(db.session.get(User, world.admin), db.session.get(AlsSession, target), when)
        db.session.commit()
    before = _bookings(app)
    auth.login_as(world.admin)
    _needs_cover_then_plan(client, app, world, {target}, before)
    assert _bookings(app)[(target, "lead")] != person


def test_every_page_that_names_a_set_names_its_programme(world, client, auth, app):
    """A facilitator of one programme may be a member of another: "Set A" alone is ambiguous."""
    from learnhub.als.models import AlsGroup

    group = world.groups[0]
    held, coming = world.sessions[group][0], world.sessions[group][1]
    with app.app_context():
        set_name = db.session.get(AlsGroup, group).name
        lead = world.facilitator_of(held)
    auth.login_as(lead)
    for path in ("/als/facilitating", f"/als/sessions/{held}", f"/als/sessions/{held}/record", f"/als/groups/{group}/report"):
        page = client.get(path).get_data(as_text=True)
        assert set_name in page, path
        assert "Test programme" in page, path
    auth.login_as(world.members[group][0])
    ics = client.get(f"/als/sessions/{coming}/calendar.ics").get_data(as_text=True)
    summary = next(line for line in ics.splitlines() if line.startswith("SUMMARY"))
    assert set_name in summary
    assert "Test programme" in summary


def test_moving_a_session_onto_its_own_set_s_day_or_its_facilitator_s_other_session_warns(world, client, auth, app):
    from datetime import timedelta

    from learnhub.accounts.models import User
    from learnhub.als.models import AlsGroup

    group = world.groups[0]
    target, sibling = world.sessions[group][2], world.sessions[group][1]
    with app.app_context():
        person = world.facilitator_of(target)
        other = next(s for s in world.sessions[world.groups[1]][1:] if world.facilitator_of(s) == person)
        set_name = db.session.get(AlsGroup, group).name
        other_set = db.session.get(AlsSession, other).group.name
        name = db.session.get(User, person).name
        sibling_day = common.to_local(db.session.get(AlsSession, sibling).starts_at)
        clash = common.to_local(db.session.get(AlsSession, other).starts_at) + timedelta(minutes=30)
        before = db.session.get(AlsSession, target).starts_at
    auth.login_as(world.admin)
    url = f"/als/sessions/{target}/manage"
    later = sibling_day + timedelta(hours=4)
    page = client.post(url, data={"new_date": later.date().isoformat(), "new_time": later.strftime("%H:%M")})
    text = page.get_data(as_text=True)
    assert f"{set_name} already meets that day (session 2)" in text
    assert "Move the session anyway" in text
    page = client.post(url, data={"new_date": clash.date().isoformat(), "new_time": clash.strftime("%H:%M")})
    text = page.get_data(as_text=True)
    assert f"{name} facilitates Test programme, {other_set} at that time" in text
    with app.app_context():
        assert db.session.get(AlsSession, target).starts_at == before  # nothing moved without confirming
