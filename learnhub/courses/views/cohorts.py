"""Running a course: cohorts, enrolment, waiting list, attendance, learners' progress, reports.

Enrolment is one by one or from a CSV; attendance is recorded for live sessions.
"""

import re

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from learnhub.accounts.models import User
from learnhub.audit import Action
from learnhub.courses import rules, services
from learnhub.courses.access import (
    get_admin_course,
    get_cohort,
    get_cohort_enrolment,
    get_facilitated_course,
    get_module,
)
from learnhub.courses.csv_enrol import check_enrol_rows
from learnhub.courses.forms import (
    ButtonForm,
    CohortForm,
    EnrolCsvForm,
    EnrolForm,
    RecordCompletionForm,
    WithdrawCompletionForm,
)
from learnhub.courses.models import Course, QuizAttempt
from learnhub.courses.views import bp
from learnhub.exports import csv_response
from learnhub.extensions import db
from learnhub.security import hub_admin_required
from learnhub.timeutil import utcnow


def _cohort_fields(form: CohortForm) -> dict[str, object]:
    return {
        "name": form.name.data,
        "starts_on": form.starts_on.data,
        "ends_on": form.ends_on.data,
        "capacity": form.capacity.data,
        "self_enrolment_open": bool(form.self_enrolment_open.data),
    }


@bp.route("/hub/courses/<int:course_id>/cohorts/new", methods=["GET", "POST"])
@hub_admin_required
def new_cohort(course_id: int):  # type: ignore[no-untyped-def]
    """Add a cohort."""
    course = get_admin_course(course_id)
    form = CohortForm()
    if form.validate_on_submit():
        cohort = services.add_cohort(current_user, course, **_cohort_fields(form))
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
        services.update_cohort(current_user, cohort, **_cohort_fields(form))
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
        hub_users = dict(db.session.execute(select(User.email, User.id).where(User.hub_id == course.hub_id)).all())
        result = check_enrol_rows(form.csv_file.data.read(), hub_users=hub_users)
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
    course = get_facilitated_course(course_id)
    cohort = get_cohort(course, cohort_id)
    module = get_module(course, module_id)
    if not module.is_live:
        abort(404)
    enrolments = [e for e in services.cohort_enrolments(cohort) if not e.is_waiting]
    started = module.starts_at is None or utcnow() >= module.starts_at
    form = ButtonForm()
    if form.validate_on_submit():
        valid = {e.id for e in enrolments}
        values = request.form.getlist("attended")
        if not all(re.fullmatch(r"[0-9]{1,18}", v) for v in values):
            abort(400)
        chosen = {int(v) for v in values}
        try:
            saved = services.record_attendance(current_user, module, enrolments, chosen & valid)
        except services.CourseError as error:
            flash(str(error), "error")
            return redirect(url_for("courses.attendance", course_id=course.id, cohort_id=cohort.id, module_id=module.id))
        message = "Attendance has been saved."
        if saved.completed:
            message += f" {saved.completed} learners have now completed the course."
        if saved.withdrawn:
            message += f" {saved.withdrawn} learners no longer meet the course's requirements: their completion is withdrawn."
        flash(message, "success")
        return redirect(url_for("courses.attendance", course_id=course.id, cohort_id=cohort.id, module_id=module.id))
    recorded = {e.id: next((a.attended for a in e.attendance if a.module_id == module.id), None) for e in enrolments}
    return render_template(
        "courses/admin/attendance.html",
        course=course,
        cohort=cohort,
        module=module,
        enrolments=enrolments,
        recorded=recorded,
        started=started,
        form=form,
    )


@bp.get("/hub/courses/<int:course_id>/cohorts/<int:cohort_id>/learners/<int:enrolment_id>")
@hub_admin_required
def admin_learner(course_id: int, cohort_id: int, enrolment_id: int):  # type: ignore[no-untyped-def]
    """One learner's progress and attempts."""
    course = get_admin_course(course_id, questions=True)
    cohort = get_cohort(course, cohort_id)
    enrolment = get_cohort_enrolment(cohort, enrolment_id)
    state = services.course_state(enrolment, course)
    attempts: dict[int, list[QuizAttempt]] = {}
    for a in enrolment.attempts:
        attempts.setdefault(a.module_id, []).append(a)
    facts = {f.module_id: f for f in services.module_facts(enrolment, course.modules)}
    return render_template(
        "courses/admin/learner.html",
        course=course,
        cohort=cohort,
        enrolment=enrolment,
        state=state,
        attempts=attempts,
        attempts_left={m.id: rules.attempts_left(facts[m.id]) for m in course.modules if m.is_check},
        form=ButtonForm(),
        certificate=_certificate_of(enrolment),
    )


def _learner_check(course_id: int, cohort_id: int, enrolment_id: int, module_id: int):  # type: ignore[no-untyped-def]
    course = get_admin_course(course_id, questions=True)
    cohort = get_cohort(course, cohort_id)
    enrolment = get_cohort_enrolment(cohort, enrolment_id)
    module = get_module(course, module_id)
    if not module.is_check:
        abort(404)
    if not ButtonForm().validate_on_submit():
        abort(400)
    return course, cohort, enrolment, module


def _attempts_changed(course, cohort, enrolment, module, change):  # type: ignore[no-untyped-def]
    try:
        left = change(current_user, enrolment, module)
    except services.CourseError as error:
        flash(str(error), "error")
    else:
        flash(f"{enrolment.user.name} can try {module.title} again. Attempts left: {left}.", "success")
    return redirect(url_for("courses.admin_learner", course_id=course.id, cohort_id=cohort.id, enrolment_id=enrolment.id))


