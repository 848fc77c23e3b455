"""Course authoring: courses, modules, knowledge-check questions and cohorts. Never commits."""

from sqlalchemy import func, select

from learnhub.accounts.models import User
from learnhub.audit import Action, audit
from learnhub.courses.models import Cohort, Course, Module, Option, Question, QuizAnswer
from learnhub.courses.services.common import CourseError, recheck_course, render_markdown
from learnhub.extensions import db


def create_course(actor: User, hub_id: int, **fields: object) -> Course:
    """Create a course (unpublished until the administrator publishes it)."""
    course = Course(hub_id=hub_id, **fields)
    db.session.add(course)
    db.session.flush()
    audit(actor, Action.COURSE_CREATED, course=course.id)
    return course


def update_course(actor: User, course: Course, **fields: object) -> None:
    """Change a course's details or publish/unpublish it."""
    for key, value in fields.items():
        setattr(course, key, value)
    db.session.flush()
    audit(actor, Action.COURSE_UPDATED, course=course.id)


def add_module(actor: User, course: Course, **fields: object) -> Module:
    """Add a module at the end of the course."""
    position = max((m.position for m in course.modules), default=0) + 1
    module = Module(course=course, position=position, **fields)
    module.body_html = render_markdown(module.body_markdown or "")
    db.session.add(module)
    db.session.flush()
    audit(actor, Action.COURSE_MODULE_ADDED, course=course.id, module=module.id)
    return module


def update_module(actor: User, module: Module, **fields: object) -> int:
    """Change a module; learners whose course this makes complete are completed now. Returns how many."""
    for key, value in fields.items():
        setattr(module, key, value)
    module.body_html = render_markdown(module.body_markdown or "")
    db.session.flush()
    completed = recheck_course(module.course)
    db.session.flush()
    audit(actor, Action.COURSE_MODULE_UPDATED, module=module.id, completions=completed)
    return completed


def move_module(actor: User, module: Module, direction: int) -> None:
    """Swap a module with its neighbour (direction -1 up, +1 down)."""
    ordered = sorted(module.course.modules, key=lambda m: m.position)
    index = ordered.index(module)
    other = index + direction
    if 0 <= other < len(ordered):
        ordered[index], ordered[other] = ordered[other], ordered[index]
        for position, m in enumerate(ordered, start=1):
            m.position = position
        db.session.flush()
        audit(actor, Action.COURSE_MODULE_MOVED, module=module.id, position=module.position)


def _check_options(kind: str, options: list[tuple[str, bool]]) -> None:
    correct = sum(1 for _, ok in options if ok)
    if correct == 0:
        raise CourseError("Mark at least one answer as correct")
    if kind == Question.SINGLE and correct != 1:
        raise CourseError("A single-choice question must have exactly one correct answer")


def add_question(
    actor: User, module: Module, *, text: str, kind: str, explanation: str, options: list[tuple[str, bool]]
) -> Question:
    """Add a question with options to a knowledge check."""
    _check_options(kind, options)
    position = max((q.position for q in module.questions), default=0) + 1
    question = Question(module=module, position=position, text=text.strip(), kind=kind, explanation=explanation.strip())
    for i, (option_text, ok) in enumerate(options, start=1):
        question.options.append(Option(position=i, text=option_text.strip(), correct=ok))
    db.session.add(question)
    db.session.flush()
    audit(actor, Action.COURSE_QUESTION_ADDED, module=module.id, question=question.id)
    return question


def question_answered(question: Question) -> bool:
    """True once any learner has answered the question."""
    return bool(db.session.scalar(select(func.count()).where(QuizAnswer.question_id == question.id)))


def update_question(
    actor: User, question: Question, *, text: str, kind: str, explanation: str, options: list[tuple[str, bool]]
) -> None:
    """Change a question. Its options are fixed once learners have answered it, so their results keep their meaning."""
    current = [(o.text, o.correct) for o in question.options]
    if options != current or kind != question.kind:
        if question_answered(question):
            raise CourseError(
                "Learners have answered this question, so its options cannot change. Remove it and add a new question instead"
            )
        _check_options(kind, options)
        question.options = [Option(position=i, text=t.strip(), correct=ok) for i, (t, ok) in enumerate(options, start=1)]
        question.kind = kind
    question.text = text.strip()
    question.explanation = explanation.strip()
    db.session.flush()
    audit(actor, Action.COURSE_QUESTION_UPDATED, question=question.id)


def delete_question(actor: User, question: Question) -> bool:
    """Remove a question; one that learners have answered is retired instead. True if deleted.

    Deleting an answered question would delete the answers in learners' past attempts (their
    record and the cohort report), so it is only taken out of new attempts.
    """
    if question_answered(question):
        set_question_retired(actor, question, True)
        return False
    module_id = question.module_id
    db.session.delete(question)
    db.session.flush()
    audit(actor, Action.COURSE_QUESTION_DELETED, module=module_id)
    return True


def set_question_retired(actor: User, question: Question, retired: bool) -> None:
    """Take a question out of new attempts, or bring it back."""
    question.retired = retired
    db.session.flush()
    action = Action.COURSE_QUESTION_RETIRED if retired else Action.COURSE_QUESTION_RESTORED
    audit(actor, action, question=question.id, module=question.module_id)


def add_cohort(actor: User, course: Course, **fields: object) -> Cohort:
    """Add a cohort to a course."""
    cohort = Cohort(course=course, **fields)
    db.session.add(cohort)
    db.session.flush()
    audit(actor, Action.COURSE_COHORT_ADDED, course=course.id, cohort=cohort.id)
    return cohort


def update_cohort(actor: User, cohort: Cohort, **fields: object) -> None:
    """Change a cohort's dates, places or self-enrolment (the waiting list is not moved automatically)."""
    for key, value in fields.items():
        setattr(cohort, key, value)
    db.session.flush()
    audit(actor, Action.COURSE_COHORT_UPDATED, cohort=cohort.id)
