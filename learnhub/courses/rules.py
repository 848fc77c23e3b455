"""Progress and completion rules for courses. Plain functions, no Flask, no database.

The views and services turn database rows into the small facts below and ask these
functions what a learner's status is. Decisions taken here:

* Only **published** modules count. A module unpublished after a learner passed it no longer
  counts towards progress or completion; the learner's pass stays in their history.
* A knowledge check is **passed** if any submitted attempt passed under the pass mark of its
  day, or if the best score reaches today's pass mark. Raising a pass mark never takes a pass
  away; lowering it can turn an earlier score into a pass.
* A check whose attempts are all used without a pass is **failed** for good in this enrolment;
  the course cannot then be completed (an administrator can enrol the learner again).
* A course is complete when every published required module is done and every extra
  requirement (for example evaluation surveys) is met. A course with nothing required is never
  complete by default.
"""

from dataclasses import dataclass, field
from enum import StrEnum


class Status(StrEnum):
    """A learner's status on one module."""

    NOT_STARTED = "not started"
    IN_PROGRESS = "in progress"
    COMPLETED = "completed"
    PASSED = "passed"
    FAILED = "failed"
    ATTENDED = "attended"
    ABSENT = "did not attend"

    @property
    def done(self) -> bool:
        """True when this status counts as the module being done."""
        return self in DONE


DONE = {Status.COMPLETED, Status.PASSED, Status.ATTENDED}


@dataclass(frozen=True)
class AttemptFact:
    """A submitted knowledge-check attempt."""

    score: int
    passed: bool


@dataclass(frozen=True)
class ModuleFacts:
    """What we know about one module and one learner."""

    module_id: int
    kind: str  # "content", "check" or "live"
    required: bool = True
    published: bool = True
    pass_mark: int = 80
    attempts_allowed: int | None = None
    started: bool = False
    completed: bool = False
    #: Submitted attempts only.
    attempts: tuple[AttemptFact, ...] = ()
    #: True if an attempt is open (started, not submitted).
    open_attempt: bool = False
    #: None: not recorded; True / False: recorded attendance.
    attended: bool | None = None
    #: Attempts an administrator has given this learner on top of ``attempts_allowed``.
    extra_attempts: int = 0


@dataclass
class CourseState:
    """A learner's standing on a whole course."""

    statuses: dict[int, Status]
    percent: int
    complete: bool
    #: What is still to do, in words a learner understands.
    outstanding: list[str] = field(default_factory=list)
    #: The module to resume at, or None when there is nothing left to do.
    next_module_id: int | None = None


def check_passed(facts: ModuleFacts) -> bool:
    """Whether a knowledge check counts as passed (see the module docstring)."""
    if any(a.passed for a in facts.attempts):
        return True
    return bool(facts.attempts) and max(a.score for a in facts.attempts) >= facts.pass_mark


def attempts_left(facts: ModuleFacts) -> int | None:
    """Attempts the learner still has at a check; None means unlimited."""
    if facts.attempts_allowed is None:
        return None
    return max(facts.attempts_allowed + facts.extra_attempts - len(facts.attempts), 0)


class Review(StrEnum):
    """When a knowledge check shows learners the right answers (Moodle's review options)."""

    NEVER = "never"
    AFTER_PASSING = "passed"
    AFTER_LAST_ATTEMPT = "last_attempt"


REVIEW_LABELS = {
    Review.AFTER_PASSING: "After the learner passes",
    Review.AFTER_LAST_ATTEMPT: "After the learner passes or has used all their attempts",
    Review.NEVER: "Never",
}


def show_right_answers(review: str, facts: ModuleFacts) -> bool:
    """Whether the result page may show the right answers and explanations.

    Never after a failed attempt while the learner can still try again: the next attempt
    would be copying. An unknown setting is treated as the default, after passing.
    """
    if review == Review.NEVER:
        return False
    if check_passed(facts):
        return True
    return review == Review.AFTER_LAST_ATTEMPT and not can_attempt(facts)


def can_attempt(facts: ModuleFacts) -> bool:
    """A learner may start (or continue) an attempt: not yet passed and attempts remain."""
    if check_passed(facts):
        return False
    if facts.open_attempt:
        return True
    left = attempts_left(facts)
    return left is None or left > 0


def module_status(facts: ModuleFacts) -> Status:
    """The status shown next to a module."""
    if facts.kind == "check":
        if check_passed(facts):
            return Status.PASSED
        if facts.attempts and not facts.open_attempt:
            return Status.FAILED
        if facts.attempts or facts.open_attempt or facts.started:
            return Status.IN_PROGRESS
        return Status.NOT_STARTED
    if facts.kind == "live":
        if facts.attended is True:
            return Status.ATTENDED
        if facts.attended is False:
            return Status.ABSENT
        return Status.NOT_STARTED
    if facts.completed:
        return Status.COMPLETED
    if facts.started:
        return Status.IN_PROGRESS
    return Status.NOT_STARTED


def counted(modules: list[ModuleFacts]) -> list[ModuleFacts]:
    """Modules that count towards progress: published and required (all published if none required)."""
    published = [m for m in modules if m.published]
    required = [m for m in published if m.required]
    return required or published


def progress_percent(modules: list[ModuleFacts]) -> int:
    """Percentage of counted modules done, rounded down (100 only when all are done)."""
    pool = counted(modules)
    if not pool:
        return 0
    done = sum(1 for m in pool if module_status(m).done)
    return done * 100 // len(pool)


def course_state(modules: list[ModuleFacts], titles: dict[int, str] | None = None, extra: list[str] | None = None) -> CourseState:
    """Statuses, progress, completion and what is left, for one learner on one course.

    :param modules: facts for every module of the course, in course order.
    :param titles: module titles, used in the "still to do" messages.
    :param extra: messages from other completion requirements (e.g. surveys) not yet met.
    """
    titles = titles or {}
    statuses = {m.module_id: module_status(m) for m in modules}
    published = [m for m in modules if m.published]
    required = [m for m in published if m.required]
    outstanding: list[str] = []
    for m in required:
        status = statuses[m.module_id]
        if status.done:
            continue
        name = titles.get(m.module_id, f"module {m.module_id}")
        if m.kind == "check":
            if status is Status.FAILED and not can_attempt(m):
                outstanding.append(f"No attempts left at {name}")
            else:
                outstanding.append(f"Pass {name}")
        elif m.kind == "live":
            outstanding.append(f"Attend {name}")
        else:
            outstanding.append(f"Complete {name}")
    outstanding.extend(extra or [])
    complete = bool(required) and not outstanding
    next_id = None
    for m in published:
        status = statuses[m.module_id]
        if status.done or m.kind == "live":
            continue
        if m.kind == "check" and not can_attempt(m):
            continue
        next_id = m.module_id
        break
    return CourseState(statuses, progress_percent(modules), complete, outstanding, next_id)


def score_percent(correct: int, total: int) -> int:
    """Whole-number percentage, rounded down, of questions answered correctly."""
    if total <= 0:
        return 0
    return correct * 100 // total


def answer_correct(selected: set[int], correct: set[int]) -> bool:
    """An answer is right only when exactly the correct options are chosen."""
    return bool(correct) and selected == correct


def median(values: list[float]) -> float | None:
    """The median, or None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    mid = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[mid]
    return (ordered[mid - 1] + ordered[mid]) / 2
