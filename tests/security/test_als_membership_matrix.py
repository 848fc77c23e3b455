"""ALS membership rules as a second authorisation table (issue 12), generated from ``app.url_map``.

Two more kinds of user against the recorded session 1 of group A (and group A itself):

- ``late``: a member who joined group A after session 1 was held (they see later sessions only);
- ``adminmem``: hub A's administrator holding a membership of group A (someone promoted while a
  member; adding an administrator is refused, so the row is made directly): it opens nothing;
- ``adminfac``: session 1's facilitator, promoted to hub administrator (administrators cannot
  join the facilitator pool): their booking opens nothing either.

Every ``als.*`` rule that takes a ``session_id`` or ``group_id`` must have a line here.
"""

from datetime import timedelta

import pytest
from sqlalchemy import select

from learnhub.extensions import db
from learnhub.timeutil import utcnow
from tests.als.test_confidentiality import recorded  # noqa: F401

COLUMNS = ("late", "adminmem", "adminfac")

# fmt: off
POLICY_TEXT = """
# endpoint:             late adminmem adminfac ; (POST, same columns)
als.session_detail:      403 403 403 ;   -   -   -
als.session_ics:         403 403 403 ;   -   -   -
als.record:              403 403 403 ; 403 403 403
als.bid:                   -   -   - ; 403 403 403
als.apologies:             -   -   - ; 403 403 403
als.note_access_log:     404 404 404 ;   -   -   -
als.cohort_report:       404 404 404 ;   -   -   -
als.manage_session:      403 200 200 ; 403 200 200
als.cancel_session:        -   -   - ; 403 302 302
"""
# fmt: on


def _policy() -> dict[str, dict[str, tuple[str, ...]]]:
    policy = {}
    for line in POLICY_TEXT.strip().splitlines():
        if line.lstrip().startswith("#"):
            continue
        endpoint, cells = line.split(":", 1)
        get, post = (part.split() for part in cells.split(";"))
        policy[endpoint.strip()] = {"GET": tuple(get), "POST": tuple(post)}
    return policy


@pytest.fixture
def people(app, world, recorded, make_user):  # type: ignore[no-untyped-def]  # noqa: F811
    from learnhub.als.models import AlsMember

    session_id, facilitator = recorded
    group = world.groups[0]
    late = make_user(hub_id=world.hub, professional_role="splw", name="Late Joiner")
    with app.app_context():
        from learnhub.accounts.models import User

        db.session.get(User, facilitator).hub_role = "hub_admin"
        now = utcnow()
        db.session.add(AlsMember(programme_id=world.programme, user_id=late, group_id=group, joined_group_at=now, sees_from=now))
        # Hub A's administrator, in group A since before it first met.
        before = now - timedelta(days=365)
        db.session.add(AlsMember(programme_id=world.programme, user_id=world.admin, group_id=group, joined_group_at=before))
        db.session.commit()
        assert db.session.scalar(select(AlsMember.id).where(AlsMember.user_id == world.admin)) is not None
    return {"late": late, "adminmem": world.admin, "adminfac": facilitator}, {"session_id": session_id, "group_id": group}


def test_late_joiners_and_administrator_members_are_refused(app, client, auth, people) -> None:  # type: ignore[no-untyped-def]
    users, targets = people
    policy = _policy()
    rules = [
        r for r in app.url_map.iter_rules() if r.endpoint.startswith("als.") and set(r.arguments) & {"session_id", "group_id"}
    ]
    assert {r.endpoint for r in rules} == set(policy), "classify every ALS session/group rule in POLICY_TEXT"
    observed, mismatches = {}, []
    for rule in sorted(rules, key=lambda r: r.endpoint):
        url = rule.build({name: targets[name] for name in rule.arguments}, append_unknown=False)[1]
        for method in ("GET", "POST"):
            row = []
            for column in COLUMNS:
                if method not in rule.methods:
                    row.append("-")
                    continue
                auth.login_as(users[column])
                response = client.get(url) if method == "GET" else client.post(url)
                row.append(str(response.status_code))
                if "We explored role clarity" in response.get_data(as_text=True):
                    mismatches.append(f"{rule.endpoint} {method} {column}: the notes leaked")
            observed.setdefault(rule.endpoint, {})[method] = tuple(row)
            if tuple(row) != policy[rule.endpoint][method]:
                mismatches.append(f"{rule.endpoint} {method}: expected {policy[rule.endpoint][method]}, got {tuple(row)}")
    assert mismatches == [], "\n".join(mismatches) + f"\nobserved: {observed}"
