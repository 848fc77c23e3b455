"""Signals other features connect to, to react to course completion (blinker, as Indico does).

``course_completed``
    Sent with the new ``CourseCompletion`` as sender, inside the transaction that records it
    (for example to issue a certificate). Receivers add to the session and never commit; an
    exception rolls the completion back too. Sent once per completion, however many requests
    race to record it.

``completion_withdrawn``
    Sent with the withdrawn ``CourseCompletion`` as sender, inside the transaction, just
    before it is deleted (attendance that completed the course was removed). Receivers undo
    what they did for ``course_completed`` (for example revoke the certificate). Keyword
    argument ``reason`` says why, in words.

``completion_requirements``
    Sent with the ``Enrolment`` as sender whenever completion is worked out. Each receiver
    returns ``None`` when its requirement is met, or a learner-facing message ("Complete the
    post-course survey") when not; a course is only complete when every receiver returns
    ``None``. When something outside the course changes (a survey is submitted), call
    ``learnhub.courses.services.recheck_completion(enrolment)``: it records the completion if
    everything is now met (the request commits).

Connect receivers at import time of a module imported by ``learnhub.wiring``. The enrolment is
``learnhub.courses.models.Enrolment`` (``user_id``, ``course_id``, ``cohort_id``, ``attempt``,
``completed_at``); find a learner's current one with
``learnhub.courses.services.current_enrolment(course_id, user_id)``. The completion is a
``CourseCompletion`` (``user_id``, ``course_id``, ``enrolment``, ``completed_at``, ``cpd_hours``).
"""

from typing import Any

from flask.signals import Namespace

_signals = Namespace()

course_completed = _signals.signal("course-completed")
completion_withdrawn = _signals.signal("course-completion-withdrawn")
completion_requirements = _signals.signal("course-completion-requirements")


def unmet_requirements(enrolment: Any) -> list[str]:
    """Messages of every requirement receiver not yet met for the enrolment."""
    return [message for _, message in completion_requirements.send(enrolment) if message]
