"""Matched pre/post statistics agree with SciPy and with worked examples."""

import math
import random
from unittest.mock import patch

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats

from learnhub.evaluation import stats


def test_paired_change_matches_scipy_with_ties_and_zeros():
    pre = [2, 3, 3, 2, 4, 1, 3, 2, 3, 4]
    post = [3, 4, 3, 4, 4, 3, 4, 2, 2, 5]
    result = stats.paired_change(pre, post)
    diffs = [b - a for a, b in zip(pre, post, strict=True)]
    assert result.n_pairs == 10
    assert result.n_changed == 7
    assert result.median_change == 1.0
    assert result.p_value == pytest.approx(scipy_stats.wilcoxon(diffs).pvalue)


def test_rank_biserial_hand_worked():
    # Differences +1, +2, -3 (one zero dropped): ranks 1, 2, 3; R+ = 3, R- = 3 → r = 0.
    assert stats.rank_biserial([1, 2, -3, 0]) == 0
    # +1, +1, -2: tied ranks 1.5, 1.5 and 3 → (3 - 3) / 6 = 0.
    assert stats.rank_biserial([1, 1, -2]) == 0
    # +2, +1, -1: ranks 3, 1.5, 1.5 → (4.5 - 1.5) / 6 = 0.5.
    assert stats.rank_biserial([2, 1, -1]) == pytest.approx(0.5)
    # Everyone improved: r = 1.
    assert stats.rank_biserial([1, 2, 3]) == 1


def test_all_increases_hand_worked_exact_p():
    # Eight distinct positive differences: exact two-sided p = 2 / 2**8.
    result = stats.paired_change([0] * 8, [1, 2, 3, 4, 5, 6, 7, 8])
    assert result.p_value == pytest.approx(2 / 2**8)
    assert result.rank_biserial == 1
    assert result.median_change == 4.5


def test_all_zero_differences_are_not_tested():
    result = stats.paired_change([3, 4, 5], [3, 4, 5])
    assert result.n_pairs == 3
    assert result.median_change == 0
    assert result.p_value is None
    assert result.rank_biserial is None
    assert "No one's answer changed" in result.note


def test_no_pairs():
    result = stats.paired_change([], [])
    assert result.n_pairs == 0
    assert result.p_value is None
    assert result.median_change is None


def test_unequal_lengths_refused():
    with pytest.raises(ValueError, match="one value per pair"):
        stats.paired_change([1, 2], [1])


def test_counts_give_the_same_answer_as_lists():
    pre = [1, 2, 2, 3, 3, 3, 4, 4, 2, 1, 5, 3]
    post = [3, 2, 4, 3, 4, 5, 4, 5, 3, 2, 4, 4]
    counts: dict[int, int] = {}
    for a, b in zip(pre, post, strict=True):
        counts[b - a] = counts.get(b - a, 0) + 1
    assert stats.paired_change_from_counts(counts) == stats.paired_change(pre, post)


def _scipy_default(diffs):
    """SciPy's default Wilcoxon test (a permutation test for n <= 13 with ties or zeros: slow)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SciPy warns about the normal approximation with ties
        return scipy_stats.wilcoxon(diffs)


def _samples_with_ties_and_zeros(n, rng):
    """Survey-like differences of length n: ties and zeros always (n >= 2), some halves, a wide spread."""
    yield [rng.randint(-4, 4) for _ in range(n)]  # a 1-5 scale
    yield [rng.choice([0, 0, 1, 1, -1, 2]) for _ in range(n)]  # mostly no change or +1
    yield [0] + [rng.randint(-20, 20) * 0.5 for _ in range(n - 1)]  # half points, one zero
    if n <= 11:  # SciPy's permutation test takes ~1 s per sample at n = 12 and 2 s at 13
        yield [rng.choice([-10, -3, 0, 3, 3, 7]) for _ in range(n)]
        yield rng.sample(range(-50, 51), n)  # usually no ties: SciPy's exact distribution


@pytest.mark.parametrize("n", range(1, 31))
def test_p_value_and_w_identical_to_scipy_default_for_every_n(n):
    rng = random.Random(n)
    for diffs in _samples_with_ties_and_zeros(n, rng):
        if not any(diffs):
            continue
        reference = _scipy_default(diffs)
        result = stats.paired_change_from_differences(diffs)
        assert abs(result.p_value - reference.pvalue) <= 1e-12, diffs
        assert result.w_statistic == reference.statistic, diffs
        ties_or_zeros = 0 in diffs or len({abs(d) for d in diffs}) < len(diffs)
        exact = n <= 13 or not ties_or_zeros
        assert result.method == (stats.EXACT if exact else stats.NORMAL), diffs


@pytest.mark.parametrize("n", [31, 40, 50, 51, 80])
def test_large_samples_identical_to_scipy_default(n):
    rng = random.Random(n)
    for diffs in ([rng.randint(-4, 4) for _ in range(n)], rng.sample(range(-200, 201), n)):
        reference = _scipy_default(diffs)
        result = stats.paired_change_from_differences(diffs)
        assert abs(result.p_value - reference.pvalue) <= 1e-12, diffs
        assert result.w_statistic == reference.statistic


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.tuples(st.integers(1, 5), st.integers(1, 5)), min_size=1, max_size=10)
    | st.lists(st.tuples(st.integers(0, 10), st.integers(0, 10)), min_size=14, max_size=60)
)
def test_p_value_always_agrees_with_scipy(pairs):
    pre = [a for a, _ in pairs]
    post = [b for _, b in pairs]
    result = stats.paired_change(pre, post)
    diffs = [b - a for a, b in pairs]
    if all(d == 0 for d in diffs):
        assert result.p_value is None
        assert result.method is None
    else:
        reference = _scipy_default(diffs)
        assert abs(result.p_value - reference.pvalue) <= 1e-12
        assert result.w_statistic == reference.statistic
        assert -1 <= result.rank_biserial <= 1
        assert result.n_up + result.n_down == result.n_changed


def test_twelve_tied_pairs_need_no_permutation_test():
    """n = 12 with ties: the exact answer by counting, without SciPy's permutation test."""
    diffs = [1, 1, 1, 2, 0, 1, -1, 2, 1, 0, 1, 3]
    with patch.object(scipy_stats, "permutation_test", side_effect=AssertionError("permutation test run")):
        result = stats.paired_change_from_differences(diffs)
    # Hand check: 10 ranked pairs, |d| = 1 ×7 (mid-rank 4), 2 ×2 (8.5), 3 ×1 (10); W- = 4.
    assert (result.n_pairs, result.n_up, result.n_unchanged, result.n_down) == (12, 9, 2, 1)
    assert result.w_statistic == 4
    assert result.method == stats.EXACT
    # Sign assignments of the ranked pairs with W- <= 4: none, or one of the seven rank-4 pairs: 8 of 2**10.
    assert result.p_value == 2 * 8 / 2**10
    assert result.p_value == _scipy_default(diffs).pvalue


