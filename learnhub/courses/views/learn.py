"""Learner pages: course list, course, module, knowledge check, result, my learning."""

import re

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from learnhub.courses import rules, services
from learnhub.courses.access import get_cohort, get_learner_course, get_learning_enrolment, get_module
from learnhub.courses.forms import ButtonForm
from learnhub.courses.models import Course, Enrolment, Module, ModuleKind
from learnhub.courses.views import bp
from learnhub.extensions import db
from learnhub.roles import PROFESSIONAL_ROLES


@bp.get("/courses")
@login_required
def course_list():  # type: ignore[no-untyped-def]
    """Published courses of the learner's hub."""
    courses = db.session.scalars(
        select(Course)
        .where(Course.hub_id == current_user.hub_id, Course.published.is_(True))
        .order_by(Course.title)
        .options(selectinload(Course.cohorts))
    ).all()
    mine = {e.course_id: e for e in services.my_enrolments(current_user.id)}
    return render_template("courses/list.html", courses=courses, mine=mine, roles=PROFESSIONAL_ROLES)


@bp.get("/my-learning")
@login_required
def my_learning():  # type: ignore[no-untyped-def]
    """The learner's courses with a progress bar each."""
    rows = [
        (e, services.course_state(e, e.course))
        for e in services.my_enrolments(current_user.id)
        if e.course.published and e.course.hub_id == current_user.hub_id
    ]
    return render_template("courses/my_learning.html", rows=rows)


@bp.get("/courses/<int:course_id>")
@login_required
def course_page(course_id: int):  # type: ignore[no-untyped-def]
    """A course: outcomes, modules with the learner's status, progress, and enrolment."""
    course = get_learner_course(course_id)
    enrolment = services.current_enrolment(course.id, current_user.id)
    state = services.course_state(enrolment, course)
    cohorts = course.cohorts
    choosing = enrolment is None or enrolment.completed_at is not None  # a first enrolment or a re-take
    taken = {c.id: services.places_taken(c) for c in cohorts if c.capacity is not None} if choosing else {}
    contacts = services.hub_contacts(course.hub_id) if choosing else []
    return render_template(
        "courses/course.html",
        course=course,
        enrolment=enrolment,
        state=state,
        cohorts=cohorts,
        taken=taken,
        contacts=contacts,
        form=ButtonForm(),
        roles=PROFESSIONAL_ROLES,
    )


