"""Statistics for matched pre/post survey answers. Plain functions, no Flask.

Two analyses, as the evaluation practice in ``docs`` recommends:

* **One item** (an ordinal answer such as a 1–5 agreement scale or a 0–10 rating):
  :func:`paired_change` gives the number of pairs, how many answers went up, stayed the same
  and went down, the median change, the Wilcoxon signed-rank statistic W and its p-value
  (the same p-value as ``scipy.stats.wilcoxon`` with its default settings, computed here
  without SciPy), the method that produced it, and the matched-pairs rank-biserial
  correlation as the effect size.
* **A composite score** (the mean of an instrument's core items, treated as roughly
  interval): :func:`composite_change` gives the mean change with its 95% confidence
  interval, the paired t-test p-value and Cohen's dz.

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

Edge cases
    * No pairs: every figure is ``None``.
    * Every pair unchanged: the median change is 0 and there is nothing to test — the
      p-value and effect size are ``None`` and ``note`` says why (SciPy would divide by zero).
    * Very few changed pairs: the test still runs (one changed pair gives p = 1), but a
      p-value from so few pairs cannot be small; the dashboard never shows a test below the
      suppression threshold in any case (see ``learnhub.suppression``).

The ``*_from_counts`` / ``*_from_sums`` variants take aggregates computed in SQL (counts of
each difference; n, sum and sum of squares), so the dashboard never loads individual rows.
The Wilcoxon test itself works on counts of each difference, so its cost grows with the
number of distinct differences, not with the number of pairs.
"""

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from learnhub.suppression import DEFAULT_THRESHOLD, suppress_row


class _LazySciPy:
    """``scipy.stats``, imported on first use (the paired t-test needs it; Wilcoxon does not).

    It takes ~1.5 s to import; :func:`warm` imports it when a worker starts, so no request
    pays for it, while commands and tests that never compute a t-test do not.
    """

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        from scipy import stats

        return getattr(stats, name)


_scipy = _LazySciPy()


def warm() -> None:
    """Import SciPy's statistics now (called when a web worker starts)."""
    from scipy import stats  # noqa: F401


#: Wording used under every result: what a before–after comparison can and cannot show.
DESIGN_CAVEAT = (
    "These answers are self-reported and come from an uncontrolled before-and-after comparison: "
    "they show whether answers changed, not that the training caused the change. People who answer "
    "both surveys may differ from those who do not."
)

#: How a Wilcoxon p-value was obtained (``PairedChange.method``).
EXACT = "exact"
NORMAL = "normal approximation"
#: The effect size reported for one item, by name.
RANK_BISERIAL = "rank-biserial correlation"


@dataclass(frozen=True)
class SignedRankTest:
    """The Wilcoxon signed-rank test on paired differences (zeros dropped, mid-ranks for ties)."""

    #: Pairs whose difference is not zero (the pairs that are ranked).
    n_ranked: int
    #: Sum of the ranks of increases (W+) and of decreases (W−).
    w_plus: float
    w_minus: float
    p_value: float
    #: :data:`EXACT` or :data:`NORMAL`.
    method: str

    @property
    def statistic(self) -> float:
        """W: the smaller of W+ and W− (what SciPy reports as the two-sided statistic)."""
        return min(self.w_plus, self.w_minus)


@dataclass(frozen=True)
class PairedChange:
    """Matched change on one item."""

    n_pairs: int
    #: Pairs whose answer moved (the pairs Wilcoxon ranks).
    n_changed: int
    median_change: float | None
    p_value: float | None
    #: Matched-pairs rank-biserial correlation, -1 to 1; positive means answers went up.
    rank_biserial: float | None
    note: str | None = None
    #: Pairs whose answer went up / went down (``n_changed`` is their sum).
    n_up: int = 0
    n_down: int = 0
    #: Wilcoxon W (the smaller rank sum), or None when nothing changed.
    w_statistic: float | None = None
    #: :data:`EXACT` or :data:`NORMAL`, or None when there was no test.
    method: str | None = None
    effect_size_name: str = RANK_BISERIAL

    @property
    def n_unchanged(self) -> int:
        return self.n_pairs - self.n_changed

    def direction_counts(self, reverse_scored: bool = False, threshold: int = DEFAULT_THRESHOLD) -> list[int | str]:
        """``[improved, unchanged, worsened]`` as they may be published (small counts shown as ``*``).

        For a negative statement (``reverse_scored``) an answer that went down is an improvement.
        The three add up to the number of pairs, which is shown, so they are suppressed as a row.
        """
        better, worse = (self.n_down, self.n_up) if reverse_scored else (self.n_up, self.n_down)
        return suppress_row([better, self.n_unchanged, worse], threshold)


