"""Erasure removes the person's name from free text others wrote about them.

After erasure the public verify page used to show "Reason: Dr James Whitaker asked us to
withdraw it"; set notes and the audit log kept the name too.
"""

import pytest
from sqlalchemy import select

from learnhub.accounts.models import User
from learnhub.als.models import AlsAction, AlsNote
from learnhub.audit import AuditEvent
from learnhub.certificates.models import Certificate
from learnhub.extensions import db
from learnhub.privacy.erasure import erase_user
from learnhub.privacy.names import name_variants, scrub_name
from tests.als.conftest import build_world, world  # noqa: F401
from tests.als.test_confidentiality import record_data
from tests.certificates.fixtures import completion_for, course_for, issue  # noqa: F401
from tests.courses.conftest import make_course  # noqa: F401
from tests.helpers import assert_redirect

NAME = "Dr James Whitaker"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Dr James Whitaker asked us to withdraw it", "[name removed] asked us to withdraw it"),
        ("as james  whitaker said", "as [name removed] said"),
        ("Dr. Whitaker and Mr Whitaker", "[name removed] and [name removed]"),
        ("write to jw@example.org", "write to [name removed]"),
        ("James said it went well; Whitakers Ltd", "James said it went well; Whitakers Ltd"),
    ],
)
def test_scrub_name(text, expected):
    assert scrub_name(text, name_variants(NAME, "jw@example.org")) == expected


def test_a_revocation_reason_naming_the_person_is_gone_from_the_verify_page(app, client, make_hub, make_user, issue):  # noqa: F811
    from learnhub.certificates.services import revoke_certificate

    hub = make_hub()
    admin = make_user(hub_id=hub, hub_role="hub_admin")
    make_user(hub_id=hub, hub_role="hub_admin")  # a second admin: the hub keeps one
    person = make_user("jw@example.org", hub_id=hub, name=NAME)
    cert_id = issue(person)
    with app.test_request_context():
        actor = db.session.get(User, admin)
        cert = db.session.get(Certificate, cert_id)
        revoke_certificate(actor, cert, "Dr James Whitaker asked us to withdraw it after a complaint")
        db.session.commit()
        code = cert.code
    page = client.get(f"/verify/{code}", follow_redirects=True).get_data(as_text=True)
    assert "Whitaker" in page  # before erasure: the reason names him

    with app.test_request_context():
        erase_user(db.session.get(User, admin), db.session.get(User, person))
        db.session.commit()  # services never commit; the request would
    page = client.get(f"/verify/{code}", follow_redirects=True).get_data(as_text=True)
    assert "Whitaker" not in page
    assert "James" not in page
    with app.app_context():
        for event in db.session.scalars(select(AuditEvent)):
            assert "Whitaker" not in str(event.details), event.action


def test_set_notes_keep_their_text_but_lose_the_persons_name(app, client, auth, world):  # noqa: F811
    group = world.groups[0]
    session_id = world.sessions[group][0]
    member = world.members[group][0]
    with app.app_context():
        person = db.session.get(User, member)
        person.name = NAME
        db.session.commit()
        facilitator = world.facilitator_of(session_id)
    auth.login_as(facilitator)
    data = record_data(
        world, group, notes="James Whitaker led a good discussion on boundaries.", action="Ask Dr Whitaker's supervisor for time"
    )
    assert_redirect(client.post(f"/als/sessions/{session_id}/record", data=data))
    with app.test_request_context():
        erase_user(db.session.get(User, world.admin), db.session.get(User, member))
        db.session.commit()  # services never commit; the request would
    with app.app_context():
        note = db.session.scalar(select(AlsNote).where(AlsNote.session_id == session_id))
        assert note.text == "[name removed] led a good discussion on boundaries."
        assert db.session.scalar(select(AlsAction).where(AlsAction.session_id == session_id)) is None  # theirs: deleted


def test_notes_the_person_wrote_as_facilitator_are_kept_without_their_name(app, client, auth, world):  # noqa: F811
    group = world.groups[0]
    session_id = world.sessions[group][0]
    with app.app_context():
        facilitator = world.facilitator_of(session_id)
    auth.login_as(facilitator)
    assert_redirect(client.post(f"/als/sessions/{session_id}/record", data=record_data(world, group)))
    with app.test_request_context():
        erase_user(db.session.get(User, world.admin), db.session.get(User, facilitator))
        db.session.commit()  # services never commit; the request would
    with app.app_context():
        note = db.session.scalar(select(AlsNote).where(AlsNote.session_id == session_id))
        assert note.text == "We explored role clarity and practised open questions."
        assert db.session.get(User, note.author_id).name == "Erased person"
