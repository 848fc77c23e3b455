"""The notifications outbox against a real SMTP server on loopback.

What people rely on: an email for every committed change and none for a rolled-back one; no
email lost while the mail server is down and none sent twice (retries, two senders at once);
refused addresses marked and not retried; their choices honoured; one-click unsubscribe.
"""

import threading

from sqlalchemy import func, select

from benchmarks.load import free_port
from learnhub.accounts.models import User
from learnhub.courses import services as courses
from learnhub.courses.models import Cohort
from learnhub.extensions import db
from learnhub.notifications.delivery import deliver_due
from learnhub.notifications.models import NotificationPreference, OutboxMessage
from learnhub.notifications.services import notify, set_preference, unsubscribe_token
from tests.courses.conftest import make_course  # noqa: F401 - fixture


def _rows(app):  # type: ignore[no-untyped-def]
    with app.app_context():
        return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_enrolment_confirmation_arrives_with_one_click_unsubscribe(mail_app, smtp, make_hub, make_user, make_course):  # noqa: F811
    _, inbox = smtp
    hub = make_hub()
    ids = make_course(hub)
    learner = make_user("ana@example.org", hub_id=hub)
    with mail_app.app_context():
        user = db.session.get(User, learner)
        courses.enrol(user, db.session.get(Cohort, ids.cohort), user)
        assert inbox.messages == []  # written in the transaction, not sent before it commits
        db.session.commit()
    (message,) = inbox.to("ana@example.org")
    assert message["Subject"] == "You are enrolled on Supervising ARRS roles"
    body = message.get_content()
    assert "You are enrolled on Supervising ARRS roles" in body
    assert f"/courses/{ids.course}" in body
    unsubscribe = message["List-Unsubscribe"]
    assert unsubscribe.startswith("<http://localhost/notifications/unsubscribe/")
    assert unsubscribe.endswith(">")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe[1:-1] in body
    (row,) = _rows(mail_app)
    assert (row.status, row.attempts) == ("sent", 1)
    assert row.idempotency_key.startswith("enrolled:enrolment-")


def test_waiting_list_then_promotion(mail_app, smtp, make_hub, make_user, make_course):  # noqa: F811
    _, inbox = smtp
    hub = make_hub()
    ids = make_course(hub, capacity=1)
    first, second = make_user("first@example.org", hub_id=hub), make_user("second@example.org", hub_id=hub)
    with mail_app.app_context():
        cohort = db.session.get(Cohort, ids.cohort)
        for uid in (first, second):
            user = db.session.get(User, uid)
            courses.enrol(user, cohort, user)
        db.session.commit()
        assert [m["Subject"] for m in inbox.to("second@example.org")] == [
            "You are on the waiting list for Supervising ARRS roles"
        ]
        cohort.capacity = 2
        courses.promote_waiting(db.session.get(User, first), cohort)
        db.session.commit()
    assert [m["Subject"] for m in inbox.to("second@example.org")][-1] == "You have a place on Supervising ARRS roles"
    assert [m["Subject"] for m in inbox.to("first@example.org")] == ["You are enrolled on Supervising ARRS roles"]


def test_a_rolled_back_change_sends_nothing(mail_app, smtp, make_user):
    _, inbox = smtp
    uid = make_user("gp@example.org")
    with mail_app.app_context():
        notify("test:rollback", category="courses", user=db.session.get(User, uid), subject="S", body="B")
        db.session.rollback()
        db.session.commit()  # a later unit of work does not carry the discarded message
    assert _rows(mail_app) == []
    assert inbox.messages == []


def test_a_rolled_back_request_sends_nothing(mail_app, smtp, make_user):
    _, inbox = smtp
    uid = make_user("gp@example.org")

    def view(fail: int):  # type: ignore[no-untyped-def]
        notify(f"test:request-{fail}", category="account", user=db.session.get(User, uid), subject=f"fail={fail}", body="B")
        return ("refused", 409) if fail else ("done", 200)

    mail_app.add_url_rule("/test-notify/<int:fail>", view_func=view)
    client = mail_app.test_client()
    assert client.get("/test-notify/1").status_code == 409  # the request's transaction is rolled back
    assert client.get("/test-notify/0").status_code == 200
    assert [m["Subject"] for m in inbox.messages] == ["fail=0"]
    assert [row.idempotency_key for row in _rows(mail_app)] == ["test:request-0"]