@dataclass(frozen=True)
class CompositeChange:
    """Matched change in a composite score."""

    n_pairs: int
    mean_change: float | None
    sd_change: float | None
    ci_low: float | None
    ci_high: float | None
    t_statistic: float | None
    p_value: float | None
    #: Cohen's dz: mean change divided by the standard deviation of the changes.
    cohens_dz: float | None
    note: str | None = None


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


def mean_from_counts(counts: Mapping[float, int]) -> float | None:
    """Mean of values given as ``{value: count}``."""
    total = sum(counts.values())
    if total == 0:
        return None
    return sum(float(v) * c for v, c in counts.items()) / total


# --- plain-English wording ----------------------------------------------------------------------


def effect_size_word(value: float | None, kind: str = "r") -> str:
    """Conventional size label: rank-biserial r (0.1/0.3/0.5) or Cohen's dz (0.2/0.5/0.8)."""
    if value is None:
        return "not available"
    cuts = (0.1, 0.3, 0.5) if kind == "r" else (0.2, 0.5, 0.8)
    size = abs(value)
    if size < cuts[0]:
        return "negligible"
    if size < cuts[1]:
        return "small"
    if size < cuts[2]:
        return "medium"
    return "large"


def format_p(p: float | None) -> str:
    """A p-value as people read it: 'p < 0.001' or 'p = 0.042'."""
    if p is None:
        return "not tested"
    if p < 0.001:
        return "p < 0.001"
    return f"p = {p:.3f}"


def _direction(value: float) -> str:
    if value > 0:
        return "went up"
    if value < 0:
        return "went down"
    return "did not change"


def _p_sentence(p: float) -> str:
    if p < 0.05:
        return (
            f"A change this large would be unlikely if, on average, answers had not really changed ({format_p(p)}, "
            "below the usual 0.05 cut-off)."
        )
    return f"A change like this could easily happen by chance ({format_p(p)}), so it is not clear evidence of a real change."


def describe_paired_change(result: PairedChange, later: str = "after") -> str:
    """One or two sentences explaining an item's matched change (``later``: "after" or "at follow-up")."""
    if result.n_pairs == 0:
        return f"No one answered this question both before and {later}."
    if result.p_value is None:
        return f"Across {result.n_pairs} people who answered before and {later}, {result.note or 'there was nothing to test.'}"
    text = (
        f"Across {result.n_pairs} people who answered before and {later}, the typical (median) answer "
        f"{_direction(result.median_change or 0)}"
        + (
            f" by {abs(result.median_change or 0):g} point{'s' if abs(result.median_change or 0) != 1 else ''}. "
            if result.median_change
            else ". "
        )
    )
    text += _p_sentence(result.p_value)
    text += f" The effect size is {effect_size_word(result.rank_biserial)} (rank-biserial r = {result.rank_biserial:.2f})."
    return text


def describe_composite(result: CompositeChange, scale: str = "points", later: str = "after") -> str:
    """Sentences explaining the change in a composite score."""
    if result.n_pairs == 0 or result.mean_change is None:
        return f"No one answered both before and {later}."
    if result.p_value is None:
        return f"Across {result.n_pairs} matched people the average change was {result.mean_change:+.2f} {scale}. {result.note}"
    return (
        f"Across {result.n_pairs} matched people the average score {_direction(result.mean_change)} by "
        f"{abs(result.mean_change):.2f} {scale} (95% confidence interval {result.ci_low:+.2f} to {result.ci_high:+.2f}: "
        "the true average change is likely to lie in this range). "
        + _p_sentence(result.p_value)
        + f" The effect size is {effect_size_word(result.cohens_dz, 'd')} (Cohen's dz = {result.cohens_dz:.2f})."
    )
