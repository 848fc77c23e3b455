"""Small-number suppression for published counts (NHS Digital practice). Plain functions.

Counts from 1 to ``threshold - 1`` (default 1–7) are shown as ``*`` so that no individual can
be singled out; zero is shown. Secondary suppression then hides the next-smallest cell when
exactly one cell of a row was suppressed, so the hidden value cannot be worked out by
subtracting the others from the total.
"""

from collections.abc import Mapping, Sequence

MASK = "*"
DEFAULT_THRESHOLD = 8
#: A hub may raise the threshold but never lower it below this.
MINIMUM_THRESHOLD = 5


def check_threshold(threshold: int) -> int:
    """Return the threshold, refusing one below the minimum."""
    if threshold < MINIMUM_THRESHOLD:
        raise ValueError(f"The suppression threshold cannot be below {MINIMUM_THRESHOLD}")
    return threshold


def is_small(count: int, threshold: int = DEFAULT_THRESHOLD) -> bool:
    """True for counts that must not be shown (1 to threshold - 1)."""
    return 0 < count < threshold


def mask_count(count: int, threshold: int = DEFAULT_THRESHOLD) -> int | str:
    """A single count as it may be published."""
    return MASK if is_small(count, check_threshold(threshold)) else count


def suppress_row(counts: Sequence[int], threshold: int = DEFAULT_THRESHOLD, *, total_shown: bool = True) -> list[int | str]:
    """Mask a row of counts whose total is (or can be) published.

    Primary suppression masks small counts. If exactly one cell is masked and the total is
    shown, the smallest other non-zero cell is masked too, so the first cannot be derived.
    """
    check_threshold(threshold)
    out: list[int | str] = [MASK if is_small(c, threshold) else c for c in counts]
    masked = [i for i, v in enumerate(out) if v == MASK]
    if total_shown and len(masked) == 1:
        candidates = [i for i, c in enumerate(counts) if out[i] != MASK and c > 0]
        if candidates:
            out[min(candidates, key=lambda i: (counts[i], i))] = MASK
    return out


def mask_total(total: int, threshold: int = DEFAULT_THRESHOLD) -> int | str:
    """A total is itself a count: mask it when small."""
    return mask_count(total, threshold)


# --- tables, statistics and percentages --------------------------------------------------------


def enough_for_statistics(n: int | None, threshold: int = DEFAULT_THRESHOLD) -> bool:
    """True when a mean, median or test may be shown: it rests on at least ``threshold`` people."""
    return n is not None and n >= check_threshold(threshold)


def suppress_statistic(value: object, n: int | None, threshold: int = DEFAULT_THRESHOLD) -> object:
    """A statistic (mean, median, p-value…) as it may be published: ``*`` below the threshold."""
    return value if enough_for_statistics(n, threshold) else MASK


