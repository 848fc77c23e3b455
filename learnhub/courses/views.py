"""Learner pages (course list, course, module, knowledge check, my learning) and hub authoring."""

import csv
import io
import re
from decimal import Decimal
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, send_from_directory, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from learnhub.accounts.models import User
from learnhub.audit import Action, audit
from learnhub.courses import images, rules, services
from learnhub.courses.csv_enrol import check_enrol_rows
from learnhub.courses.forms import (
    LONDON,
    ButtonForm,
    CohortForm,
    CourseForm,
    EnrolCsvForm,
    EnrolForm,
    ImageForm,
    ModuleForm,
    QuestionForm,
    parse_options,
)
from learnhub.courses.models import Cohort, Course, Enrolment, Module, ModuleKind, Question, QuizAttempt
from learnhub.extensions import db
from learnhub.organisations.csv_import import decode_csv
from learnhub.roles import PROFESSIONAL_ROLES
from learnhub.security import hub_admin_required
from learnhub.spreadsheet import safe_cell

bp = Blueprint("courses", __name__, template_folder="templates")


# --- authorisation helpers ------------------------------------------------------------------------


def get_learner_course(course_id: int, *, questions: bool = False) -> Course:
    """A published course of the learner's hub; 404 for anything else."""
    course = services.load_course(course_id, questions=questions)
    if course is None or course.hub_id != current_user.hub_id or not course.published:
        abort(404)
    return course


def get_admin_course(course_id: int, *, questions: bool = False) -> Course:
    """A course of the administrator's own hub; 404 for another hub's."""
    course = services.load_course(course_id, questions=questions)
    if course is None or not current_user.administers(course.hub_id):
        abort(404)
    return course


def get_module(course: Course, module_id: int, *, published_only: bool = False) -> Module:
    """A module of this course; 404 otherwise."""
    module = next((m for m in course.modules if m.id == module_id), None)
    if module is None or (published_only and not module.published):
        abort(404)
    return module


def get_admin_question(course_id: int, module_id: int, question_id: int) -> tuple[Course, Module, Question]:
    """A question of a module of one of the administrator's courses; 404 otherwise."""
    course = get_admin_course(course_id, questions=True)
    module = get_module(course, module_id)
    question = next((q for q in module.questions if q.id == question_id), None)
    if question is None:
        abort(404)
    return course, module, question


def get_cohort(course: Course, cohort_id: int) -> Cohort:
    """A cohort of this course; 404 otherwise."""
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None or cohort.course_id != course.id:
        abort(404)
    return cohort


def get_learning_enrolment(course: Course) -> Enrolment:
    """The learner's enrolment on a course, with a place (not waiting); 403 if they have none."""
    enrolment = services.current_enrolment(course.id, current_user.id)
    if enrolment is None or enrolment.is_waiting:
        flash("Enrol on the course to start its modules.", "warning")
        abort(redirect(url_for("courses.course_page", course_id=course.id)))
    return enrolment


# --- learners -------------------------------------------------------------------------------------


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
    taken = {c.id: services.places_taken(c) for c in cohorts if c.capacity is not None} if enrolment is None else {}
    return render_template(
        "courses/course.html",
        course=course,
        enrolment=enrolment,
        state=state,
        cohorts=cohorts,
        taken=taken,
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
        flash("This cohort is not open for enrolment. Ask your training hub to enrol you.", "warning")
        return redirect(url_for("courses.course_page", course_id=course.id))
    outcome = services.enrol(current_user, cohort, current_user)
    if not outcome.created:
        flash("You are already on this course.", "info")
    elif outcome.waiting:
        flash(f"{cohort.name} is full. You are on the waiting list and we will let you know if a place comes up.", "success")
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
        flash(str(error), "warning")
    return redirect(url_for("courses.check_page", course_id=course.id, module_id=module.id))


_ANSWER_KEY = re.compile(r"^q(\d+)$")


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
    answers: dict[int, set[int]] = {}
    try:
        # Answers arrive as q<question id> = <option id> (repeated for select-all-that-apply).
        for key in request.form:
            match = _ANSWER_KEY.match(key)
            if match:
                answers[int(match.group(1))] = {int(v) for v in request.form.getlist(key)}
    except ValueError:
        answers = {-1: set()}
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
        state=state,
        form=ButtonForm(),
    )


