from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from learnhub.als.grouping import GroupingError, Person, form_groups, group_count


def test_seventeen_members_make_three_groups_mixing_practices():
    people = [Person(i, pcn_id=i % 2, practice_id=i % 4) for i in range(17)]
    groups = form_groups(people, 5, 8)
    assert sorted(len(g) for g in groups) == [5, 6, 6]
    by_id = {p.id: p for p in people}
    for practice in range(4):
        counts = [sum(by_id[m].practice_id == practice for m in g) for g in groups]
        assert max(counts) - min(counts) <= 1


def test_too_few_members_for_a_group():
    with pytest.raises(GroupingError, match="a group needs at least 5"):
        form_groups([Person(i) for i in range(4)], 5, 8)


def test_nine_members_cannot_make_groups_of_five_to_eight():
    with pytest.raises(GroupingError):
        group_count(9, 5, 8)


people_lists = st.lists(st.tuples(st.integers(0, 3), st.integers(0, 5)), min_size=5, max_size=60).map(
    lambda rows: [Person(i, pcn_id=pcn, practice_id=pcn * 10 + pr) for i, (pcn, pr) in enumerate(rows)]
)


@settings(deadline=None)
@given(people_lists)
def test_groups_are_balanced_and_spread_colleagues(people):
    try:
        groups = form_groups(people, 5, 8)
    except GroupingError:
        return
    sizes = [len(g) for g in groups]
    assert all(5 <= s <= 8 for s in sizes)
    assert max(sizes) - min(sizes) <= 1
    assert sorted(m for g in groups for m in g) == [p.id for p in people]
    by_id = {p.id: p for p in people}
    for attr in ("pcn_id", "practice_id"):
        per_group = [Counter(getattr(by_id[m], attr) for m in g) for g in groups]
        for value in {getattr(p, attr) for p in people}:
            counts = [c[value] for c in per_group]
            assert max(counts) - min(counts) <= 1