@bp.post("/courses/<int:course_id>/cohorts/<int:cohort_id>/enrol")
@login_required
def self_enrol(course_id: int, cohort_id: int):  # type: ignore[no-untyped-def]
    """Enrol yourself in an open cohort, or join its waiting list when it is full."""
    course = get_learner_course(course_id)
    cohort = get_cohort(course, cohort_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    if not cohort.self_enrolment_open:
        flash("This cohort is not open for enrolment. Ask your training hub to enrol you.", "error")
        return redirect(url_for("courses.course_page", course_id=course.id))
    outcome = services.enrol(current_user, cohort, current_user)
    if not outcome.created:
        flash("You are already on this course.", "info")
    elif outcome.waiting:
        flash(f"{cohort.name} is full. You are on the waiting list and we will let you know if a place comes up.", "success")
    elif outcome.enrolment.attempt > 1:
        flash(f"You are enrolled on {course.title} ({cohort.name}), re-take {outcome.enrolment.attempt}.", "success")
    else:
        flash(f"You are enrolled on {course.title} ({cohort.name}).", "success")
    return redirect(url_for("courses.course_page", course_id=course.id))


@bp.get("/courses/<int:course_id>/modules/<int:module_id>")
@login_required
def module_page(course_id: int, module_id: int):  # type: ignore[no-untyped-def]
    """Read a module (it is now in progress)."""
    course = get_learner_course(course_id)
    module = get_module(course, module_id, published_only=True)
    enrolment = get_learning_enrolment(course)
    services.open_module(enrolment, module)
    facts = services.module_facts_for(enrolment, module)
    published = course.published_modules
    index = published.index(module)
    following = published[index + 1] if index + 1 < len(published) else None
    return render_template(
        "courses/module.html",
        course=course,
        module=module,
        status=rules.module_status(facts),
        facts=facts,
        attempts_left=rules.attempts_left(facts),
        number=index + 1,
        following=following,
        form=ButtonForm(),
    )


@bp.post("/courses/<int:course_id>/modules/<int:module_id>/complete")
@login_required
def complete_module(course_id: int, module_id: int):  # type: ignore[no-untyped-def]
    """Mark a reading module as complete and go on to the next one."""
    course = get_learner_course(course_id)
    module = get_module(course, module_id, published_only=True)
    enrolment = get_learning_enrolment(course)
    if not ButtonForm().validate_on_submit():
        abort(400)
    if module.kind != ModuleKind.CONTENT:
        abort(404)
    completion = services.complete_module(enrolment, module)
    if completion is not None:
        flash(f"You have completed {course.title}.", "success")
        return redirect(url_for("courses.course_page", course_id=course.id))
    flash(f"{module.title} is complete.", "success")
    state = services.course_state(enrolment, course)
    if state.next_module_id:
        return redirect(url_for("courses.module_page", course_id=course.id, module_id=state.next_module_id))
    return redirect(url_for("courses.course_page", course_id=course.id))


def _check_context(course: Course, module: Module) -> tuple[Enrolment, rules.ModuleFacts]:
    if module.kind != ModuleKind.CHECK:
        abort(404)
    enrolment = get_learning_enrolment(course)
    return enrolment, services.module_facts_for(enrolment, module)


@bp.get("/courses/<int:course_id>/modules/<int:module_id>/check")
@login_required
def check_page(course_id: int, module_id: int):  # type: ignore[no-untyped-def]
    """A knowledge check: the open attempt's questions, or the start button and past attempts."""
    course = get_learner_course(course_id, questions=True)
    module = get_module(course, module_id, published_only=True)
    enrolment, facts = _check_context(course, module)
    attempt = next((a for a in enrolment.attempts if a.module_id == module.id and a.submitted_at is None), None)
    return _render_check(course, module, enrolment, facts, attempt, errors=[])


def _render_check(course, module, enrolment, facts, attempt, errors, chosen=None, status=200):  # type: ignore[no-untyped-def]
    by_id = {q.id: q for q in module.questions}
    questions = [by_id[qid] for qid in (attempt.question_order if attempt else []) if qid in by_id]
    past = [a for a in enrolment.attempts if a.module_id == module.id and a.submitted_at]
    return (
        render_template(
            "courses/check.html",
            course=course,
            module=module,
            attempt=attempt,
            questions=questions,
            past=past,
            status=rules.module_status(facts),
            can_attempt=rules.can_attempt(facts),
            attempts_left=rules.attempts_left(facts),
            errors=errors,
            chosen=chosen or {},
            form=ButtonForm(),
            page_has_errors=bool(errors),
        ),
        status,
    )


@bp.post("/courses/<int:course_id>/modules/<int:module_id>/check/start")
@login_required
def start_check(course_id: int, module_id: int):  # type: ignore[no-untyped-def]
    """Start (or continue) an attempt at a knowledge check."""
    course = get_learner_course(course_id, questions=True)
    module = get_module(course, module_id, published_only=True)
    enrolment, _ = _check_context(course, module)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        services.start_attempt(enrolment, module)
    except services.CourseError as error:
        flash(str(error), "error")
    return redirect(url_for("courses.check_page", course_id=course.id, module_id=module.id))


_ANSWER_KEY = re.compile(r"q([0-9]{1,18})")
_OPTION_ID = re.compile(r"[0-9]{1,18}")


def _answers_from_form() -> dict[int, set[int]] | None:
    """Answers as q<question id> = <option id> (repeated for select-all-that-apply); None if malformed."""
    answers: dict[int, set[int]] = {}
    for key in request.form:
        match = _ANSWER_KEY.fullmatch(key)
        if match:
            values = request.form.getlist(key)
            if not all(_OPTION_ID.fullmatch(v) for v in values):
                return None
            answers[int(match.group(1))] = {int(v) for v in values}
    return answers


@bp.post("/courses/<int:course_id>/modules/<int:module_id>/check/attempts/<int:attempt_id>")
@login_required
def submit_check(course_id: int, module_id: int, attempt_id: int):  # type: ignore[no-untyped-def]
    """Submit an attempt; a second submission of the same attempt just shows its result."""
    course = get_learner_course(course_id, questions=True)
    module = get_module(course, module_id, published_only=True)
    enrolment, facts = _check_context(course, module)
    attempt = next((a for a in enrolment.attempts if a.id == attempt_id and a.module_id == module.id), None)
    if attempt is None:
        abort(404)
    if not ButtonForm().validate_on_submit():
        abort(400)
    answers = _answers_from_form()
    if answers is None:
        error = "Some answers are for questions that are not in this attempt"
        return _render_check(course, module, enrolment, facts, attempt, errors=[error], status=400)
    try:
        services.submit_attempt(enrolment, module, attempt, answers)
    except services.CourseError as error:
        return _render_check(course, module, enrolment, facts, attempt, errors=[str(error)], chosen=answers, status=400)
    return redirect(url_for("courses.attempt_result", course_id=course.id, module_id=module.id, attempt_id=attempt.id))


@bp.get("/courses/<int:course_id>/modules/<int:module_id>/check/attempts/<int:attempt_id>")
@login_required
def attempt_result(course_id: int, module_id: int, attempt_id: int):  # type: ignore[no-untyped-def]
    """The result of an attempt, with each question's explanation."""
    course = get_learner_course(course_id, questions=True)
    module = get_module(course, module_id, published_only=True)
    enrolment, facts = _check_context(course, module)
    attempt = next((a for a in enrolment.attempts if a.id == attempt_id and a.module_id == module.id), None)
    if attempt is None or attempt.submitted_at is None:
        abort(404)
    by_id = {q.id: q for q in module.questions}
    answers = {a.question_id: a for a in attempt.answers}
    rows = [(by_id[qid], answers.get(qid)) for qid in attempt.question_order if qid in by_id]
    state = services.course_state(enrolment, course)
    return render_template(
        "courses/result.html",
        course=course,
        module=module,
        attempt=attempt,
        rows=rows,
        status=rules.module_status(facts),
        can_attempt=rules.can_attempt(facts),
        attempts_left=rules.attempts_left(facts),
        show_answers=rules.show_right_answers(module.review_answers, facts),
        state=state,
        form=ButtonForm(),
    )
