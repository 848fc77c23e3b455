"""A composite score's matched change: mean change, 95% confidence interval, paired t-test, Cohen's dz."""

import math
from collections.abc import Sequence

from learnhub.evaluation.stats.results import CompositeChange, _scipy
from learnhub.evaluation.stats.signed_rank import _differences


def composite_change_from_sums(n: int, total: float, total_squares: float) -> CompositeChange:
    """Paired t-test from the number of pairs, the sum of differences and the sum of squares.

    These three aggregates can be computed in SQL, so the test needs no individual rows.
    """
    if n == 0:
        return CompositeChange(0, None, None, None, None, None, None, None, "There are no matched pairs.")
    mean = total / n
    if n == 1:
        return CompositeChange(1, mean, None, None, None, None, None, None, "One pair is not enough to test a change.")
    variance = max((total_squares - n * mean * mean) / (n - 1), 0.0)
    sd = math.sqrt(variance)
    # Rounding can leave a tiny variance when every difference is the same.
    if sd < 1e-12 * max(1.0, abs(mean)):
        return CompositeChange(
            n,
            mean,
            0.0,
            mean,
            mean,
            None,
            None,
            None,
            "Every pair changed by exactly the same amount, so there is nothing to test.",
        )
    se = sd / math.sqrt(n)
    t = mean / se
    p = float(2 * _scipy.t.sf(abs(t), n - 1))
    margin = float(_scipy.t.ppf(0.975, n - 1)) * se
    return CompositeChange(n, mean, sd, mean - margin, mean + margin, t, p, mean / sd)


def composite_change(pre: Sequence[float], post: Sequence[float]) -> CompositeChange:
    """Change in a composite score over matched pairs: mean change, 95% CI, paired t, dz."""
    diffs = _differences(pre, post)
    return composite_change_from_sums(len(diffs), sum(diffs), sum(d * d for d in diffs))
