"""Who counts as a member of a set, and from when (issue 12: ALS notes).

* hub and site administrators are never members of their own hub's sets;
* joining a set that has already met opens only the sessions from the join on;
* a member can be removed from a set (not only moved), and the removal is audited.
"""

import io

from sqlalchemy import func, select

from learnhub.accounts.models import User
from learnhub.als.models import AlsMember
from learnhub.audit import Action, AuditEvent
from learnhub.extensions import db
from tests.als.test_confidentiality import recorded  # noqa: F401
from tests.helpers import assert_redirect

NOTE = "We explored role clarity"


def _member_row(app, user_id):  # type: ignore[no-untyped-def]
    with app.app_context():
        return db.session.scalar(select(AlsMember).where(AlsMember.user_id == user_id))


def test_hub_admin_cannot_add_themselves_as_a_member_even_with_an_eligible_role(world, client, auth, app):
    with app.app_context():
        admin = db.session.get(User, world.admin)
        admin.professional_role = "splw"  # the profile role is the person's own to change
        email = admin.email
        db.session.commit()
    auth.login_as(world.admin)
    page = client.post(f"/als/programmes/{world.programme}/members", data={"member-email": email})
    assert page.status_code == 200
    assert "is an administrator of your hub, who cannot be a member of its sets" in page.get_data(as_text=True)
    assert _member_row(app, world.admin) is None


def test_members_csv_refuses_administrators_of_the_hub(world, client, auth, app):
    with app.app_context():
        admin = db.session.get(User, world.admin)
        admin.professional_role = "splw"
        email = admin.email
        db.session.commit()
    auth.login_as(world.admin)
    page = client.post(
        f"/als/programmes/{world.programme}/members/import",
        data={"csv_file": (io.BytesIO(f"email\n{email}\n".encode()), "members.csv")},
    ).get_data(as_text=True)
    assert "who cannot be a member of its sets" in page
    assert _member_row(app, world.admin) is None


def test_member_promoted_to_hub_admin_reads_nothing_of_the_set(world, recorded, client, auth, app):  # noqa: F811
    session_id, _ = recorded
    member = world.members[world.groups[0]][0]
    auth.login_as(member)
    assert client.get(f"/als/sessions/{session_id}").status_code == 200
    with app.app_context():
        db.session.get(User, member).hub_role = "hub_admin"
        db.session.commit()
    response = client.get(f"/als/sessions/{session_id}")
    assert response.status_code == 403
    assert NOTE not in response.get_data(as_text=True)


def test_hub_admin_cannot_join_the_facilitator_pool(world, client, auth, app):
    """The next variant of admin-as-member: a facilitator reads the notes of their sessions."""
    from learnhub.als.models import AlsFacilitator

    with app.app_context():
        email = db.session.get(User, world.admin).email
    auth.login_as(world.admin)
    page = client.post(f"/als/programmes/{world.programme}/facilitators", data={"facilitator-email": email})
    assert page.status_code == 200
    assert "is an administrator of your hub, who cannot facilitate its sets" in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(AlsFacilitator.id).where(AlsFacilitator.user_id == world.admin)) is None


def test_facilitator_promoted_to_admin_reads_no_notes_and_needs_cover(world, recorded, client, auth, app):  # noqa: F811
    from learnhub.als.models import AlsFacilitation
    from learnhub.als.services import planning

    session_id, facilitator = recorded
    group = world.groups[0]
    auth.login_as(facilitator)
    assert NOTE in client.get(f"/als/sessions/{session_id}").get_data(as_text=True)
    assert client.get(f"/als/groups/{group}/note-access").status_code == 200
    with app.app_context():
        db.session.get(User, facilitator).hub_role = "hub_admin"
        db.session.commit()
        coming = db.session.scalars(
            select(AlsFacilitation.session_id).where(
                AlsFacilitation.user_id == facilitator, AlsFacilitation.session_id != session_id
            )
        ).all()
    response = client.get(f"/als/sessions/{session_id}")
    assert response.status_code == 403
    assert NOTE not in response.get_data(as_text=True)
    assert client.get(f"/als/sessions/{session_id}/record").status_code == 403
    assert client.get(f"/als/groups/{group}/note-access").status_code == 404
    assert client.get(f"/als/groups/{group}/report").status_code == 404
    with app.app_context():
        from learnhub.als.models import AlsProgramme

        programme = db.session.get(AlsProgramme, world.programme)
        cover = planning.sessions_needing_cover(programme)
        assert coming
        assert cover >= set(coming)


def test_late_joiner_never_reads_sessions_held_before_they_joined(world, recorded, client, auth, app, make_user):  # noqa: F811
    session_id, _ = recorded
    group = world.groups[0]
    later_session = world.sessions[group][1]
    newcomer = make_user(hub_id=world.hub, professional_role="splw", name="Late Joiner", email="late@example.org")
    auth.login_as(world.admin)
    url = f"/als/programmes/{world.programme}"
    assert_redirect(client.post(f"{url}/members", data={"member-email": "late@example.org"}))
    member = _member_row(app, newcomer)
    # The set has met (session 1 is recorded): moving someone in is a late join.
    response = client.post(f"{url}/members/{member.id}/group", data={f"m{member.id}-group_id": str(group)})
    assert_redirect(response)
    member = _member_row(app, newcomer)
    assert member.group_id == group
    assert member.joined_group_at is not None
    assert member.sees_from == member.joined_group_at

    auth.login_as(newcomer)
    earlier = client.get(f"/als/sessions/{session_id}")
    assert earlier.status_code == 403
    assert NOTE not in earlier.get_data(as_text=True)
    assert "Ask for protected admin time" not in earlier.get_data(as_text=True)
    assert client.get(f"/als/sessions/{session_id}/calendar.ics").status_code == 403
    home = client.get("/als/").get_data(as_text=True)
    assert f"/als/sessions/{session_id}" not in home  # not even listed among past sessions
    assert client.get(f"/als/sessions/{later_session}").status_code == 200
    assert_redirect(client.post(f"/als/sessions/{later_session}/bid", data={"wanted": "yes"}))