# --- hub administration: authoring ------------------------------------------------------------------


@bp.get("/hub/courses")
@hub_admin_required
def admin_courses():  # type: ignore[no-untyped-def]
    """The hub's courses."""
    courses = db.session.scalars(
        select(Course).where(Course.hub_id == current_user.hub_id).order_by(Course.title).options(selectinload(Course.cohorts))
    ).all()
    return render_template("courses/admin/courses.html", courses=courses)


def _course_fields(form: CourseForm) -> dict[str, object]:
    return {
        "title": form.title.data,
        "summary": form.summary.data or "",
        "audience": [code for code in (form.audience.data or []) if code in PROFESSIONAL_ROLES],
        "cpd_hours": Decimal(form.cpd_hours.data).quantize(Decimal("0.1")),
        "learning_outcomes": form.learning_outcomes.data or "",
        "published": bool(form.published.data),
        "requires_pre_survey": bool(form.requires_pre_survey.data),
        "requires_post_survey": bool(form.requires_post_survey.data),
    }


@bp.route("/hub/courses/new", methods=["GET", "POST"])
@hub_admin_required
def new_course():  # type: ignore[no-untyped-def]
    """Create a course."""
    form = CourseForm()
    if form.validate_on_submit():
        course = services.create_course(current_user, current_user.hub_id, **_course_fields(form))
        flash(f"{course.title} has been created. Now add its modules.", "success")
        return redirect(url_for("courses.admin_course", course_id=course.id))
    return render_template("courses/admin/course_form.html", form=form, course=None), 400 if form.errors else 200


@bp.route("/hub/courses/<int:course_id>/edit", methods=["GET", "POST"])
@hub_admin_required
def edit_course(course_id: int):  # type: ignore[no-untyped-def]
    """Change a course's details, publish or unpublish it."""
    course = get_admin_course(course_id)
    form = CourseForm(obj=course)
    if form.validate_on_submit():
        services.update_course(current_user, course, **_course_fields(form))
        flash(f"{course.title} has been saved.", "success")
        return redirect(url_for("courses.admin_course", course_id=course.id))
    return render_template("courses/admin/course_form.html", form=form, course=course), 400 if form.errors else 200


@bp.get("/hub/courses/<int:course_id>")
@hub_admin_required
def admin_course(course_id: int):  # type: ignore[no-untyped-def]
    """A course's modules and cohorts, for its administrators."""
    course = get_admin_course(course_id, questions=True)
    return render_template("courses/admin/course.html", course=course, form=ButtonForm(), roles=PROFESSIONAL_ROLES)


@bp.route("/hub/courses/<int:course_id>/modules/new", methods=["GET", "POST"])
@hub_admin_required
def new_module(course_id: int):  # type: ignore[no-untyped-def]
    """Add a module to a course."""
    course = get_admin_course(course_id)
    form = ModuleForm()
    if form.validate_on_submit():
        module = services.add_module(current_user, course, **form.model_fields())
        flash(f"{module.title} has been added.", "success")
        if module.is_check:
            return redirect(url_for("courses.admin_questions", course_id=course.id, module_id=module.id))
        return redirect(url_for("courses.admin_course", course_id=course.id))
    return render_template("courses/admin/module_form.html", form=form, course=course, module=None), 400 if form.errors else 200


@bp.route("/hub/courses/<int:course_id>/modules/<int:module_id>/edit", methods=["GET", "POST"])
@hub_admin_required
def edit_module(course_id: int, module_id: int):  # type: ignore[no-untyped-def]
    """Change a module (including unpublishing it)."""
    course = get_admin_course(course_id)
    module = get_module(course, module_id)
    form = ModuleForm(obj=module)
    if request.method == "GET" and module.starts_at:
        form.starts_at.data = module.starts_at.astimezone(LONDON).replace(tzinfo=None)
    if form.validate_on_submit():
        completed = services.update_module(current_user, module, **form.model_fields())
        message = f"{module.title} has been saved."
        if completed:
            message += f" {completed} learners have now completed the course."
        flash(message, "success")
        return redirect(url_for("courses.admin_course", course_id=course.id))
    return render_template("courses/admin/module_form.html", form=form, course=course, module=module), 400 if form.errors else 200