_LEARNER_CHECK = "/hub/courses/<int:course_id>/cohorts/<int:cohort_id>/learners/<int:enrolment_id>/modules/<int:module_id>"


@bp.post(f"{_LEARNER_CHECK}/another-attempt")
@hub_admin_required
def allow_another_attempt(course_id: int, cohort_id: int, enrolment_id: int, module_id: int):  # type: ignore[no-untyped-def]
    """Give a learner one more attempt at a knowledge check (audited)."""
    return _attempts_changed(*_learner_check(course_id, cohort_id, enrolment_id, module_id), services.allow_another_attempt)


@bp.post(f"{_LEARNER_CHECK}/reset-attempts")
@hub_admin_required
def reset_attempts(course_id: int, cohort_id: int, enrolment_id: int, module_id: int):  # type: ignore[no-untyped-def]
    """Give a learner the check's full number of attempts again (audited; past attempts are kept)."""
    return _attempts_changed(*_learner_check(course_id, cohort_id, enrolment_id, module_id), services.reset_attempts)


@bp.get("/hub/courses/<int:course_id>/cohorts/<int:cohort_id>/report.csv")
@hub_admin_required
def cohort_csv(course_id: int, cohort_id: int):  # type: ignore[no-untyped-def]
    """The cohort's learners and their progress as CSV."""
    course = get_admin_course(course_id, questions=True)
    cohort = get_cohort(course, cohort_id)
    report = services.cohort_report(course, cohort)
    published = course.published_modules
    header = ["name", "email", "attempt", "enrolled", "started", "completed", "progress %"] + [m.title for m in published]
    rows = [
        [
            enrolment.user.name,
            enrolment.user.email,
            enrolment.attempt,
            enrolment.enrolled_at.date().isoformat(),
            enrolment.started_at.date().isoformat() if enrolment.started_at else "",
            enrolment.completed_at.date().isoformat() if enrolment.completed_at else "",
            state.percent,
        ]
        + [str(state.statuses[m.id]) for m in published]
        for enrolment, state in report.learners
    ]
    filename = re.sub(r"[^A-Za-z0-9]+", "-", f"{course.title}-{cohort.name}").strip("-").lower() or "cohort"
    return csv_response(
        f"{filename}.csv", header, rows, action=Action.EXPORT_COHORT_PROGRESS, cohort=cohort.id, hub=course.hub_id
    )


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


_LEARNER = "/hub/courses/<int:course_id>/cohorts/<int:cohort_id>/learners/<int:enrolment_id>"


def _completion_override(course_id: int, cohort_id: int, enrolment_id: int, *, recording: bool):  # type: ignore[no-untyped-def]
    """The confirmation page (with a reason) and the change, for recording or withdrawing by hand.

    A repeat (a double click, another tab) finds the change already made and says nothing has changed.
    """
    course = get_admin_course(course_id)
    cohort = get_cohort(course, cohort_id)
    enrolment = get_cohort_enrolment(cohort, enrolment_id)
    back = url_for("courses.admin_learner", course_id=course.id, cohort_id=cohort.id, enrolment_id=enrolment.id)
    name = enrolment.user.name
    unchanged = (
        f"{name}'s completion is already recorded. Nothing has changed."
        if recording
        else f"{name} has no completion of this course to withdraw. Nothing has changed."
    )
    in_force = enrolment.completion is not None and enrolment.completion.in_force
    if in_force == recording:
        flash(unchanged, "info")
        return redirect(back)
    form = RecordCompletionForm() if recording else WithdrawCompletionForm()
    if form.validate_on_submit():
        try:
            if recording:
                changed = services.record_completion(current_user, enrolment, form.reason.data) is not None
            else:
                changed = services.withdraw_completion_by_hand(current_user, enrolment, form.reason.data)
        except services.CourseError as problem:
            form.reason.errors = [str(problem)]
        else:
            if not changed:
                flash(unchanged, "info")
            elif recording:
                flash(f"{name}'s completion of {course.title} has been recorded and a certificate issued.", "success")
            else:
                flash(f"{name}'s completion of {course.title} has been withdrawn and its certificate revoked.", "success")
            return redirect(back)
    page = render_template(
        "courses/admin/completion_override.html",
        course=course,
        cohort=cohort,
        enrolment=enrolment,
        form=form,
        recording=recording,
        back=back,
        certificate=None if recording else _certificate_of(enrolment),
    )
    return page, 400 if form.errors else 200


@bp.route(f"{_LEARNER}/completion/record", methods=["GET", "POST"])
@hub_admin_required
def record_completion(course_id: int, cohort_id: int, enrolment_id: int):  # type: ignore[no-untyped-def]
    """Confirm, with a reason, then record a learner's completion by hand (a certificate is issued)."""
    return _completion_override(course_id, cohort_id, enrolment_id, recording=True)


@bp.route(f"{_LEARNER}/completion/withdraw", methods=["GET", "POST"])
@hub_admin_required
def withdraw_completion(course_id: int, cohort_id: int, enrolment_id: int):  # type: ignore[no-untyped-def]
    """Confirm, with a reason, then withdraw a learner's completion (its certificate is revoked)."""
    return _completion_override(course_id, cohort_id, enrolment_id, recording=False)


def _certificate_of(enrolment):  # type: ignore[no-untyped-def]
    """The certificate of the enrolment's completion, if any (shown on the confirmation page)."""
    from learnhub.certificates.services import find_issued

    completion = enrolment.completion
    if completion is None:
        return None
    return find_issued(completion.user_id, completion.course_id, completion.id)
