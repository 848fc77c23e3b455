"""Each message type, end to end: the service call, the commit, what the loopback SMTP server received.

Nothing confidential is ever in a message: ALS emails name the programme, set, time and place
only; survey emails the survey's name, closing date and a link.
"""

from datetime import timedelta

from icalendar import Calendar

from learnhub.accounts.models import User
from learnhub.als.models import AlsSession
from learnhub.als.services import planning
from learnhub.certificates import services as certificates
from learnhub.certificates.models import Certificate
from learnhub.evaluation.models import POST, PRE, Completion
from learnhub.evaluation.notices import send_survey_emails
from learnhub.extensions import db
from learnhub.notifications.delivery import deliver_due
from learnhub.timeutil import utcnow
from learnhub.transactions import commit
from tests.als.conftest import build_world  # noqa: F401 - fixture
from tests.certificates.fixtures import completion_for, course_for, issue  # noqa: F401 - fixtures
from tests.evaluation.conftest import course_invitees, make_survey  # noqa: F401 - fixtures


def _ics(message):  # type: ignore[no-untyped-def]
    (part,) = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert part.get_param("method") in ("REQUEST", "CANCEL")
    calendar = Calendar.from_ical(part.get_content())
    (event,) = calendar.walk("VEVENT")
    return calendar, event


def _text(message) -> str:  # type: ignore[no-untyped-def]
    return message.get_body(preferencelist=("plain",)).get_content()


# --- certificates --------------------------------------------------------------------------------


def test_course_completed_revoked_reinstated_superseded(app, smtp, make_user, make_hub, issue):  # noqa: F811
    _, inbox = smtp
    hub = make_hub()
    learner = make_user("learner@example.org", hub_id=hub, name="Lee Learner")
    admin = make_user("admin@example.org", hub_id=hub, hub_role="hub_admin")
    cert_id = issue(learner)
    deliver_due(app)  # the fixture commits inside a test request context: cron's run picks it up
    (completed,) = inbox.to("learner@example.org")
    assert completed["Subject"] == "You have completed Supervising ARRS roles in primary care"
    assert "http://localhost/certificates" in _text(completed)
    assert completed["List-Unsubscribe"] is not None

    with app.app_context():
        cert = db.session.get(Certificate, cert_id)
        certificates.revoke_certificate(db.session.get(User, admin), cert, "Attendance was recorded in error")
        db.session.commit()
        revoked = inbox.to("learner@example.org")[-1]
        assert revoked["Subject"] == "Your certificate for Supervising ARRS roles in primary care has been revoked"
        assert "Reason: Attendance was recorded in error" in _text(revoked)
        assert revoked["List-Unsubscribe"] is None  # a service message: cannot be turned off

        certificates.reinstate_certificate(db.session.get(User, admin), cert, "Attendance confirmed by the facilitator")
        db.session.commit()
        reinstated = inbox.to("learner@example.org")[-1]
        assert reinstated["Subject"] == "Your certificate for Supervising ARRS roles in primary care is valid again"
        assert "Reason: Attendance confirmed by the facilitator" in _text(reinstated)

        new = certificates.reissue_certificate(db.session.get(User, admin), cert, "Lee M Learner")
        db.session.commit()
        superseded = inbox.to("learner@example.org")[-1]
        assert superseded["Subject"] == "A new version of your certificate for Supervising ARRS roles in primary care"
        assert new.display_code in _text(superseded)
        assert cert.display_code in _text(superseded)
    assert len(inbox.to("learner@example.org")) == 4


# --- ALS -----------------------------------------------------------------------------------------


