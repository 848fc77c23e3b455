"""Which filtered views of survey results may be shown: safe by construction (pure functions).

A hub administrator can request the results for everyone, or for **one predefined slice** at a
time: a course or programme, a course cohort or ALS group, a PCN, a professional role, or a
calendar month or quarter of submission (UTC). Free date ranges and combinations of filters are
not offered: together they would make thousands of overlapping views, any two of which could be
subtracted.

The differencing rule is applied across **every** view a user can request, sibling slices
included. For each published count of people (answered before, after, at follow-up, matched
pairs before–after and before–follow-up):

* a view whose count is 1 to ``threshold - 1`` is withheld (primary suppression);
* two views whose sets of people differ by 1 to ``threshold - 1`` people (the size of their
  symmetric difference) are both withheld, except the results for everyone, which are always
  shown (with their own cell suppression), so a slice that leaves out 1 to ``threshold - 1``
  people is withheld.

So no two views that are shown differ by 1 to ``threshold - 1`` people: subtracting one from the
other never isolates a small group. The people in a view are described by *cells*: each cell is
a count of people with the set of views they belong to; two GROUP BY queries give them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from datetime import UTC, datetime

from dateutil.relativedelta import relativedelta

from learnhub.suppression import check_threshold, is_small

#: The results for everyone: always requestable, always shown.
EVERYONE: tuple = ("everyone", None)

View = Hashable
#: ``(views the people belong to, number of people)``.
Cell = tuple[frozenset, int]


def view_sizes(cells: Iterable[Cell]) -> tuple[dict, dict]:
    """People per view, and people shared by each pair of views that overlap."""
    sizes: dict = defaultdict(int)
    shared: dict = defaultdict(int)
    for views, n in cells:
        ordered = sorted(views, key=repr)
        for i, v in enumerate(ordered):
            sizes[v] += n
            for w in ordered[i + 1 :]:
                shared[(v, w)] += n
    return sizes, shared


def withheld_views(cells_by_count: Mapping[str, Iterable[Cell]], requestable: Iterable[View], threshold: int) -> dict:
    """``{view: reason}`` for every requestable view that must not be shown.

    ``reason`` is ``("small", count name)`` when the view itself has 1 to ``threshold - 1``
    people, or ``("differs", count name, other view)`` when it differs from another requestable
    view by 1 to ``threshold - 1`` people. :data:`EVERYONE` is never withheld.
    """
    check_threshold(threshold)
    requestable = set(requestable) | {EVERYONE}
    reasons: dict = defaultdict(list)
    for name, cells in cells_by_count.items():
        sizes, shared = view_sizes((frozenset(v for v in views if v in requestable), n) for views, n in cells)
        for v in requestable:
            if v != EVERYONE and is_small(sizes.get(v, 0), threshold):
                reasons[v].append((0, "small", name))
        # Views that share nobody differ by the sum of their sizes: each is 0 or at least the
        # threshold once the small ones are withheld, so only overlapping pairs need checking.
        for (v, w), both in shared.items():
            if is_small(sizes[v] + sizes[w] - 2 * both, threshold):
                for one, other in ((v, w), (w, v)):
                    if one != EVERYONE:
                        reasons[one].append((1 if other == EVERYONE else 2, "differs", name, other))
    # The plainest reason first: too few people, then the difference from everyone's results.
    return {v: min(found, key=lambda r: r[0])[1:] for v, found in reasons.items()}


# --- calendar periods ------------------------------------------------------------------------------


def quarter_of(month: str) -> str:
    """``"2026-10"`` → ``"2026-Q4"``."""
    year, m = month.split("-")
    return f"{year}-Q{(int(m) - 1) // 3 + 1}"


def period_bounds(period: str) -> tuple[datetime, datetime]:
    """The first instant of a month (``2026-10``) or quarter (``2026-Q4``) and of the next one, in UTC."""
    year, part = period.split("-")
    if part.startswith("Q"):
        start = datetime(int(year), 3 * (int(part[1:]) - 1) + 1, 1, tzinfo=UTC)
        return start, start + relativedelta(months=3)
    start = datetime(int(year), int(part), 1, tzinfo=UTC)
    return start, start + relativedelta(months=1)


def period_label(period: str) -> str:
    """``"2026-10"`` → "October 2026"; ``"2026-Q4"`` → "October to December 2026"."""
    start, end = period_bounds(period)
    if "Q" in period:
        last = end - relativedelta(days=1)
        return f"{start:%B} to {last:%B %Y}"
    return f"{start:%B %Y}"


def period_choices(months: Iterable[str]) -> list[tuple[str, str]]:
    """Months with submissions and the quarters holding them, newest first, as ``(value, label)``."""
    months = sorted(set(months), reverse=True)
    out: list[tuple[str, str]] = []
    for quarter in sorted({quarter_of(m) for m in months}, reverse=True):
        out.append((quarter, period_label(quarter)))
        out.extend((m, period_label(m)) for m in months if quarter_of(m) == quarter)
    return out