def test_founding_members_see_the_whole_set(world, recorded, client, auth, app):  # noqa: F811
    session_id, _ = recorded
    member = world.members[world.groups[0]][0]
    assert _member_row(app, member).sees_from is None
    auth.login_as(member)
    assert NOTE in client.get(f"/als/sessions/{session_id}").get_data(as_text=True)


def test_member_removed_from_a_set_that_met_loses_access_and_the_removal_is_audited(world, recorded, client, auth, app):  # noqa: F811
    session_id, _ = recorded
    person = world.members[world.groups[0]][1]
    member = _member_row(app, person)
    auth.login_as(world.admin)
    url = f"/als/programmes/{world.programme}"
    # Moving them to "no set" is refused once the set has met: removal is its own, audited step.
    client.post(f"{url}/members/{member.id}/group", data={f"m{member.id}-group_id": ""})
    assert _member_row(app, person).group_id == world.groups[0]
    response = client.post(f"{url}/members/{member.id}/remove")
    assert_redirect(response)
    assert _member_row(app, person).group_id is None
    with app.app_context():
        events = db.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == Action.ALS_MEMBER_REMOVED_FROM_SET)
        )
        assert events == 1
    auth.login_as(person)
    assert client.get(f"/als/sessions/{session_id}").status_code == 404
    assert f"/als/sessions/{session_id}" not in client.get("/als/").get_data(as_text=True)


def test_forbidden_page_is_worded_for_the_reader(world, recorded, client, auth):  # noqa: F811
    session_id, _ = recorded
    auth.login_as(world.admin)
    page = client.get(f"/als/sessions/{session_id}").get_data(as_text=True)
    assert "closed to hub administrators by design" in page
    assert "ask your training hub administrator" not in page
    auth.login_as(world.members[world.groups[0]][0])
    page = client.get(f"/als/sessions/{session_id}/record").get_data(as_text=True)
    assert "ask your training hub administrator" in page


def test_cohort_report_counts_attendance_and_presentations_for_the_sets_facilitators_only(
    world,
    recorded,  # noqa: F811
    client,
    auth,
    app,
):
    import re

    session_id, facilitator = recorded
    group = world.groups[0]
    presenter, away = world.members[group][0], world.members[group][-1]
    with app.app_context():
        names = {uid: db.session.get(User, uid).name for uid in (presenter, away)}
    auth.login_as(facilitator)
    page = client.get(f"/als/groups/{group}/report")
    assert page.status_code == 200
    text = re.sub(r"\s+", " ", page.get_data(as_text=True))

    def row(name: str) -> list[str]:
        cells = re.search(re.escape(name) + r"</td>(.*?)</tr>", text).group(1)
        return re.findall(r">(\d+)</td>", cells)

    # held, present, apologies, absent, presented
    assert row(names[presenter]) == ["1", "1", "0", "0", "1"]
    assert row(names[away]) == ["1", "0", "1", "0", "0"]
    for outsider in (world.admin, world.members[world.groups[1]][0], presenter):
        auth.login_as(outsider)
        assert client.get(f"/als/groups/{group}/report").status_code == 404


def test_when_every_set_is_full_newcomers_wait_and_take_a_freed_place_in_order(build_world, client, auth, app, make_user):
    world = build_world(members_per_group=8)  # two full sets of 8 (the maximum), schedule made
    first = make_user(hub_id=world.hub, professional_role="splw", name="First Waiting", email="w1@example.org")
    second = make_user(hub_id=world.hub, professional_role="splw", name="Second Waiting", email="w2@example.org")
    auth.login_as(world.admin)
    url = f"/als/programmes/{world.programme}"
    page = client.post(f"{url}/members", data={"member-email": "w1@example.org"}, follow_redirects=True)
    assert "Every set is full: First Waiting is on the waiting list." in page.get_data(as_text=True)
    client.post(f"{url}/members", data={"member-email": "w2@example.org"})
    text = client.get(url).get_data(as_text=True)
    assert "Waiting list (2)" in text
    assert text.index("First Waiting, waiting since") < text.index("Second Waiting, waiting since")
    # A member leaves set A; the first in line takes the place.
    leaving = _member_row(app, world.members[world.groups[0]][0])
    client.post(f"{url}/members/{leaving.id}/remove")
    waiting = _member_row(app, first)
    client.post(f"{url}/members/{waiting.id}/group", data={f"m{waiting.id}-group_id": str(world.groups[0])})
    placed = _member_row(app, first)
    assert placed.group_id == world.groups[0]
    assert placed.waiting_since is None
    assert placed.sees_from is not None  # the set has met: they see it from now on
    assert "Waiting list (1)" in client.get(url).get_data(as_text=True)
    assert _member_row(app, second).waiting_since is not None
