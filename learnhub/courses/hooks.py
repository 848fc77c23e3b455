"""How other features plug into course completion.

Two tiny registries:

* ``register_requirement(fn)``: ``fn(enrolment) -> str | None`` returns None when the
  requirement is met for that enrolment, or a learner-facing message ("Complete the
  post-course survey") when not. A course is only completed when every requirement is met.
  When something outside the course changes (a survey is submitted), call
  ``recheck_completion(enrolment)``: it records the completion if everything is now met,
  and the caller commits.
* ``on_completed(fn)``: ``fn(completion)`` runs inside the same transaction as the moment a
  ``CourseCompletion`` is recorded (for example to issue a certificate). It should add to the
  session, not commit; an exception rolls the completion back too.

Both return the function, so they can be used as decorators, and both have an
``unregister_*`` partner for tests. Register at import time of your feature (for example in
its ``views`` module, which the app factory imports).

The enrolment passed around is ``learnhub.courses.models.Enrolment`` (``user_id``,
``course_id``, ``cohort_id``, ``attempt``, ``completed_at``); find a learner's current one with
``learnhub.courses.services.current_enrolment(course_id, user_id)``. The completion is a
``CourseCompletion`` (``user_id``, ``course_id``, ``enrolment``, ``completed_at``, ``cpd_hours``).
"""

from collections.abc import Callable
from typing import Any

Requirement = Callable[[Any], str | None]
CompletionCallback = Callable[[Any], None]

_requirements: list[Requirement] = []
_callbacks: list[CompletionCallback] = []


def register_requirement(fn: Requirement) -> Requirement:
    """Add a completion requirement (idempotent)."""
    if fn not in _requirements:
        _requirements.append(fn)
    return fn


def unregister_requirement(fn: Requirement) -> None:
    """Remove a completion requirement if registered."""
    if fn in _requirements:
        _requirements.remove(fn)


def on_completed(fn: CompletionCallback) -> CompletionCallback:
    """Add a callback run when a completion is recorded (idempotent)."""
    if fn not in _callbacks:
        _callbacks.append(fn)
    return fn


def unregister_on_completed(fn: CompletionCallback) -> None:
    """Remove a completion callback if registered."""
    if fn in _callbacks:
        _callbacks.remove(fn)


def unmet_requirements(enrolment: Any) -> list[str]:
    """Messages of every registered requirement not yet met for the enrolment."""
    messages = []
    for fn in list(_requirements):
        message = fn(enrolment)
        if message:
            messages.append(message)
    return messages


def run_completed_callbacks(completion: Any) -> None:
    """Run every completion callback, in registration order."""
    for fn in list(_callbacks):
        fn(completion)


def recheck_completion(enrolment: Any) -> Any:
    """Record the enrolment's completion if its conditions are now all met; returns it or None.

    The caller commits (so that the completion and what triggered it are one transaction).
    """
    from learnhub.courses.services import recheck_completion as recheck

    return recheck(enrolment)
