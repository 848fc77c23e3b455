"""Who may see and do what on courses: one helper per kind of object, used by every view.

Each helper returns the object or aborts: 404 when the user may not know the object exists
(another hub's course, a draft course for a learner, a module of another course) and 403
when they may know it exists but not act on it.
"""

from flask import abort, flash, redirect, url_for
from flask_login import current_user

from learnhub.courses import services
from learnhub.courses.models import Cohort, Course, Enrolment, Module, Question
from learnhub.extensions import db


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


def get_facilitated_course(course_id: int) -> Course:
    """A course of the user's hub for recording attendance: 404 for another hub's, 403 for non-facilitators."""
    course = services.load_course(course_id)
    if course is None or course.hub_id != current_user.hub_id:
        abort(404)
    if not current_user.is_facilitator:
        abort(403)
    return course


def get_image_course(course_id: int) -> Course:
    """A course whose images the user may see: members of its hub; drafts only for its administrators."""
    course = db.session.get(Course, course_id)
    if course is None or course.hub_id != current_user.hub_id:
        abort(404)
    if not course.published and not current_user.administers(course.hub_id):
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


def get_cohort_enrolment(cohort: Cohort, enrolment_id: int) -> Enrolment:
    """An enrolment in this cohort; 404 otherwise."""
    enrolment = db.session.get(Enrolment, enrolment_id)
    if enrolment is None or enrolment.cohort_id != cohort.id:
        abort(404)
    return enrolment


def get_learning_enrolment(course: Course) -> Enrolment:
    """The learner's enrolment on a course, with a place (not waiting); back to the course page if none."""
    enrolment = services.current_enrolment(course.id, current_user.id)
    if enrolment is None or enrolment.is_waiting:
        flash("Enrol on the course to start its modules.", "error")
        abort(redirect(url_for("courses.course_page", course_id=course.id)))
    return enrolment