def test_the_same_key_gives_one_message(mail_app, smtp, make_user):
    _, inbox = smtp
    uid = make_user("gp@example.org")
    with mail_app.app_context():
        user = db.session.get(User, uid)
        first = notify("test:twice", category="courses", user=user, subject="Once", body="B")
        second = notify("test:twice", category="courses", user=user, subject="Once", body="B")
        assert first.id == second.id
        db.session.commit()
    assert [m["Subject"] for m in inbox.messages] == ["Once"]


def test_smtp_down_then_up_delivers_exactly_once(make_app, smtp, make_user):
    port, inbox = smtp
    down = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_USE_TLS=False, MAIL_RETRY_BASE_SECONDS=0)
    uid = make_user("gp@example.org")
    with down.app_context():
        notify("test:down", category="account", user=db.session.get(User, uid), subject="Hello", body="B")
        db.session.commit()
    (row,) = _rows(down)
    assert (row.status, row.attempts) == ("queued", 1)
    assert row.last_error.startswith("ConnectionRefusedError")

    up = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False)
    runner = up.test_cli_runner()
    first = runner.invoke(args=["send-outbox"])
    assert "Sent 1; retrying 0; failed 0; bounced 0." in first.output
    second = runner.invoke(args=["send-outbox"])
    assert "Sent 0;" in second.output
    assert [m["Subject"] for m in inbox.messages] == ["Hello"]
    (row,) = _rows(up)
    assert (row.status, row.attempts, row.last_error) == ("sent", 2, None)


def test_after_the_last_attempt_a_message_is_failed_and_shown_to_the_hub(make_app, make_user, make_hub):
    app = make_app(
        MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_USE_TLS=False, MAIL_RETRY_BASE_SECONDS=0, MAIL_MAX_ATTEMPTS=3
    )
    hub = make_hub()
    uid = make_user("gp@example.org", hub_id=hub)
    with app.app_context():
        notify("test:fail", category="account", user=db.session.get(User, uid), subject="Hello", body="B")
        db.session.commit()
    deliver_due(app)
    deliver_due(app)
    deliver_due(app)  # nothing left to try: failed is final until "mail resend"
    (row,) = _rows(app)
    assert (row.status, row.attempts) == ("failed", 3)
    admin = make_user("admin@example.org", hub_id=hub, hub_role="hub_admin")
    client = app.test_client()
    with app.app_context():
        session_id = db.session.get(User, admin).get_id()
    with client.session_transaction() as session:
        session["_user_id"], session["_fresh"] = session_id, True
    listing = client.get("/hub/mail-waiting").get_data(as_text=True)
    assert "gp@example.org" in listing
    assert "Not sent after 3 tries" in listing
    assert app.test_client().get("/healthz").get_json()["mail"] == {"status": "messages waiting", "waiting": 1, "bounced": 0}


def test_two_senders_at_once_send_each_message_once(mail_app, smtp, make_user, monkeypatch):
    _, inbox = smtp
    monkeypatch.setattr("learnhub.notifications.delivery.schedule", lambda ids: None)  # leave them queued
    uid = make_user("gp@example.org")
    with mail_app.app_context():
        user = db.session.get(User, uid)
        for n in range(12):
            notify(f"test:race-{n}", category="account", user=user, subject=f"Message {n}", body="B")
        db.session.commit()
    results = []
    runs = [threading.Thread(target=lambda: results.append(deliver_due(mail_app))) for _ in range(2)]
    for run in runs:
        run.start()
    for run in runs:
        run.join()
    assert sum(len(r.sent) for r in results) == 12
    assert sorted(m["Subject"] for m in inbox.messages) == sorted(f"Message {n}" for n in range(12))
    assert {row.status for row in _rows(mail_app)} == {"sent"}


def test_a_refused_address_is_bounced_not_retried(mail_app, smtp, make_user):
    _, inbox = smtp
    uid = make_user("bounce.me@example.org")
    with mail_app.app_context():
        notify("test:bounce", category="account", user=db.session.get(User, uid), subject="Hello", body="B")
        db.session.commit()
    (row,) = _rows(mail_app)
    assert (row.status, row.attempts) == ("bounced", 1)
    assert "550" in row.last_error
    assert "Sent 0;" in mail_app.test_cli_runner().invoke(args=["send-outbox"]).output
    assert _rows(mail_app)[0].attempts == 1
    assert inbox.messages == []
    assert mail_app.test_client().get("/healthz").get_json()["mail"]["bounced"] == 1


