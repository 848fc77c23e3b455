"""Small-number suppression for published counts (NHS Digital practice). Plain functions.

Counts from 1 to ``threshold - 1`` (default 1–7) are shown as ``*`` so that no individual can
be singled out; zero is shown. Secondary suppression then hides the next-smallest cell when
exactly one cell of a row was suppressed, so the hidden value cannot be worked out by
subtracting the others from the total.
"""

from collections.abc import Sequence

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
