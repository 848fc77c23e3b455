"""Matched pre/post statistics agree with SciPy and with worked examples."""

import math

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


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 5), st.integers(1, 5)), min_size=1, max_size=40))
def test_p_value_always_agrees_with_scipy(pairs):
    pre = [a for a, _ in pairs]
    post = [b for _, b in pairs]
    result = stats.paired_change(pre, post)
    diffs = [b - a for a, b in pairs]
    if all(d == 0 for d in diffs):
        assert result.p_value is None
    else:
        assert result.p_value == pytest.approx(scipy_stats.wilcoxon(diffs).pvalue)
        assert -1 <= result.rank_biserial <= 1


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
