"""Evaluation wired to courses and Action Learning Set programmes.

- What can be evaluated: a hub's courses and ALS programmes (the "attach" page lists them).
- Who is invited: a course's enrolled learners (subgroup: their cohort) and an ALS
  programme's members (subgroup: their group).
- A course that requires its pre- or post-course survey is not complete until the learner has
  submitted it; submitting the survey re-checks completion at once, so the certificate is
  issued the moment the last condition is met.
"""

from sqlalchemy import select

from learnhub.courses import signals
from learnhub.courses.models import Enrolment
from learnhub.evaluation import interface
from learnhub.extensions import db


def course_invitees(course_id: int) -> list[tuple[int, str | None]]:
    """Learners with a place on the course (not the waiting list), by cohort."""
    rows = db.session.execute(
        select(Enrolment.user_id, Enrolment.cohort_id)
        .where(Enrolment.course_id == course_id, Enrolment.status == Enrolment.ENROLLED)
        .distinct()
    ).all()
    return [(user_id, str(cohort_id)) for user_id, cohort_id in rows]


def als_invitees(programme_id: int) -> list[tuple[int, str | None]]:
    """Members of an ALS programme, by group."""
    from learnhub.als.models import AlsMember

    rows = db.session.execute(select(AlsMember.user_id, AlsMember.group_id).where(AlsMember.programme_id == programme_id)).all()
    return [(user_id, str(group_id) if group_id is not None else None) for user_id, group_id in rows]


def hub_courses(hub_id: int) -> list[tuple[int, str]]:
    """The hub's courses, by title."""
    from learnhub.courses.models import Course

    return list(
        db.session.execute(select(Course.id, Course.title).where(Course.hub_id == hub_id).order_by(Course.title)).tuples()
    )


def hub_als_programmes(hub_id: int) -> list[tuple[int, str]]:
    """The hub's ALS programmes, by name."""
    from learnhub.als.models import AlsProgramme

    return list(
        db.session.execute(
            select(AlsProgramme.id, AlsProgramme.name).where(AlsProgramme.hub_id == hub_id).order_by(AlsProgramme.name)
        ).tuples()
    )


def course_cohort_names(course_id: int) -> dict[str, str]:
    """A course's cohorts by subgroup key (the cohort id)."""
    from learnhub.courses.models import Cohort

    rows = db.session.execute(select(Cohort.id, Cohort.name).where(Cohort.course_id == course_id))
    return {str(cohort_id): name for cohort_id, name in rows}


def als_group_names(programme_id: int) -> dict[str, str]:
    """An ALS programme's groups by subgroup key (the group id)."""
    from learnhub.als.models import AlsGroup

    rows = db.session.execute(select(AlsGroup.id, AlsGroup.name).where(AlsGroup.programme_id == programme_id))
    return {str(group_id): name for group_id, name in rows}


@signals.completion_requirements.connect
def surveys_required_for_completion(enrolment: Enrolment, **_: object) -> str | None:
    """The learner-facing message for a required survey not yet submitted, or None."""
    course = enrolment.course
    for timepoint, required in (("pre", course.requires_pre_survey), ("post", course.requires_post_survey)):
        if required:
            message = interface.survey_requirement_message(enrolment.user_id, "course", course.id, timepoint)
            if message:
                return message
    return None


@interface.response_submitted.connect_via("course")
def recheck_course_after_survey(subject_type: str, *, user_id: int, subject_id: int, timepoint: str) -> None:
    """A submitted course survey may be the last thing a learner needed to complete (same transaction)."""
    from learnhub.courses.services import current_enrolment, recheck_completion

    enrolment = current_enrolment(subject_id, user_id)
    if enrolment is not None and enrolment.completed_at is None and not enrolment.is_waiting:
        recheck_completion(enrolment)


def _answer(fn, name: str):  # type: ignore[no-untyped-def]
    """A signal receiver calling ``fn`` with the one keyword argument the signal sends."""

    def receiver(_subject_type: str, **kwargs: int):  # type: ignore[no-untyped-def]
        return fn(kwargs[name])

    receiver.__name__ = f"answer_{fn.__name__}"
    return receiver


#: Kept here so tests can disconnect (and reconnect) one feature's answer.
RECEIVERS = {
    ("invitees", "course"): _answer(course_invitees, "subject_id"),
    ("invitees", "als_programme"): _answer(als_invitees, "subject_id"),
    ("subjects", "course"): _answer(hub_courses, "hub_id"),
    ("subjects", "als_programme"): _answer(hub_als_programmes, "hub_id"),
    ("labels", "course"): _answer(course_cohort_names, "subject_id"),
    ("labels", "als_programme"): _answer(als_group_names, "subject_id"),
}
_SIGNALS = {
    "invitees": interface.invitees_wanted,
    "subjects": interface.subjects_wanted,
    "labels": interface.subgroup_labels_wanted,
}
for (_kind, _subject_type), _receiver in RECEIVERS.items():
    _SIGNALS[_kind].connect(_receiver, sender=_subject_type, weak=False)