def suppress_table(
    table: Sequence[Sequence[int]],
    threshold: int = DEFAULT_THRESHOLD,
    *,
    row_totals: bool = True,
    column_totals: bool = True,
) -> dict[str, list]:
    """Mask a two-way table of counts and its totals so no small count can be shown or derived.

    1. Primary: cells of 1 to ``threshold - 1`` become ``*``; so do small totals.
    2. Secondary: while any row (or column) whose total is published has exactly one hidden
       cell, the smallest other non-zero visible cell in that line is hidden too — otherwise the
       hidden cell is its total minus the others. Hiding a cell can expose another line, so this
       repeats until nothing changes.
    3. Lines whose own total is hidden add no constraint; the grand total is a count like any
       other; when exactly one row (or column) total is hidden and the grand total is shown,
       the smallest other total is hidden too, and a hidden total whose cells are all visible
       gets its smallest cell hidden.

    Returns ``{"cells": [[...]], "row_totals": [...], "column_totals": [...], "total": ...}``
    with ints or ``*`` (totals are ``None`` when not published).
    """
    check_threshold(threshold)
    rows = [list(r) for r in table]
    width = max((len(r) for r in rows), default=0)
    if any(len(r) != width for r in rows):
        raise ValueError("every row of the table must have the same number of cells")
    hidden = [[is_small(c, threshold) for c in r] for r in rows]
    row_sum = [sum(r) for r in rows]
    col_sum = [sum(r[j] for r in rows) for j in range(width)]
    row_total_shown = [row_totals and not is_small(t, threshold) for t in row_sum]
    col_total_shown = [column_totals and not is_small(t, threshold) for t in col_sum]

    def fix_line(cells: list[tuple[int, int]]) -> bool:
        masked = [(i, j) for i, j in cells if hidden[i][j]]
        if len(masked) != 1:
            return False
        candidates = [(rows[i][j], i, j) for i, j in cells if not hidden[i][j] and rows[i][j] > 0]
        if not candidates:
            return False
        _, i, j = min(candidates)
        hidden[i][j] = True
        return True

    grand_shown = (row_totals or column_totals) and not is_small(sum(row_sum), threshold)

    def fix_totals(sums: list[int], shown: list[bool]) -> bool:
        # A hidden total next to a published grand total is the grand total minus the others.
        if not grand_shown or sum(1 for s in shown if not s) != 1:
            return False
        candidates = [(t, k) for k, t in enumerate(sums) if shown[k] and t > 0]
        if not candidates:
            return False
        shown[min(candidates)[1]] = False
        return True

    def fix_hidden_total(cells: list[tuple[int, int]]) -> bool:
        # A hidden total is the sum of its cells when none of them is hidden.
        if any(hidden[i][j] for i, j in cells):
            return False
        candidates = [(rows[i][j], i, j) for i, j in cells if rows[i][j] > 0]
        if not candidates:
            return False
        _, i, j = min(candidates)
        hidden[i][j] = True
        return True

    changed = True
    while changed:
        changed = False
        if row_totals and fix_totals(row_sum, row_total_shown):
            changed = True
        if column_totals and fix_totals(col_sum, col_total_shown):
            changed = True
        for i in range(len(rows)):
            line = [(i, j) for j in range(width)]
            if fix_line(line) if row_total_shown[i] else (row_totals and fix_hidden_total(line)):
                changed = True
        for j in range(width):
            line = [(i, j) for i in range(len(rows))]
            if fix_line(line) if col_total_shown[j] else (column_totals and fix_hidden_total(line)):
                changed = True

    cells = [[MASK if hidden[i][j] else rows[i][j] for j in range(width)] for i in range(len(rows))]
    grand = sum(row_sum)
    return {
        "cells": cells,
        "row_totals": [t if shown else MASK for t, shown in zip(row_sum, row_total_shown, strict=True)] if row_totals else None,
        "column_totals": [t if shown else MASK for t, shown in zip(col_sum, col_total_shown, strict=True)]
        if column_totals
        else None,
        "total": mask_total(grand, threshold) if (row_totals or column_totals) else None,
    }


def differencing_risk(counts: Mapping[str, tuple[int, int]], threshold: int = DEFAULT_THRESHOLD) -> list[str]:
    """Names of the counts a filtered view must not be published for, because of differencing.

    ``counts`` maps a name (e.g. "answered after") to ``(filtered, total)``: people counted in the
    filtered view and in the unfiltered one. Publishing both views publishes their difference
    too, so a filtered view is only safe when both the filtered group and the people it leaves
    out (``total - filtered``) are empty or at least ``threshold`` strong.
    """
    check_threshold(threshold)
    risky = []
    for name, (filtered, total) in counts.items():
        if filtered < 0 or filtered > total:
            raise ValueError(f"{name}: a filtered count must be between 0 and the total")
        if is_small(filtered, threshold) or is_small(total - filtered, threshold):
            risky.append(name)
    return risky


def percentage(count: int | str, total: int | str, digits: int = 0) -> float | str:
    """A percentage that is itself masked when its count or total is masked (or the total is 0)."""
    if count == MASK or total == MASK:
        return MASK
    if not total:
        return MASK
    return round(100 * int(count) / int(total), digits)


# --- rounding disclosure rule (NHS Digital HES practice) -------------------------------------------
# For dashboards that must still let figures through (the ALS dashboard: attendance per group and
# per programme, theme counts): counts from 1 to ``threshold - 1`` are suppressed, every other
# count is rounded to the nearest ``base`` (5), and rates are computed from the rounded figures,
# so a rate never reveals more than its rounded parts. Totals are rounded from the true total
# (not summed from rounded parts), so a programme-level total can be reported even when every
# group's figure is suppressed.


def round_count(count: int, threshold: int = DEFAULT_THRESHOLD, base: int = 5) -> int | str:
    """A count as published under the rounding rule (HES practice).

    0 stays 0, 1 to ``threshold - 1`` is ``*``, anything else is rounded to the nearest multiple
    of ``base``: 8 → 10, 12 → 10, 13 → 15.
    """
    check_threshold(threshold)
    if count < 0:
        raise ValueError("a count cannot be negative")
    if count == 0:
        return 0
    if is_small(count, threshold):
        return MASK
    return (count + base // 2) // base * base


def rounded_rate(
    numerator: int, denominator: int, threshold: int = DEFAULT_THRESHOLD, base: int = 5, digits: int = 0
) -> float | str:
    """A percentage computed from the rounded numerator and denominator (``*`` if either is suppressed or 0)."""
    top, bottom = round_count(numerator, threshold, base), round_count(denominator, threshold, base)
    if top == MASK or bottom == MASK or not bottom:
        return MASK
    return round(100 * int(top) / int(bottom), digits)
