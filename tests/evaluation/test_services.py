"""Answering surveys: one response per person per wave, pseudonymous keys, completion kept apart."""

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import func, inspect, select
from sqlalchemy.exc import IntegrityError

from learnhub.accounts.models import User
from learnhub.evaluation import interface, services
from learnhub.evaluation.models import POST, PRE, Answer, Attachment, Completion, Instrument, Item, Response
from learnhub.extensions import db
from learnhub.timeutil import utcnow


def full(items, timepoint, confident=3):
    """A complete set of required answers for one wave."""
    answers = {items["I feel confident supervising."]: confident, items["I feel isolated at work."]: 3}
    if timepoint == PRE:
        answers[items["How satisfied are you?"]] = 6
    else:
        answers[items["How satisfied are you?"]] = 8
        answers[items["Will you supervise?"]] = 1
    return answers


def _ctx(app, survey, user_id):
    user = db.session.get(User, user_id)
    attachment = db.session.get(Attachment, survey["attachment_id"])
    return user, attachment


def test_responses_hold_no_user_id_and_completion_holds_no_answers():
    response_columns = {c.key for c in inspect(Response).columns}
    completion_columns = {c.key for c in inspect(Completion).columns}
    assert "user_id" not in response_columns
    assert "respondent_key" in response_columns
    assert not completion_columns & {"respondent_key", "response_id", "value", "text"}


def test_pre_and_post_link_through_the_same_pseudonymous_key(app, make_hub, make_user, make_survey, course_invitees):
    hub = make_hub()
    uid = make_user(hub_id=hub)
    survey = make_survey(hub)
    course_invitees[101] = [(uid, "cohort-1")]
    items = survey["items"]
    with app.app_context():
        user, attachment = _ctx(app, survey, uid)
        pre = services.save_response(user, attachment, PRE, full(items, PRE, 2), submit=True)
        db.session.commit()
        post = services.save_response(user, attachment, POST, full(items, POST, 4), submit=True)
        db.session.commit()
        assert pre.respondent_key == post.respondent_key
        # Not a plain hash of the user id: without the instrument's secret no one can recompute it.
        assert pre.respondent_key != hashlib.sha256(str(uid).encode()).hexdigest()
        assert len(pre.respondent_key) == 64
        assert pre.subgroup == "cohort-1"
        # Another instrument gives the same person a different key.
        other = services.create_instrument(hub, "Other", "", [])
        assert services.respondent_key(other, uid) != pre.respondent_key
        assert db.session.scalar(select(func.count()).select_from(Completion)) == 2


def test_double_submit_never_creates_two_responses(app, make_hub, make_user, make_survey, course_invitees):
    hub = make_hub()
    uid = make_user(hub_id=hub)
    survey = make_survey(hub)
    course_invitees[101] = [(uid, None)]
    items = survey["items"]
    item = items["I feel confident supervising."]
    with app.app_context():
        user, attachment = _ctx(app, survey, uid)
        services.save_response(user, attachment, PRE, full(items, PRE, 3), submit=True)
        db.session.commit()
        services.save_response(user, attachment, PRE, full(items, PRE, 4), submit=True)
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(Response)) == 1
        assert db.session.scalar(select(Answer.value).where(Answer.item_id == item)) == 4
        assert db.session.scalar(select(func.count()).select_from(Completion)) == 1
        # The database itself refuses a second response for the same person and wave.
        existing = db.session.scalar(select(Response))
        db.session.add(Response(attachment_id=existing.attachment_id, timepoint=PRE, respondent_key=existing.respondent_key))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_draft_then_submit_and_required_questions(app, make_hub, make_user, make_survey, course_invitees):
    hub = make_hub()
    uid = make_user(hub_id=hub)
    survey = make_survey(hub)
    course_invitees[101] = [(uid, None)]
    items = survey["items"]
    with app.app_context():
        user, attachment = _ctx(app, survey, uid)
        draft = services.save_response(user, attachment, PRE, {items["I feel confident supervising."]: 3}, submit=False)
        db.session.commit()
        assert draft.status == Response.DRAFT
        assert interface.survey_requirement_message(uid, "course", 101, PRE) == "Complete the 'Course survey' survey (before)"
        with pytest.raises(services.SurveyProblem, match="Select an answer"):
            services.save_response(user, attachment, PRE, {items["I feel confident supervising."]: 3}, submit=True)
        services.save_response(user, attachment, PRE, full(items, PRE), submit=True)
        db.session.commit()
        assert interface.survey_requirement_message(uid, "course", 101, PRE) is None
        assert interface.survey_requirement_message(uid, "course", 101, POST) is not None
        # A wave with no survey attached asks nothing.
        assert interface.survey_requirement_message(uid, "course", 999, PRE) is None