@bp.post("/hub/courses/<int:course_id>/modules/<int:module_id>/move/<any(up, down):direction>")
@hub_admin_required
def move_module(course_id: int, module_id: int, direction: str):  # type: ignore[no-untyped-def]
    """Move a module up or down."""
    course = get_admin_course(course_id)
    module = get_module(course, module_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    services.move_module(current_user, module, -1 if direction == "up" else 1)
    return redirect(url_for("courses.admin_course", course_id=course.id) + f"#module-{module.id}")


@bp.route("/hub/courses/<int:course_id>/modules/<int:module_id>/questions", methods=["GET", "POST"])
@hub_admin_required
def admin_questions(course_id: int, module_id: int):  # type: ignore[no-untyped-def]
    """A knowledge check's questions; add one."""
    course = get_admin_course(course_id, questions=True)
    module = get_module(course, module_id)
    if not module.is_check:
        abort(404)
    form = QuestionForm()
    if form.validate_on_submit():
        try:
            services.add_question(
                current_user,
                module,
                text=form.text.data,
                kind=form.kind.data,
                explanation=form.explanation.data or "",
                options=parse_options(form.options.data),
            )
        except services.CourseError as error:
            form.options.errors.append(str(error))
        else:
            flash("The question has been added.", "success")
            return redirect(url_for("courses.admin_questions", course_id=course.id, module_id=module.id))
    return (
        render_template("courses/admin/questions.html", course=course, module=module, form=form, action_form=ButtonForm()),
        400 if form.errors else 200,
    )


@bp.route("/hub/courses/<int:course_id>/modules/<int:module_id>/questions/<int:question_id>/edit", methods=["GET", "POST"])
@hub_admin_required
def edit_question(course_id: int, module_id: int, question_id: int):  # type: ignore[no-untyped-def]
    """Change a question (its options only until learners have answered it)."""
    course, module, question = get_admin_question(course_id, module_id, question_id)
    form = QuestionForm(obj=question)
    if request.method == "GET":
        form.options.data = "\n".join(("* " if o.correct else "") + o.text for o in question.options)
    if form.validate_on_submit():
        try:
            services.update_question(
                current_user,
                question,
                text=form.text.data,
                kind=form.kind.data,
                explanation=form.explanation.data or "",
                options=parse_options(form.options.data),
            )
        except services.CourseError as error:
            form.options.errors.append(str(error))
        else:
            flash("The question has been saved.", "success")
            return redirect(url_for("courses.admin_questions", course_id=course.id, module_id=module.id))
    return (
        render_template("courses/admin/question_form.html", course=course, module=module, question=question, form=form),
        400 if form.errors else 200,
    )


@bp.post("/hub/courses/<int:course_id>/modules/<int:module_id>/questions/<int:question_id>/delete")
@hub_admin_required
def delete_question(course_id: int, module_id: int, question_id: int):  # type: ignore[no-untyped-def]
    """Remove a question."""
    course, module, question = get_admin_question(course_id, module_id, question_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    if services.delete_question(current_user, question):
        flash("The question has been removed.", "success")
    else:
        flash(
            "Learners have answered this question, so it has been retired rather than deleted: their past "
            "answers and the reports keep it, but it will not be asked in new attempts.",
            "success",
        )
    return redirect(url_for("courses.admin_questions", course_id=course.id, module_id=module.id))


@bp.post("/hub/courses/<int:course_id>/modules/<int:module_id>/questions/<int:question_id>/restore")
@hub_admin_required
def restore_question(course_id: int, module_id: int, question_id: int):  # type: ignore[no-untyped-def]
    """Ask a retired question again in new attempts."""
    course, module, question = get_admin_question(course_id, module_id, question_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    services.set_question_retired(current_user, question, False)
    flash("The question will be asked again in new attempts.", "success")
    return redirect(url_for("courses.admin_questions", course_id=course.id, module_id=module.id))


# --- hub administration: cohorts, enrolment, attendance, reports -----------------------------------------


@bp.route("/hub/courses/<int:course_id>/cohorts/new", methods=["GET", "POST"])
@hub_admin_required
def new_cohort(course_id: int):  # type: ignore[no-untyped-def]
    """Add a cohort."""
    course = get_admin_course(course_id)
    form = CohortForm()
    if form.validate_on_submit():
        cohort = services.add_cohort(
            current_user,
            course,
            name=form.name.data,
            starts_on=form.starts_on.data,
            ends_on=form.ends_on.data,
            capacity=form.capacity.data,
            self_enrolment_open=bool(form.self_enrolment_open.data),
        )
        flash(f"{cohort.name} has been added.", "success")
        return redirect(url_for("courses.admin_cohort", course_id=course.id, cohort_id=cohort.id))
    return render_template("courses/admin/cohort_form.html", form=form, course=course, cohort=None), 400 if form.errors else 200


@bp.route("/hub/courses/<int:course_id>/cohorts/<int:cohort_id>/edit", methods=["GET", "POST"])
@hub_admin_required
def edit_cohort(course_id: int, cohort_id: int):  # type: ignore[no-untyped-def]
    """Change a cohort's dates, places or self-enrolment."""
    course = get_admin_course(course_id)
    cohort = get_cohort(course, cohort_id)
    form = CohortForm(obj=cohort)
    if form.validate_on_submit():
        services.update_cohort(
            current_user,
            cohort,
            name=form.name.data,
            starts_on=form.starts_on.data,
            ends_on=form.ends_on.data,
            capacity=form.capacity.data,
            self_enrolment_open=bool(form.self_enrolment_open.data),
        )
        flash(f"{cohort.name} has been saved.", "success")
        return redirect(url_for("courses.admin_cohort", course_id=course.id, cohort_id=cohort.id))
    return render_template("courses/admin/cohort_form.html", form=form, course=course, cohort=cohort), 400 if form.errors else 200


@bp.route("/hub/courses/<int:course_id>/cohorts/<int:cohort_id>", methods=["GET", "POST"])
@hub_admin_required
def admin_cohort(course_id: int, cohort_id: int):  # type: ignore[no-untyped-def]
    """A cohort: report, learners, enrol someone."""
    course = get_admin_course(course_id, questions=True)
    cohort = get_cohort(course, cohort_id)
    form = EnrolForm()
    if form.validate_on_submit():
        user = db.session.scalar(select(User).where(User.email == form.email.data, User.hub_id == course.hub_id))
        if user is None:
            form.email.errors.append("Nobody in your hub has this email address. Invite them first")
        else:
            outcome = services.enrol(current_user, cohort, user)
            if not outcome.created:
                flash(f"{user.name} is already on this course.", "info")
            elif outcome.waiting:
                flash(f"{cohort.name} is full: {user.name} is on the waiting list.", "warning")
            else:
                flash(f"{user.name} has been enrolled.", "success")
            return redirect(url_for("courses.admin_cohort", course_id=course.id, cohort_id=cohort.id))
    report = services.cohort_report(course, cohort)
    return (
        render_template(
            "courses/admin/cohort.html",
            course=course,
            cohort=cohort,
            form=form,
            report=report,
            action_form=ButtonForm(),
        ),
        400 if form.errors else 200,
    )


@bp.post("/hub/courses/<int:course_id>/cohorts/<int:cohort_id>/promote")
@hub_admin_required
def promote_waiting(course_id: int, cohort_id: int):  # type: ignore[no-untyped-def]
    """Give free places to people on the waiting list."""
    course = get_admin_course(course_id)
    cohort = get_cohort(course, cohort_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    count = services.promote_waiting(current_user, cohort)
    flash(f"{count} people have been given a place." if count else "There are no free places.", "info")
    return redirect(url_for("courses.admin_cohort", course_id=course.id, cohort_id=cohort.id))


@bp.route("/hub/courses/<int:course_id>/cohorts/<int:cohort_id>/import", methods=["GET", "POST"])
@hub_admin_required
def enrol_csv(course_id: int, cohort_id: int):  # type: ignore[no-untyped-def]
    """Enrol people from a CSV; nobody is enrolled unless every row matches someone in the hub."""
    course = get_admin_course(course_id)
    cohort = get_cohort(course, cohort_id)
    form = EnrolCsvForm()
    result = None
    if form.validate_on_submit():
        text = decode_csv(form.csv_file.data.read())
        if text is None:
            form.csv_file.errors.append("The selected file must be a CSV saved as UTF-8")
        else:
            hub_users = dict(db.session.execute(select(User.email, User.id).where(User.hub_id == course.hub_id)).all())
            result = check_enrol_rows(text, hub_users=hub_users)
            if result.ok:
                outcomes = services.enrol_many(current_user, cohort, result.user_ids)
                created = [o for o in outcomes if o.created]
                waiting = sum(o.waiting for o in created)
                flash(
                    f"{len(created) - waiting} people have been enrolled"
                    + (f" and {waiting} put on the waiting list" if waiting else "")
                    + (f"; {len(outcomes) - len(created)} were already on the course" if len(created) < len(outcomes) else "")
                    + ".",
                    "success",
                )
                return redirect(url_for("courses.admin_cohort", course_id=course.id, cohort_id=cohort.id))
            if result.file_errors:
                form.csv_file.errors.extend(result.file_errors)
            else:
                form.csv_file.errors.append(
                    f"{len(result.errors)} rows have a problem. Nobody has been enrolled. "
                    "Fix the rows below and upload the file again"
                )
    return (
        render_template("courses/admin/enrol_csv.html", course=course, cohort=cohort, form=form, result=result),
        400 if form.errors else 200,
    )


@bp.route("/hub/courses/<int:course_id>/cohorts/<int:cohort_id>/attendance/<int:module_id>", methods=["GET", "POST"])
@login_required
def attendance(course_id: int, cohort_id: int, module_id: int):  # type: ignore[no-untyped-def]
    """Record who attended a live session (hub administrators and facilitators)."""
    course = services.load_course(course_id)
    if course is None or course.hub_id != current_user.hub_id:
        abort(404)
    if not current_user.is_facilitator:
        abort(403)
    cohort = get_cohort(course, cohort_id)
    module = get_module(course, module_id)
    if not module.is_live:
        abort(404)
    enrolments = [e for e in services.cohort_enrolments(cohort) if not e.is_waiting]
    form = ButtonForm()
    if form.validate_on_submit():
        valid = {e.id for e in enrolments}
        try:
            chosen = {int(v) for v in request.form.getlist("attended")}
        except ValueError:
            abort(400)
        completed = services.record_attendance(current_user, module, enrolments, chosen & valid)
        flash(
            "Attendance has been saved." + (f" {completed} learners have now completed the course." if completed else ""),
            "success",
        )
        return redirect(url_for("courses.attendance", course_id=course.id, cohort_id=cohort.id, module_id=module.id))
    recorded = {e.id: next((a.attended for a in e.attendance if a.module_id == module.id), None) for e in enrolments}
    return render_template(
        "courses/admin/attendance.html",
        course=course,
        cohort=cohort,
        module=module,
        enrolments=enrolments,
        recorded=recorded,
        form=form,
    )


@bp.get("/hub/courses/<int:course_id>/cohorts/<int:cohort_id>/learners/<int:enrolment_id>")
@hub_admin_required
def admin_learner(course_id: int, cohort_id: int, enrolment_id: int):  # type: ignore[no-untyped-def]
    """One learner's progress and attempts."""
    course = get_admin_course(course_id, questions=True)
    cohort = get_cohort(course, cohort_id)
    enrolment = db.session.get(Enrolment, enrolment_id)
    if enrolment is None or enrolment.cohort_id != cohort.id:
        abort(404)
    state = services.course_state(enrolment, course)
    attempts: dict[int, list[QuizAttempt]] = {}
    for a in enrolment.attempts:
        attempts.setdefault(a.module_id, []).append(a)
    return render_template(
        "courses/admin/learner.html", course=course, cohort=cohort, enrolment=enrolment, state=state, attempts=attempts
    )


@bp.get("/hub/courses/<int:course_id>/cohorts/<int:cohort_id>/report.csv")
@hub_admin_required
def cohort_csv(course_id: int, cohort_id: int):  # type: ignore[no-untyped-def]
    """The cohort's learners and their progress as CSV."""
    course = get_admin_course(course_id, questions=True)
    cohort = get_cohort(course, cohort_id)
    report = services.cohort_report(course, cohort)
    out = io.StringIO()
    writer = csv.writer(out)
    published = course.published_modules
    writer.writerow(["name", "email", "attempt", "enrolled", "started", "completed", "progress %"] + [m.title for m in published])
    for enrolment, state in report.learners:
        writer.writerow(
            [
                safe_cell(enrolment.user.name),
                safe_cell(enrolment.user.email),
                enrolment.attempt,
                enrolment.enrolled_at.date().isoformat(),
                enrolment.started_at.date().isoformat() if enrolment.started_at else "",
                enrolment.completed_at.date().isoformat() if enrolment.completed_at else "",
                state.percent,
            ]
            + [str(state.statuses[m.id]) for m in published]
        )
    audit(current_user, Action.EXPORT_COHORT_PROGRESS, cohort=cohort.id, hub=course.hub_id, format="csv")
    db.session.commit()
    filename = re.sub(r"[^A-Za-z0-9]+", "-", f"{course.title}-{cohort.name}").strip("-").lower() or "cohort"
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'},
    )


# --- images for module content ----------------------------------------------------------------------


def _image_folder(course: Course) -> Path:
    return Path(current_app.instance_path) / "course-images" / str(course.id)


@bp.route("/hub/courses/<int:course_id>/images", methods=["GET", "POST"])
@hub_admin_required
def course_images(course_id: int):  # type: ignore[no-untyped-def]
    """Upload images for a course's modules and see the Markdown to use them."""
    course = get_admin_course(course_id)
    form = ImageForm()
    if form.validate_on_submit():
        limit = int(current_app.config.get("COURSE_IMAGE_MAX_BYTES", images.MAX_IMAGE_BYTES))
        data = form.image.data.read(limit + 1)
        problem = images.image_problem(data, limit)
        if problem:
            form.image.errors.append(problem)
        else:
            name = images.store_image(_image_folder(course), data)
            audit(current_user, Action.COURSE_IMAGE_UPLOADED, course=course.id, image=name)
            db.session.commit()
            flash("The image has been uploaded. Copy its Markdown into a module.", "success")
            return redirect(url_for("courses.course_images", course_id=course.id))
    names = images.list_images(_image_folder(course))
    return (
        render_template("courses/admin/images.html", course=course, form=form, names=names),
        400 if form.errors else 200,
    )


@bp.get("/courses/<int:course_id>/images/<name>")
@login_required
def course_image(course_id: int, name: str):  # type: ignore[no-untyped-def]
    """An image of a course, for members of the course's hub."""
    course = db.session.get(Course, course_id)
    if course is None or course.hub_id != current_user.hub_id or not images.safe_image_name(name):
        abort(404)
    if not course.published and not current_user.administers(course.hub_id):
        abort(404)
    response = send_from_directory(_image_folder(course), name, mimetype=images.MIME_TYPES[name.rsplit(".", 1)[1]])
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'"
    return response


@bp.get("/facilitate/live-sessions")
@login_required
def live_sessions():  # type: ignore[no-untyped-def]
    """Live sessions of the hub's courses, by cohort, for facilitators to record attendance."""
    if not current_user.is_facilitator:
        abort(403)
    courses = db.session.scalars(
        select(Course)
        .where(Course.hub_id == current_user.hub_id)
        .order_by(Course.title)
        .options(selectinload(Course.modules), selectinload(Course.cohorts))
    ).all()
    return render_template("courses/live_sessions.html", courses=courses)