def test_direction_counts_follow_the_statement_and_hide_small_counts():
    result = stats.paired_change_from_counts({1: 10, 0: 9, -1: 8})
    assert result.direction_counts(threshold=8) == [10, 9, 8]
    assert result.direction_counts(reverse_scored=True, threshold=8) == [8, 9, 10]
    small = stats.paired_change_from_counts({1: 12, 0: 3, -1: 9})
    # The 3 unchanged are hidden, and one more so it cannot be worked out from the total.
    assert small.direction_counts(threshold=8) == [12, "*", "*"]


def test_composite_matches_scipy_ttest_rel():
    pre = [2.5, 3.0, 3.2, 2.8, 3.6, 2.1, 3.3, 2.9, 3.0]
    post = [3.1, 3.4, 3.1, 3.5, 4.0, 2.9, 3.8, 3.0, 3.7]
    result = stats.composite_change(pre, post)
    expected = scipy_stats.ttest_rel(post, pre)
    diffs = [b - a for a, b in zip(pre, post, strict=True)]
    mean = sum(diffs) / len(diffs)
    sd = math.sqrt(sum((d - mean) ** 2 for d in diffs) / (len(diffs) - 1))
    assert result.n_pairs == 9
    assert result.mean_change == pytest.approx(mean)
    assert result.t_statistic == pytest.approx(expected.statistic)
    assert result.p_value == pytest.approx(expected.pvalue)
    assert result.cohens_dz == pytest.approx(mean / sd)
    ci = expected.confidence_interval(0.95)
    assert result.ci_low == pytest.approx(ci.low)
    assert result.ci_high == pytest.approx(ci.high)


def test_composite_hand_worked():
    # Differences 1, 2, 3: mean 2, sd 1, se 1/sqrt(3), t = 2*sqrt(3), dz = 2.
    result = stats.composite_change([0, 0, 0], [1, 2, 3])
    assert result.mean_change == 2
    assert result.sd_change == pytest.approx(1)
    assert result.t_statistic == pytest.approx(2 * math.sqrt(3))
    assert result.cohens_dz == pytest.approx(2)


def test_composite_identical_changes_and_tiny_samples():
    same = stats.composite_change([1, 2, 3], [2, 3, 4])
    assert same.mean_change == 1
    assert same.p_value is None
    assert "exactly the same amount" in same.note
    one = stats.composite_change([1], [2])
    assert one.p_value is None
    assert stats.composite_change([], []).mean_change is None


def test_median_and_mean_from_counts():
    assert stats.median_from_counts({1: 1, 2: 1, 5: 2}) == 3.5
    assert stats.median_from_counts({3: 3}) == 3
    assert stats.median_from_counts({}) is None
    assert stats.mean_from_counts({0: 1, 10: 3}) == 7.5


def test_plain_english_wording():
    result = stats.paired_change([0] * 8, [1, 2, 3, 4, 5, 6, 7, 8])
    text = stats.describe_paired_change(result)
    assert "8 people" in text
    assert "went up by 4.5 points" in text
    assert "p = 0.008" in text
    assert "large" in text
    flat = stats.paired_change([2, 3], [2, 3])
    assert "No one's answer changed" in stats.describe_paired_change(flat)
    composite = stats.composite_change([0, 0, 0], [1, 2, 4])
    assert "95% confidence interval" in stats.describe_composite(composite)
    assert stats.effect_size_word(0.25, "d") == "small"
    assert stats.effect_size_word(-0.6) == "large"
    assert stats.format_p(0.0001) == "p < 0.001"
