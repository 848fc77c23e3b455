"""The pure progress and completion rules."""

import pytest

from learnhub.courses import rules
from learnhub.courses.rules import AttemptFact, ModuleFacts, Status


def content(mid, **kw):
    return ModuleFacts(mid, "content", **kw)


def check(mid, **kw):
    return ModuleFacts(mid, "check", **kw)


def live(mid, **kw):
    return ModuleFacts(mid, "live", **kw)


@pytest.mark.parametrize(
    ("facts", "status"),
    [
        (content(1), Status.NOT_STARTED),
        (content(1, started=True), Status.IN_PROGRESS),
        (content(1, started=True, completed=True), Status.COMPLETED),
        (check(1), Status.NOT_STARTED),
        (check(1, open_attempt=True), Status.IN_PROGRESS),
        (check(1, attempts=(AttemptFact(50, False),)), Status.FAILED),
        (check(1, attempts=(AttemptFact(50, False),), open_attempt=True), Status.IN_PROGRESS),
        (check(1, attempts=(AttemptFact(50, False), AttemptFact(100, True))), Status.PASSED),
        (live(1), Status.NOT_STARTED),
        (live(1, attended=True), Status.ATTENDED),
        (live(1, attended=False), Status.ABSENT),
    ],
)
def test_module_status(facts, status):
    assert rules.module_status(facts) is status


def test_progress_counts_only_published_required_modules():
    modules = [
        content(1, completed=True, started=True),
        content(2),
        content(3, required=False, completed=True, started=True),
        content(4, published=False),
    ]
    assert rules.progress_percent(modules) == 50


def test_progress_rounds_down_and_is_100_only_when_all_done():
    modules = [content(1, started=True, completed=True), content(2, started=True, completed=True), content(3)]
    assert rules.progress_percent(modules) == 66
    assert rules.progress_percent([]) == 0


def test_course_complete_when_every_required_module_done():
    modules = [
        content(1, started=True, completed=True),
        check(2, attempts=(AttemptFact(100, True),)),
        live(3, attended=True),
        content(4, required=False),
    ]
    state = rules.course_state(modules)
    assert state.complete
    assert state.percent == 100
    assert state.outstanding == []


def test_extra_requirement_holds_completion_back():
    state = rules.course_state([content(1, started=True, completed=True)], extra=["Complete the post-course survey"])
    assert not state.complete
    assert state.outstanding == ["Complete the post-course survey"]


def test_course_with_nothing_required_is_never_complete():
    assert not rules.course_state([content(1, required=False, started=True, completed=True)]).complete
    assert not rules.course_state([]).complete


def test_module_unpublished_after_pass_no_longer_counts():
    passed_then_hidden = check(1, published=False, attempts=(AttemptFact(100, True),))
    modules = [passed_then_hidden, content(2)]
    state = rules.course_state(modules, {1: "Check", 2: "Reading"})
    assert state.statuses[1] is Status.PASSED  # history kept
    assert state.percent == 0
    assert state.outstanding == ["Complete Reading"]
    # And an unpublished unfinished module does not block completion.
    state = rules.course_state([check(1, published=False), content(2, started=True, completed=True)])
    assert state.complete


def test_raising_pass_mark_keeps_earlier_pass():
    facts = check(1, pass_mark=90, attempts=(AttemptFact(80, True),))
    assert rules.module_status(facts) is Status.PASSED


def test_lowering_pass_mark_turns_earlier_score_into_pass():
    facts = check(1, pass_mark=60, attempts=(AttemptFact(60, False),))
    assert rules.module_status(facts) is Status.PASSED
    assert rules.module_status(check(1, pass_mark=70, attempts=(AttemptFact(60, False),))) is Status.FAILED


def test_attempts_exhausted_blocks_retry_and_completion():
    facts = check(1, attempts_allowed=2, attempts=(AttemptFact(0, False), AttemptFact(40, False)))
    assert rules.attempts_left(facts) == 0
    assert not rules.can_attempt(facts)
    state = rules.course_state([facts], {1: "Quiz"})
    assert not state.complete
    assert state.outstanding == ["No attempts left at Quiz"]
    assert state.next_module_id is None


def test_attempts_remaining_and_unlimited():
    one_left = check(1, attempts_allowed=2, attempts=(AttemptFact(0, False),))
    assert rules.attempts_left(one_left) == 1
    assert rules.can_attempt(one_left)
    unlimited = check(1, attempts=tuple(AttemptFact(0, False) for _ in range(10)))
    assert rules.attempts_left(unlimited) is None
    assert rules.can_attempt(unlimited)
    assert not rules.can_attempt(check(1, attempts=(AttemptFact(100, True),)))


def test_resume_at_first_unfinished_module():
    modules = [content(1, started=True, completed=True), live(2), content(3, started=True), check(4)]
    assert rules.course_state(modules).next_module_id == 3
    modules[2] = content(3, started=True, completed=True)
    assert rules.course_state(modules).next_module_id == 4


def test_scoring():
    assert rules.score_percent(2, 3) == 66
    assert rules.score_percent(0, 0) == 0
    assert rules.answer_correct({1, 2}, {1, 2})
    assert not rules.answer_correct({1}, {1, 2})
    assert not rules.answer_correct(set(), set())


def test_median():
    assert rules.median([]) is None
    assert rules.median([3.0, 1.0, 2.0]) == 2.0
    assert rules.median([1.0, 2.0, 3.0, 4.0]) == 2.5


FAILED_ONCE = (AttemptFact(50, False),)


@pytest.mark.parametrize(
    ("review", "facts", "shown"),
    [
        # After passing (the default): not after a failed attempt, even the last one.
        ("passed", check(1, attempts=FAILED_ONCE, attempts_allowed=3), False),
        ("passed", check(1, attempts=FAILED_ONCE, attempts_allowed=1), False),
        ("passed", check(1, attempts=(*FAILED_ONCE, AttemptFact(100, True))), True),
        # After the last attempt: once passed or out of attempts.
        ("last_attempt", check(1, attempts=FAILED_ONCE, attempts_allowed=3), False),
        ("last_attempt", check(1, attempts=FAILED_ONCE), False),  # unlimited attempts
        ("last_attempt", check(1, attempts=FAILED_ONCE, attempts_allowed=1), True),
        ("last_attempt", check(1, attempts=FAILED_ONCE, attempts_allowed=1, extra_attempts=1), False),
        ("last_attempt", check(1, attempts=(AttemptFact(100, True),)), True),
        # Never.
        ("never", check(1, attempts=(AttemptFact(100, True),)), False),
        ("never", check(1, attempts=FAILED_ONCE, attempts_allowed=1), False),
        # Unknown settings behave as the default.
        ("bogus", check(1, attempts=FAILED_ONCE, attempts_allowed=3), False),
    ],
)
def test_review_options_decide_when_right_answers_are_shown(review, facts, shown):
    assert rules.show_right_answers(review, facts) is shown


def test_extra_attempts_given_by_an_administrator_count():
    facts = check(1, attempts=FAILED_ONCE, attempts_allowed=1)
    assert not rules.can_attempt(facts)
    assert rules.attempts_left(check(1, attempts=FAILED_ONCE, attempts_allowed=1, extra_attempts=2)) == 2
