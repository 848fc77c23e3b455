"""Medians and means from counts of each value (aggregates computed in SQL)."""

from collections.abc import Mapping


def median_from_counts(counts: Mapping[float, int]) -> float | None:
    """Median of values given as ``{value: count}`` (the mean of the two middle values when even)."""
    total = sum(counts.values())
    if total == 0:
        return None
    ordered = sorted((v, c) for v, c in counts.items() if c)

    def nth(k: int) -> float:  # 0-based
        seen = 0
        for value, count in ordered:
            seen += count
            if k < seen:
                return float(value)
        raise IndexError(k)

    if total % 2:
        return nth(total // 2)
    return (nth(total // 2 - 1) + nth(total // 2)) / 2


def low_median_from_counts(counts: Mapping[float, int]) -> float | None:
    """The lower median: the middle value, or the lower of the two middle values when even.

    Always one of the answers given. Shown instead of the median when counts of the row are
    hidden: a median between two answers (2.5 of 12 people) says that exactly half the people
    answered 2 or less, which can be a hidden count; the lower median only bounds the counts.
    """
    total = sum(counts.values())
    if total == 0:
        return None
    seen = 0
    for value, count in sorted((v, c) for v, c in counts.items() if c):
        seen += count
        if (total - 1) // 2 < seen:
            return float(value)
    raise AssertionError("unreachable")


def mean_from_counts(counts: Mapping[float, int]) -> float | None:
    """Mean of values given as ``{value: count}``."""
    total = sum(counts.values())
    if total == 0:
        return None
    return sum(float(v) * c for v, c in counts.items()) / total
