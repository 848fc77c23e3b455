"""The results of the statistics (plain dataclasses), their constants, and SciPy loaded lazily."""

from dataclasses import dataclass, replace

from learnhub.suppression import DEFAULT_THRESHOLD, MASK, suppress_row


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

    def hide_test(self, reverse_scored: bool = False, threshold: int = DEFAULT_THRESHOLD) -> "PairedChange":
        """The change as it may be published: W, p, r and the method hidden when a direction count is.

        Complementary suppression. W is the smaller rank sum and r = (T+ - T-) / (T+ + T-), so W
        and r together give T+ + T- = n'(n' + 1) / 2 and with it the number of pairs that changed;
        with the number of pairs (shown) that is the number unchanged, and with ties (answers
        moving one point) W alone counts the pairs that went down. The p-value is a function of
        the same ranks and the method depends on ties and zeros. So when improved, unchanged or
        worsened is hidden, none of them is shown; the median change (an order statistic) stays.
        """
        if MASK not in self.direction_counts(reverse_scored, threshold) or self.p_value is None:
            return self
        return replace(
            self,
            w_statistic=MASK,  # type: ignore[arg-type]
            p_value=MASK,  # type: ignore[arg-type]
            rank_biserial=MASK,  # type: ignore[arg-type]
            method=MASK,
            note=(
                "The test statistic, p-value and effect size are not shown: they would reveal how many "
                "people's answers went up, stayed the same or went down, which are hidden because "
                f"some are fewer than {threshold}."
            ),
        )


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
