"""Course services: enrolment, progress, knowledge checks, completion and the hooks."""

import random

import pytest
from sqlalchemy import func, select

from learnhub.accounts.models import User
from learnhub.courses import services, signals
from learnhub.courses.models import Cohort, CourseCompletion, Enrolment, Module, QuizAnswer, QuizAttempt
from learnhub.extensions import db


def _objects(ids, user_id=None):
    course = services.load_course(ids.course, questions=True)
    modules = {m.id: m for m in course.modules}
    user = db.session.get(User, user_id or ids.learner)
    return course, modules, user


def _enrolled(ids, user_id=None):
    course, modules, user = _objects(ids, user_id)
    cohort = db.session.get(Cohort, ids.cohort)
    outcome = services.enrol(user, cohort, user)
    return course, modules, user, outcome.enrolment


def _pass_check(ids, enrolment, modules):
    attempt = services.start_attempt(enrolment, modules[ids.check])
    return services.submit_attempt(enrolment, modules[ids.check], attempt, ids.right)


def _attend(ids, enrolment, modules, admin_id):
    admin = db.session.get(User, admin_id)
    return services.record_attendance(admin, modules[ids.live], [enrolment], {enrolment.id}).completed


def test_markdown_is_sanitised():
    html = services.render_markdown(
        "# Hi\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[x](javascript:alert(1)) **bold**"
    )
    assert "<script" not in html
    assert "onerror" not in html
    assert "javascript:" not in html
    assert "<strong>bold</strong>" in html


def test_full_course_records_completion_the_moment_the_last_step_is_done(app_ctx, hub_setup):
    ids = hub_setup
    seen = []

    def callback(completion, **_):
        seen.append((completion.user_id, completion.course_id))

    with signals.course_completed.connected_to(callback):
        course, modules, user, enrolment = _enrolled(ids)
        services.open_module(enrolment, modules[ids.reading])
        assert services.course_state(enrolment, course).statuses[ids.reading] == "in progress"
        assert services.complete_module(enrolment, modules[ids.reading]) is None
        _pass_check(ids, enrolment, modules)
        assert enrolment.completed_at is None
        assert seen == []
        assert _attend(ids, enrolment, modules, ids.admin) == 1
    assert seen == [(ids.learner, ids.course)]
    completion = db.session.scalar(select(CourseCompletion))
    assert completion.enrolment_id == enrolment.id
    assert str(completion.cpd_hours) == "3.5"
    assert services.course_state(enrolment, course).percent == 100


def test_extra_requirement_holds_completion_until_rechecked(app_ctx, hub_setup):
    ids = hub_setup
    surveys_done: set[int] = set()

    def survey(enrolment, **_):
        return None if enrolment.id in surveys_done else "Complete the post-course survey"

    with signals.completion_requirements.connected_to(survey):
        course, modules, user, enrolment = _enrolled(ids)
        services.complete_module(enrolment, modules[ids.reading])
        _pass_check(ids, enrolment, modules)
        _attend(ids, enrolment, modules, ids.admin)
        assert enrolment.completed_at is None
        assert services.course_state(enrolment, course).outstanding == ["Complete the post-course survey"]
        surveys_done.add(enrolment.id)
        completion = services.recheck_completion(enrolment)
        db.session.commit()
    assert completion is not None
    assert db.session.scalar(select(func.count()).select_from(CourseCompletion)) == 1


def test_failing_callback_rolls_back_the_completion(app_ctx, hub_setup):
    ids = hub_setup

    def broken(completion, **_):
        raise RuntimeError("certificate service down")

    course, modules, user, enrolment = _enrolled(ids)
    services.complete_module(enrolment, modules[ids.reading])
    _pass_check(ids, enrolment, modules)
    with signals.course_completed.connected_to(broken), pytest.raises(RuntimeError):
        _attend(ids, enrolment, modules, ids.admin)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(CourseCompletion)) == 0


