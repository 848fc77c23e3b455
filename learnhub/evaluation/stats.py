"""Statistics for matched pre/post survey answers. Plain functions, no Flask.

Two analyses, as the evaluation practice in ``docs`` recommends:

* **One item** (an ordinal answer such as a 1–5 agreement scale or a 0–10 rating):
  :func:`paired_change` gives the number of pairs, the median change, the Wilcoxon
  signed-rank p-value (``scipy.stats.wilcoxon`` with its default settings) and the
  matched-pairs rank-biserial correlation as the effect size.
* **A composite score** (the mean of an instrument's core items, treated as roughly
  interval): :func:`composite_change` gives the mean change with its 95% confidence
  interval, the paired t-test p-value and Cohen's dz.

Ties and zero differences (how Wilcoxon is run)
    Survey answers produce many pairs with no change and many tied differences. We use
    SciPy's defaults on purpose so results can be checked against SciPy: ``zero_method=
    "wilcox"`` drops pairs with no change before ranking, tied absolute differences share
    their average rank, and ``method="auto"`` picks the exact distribution for small
    samples without ties or zeros and the normal approximation (with the tie correction)
    otherwise. The rank-biserial correlation is computed on the same ranks (zeros dropped),
    so the effect size and the test agree about which pairs count.

Edge cases
    * No pairs: every figure is ``None``.
    * Every pair unchanged: the median change is 0 and there is nothing to test — the
      p-value and effect size are ``None`` and ``note`` says why (SciPy would divide by zero).
    * Very few changed pairs: the test still runs (SciPy handles one changed pair), but a
      p-value from so few pairs cannot be small; the dashboard never shows a test below the
      suppression threshold in any case (see ``learnhub.suppression``).

The ``*_from_counts`` / ``*_from_sums`` variants take aggregates computed in SQL (counts of
each difference; n, sum and sum of squares), so the dashboard never loads individual rows.
"""

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from statistics import median

import numpy as np


class _LazySciPy:
    """``scipy.stats``, imported on first use.

    It takes ~1.5 s to import, which every gunicorn and RQ worker would otherwise pay at
    start-up although only the results pages need it.
    """

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        from scipy import stats

        return getattr(stats, name)


_scipy = _LazySciPy()

#: Wording used under every result: what a before–after comparison can and cannot show.
DESIGN_CAVEAT = (
    "These answers are self-reported and come from an uncontrolled before-and-after comparison: "
    "they show whether answers changed, not that the training caused the change. People who answer "
    "both surveys may differ from those who do not."
)


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


def rank_biserial(differences: Iterable[float]) -> float | None:
    """Matched-pairs rank-biserial correlation (Kerby 2014) of paired differences.

    Zero differences are dropped (as Wilcoxon's default does); the absolute differences are
    ranked with ties sharing their average rank; the result is the share of the rank sum
    on increases minus the share on decreases. ``None`` when nothing changed.
    """
    nonzero = [d for d in differences if d != 0]
    if not nonzero:
        return None
    ranks = _scipy.rankdata([abs(d) for d in nonzero])
    plus = float(sum(r for r, d in zip(ranks, nonzero, strict=True) if d > 0))
    minus = float(sum(r for r, d in zip(ranks, nonzero, strict=True) if d < 0))
    return (plus - minus) / (plus + minus)


def paired_change_from_differences(differences: Sequence[float]) -> PairedChange:
    """:func:`paired_change` for a list of (post - pre) differences."""
    diffs = [float(d) for d in differences]
    n = len(diffs)
    if n == 0:
        return PairedChange(0, 0, None, None, None, "There are no matched pairs.")
    changed = sum(1 for d in diffs if d != 0)
    med = float(median(diffs))
    if changed == 0:
        return PairedChange(n, 0, med, None, None, "No one's answer changed, so there is no change to test.")
    result = _scipy.wilcoxon(diffs)
    return PairedChange(n, changed, med, float(result.pvalue), rank_biserial(diffs))


def paired_change(pre: Sequence[float], post: Sequence[float]) -> PairedChange:
    """Change from pre to post for one item, over matched pairs (``pre[i]`` with ``post[i]``).

    Returns the number of pairs, median change, Wilcoxon signed-rank p-value (SciPy
    defaults) and rank-biserial effect size. See the module notes for ties and zeros.
    """
    return paired_change_from_differences(_differences(pre, post))


def paired_change_from_counts(counts: Mapping[float, int]) -> PairedChange:
    """:func:`paired_change` from ``{difference: number of pairs}`` (an SQL GROUP BY).

    The same figures as :func:`paired_change` on the listed differences, bit for bit, with the
    work in Python proportional to the number of distinct differences: the median and the
    rank-biserial correlation come from the counts (tied ranks are averages of whole numbers,
    so their sums are exact), and SciPy's test gets the differences as one NumPy array.
    """
    ordered = sorted((float(value), int(count)) for value, count in counts.items() if count)
    n = sum(count for _, count in ordered)
    if n == 0:
        return PairedChange(0, 0, None, None, None, "There are no matched pairs.")
    changed = sum(count for value, count in ordered if value != 0)
    med = median_from_counts(dict(ordered))
    if changed == 0:
        return PairedChange(n, 0, med, None, None, "No one's answer changed, so there is no change to test.")
    diffs = np.repeat(np.array([value for value, _ in ordered], dtype=float), [count for _, count in ordered])
    result = _scipy.wilcoxon(diffs)
    return PairedChange(n, changed, med, float(result.pvalue), _rank_biserial_from_counts(ordered))


def _rank_biserial_from_counts(ordered: Sequence[tuple[float, int]]) -> float | None:
    """:func:`rank_biserial` from ``(difference, count)`` pairs."""
    by_size: dict[float, list[int]] = {}
    for value, count in ordered:
        if value != 0:
            up, down = by_size.setdefault(abs(value), [0, 0])
            by_size[abs(value)] = [up + count, down] if value > 0 else [up, down + count]
    plus = minus = 0.0
    below = 0
    for size in sorted(by_size):
        up, down = by_size[size]
        rank = below + (up + down + 1) / 2  # the average of ranks below + 1 … below + up + down
        plus += rank * up
        minus += rank * down
        below += up + down
    if plus + minus == 0:
        return None
    return (plus - minus) / (plus + minus)


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
