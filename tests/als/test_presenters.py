from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from learnhub.als.presenters import PastSession, suggest_presenters

MEMBERS = [1, 2, 3, 4, 5, 6]


def past(present, presenters):
    return PastSession(frozenset(present), frozenset(presenters))


def test_first_session_takes_the_first_two_members():
    assert suggest_presenters(MEMBERS, []).presenters == [1, 2]


def test_bids_come_first_among_equals():
    assert suggest_presenters(MEMBERS, [], bids=[5]).presenters == [5, 1]


def test_nobody_presents_twice_before_everyone_presented_even_if_they_bid():
    history = [past(MEMBERS, [1, 2])]
    assert suggest_presenters(MEMBERS, history, bids=[1]).presenters == [3, 4]


def test_member_absent_when_due_goes_first_next_time():
    # Session 2: 3 and 4 were due; 4 was absent so 3 and 5 presented.
    history = [past(MEMBERS, [1, 2]), past([1, 2, 3, 5, 6], [3, 5])]
    assert suggest_presenters(MEMBERS, history).presenters == [4, 6]
    # With a bid from 6 still, 4 keeps priority.
    assert suggest_presenters(MEMBERS, history, bids=[6]).presenters[0] == 4


def test_apologies_are_not_suggested():
    assert suggest_presenters(MEMBERS, [], away=[1]).presenters == [2, 3]


def test_three_slots():
    assert suggest_presenters(MEMBERS, [], slots=3).presenters == [1, 2, 3]


@settings(deadline=None)
@given(
    n=st.integers(2, 9),
    slots=st.integers(1, 3),
    bids=st.lists(st.lists(st.integers(0, 8), max_size=3), min_size=1, max_size=12),
)
def test_following_suggestions_keeps_turns_within_one(n, slots, bids):
    members = list(range(n))
    history = []
    for session_bids in bids:
        chosen = suggest_presenters(members, history, slots=slots, bids=[b for b in session_bids if b < n]).presenters
        assert len(chosen) == min(slots, n)
        history.append(past(members, chosen))
        counts = Counter({m: 0 for m in members}) + Counter(m for h in history for m in h.presenters)
        assert max(counts.values()) - min(counts[m] for m in members) <= 1


@settings(deadline=None)
@given(n=st.integers(3, 9), absent_at=st.integers(0, 5), seed=st.integers(0, 100))
def test_absent_member_due_is_suggested_first_next_time(n, absent_at, seed):
    members = list(range(n))
    history = []
    for _ in range(absent_at):
        history.append(past(members, suggest_presenters(members, history).presenters))
    due = suggest_presenters(members, history).presenters
    missing = due[seed % len(due)]
    others = [m for m in members if m != missing]
    chosen = suggest_presenters(members, history, away=[missing]).presenters
    history.append(past(others, chosen))
    assert suggest_presenters(members, history).presenters[0] == missing