@pytest.mark.parametrize(
    ("text", "value", "message"),
    [
        ("I feel confident supervising.", 6, "from 1 to 5"),
        ("I feel confident supervising.", 0, "from 1 to 5"),
        ("How satisfied are you?", 11, "from 0 to 10"),
        ("Will you supervise?", 4, "one of the options"),
        ("Support wanted", [1, 9], "only from the options"),
    ],
)
def test_out_of_range_answers_are_refused_and_nothing_saved(
    app, make_hub, make_user, make_survey, course_invitees, text, value, message
):
    hub = make_hub()
    uid = make_user(hub_id=hub)
    survey = make_survey(hub)
    course_invitees[101] = [(uid, None)]
    with app.app_context():
        user, attachment = _ctx(app, survey, uid)
        with pytest.raises(services.SurveyProblem, match=message):
            services.save_response(user, attachment, POST, {survey["items"][text]: value}, submit=False)
        assert db.session.scalar(select(func.count()).select_from(Response)) == 0


def test_closed_and_not_invited_are_refused(app, make_hub, make_user, make_survey, course_invitees):
    hub = make_hub()
    uid = make_user(hub_id=hub)
    outsider = make_user(hub_id=hub)
    survey = make_survey(hub, pre_open=False)
    course_invitees[101] = [(uid, None)]
    item = survey["items"]["I feel confident supervising."]
    with app.app_context():
        user, attachment = _ctx(app, survey, uid)
        with pytest.raises(services.SurveyProblem, match="closed on"):
            services.save_response(user, attachment, PRE, {item: 3}, submit=False)
        with pytest.raises(services.SurveyProblem, match="not been asked"):
            services.save_response(db.session.get(User, outsider), attachment, POST, {item: 3}, submit=False)
        with pytest.raises(services.SurveyProblem, match="not been asked"):
            services.save_response(user, attachment, "follow_up", {item: 3}, submit=False)
        future = utcnow() - timedelta(days=30)
        with pytest.raises(services.SurveyProblem, match="opens on"):
            services.save_response(user, attachment, POST, {item: 3}, submit=False, now=future)


def test_submission_callbacks_are_called(app, make_hub, make_user, make_survey, course_invitees):
    hub = make_hub()
    uid = make_user(hub_id=hub)
    survey = make_survey(hub)
    course_invitees[101] = [(uid, None)]
    calls = []

    def record(subject_type, *, user_id, subject_id, timepoint):
        calls.append((user_id, subject_type, subject_id, timepoint))

    interface.response_submitted.connect(record)
    try:
        with app.app_context():
            user, attachment = _ctx(app, survey, uid)
            items = survey["items"]
            services.save_response(user, attachment, POST, {items["I feel confident supervising."]: 3}, submit=False)
            db.session.commit()
            assert calls == []
            services.save_response(user, attachment, POST, full(items, POST), submit=True)
            db.session.commit()
    finally:
        interface.response_submitted.disconnect(record)
    assert calls == [(uid, "course", 101, POST)]


def test_items_with_answers_cannot_be_deleted_only_retired(app, make_hub, make_user, make_survey, course_invitees):
    hub = make_hub()
    uid = make_user(hub_id=hub)
    survey = make_survey(hub)
    course_invitees[101] = [(uid, None)]
    items = survey["items"]
    with app.app_context():
        user, attachment = _ctx(app, survey, uid)
        services.save_response(user, attachment, PRE, {items["I feel confident supervising."]: 3}, submit=False)
        db.session.commit()
        answered = db.session.get(Item, items["I feel confident supervising."])
        with pytest.raises(services.ItemHasAnswers, match="Retire it instead"):
            services.delete_item(user, answered)
        services.retire_item(user, answered)
        db.session.commit()
        assert answered.retired
        assert answered.id not in [i.id for i in services.asked_items(attachment, PRE)]
        services.delete_item(user, db.session.get(Item, items["Any comments?"]))
        db.session.commit()
        assert db.session.get(Item, items["Any comments?"]) is None


def test_copy_instrument_copies_current_questions_with_a_new_secret(app, make_hub, make_user, make_survey):
    hub = make_hub()
    uid = make_user(hub_id=hub)
    survey = make_survey(hub)
    with app.app_context():
        original = db.session.get(Instrument, survey["instrument_id"])
        services.retire_item(db.session.get(User, uid), db.session.get(Item, survey["items"]["Any comments?"]))
        db.session.commit()
        copy = services.copy_instrument(db.session.get(User, uid), original)
        db.session.commit()
        assert copy.title == "Copy of Course survey"
        assert copy.key_secret != original.key_secret
        assert [s.title for s in copy.sections] == ["Confidence", "About the course"]
        texts = [i.text for i in copy.items]
        assert "Any comments?" not in texts
        assert len(texts) == len(original.items) - 1
        reverse = next(i for i in copy.items if i.text == "I feel isolated at work.")
        assert reverse.reverse_scored
        assert reverse.core
        assert copy.attachments == []


def test_threshold_setting_never_below_five(app, make_hub, make_user):
    hub = make_hub()
    uid = make_user(hub_id=hub)
    with app.app_context():
        assert services.threshold_for(hub) == 8
        services.set_threshold(db.session.get(User, uid), hub, 10)
        db.session.commit()
        assert services.threshold_for(hub) == 10
        with pytest.raises(ValueError, match="below 5"):
            services.set_threshold(db.session.get(User, uid), hub, 4)
