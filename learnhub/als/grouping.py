"""Split programme members into balanced groups. Plain functions, no Flask.

Colleagues from the same PCN and practice are spread across groups so that each set mixes
people who do not work together every day.
"""

import math
from dataclasses import dataclass


class GroupingError(ValueError):
    """The members cannot be split within the size limits."""


@dataclass(frozen=True)
class Person:
    """What grouping needs to know about a member."""

    id: int
    pcn_id: int | None = None
    practice_id: int | None = None


def group_count(n: int, min_size: int, max_size: int) -> int:
    """The fewest groups that keep every group within the size limits."""
    if min_size < 1 or max_size < min_size:
        raise GroupingError("The group size limits are not valid")
    if n < min_size:
        raise GroupingError(f"There are {n} members: a group needs at least {min_size}")
    groups = math.ceil(n / max_size)
    if n // groups < min_size:
        raise GroupingError(f"{n} members cannot be split into groups of {min_size} to {max_size}")
    return groups


def form_groups(people: list[Person], min_size: int, max_size: int, groups: int | None = None) -> list[list[int]]:
    """Member ids in balanced groups (sizes differ by at most one).

    People are ordered so that each PCN, and each practice within it, forms a consecutive run,
    then dealt round the groups: every PCN and every practice is spread evenly.
    """
    n = len(people)
    if groups is None:
        groups = group_count(n, min_size, max_size)
    elif groups < 1 or n // groups < min_size or math.ceil(n / groups) > max_size:
        raise GroupingError(f"{n} members cannot be split into {groups} groups of {min_size} to {max_size}")
    ordered = sorted(people, key=lambda p: (p.pcn_id is None, p.pcn_id or 0, p.practice_id is None, p.practice_id or 0, p.id))
    result: list[list[int]] = [[] for _ in range(groups)]
    for i, person in enumerate(ordered):
        result[i % groups].append(person.id)
    return result