def test_optional_categories_follow_the_persons_choice_service_ones_always_go(mail_app, smtp, make_user):
    _, inbox = smtp
    uid = make_user("gp@example.org")
    with mail_app.app_context():
        user = db.session.get(User, uid)
        set_preference(user, "courses", False)
        assert notify("test:off", category="courses", user=user, subject="Optional", body="B") is None
        assert notify("test:service", category="security", user=user, subject="Service", body="B") is not None
        db.session.commit()
    assert [m["Subject"] for m in inbox.messages] == ["Service"]
    assert inbox.messages[0]["List-Unsubscribe"] is None  # service messages cannot be turned off


def test_nobody_who_erased_their_data_is_written_to(mail_app, smtp, make_user):
    _, inbox = smtp
    uid = make_user("gp@example.org")
    with mail_app.app_context():
        user = db.session.get(User, uid)
        user.erased_at = user.created_at
        assert notify("test:erased", category="security", user=user, subject="S", body="B") is None
        db.session.commit()
    assert _rows(mail_app) == []


def test_preferences_page_saves_choices(app, client, auth, make_user):
    make_user("gp@example.org")
    auth.login("gp@example.org")
    page = client.get("/notifications/preferences").get_data(as_text=True)
    assert 'name="category" type="checkbox" value="surveys"' in page
    response = client.post("/notifications/preferences", data={"category": ["courses", "als"]})
    assert response.status_code == 302
    with app.app_context():
        off = set(db.session.scalars(select(NotificationPreference.category).where(NotificationPreference.enabled.is_(False))))
    assert off == {"certificates", "surveys", "renewal", "supervision"}
    page = client.get("/notifications/preferences").get_data(as_text=True)
    assert 'value="courses" aria-describedby="category-courses-hint" checked' in page
    assert 'value="surveys" aria-describedby="category-surveys-hint">' in page


def test_one_click_unsubscribe_works_without_signing_in(app, client, make_user):
    uid = make_user("gp@example.org")
    with app.app_context():
        token = unsubscribe_token(uid, "surveys")
    confirm = client.get(f"/notifications/unsubscribe/{token}")
    assert confirm.status_code == 200
    assert "Stop these emails" in confirm.get_data(as_text=True)
    with app.app_context():  # GET alone changes nothing (link scanners follow links)
        assert db.session.scalar(select(func.count()).select_from(NotificationPreference)) == 0
    # What a mail client sends for List-Unsubscribe-Post: no session, no CSRF token.
    done = client.post(f"/notifications/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    with app.app_context():
        assert db.session.scalar(select(NotificationPreference.enabled).where(NotificationPreference.user_id == uid)) is False
    assert client.post(f"/notifications/unsubscribe/{token}x").status_code == 404
    assert client.get("/notifications/unsubscribe/not-a-token").status_code == 404


def test_hub_admins_see_what_was_sent_to_a_person_but_not_the_body(app, smtp, make_hub, make_user):
    hub = make_hub()
    admin = make_user("admin@example.org", hub_id=hub, hub_role="hub_admin")
    learner = make_user("learner@example.org", hub_id=hub)
    with app.app_context():
        notify("test:seen", category="account", user=db.session.get(User, learner), subject="Visible subject", body="SECRET-BODY")
        db.session.commit()
    client = app.test_client()
    with app.app_context():
        session_id = db.session.get(User, admin).get_id()
    with client.session_transaction() as session:
        session["_user_id"], session["_fresh"] = session_id, True
    page = client.get(f"/hub/users/{learner}").get_data(as_text=True)
    assert "Emails sent" in page
    assert "Visible subject" in page
    assert "SECRET-BODY" not in page


def test_erasure_removes_their_queued_and_sent_emails(app, smtp, make_hub, make_user, monkeypatch):
    from learnhub.privacy.erasure import erase_user

    _, inbox = smtp
    hub = make_hub()
    admin = make_user("admin@example.org", hub_id=hub, hub_role="hub_admin")
    learner = make_user("learner@example.org", hub_id=hub)
    with app.app_context():
        user = db.session.get(User, learner)
        notify("test:sent-before", category="account", user=user, subject="Sent before", body="B")
        db.session.commit()
        monkeypatch.setattr("learnhub.notifications.delivery.schedule", lambda ids: None)  # the next one waits
        notify("test:queued", category="account", user=db.session.get(User, learner), subject="Queued", body="B")
        db.session.commit()
        erase_user(db.session.get(User, admin), db.session.get(User, learner))
        db.session.commit()
    assert _rows(app) == []
    assert deliver_due(app).sent == []
    assert [m["Subject"] for m in inbox.messages] == ["Sent before"]
