"""The Wilcoxon signed-rank test and the rank-biserial correlation, for one item.

Ties and zero differences (how the Wilcoxon test is run)
    Survey answers produce many pairs with no change and many tied differences. The test
    follows SciPy's defaults (``zero_method="wilcox"``, ``correction=False``,
    ``method="auto"``) so every p-value can be checked against ``scipy.stats.wilcoxon``:
    pairs with no change are dropped before ranking, and tied absolute differences share
    their average (mid-) rank. The p-value then comes from, by the number ``n`` of pairs
    (counting the unchanged ones, as SciPy does):

    * ``n`` ≤ 50 with no ties and no zeros: the exact null distribution of W+ (every
      assignment of signs to the ranks 1…n equally likely);
    * ``n`` ≤ 13 with ties or zeros: the exact null distribution of W+ over the tied
      mid-ranks actually observed, i.e. all 2^n sign flips (SciPy gets this by running a
      permutation test, about a second per item at n = 12; here it is a small dynamic
      programme over doubled ranks, so the sums are whole numbers, taking microseconds);
    * otherwise (``n`` > 50, or ties or zeros with ``n`` > 13): the normal approximation
      with the tie correction of the variance and no continuity correction.

    The two-sided p-value is twice the smaller tail (at most 1) in every case. The
    rank-biserial correlation is computed on the same ranks (zeros dropped), so the effect
    size and the test agree about which pairs count.
"""

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from functools import cache

from learnhub.evaluation.stats.counts import median_from_counts
from learnhub.evaluation.stats.results import EXACT, NORMAL, PairedChange, SignedRankTest


def _differences(pre: Sequence[float], post: Sequence[float]) -> list[float]:
    if len(pre) != len(post):
        raise ValueError("pre and post must have one value per pair")
    return [float(b) - float(a) for a, b in zip(pre, post, strict=True)]


def _tie_groups(ordered: Sequence[tuple[float, int]]) -> list[tuple[int, int, int]]:
    """``(doubled mid-rank, increases, decreases)`` per distinct non-zero absolute difference, smallest first.

    Tied absolute differences share the average of the ranks they span; doubling it makes it
    a whole number (``2 * below + size + 1``), so rank sums stay exact integers.
    """
    by_size: dict[float, list[int]] = {}
    for value, count in ordered:
        if value != 0 and count:
            up_down = by_size.setdefault(abs(value), [0, 0])
            up_down[0 if value > 0 else 1] += count
    groups = []
    below = 0
    for size in sorted(by_size):
        up, down = by_size[size]
        groups.append((2 * below + up + down + 1, up, down))
        below += up + down
    return groups


@cache
def _untied_distribution(n: int) -> tuple[int, ...]:
    """Number of sign assignments giving each W+ = 0 … n(n+1)/2 for ranks 1…n (no ties)."""
    ways = [1]
    for rank in range(1, n + 1):
        longer = ways + [0] * rank
        for total, count in enumerate(ways):
            longer[total + rank] += count
        ways = longer
    return tuple(ways)


def _tied_distribution(groups: Sequence[tuple[int, int, int]]) -> list[int]:
    """Number of sign assignments (of the ranked pairs) giving each doubled W+ (index = 2 × W+).

    Within a group of ``m`` tied pairs, choosing ``j`` of them to be increases adds ``j`` times
    the doubled mid-rank, in ``C(m, j)`` ways.
    """
    ways = [1]
    for doubled_rank, up, down in groups:
        size = up + down
        longer = [0] * (len(ways) + size * doubled_rank)
        for total, count in enumerate(ways):
            if count:
                for j in range(size + 1):
                    longer[total + j * doubled_rank] += count * math.comb(size, j)
        ways = longer
    return ways