def test_enrolling_past_capacity_puts_people_on_the_waiting_list(app_ctx, make_hub, make_user, make_course, outbox):
    hub = make_hub()
    ids = make_course(hub, capacity=1)
    first, second = make_user(hub_id=hub), make_user(hub_id=hub)
    cohort = db.session.get(Cohort, ids.cohort)
    a = services.enrol(db.session.get(User, first), cohort, db.session.get(User, first))
    b = services.enrol(db.session.get(User, second), cohort, db.session.get(User, second))
    assert not a.waiting
    assert b.waiting
    assert b.enrolment.status == Enrolment.WAITING
    # Enrolling again changes nothing.
    again = services.enrol(db.session.get(User, second), cohort, db.session.get(User, second))
    assert not again.created
    assert db.session.scalar(select(func.count()).select_from(Enrolment)) == 2
    # A waiting learner cannot complete anything.
    assert services.recheck_completion(b.enrolment) is None
    cohort.capacity = 2
    db.session.commit()
    sent = len(outbox)
    assert services.promote_waiting(db.session.get(User, first), cohort) == 1
    assert b.enrolment.status == Enrolment.ENROLLED
    assert len(outbox) == sent  # the email waits for the commit
    db.session.commit()
    assert len(outbox) == sent + 1
    assert outbox[-1]["To"] == db.session.get(User, second).email
    assert "A place has come up" in outbox[-1].get_content()
    assert services.promote_waiting(db.session.get(User, first), cohort) == 0


def test_retake_is_a_new_attempt_and_keeps_history(app_ctx, hub_setup):
    ids = hub_setup
    course, modules, user, enrolment = _enrolled(ids)
    services.complete_module(enrolment, modules[ids.reading])
    _pass_check(ids, enrolment, modules)
    _attend(ids, enrolment, modules, ids.admin)
    assert enrolment.completed_at is not None
    retake = services.enrol(user, db.session.get(Cohort, ids.cohort), user)
    assert retake.created
    assert retake.enrolment.attempt == 2
    assert services.current_enrolment(ids.course, user.id).id == retake.enrolment.id
    assert services.course_state(retake.enrolment, course).percent == 0
    old = db.session.get(Enrolment, enrolment.id)
    assert old.completion is not None
    assert len(old.attempts) == 1


def test_attempt_order_is_shuffled_and_stored(app_ctx, hub_setup):
    ids = hub_setup
    course, modules, user, enrolment = _enrolled(ids)
    orders = set()
    for seed in range(8):
        attempt = services.start_attempt(enrolment, modules[ids.check], random.Random(seed))
        assert sorted(attempt.question_order) == sorted([ids.q1, ids.q2])
        orders.add(tuple(attempt.question_order))
        services.submit_attempt(enrolment, modules[ids.check], attempt, ids.wrong)
    assert len(orders) == 2
    stored = db.session.scalars(select(QuizAttempt.question_order)).all()
    assert len(stored) == 8


def test_submitting_twice_is_idempotent(app_ctx, hub_setup):
    ids = hub_setup
    course, modules, user, enrolment = _enrolled(ids)
    attempt = services.start_attempt(enrolment, modules[ids.check])
    services.submit_attempt(enrolment, modules[ids.check], attempt, ids.wrong)
    first = (attempt.score, attempt.passed, attempt.submitted_at)
    services.submit_attempt(enrolment, modules[ids.check], attempt, ids.right)
    assert (attempt.score, attempt.passed, attempt.submitted_at) == first
    assert attempt.score == 0
    assert db.session.scalar(select(func.count()).select_from(QuizAnswer)) == 2