def test_session_moved_then_cancelled_updates_the_same_calendar_event(app, smtp, build_world):  # noqa: F811
    _, inbox = smtp
    world = build_world()
    group = world.groups[0]
    session_id = world.sessions[group][2]
    with app.app_context():
        admin = db.session.get(User, world.admin)
        session = db.session.get(AlsSession, session_id)
        members = {db.session.get(User, uid).email for uid in world.members[group]}
        new_start = session.starts_at + timedelta(days=1)
        inbox.received.clear()
        planning.move_session(admin, session, new_start)
        db.session.commit()
        moved = [m for m in inbox.messages if m["Subject"].startswith("Action learning set moved")]
        assert members <= {m["To"] for m in moved}
        calendar, event = _ics(moved[0])
        assert str(calendar["METHOD"]) == "REQUEST"
        assert str(event["UID"]) == f"als-session-{session_id}@localhost"
        assert int(event["SEQUENCE"]) == 1
        assert event.decoded("DTSTART") == new_start
        assert "Test programme" in str(event["SUMMARY"])

        inbox.received.clear()
        planning.cancel_session(admin, db.session.get(AlsSession, session_id))
        db.session.commit()
        cancelled = [m for m in inbox.messages if m["Subject"].startswith("Action learning set cancelled")]
        assert members <= {m["To"] for m in cancelled}
        calendar, event = _ics(cancelled[0])
        assert str(calendar["METHOD"]) == "CANCEL"
        assert str(event["UID"]) == f"als-session-{session_id}@localhost"
        assert int(event["SEQUENCE"]) == 2
        assert str(event["STATUS"]) == "CANCELLED"


def test_facilitator_added_and_withdrawn(app, smtp, build_world, make_user):  # noqa: F811
    _, inbox = smtp
    world = build_world(schedule=True)
    with app.app_context():
        admin = db.session.get(User, world.admin)
        from learnhub.als.models import AlsFacilitator, AlsProgramme

        programme = db.session.get(AlsProgramme, world.programme)
        newcomer = make_user("new.fac@example.org", hub_id=world.hub, hub_role="facilitator", name="New Fac")
        planning.add_facilitator(admin, programme, db.session.get(User, newcomer))
        db.session.commit()
        (added,) = inbox.to("new.fac@example.org")
        assert added["Subject"] == "You are a facilitator for Test programme"

        leaving = db.session.get(User, world.facilitators[0])
        entry = next(f for f in programme.facilitators if f.user_id == leaving.id)
        planning.withdraw_facilitator(admin, db.session.get(AlsFacilitator, entry.id))
        db.session.commit()
        assert inbox.to(leaving.email)[-1]["Subject"] == "You are no longer a facilitator for Test programme"


# --- surveys -------------------------------------------------------------------------------------


def test_survey_invitation_once_reminder_once_and_none_after_answering(  # noqa: F811
    app,
    smtp,
    make_hub,
    make_user,
    make_survey,  # noqa: F811
    course_invitees,  # noqa: F811
):
    _, inbox = smtp
    hub = make_hub()
    answers, waits = make_user("answers@example.org", hub_id=hub), make_user("waits@example.org", hub_id=hub)
    survey = make_survey(hub)
    course_invitees[101] = [(answers, None), (waits, None)]
    # cron runs the command: two open waves (pre, post) x two people
    result = app.test_cli_runner().invoke(args=["evaluation", "send-survey-emails"])
    assert result.exit_code == 0, result.output
    assert "Queued 4 survey invitation(s) and 0 reminder(s)." in result.output
    with app.app_context():
        assert send_survey_emails(commit) == (0, 0)  # run again: nothing twice
        invitation = inbox.to("waits@example.org")[0]
        assert invitation["Subject"].startswith("Please answer the survey: Supervisor course, March")
        assert f"/surveys/{survey['attachment_id']}/" in _text(invitation)
        assert invitation["List-Unsubscribe"] is not None

        for timepoint in (PRE, POST):
            db.session.add(Completion(attachment_id=survey["attachment_id"], timepoint=timepoint, user_id=answers))
        db.session.commit()
        closing = utcnow() + timedelta(days=8)  # the waves close in 10 days
        assert send_survey_emails(commit, now=closing) == (0, 2)
        assert send_survey_emails(commit, now=closing) == (0, 0)
    reminders = [m for m in inbox.messages if m["Subject"].startswith("Reminder:")]
    assert sorted(m["To"] for m in reminders) == ["waits@example.org", "waits@example.org"]
    for message in inbox.messages:
        assert "Tell us about" not in _text(message)  # no questions (nor answers) in any email