def signed_rank_test_from_counts(counts: Mapping[float, int]) -> SignedRankTest | None:
    """The Wilcoxon signed-rank test from ``{difference: number of pairs}``; None when nothing changed.

    The p-value (two-sided) is SciPy's default ``scipy.stats.wilcoxon(differences).pvalue``
    to within floating-point rounding of the normal tail (the exact cases are the same
    number): see the module notes for which method applies when.
    """
    ordered = sorted((float(value), int(count)) for value, count in counts.items() if count)
    n = sum(count for _, count in ordered)
    zeros = sum(count for value, count in ordered if value == 0)
    groups = _tie_groups(ordered)
    ranked = n - zeros
    if ranked == 0:
        return None
    doubled_plus = sum(rank * up for rank, up, _ in groups)
    doubled_total = ranked * (ranked + 1)
    w_plus, w_minus = doubled_plus / 2, (doubled_total - doubled_plus) / 2
    ties = any(up + down > 1 for _, up, down in groups)
    if n <= 50 and not ties and not zeros:
        ways = _untied_distribution(ranked)
        k = doubled_plus // 2
        lower, upper = sum(ways[: k + 1]), sum(ways[k:])
        p = min(2 * min(lower, upper) / 2**ranked, 1.0)
        return SignedRankTest(ranked, w_plus, w_minus, p, EXACT)
    if n <= 13:
        ways = _tied_distribution(groups)
        lower, upper = sum(ways[: doubled_plus + 1]), sum(ways[doubled_plus:])
        p = min(min(lower, upper) / 2**ranked * 2, 1.0)
        return SignedRankTest(ranked, w_plus, w_minus, p, EXACT)
    # Normal approximation, with the tie correction of the variance (SciPy's formula and order).
    count = float(ranked)
    mean = count * (count + 1.0) * 0.25
    tie_correction = float(sum((up + down) ** 3 - (up + down) for _, up, down in groups))
    se = math.sqrt((count * (count + 1.0) * (2.0 * count + 1.0) - tie_correction / 2) / 24)
    z = (w_plus - mean) / se
    p = math.erfc(abs(z) / math.sqrt(2.0))  # 2 × the upper tail of the standard normal at |z|
    return SignedRankTest(ranked, w_plus, w_minus, min(p, 1.0), NORMAL)


def signed_rank_test(differences: Iterable[float]) -> SignedRankTest | None:
    """:func:`signed_rank_test_from_counts` for a list of (post - pre) differences."""
    return signed_rank_test_from_counts(Counter(float(d) for d in differences))


def rank_biserial(differences: Iterable[float]) -> float | None:
    """Matched-pairs rank-biserial correlation (Kerby 2014) of paired differences.

    Zero differences are dropped (as Wilcoxon's default does); the absolute differences are
    ranked with ties sharing their average rank; the result is the share of the rank sum
    on increases minus the share on decreases. ``None`` when nothing changed.
    """
    return _rank_biserial_from_counts(sorted(Counter(float(d) for d in differences).items()))


def _rank_biserial_from_counts(ordered: Sequence[tuple[float, int]]) -> float | None:
    """:func:`rank_biserial` from ``(difference, count)`` pairs."""
    plus = minus = 0
    for doubled_rank, up, down in _tie_groups(ordered):
        plus += doubled_rank * up
        minus += doubled_rank * down
    if plus + minus == 0:
        return None
    return (plus - minus) / (plus + minus)


def paired_change_from_differences(differences: Sequence[float]) -> PairedChange:
    """:func:`paired_change` for a list of (post - pre) differences."""
    return paired_change_from_counts(Counter(float(d) for d in differences))


def paired_change(pre: Sequence[float], post: Sequence[float]) -> PairedChange:
    """Change from pre to post for one item, over matched pairs (``pre[i]`` with ``post[i]``).

    Returns the number of pairs, how many went up and down, the median change, the Wilcoxon
    signed-rank W and p-value (SciPy's defaults) with the method used, and the rank-biserial
    effect size. See the module notes for ties and zeros.
    """
    return paired_change_from_differences(_differences(pre, post))


def paired_change_from_counts(counts: Mapping[float, int]) -> PairedChange:
    """:func:`paired_change` from ``{difference: number of pairs}`` (an SQL GROUP BY).

    The work is proportional to the number of distinct differences (and, for 13 pairs or
    fewer with ties, to the 2^n sign flips counted by a dynamic programme), never to a
    permutation test.
    """
    ordered = sorted((float(value), int(count)) for value, count in counts.items() if count)
    n = sum(count for _, count in ordered)
    if n == 0:
        return PairedChange(0, 0, None, None, None, "There are no matched pairs.")
    up = sum(count for value, count in ordered if value > 0)
    down = sum(count for value, count in ordered if value < 0)
    med = median_from_counts(dict(ordered))
    if up + down == 0:
        return PairedChange(n, 0, med, None, None, "No one's answer changed, so there is no change to test.")
    test = signed_rank_test_from_counts(dict(ordered))
    assert test is not None
    return PairedChange(
        n,
        up + down,
        med,
        test.p_value,
        _rank_biserial_from_counts(ordered),
        n_up=up,
        n_down=down,
        w_statistic=test.statistic,
        method=test.method,
    )