def test_answers_not_in_the_attempt_are_refused_and_nothing_saved(app_ctx, hub_setup):
    ids = hub_setup
    course, modules, user, enrolment = _enrolled(ids)
    attempt = services.start_attempt(enrolment, modules[ids.check])
    db.session.commit()  # started in one request, submitted in the next
    with pytest.raises(services.CourseError, match="not in this attempt"):
        services.submit_attempt(enrolment, modules[ids.check], attempt, {**ids.right, 999999: {1}})
    with pytest.raises(services.CourseError, match="not in this attempt"):
        services.submit_attempt(
            enrolment, modules[ids.check], attempt, {ids.q1: {ids.right[ids.q2].pop()}, ids.q2: ids.right[ids.q2]}
        )
    with pytest.raises(services.CourseError, match="Answer every question"):
        services.submit_attempt(enrolment, modules[ids.check], attempt, {ids.q1: ids.right[ids.q1]})
    db.session.rollback()
    attempt = db.session.get(QuizAttempt, attempt.id)
    assert attempt.submitted_at is None
    assert db.session.scalar(select(func.count()).select_from(QuizAnswer)) == 0


def test_attempts_exhausted(app_ctx, make_hub, make_user, make_course):
    hub = make_hub()
    ids = make_course(hub, attempts_allowed=1)
    ids.learner = make_user(hub_id=hub)
    course, modules, user, enrolment = _enrolled(ids)
    attempt = services.start_attempt(enrolment, modules[ids.check])
    services.submit_attempt(enrolment, modules[ids.check], attempt, ids.wrong)
    with pytest.raises(services.CourseError, match="no attempts left"):
        services.start_attempt(enrolment, modules[ids.check])
    state = services.course_state(enrolment, course)
    assert state.statuses[ids.check] == "failed"
    assert "No attempts left at Check your understanding" in state.outstanding


def test_lowering_the_pass_mark_completes_learners_now(app_ctx, hub_setup, make_user):
    ids = hub_setup
    admin = db.session.get(User, ids.admin)
    course, modules, user, enrolment = _enrolled(ids)
    services.complete_module(enrolment, modules[ids.reading])
    _attend(ids, enrolment, modules, ids.admin)
    attempt = services.start_attempt(enrolment, modules[ids.check])
    half_right = {ids.q1: ids.right[ids.q1], ids.q2: ids.wrong[ids.q2]}
    services.submit_attempt(enrolment, modules[ids.check], attempt, half_right)
    assert attempt.score == 50
    assert enrolment.completed_at is None
    module = db.session.get(Module, ids.check)
    assert services.update_module(admin, module, pass_mark=50) == 1
    assert db.session.scalar(select(func.count()).select_from(CourseCompletion)) == 1


def test_unpublishing_a_required_module_can_complete_the_course(app_ctx, hub_setup):
    ids = hub_setup
    admin = db.session.get(User, ids.admin)
    course, modules, user, enrolment = _enrolled(ids)
    services.complete_module(enrolment, modules[ids.reading])
    _pass_check(ids, enrolment, modules)
    assert enrolment.completed_at is None
    services.update_module(admin, db.session.get(Module, ids.live), published=False)
    assert db.session.get(Enrolment, enrolment.id).completed_at is not None


def test_module_unpublished_after_pass_keeps_the_pass_out_of_progress(app_ctx, hub_setup):
    ids = hub_setup
    admin = db.session.get(User, ids.admin)
    course, modules, user, enrolment = _enrolled(ids)
    _pass_check(ids, enrolment, modules)
    assert services.course_state(enrolment, course).percent == 33
    services.update_module(admin, db.session.get(Module, ids.check), published=False)
    state = services.course_state(enrolment, services.load_course(ids.course))
    assert state.statuses[ids.check] == "passed"
    assert state.percent == 0
    assert enrolment.completed_at is None


def test_add_question_needs_a_correct_answer(app_ctx, hub_setup):
    ids = hub_setup
    admin = db.session.get(User, ids.admin)
    module = db.session.get(Module, ids.check)
    with pytest.raises(services.CourseError, match="at least one answer as correct"):
        services.add_question(admin, module, text="Q", kind="single", explanation="", options=[("a", False), ("b", False)])
    with pytest.raises(services.CourseError, match="exactly one"):
        services.add_question(admin, module, text="Q", kind="single", explanation="", options=[("a", True), ("b", True)])
    assert len(module.questions) == 2
