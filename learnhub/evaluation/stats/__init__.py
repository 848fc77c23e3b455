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

from learnhub.evaluation.stats.composite import composite_change, composite_change_from_sums
from learnhub.evaluation.stats.counts import low_median_from_counts, mean_from_counts, median_from_counts
from learnhub.evaluation.stats.results import (
    DESIGN_CAVEAT,
    EXACT,
    NORMAL,
    RANK_BISERIAL,
    CompositeChange,
    PairedChange,
    SignedRankTest,
    warm,
)
from learnhub.evaluation.stats.signed_rank import (
    paired_change,
    paired_change_from_counts,
    paired_change_from_differences,
    rank_biserial,
    signed_rank_test,
    signed_rank_test_from_counts,
)
from learnhub.evaluation.stats.wording import describe_composite, describe_paired_change, effect_size_word, format_p

__all__ = [
    "DESIGN_CAVEAT",
    "EXACT",
    "NORMAL",
    "RANK_BISERIAL",
    "CompositeChange",
    "PairedChange",
    "SignedRankTest",
    "composite_change",
    "composite_change_from_sums",
    "describe_composite",
    "describe_paired_change",
    "effect_size_word",
    "format_p",
    "low_median_from_counts",
    "mean_from_counts",
    "median_from_counts",
    "paired_change",
    "paired_change_from_counts",
    "paired_change_from_differences",
    "rank_biserial",
    "signed_rank_test",
    "signed_rank_test_from_counts",
    "warm",
]
