"""The results people see, computed from aggregates without the database (pure functions).

:func:`build` turns an :class:`~learnhub.evaluation.analysis.queries.Aggregates` into
:class:`Results`: distributions, medians, means, agreement shares, matched change
(Wilcoxon), the overall score (paired t) and follow-up, with small-number suppression applied
here, once, so the page, the exports and the PDF show the same protected figures.

Items are read through their attributes only (``id``, ``kind``, ``text``, ``core``,
``retired``, ``reverse_scored``, ``asked()``, ``choices()``), so tests may pass unsaved items.
"""

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from learnhub.evaluation import stats
from learnhub.evaluation.models import (
    AGREEMENT,
    FOLLOW_UP,
    FREE_TEXT,
    MULTIPLE,
    POST,
    PRE,
    RATING,
    SCALE_KINDS,
    SINGLE,
    TIMEPOINTS,
)
from learnhub.suppression import MASK, enough_for_statistics, mask_count, percentage, suppress_row

if TYPE_CHECKING:
    from learnhub.evaluation.analysis.queries import Aggregates, PairAggregates

Item = Any  # an evaluation item, saved or not


@dataclass
class ItemWave:
    """One item at one timepoint: n, distribution, median/mean (already suppressed)."""

    n: int | str
    counts: list[int | str]
    percentages: list[float | str]
    median: float | str | None = None
    mean: float | str | None = None
    agree_percent: float | str | None = None
    raw_counts: list[int] = field(default_factory=list)


@dataclass
class ItemResult:
    """Everything shown for one item."""

    item: Item
    choices: list[tuple[int, str]]
    waves: dict[str, ItemWave]
    change: stats.PairedChange | None = None
    #: None when the change may be shown; otherwise why not.
    change_withheld: str | None = None
    change_text: str = ""


@dataclass
class Results:
    """An instrument's results under some filters."""

    instrument: Any
    threshold: int
    rates: dict[str, int | str]
    rate_percent: dict[str, float | str]
    items: list[ItemResult]
    composite: stats.CompositeChange | None
    composite_withheld: str | None
    composite_text: str
    composite_means: dict[str, float | None]
    core_count: int
    free_text_counts: dict[int, int]
    #: Before vs follow-up, when follow-up responses exist (see ``follow_up_change``).
    follow_up: "FollowUpResults | None" = None
    #: Why filtered results are withheld (differencing), or None (see ``differencing_problem``).
    differencing_withheld: str | None = None


@dataclass
class FollowUpItem:
    """Matched change on one item from before to follow-up (already suppressed)."""

    change: stats.PairedChange | None
    withheld: str | None
    text: str = ""


@dataclass
class FollowUpResults:
    """Before vs follow-up for people who answered both."""

    pairs: int | str
    items: dict[int, FollowUpItem]
    composite: stats.CompositeChange | None
    composite_withheld: str | None
    composite_text: str = ""


def _item_waves(item: Item, agg: "Aggregates", threshold: int) -> dict[str, ItemWave]:
    """One item's answers at each timepoint, suppressed."""
    choices = item.choices()
    waves = {}
    for tp in TIMEPOINTS:
        if not item.asked(tp) and (tp, item.id) not in agg.respondents:
            continue
        counts_map = agg.distribution.get((tp, item.id), {})
        n = agg.respondents.get((tp, item.id), 0)
        if tp == FOLLOW_UP and not n:
            continue
        raw = [counts_map.get(v, 0) for v, _ in choices]
        masked = suppress_row(raw, threshold, total_shown=item.kind != MULTIPLE)
        n_shown = mask_count(n, threshold)
        wave = ItemWave(n=n_shown, counts=masked, percentages=[percentage(c, n_shown) for c in masked], raw_counts=raw)
        if item.kind in SCALE_KINDS or item.kind == SINGLE:
            # Complementary suppression: a figure computed from a hidden count would reveal it
            # (a mean with n gives a weighted sum of the counts; an "agree" share gives the sum of
            # two cells), so it is shown only when every count it uses is shown. A median needs
            # enough people; with hidden counts it is the lower median (always an answer given):
            # 2.5 of 12 would say that exactly 6 people answered 2 or less.
            ok = enough_for_statistics(n, threshold)
            if item.kind in SCALE_KINDS:
                median = stats.low_median_from_counts if MASK in masked else stats.median_from_counts
                wave.median = median(counts_map) if ok else MASK
            if item.kind == RATING:
                mean = stats.mean_from_counts(counts_map)
                shown = ok and MASK not in masked
                wave.mean = (round(mean, 1) if mean is not None else None) if shown else MASK
            if item.kind == AGREEMENT:
                agree = counts_map.get(4, 0) + counts_map.get(5, 0)
                shown = ok and n and MASK not in (masked[3], masked[4])
                wave.agree_percent = round(100 * agree / n) if shown else MASK
        waves[tp] = wave
    return waves


def _paired_change(item: Item, counts: dict[int, int], threshold: int, later: str) -> tuple:
    """(change, withheld, text) for one item's matched differences."""
    pairs = sum(counts.values())
    if not enough_for_statistics(pairs, threshold):
        return None, f"Fewer than {threshold} people answered this question both before and {later}.", ""
    # Complementary suppression: no figure from which a hidden direction count follows (W, p, r,
    # the method; the median change becomes the lower median, as for answers).
    change = stats.paired_change_from_counts(counts)
    if MASK in change.direction_counts(bool(item.reverse_scored), threshold):
        hidden = change.hide_test(bool(item.reverse_scored), threshold)
        change = replace(hidden, median_change=stats.low_median_from_counts(counts))
    text = stats.describe_paired_change(change, later=later)
    if item.reverse_scored:
        text += " This statement is negative, so a fall is an improvement."
    return change, None, text


def _composite(items: list[Item], sums: tuple, threshold: int, later: str) -> tuple:
    """(composite, withheld, text, means) of the overall score from its sums."""
    n_pairs, total, total_sq, pre_mean, post_mean = sums
    if not any(i.core and not i.retired for i in items):
        return None, "This survey has no core questions, so there is no overall score.", "", {PRE: None, POST: None}
    if not enough_for_statistics(n_pairs, threshold):
        return None, f"Fewer than {threshold} people answered both before and {later}.", "", {PRE: None, POST: None}
    composite = stats.composite_change_from_sums(int(n_pairs), float(total or 0), float(total_sq or 0))
    text = stats.describe_composite(composite, later=later)
    return composite, None, text, {PRE: float(pre_mean), POST: float(post_mean)}


def follow_up_results(items: list[Item], agg: "PairAggregates", threshold: int) -> FollowUpResults:
    """Matched change from before to follow-up: items (Wilcoxon) and the overall score (paired t).

    The same rules as before vs after: nothing rests on fewer than ``threshold`` pairs.
    """
    out: dict[int, FollowUpItem] = {}
    for item in items:
        if item.kind not in SCALE_KINDS or not (item.asked(PRE) or item.id in agg.differences):
            continue
        if not (item.asked(FOLLOW_UP) or item.id in agg.differences):
            continue
        change, withheld, text = _paired_change(item, agg.differences.get(item.id, {}), threshold, "at follow-up")
        out[item.id] = FollowUpItem(change, withheld, text)
    composite, withheld, text, _means = _composite(items, agg.composite, threshold, "at follow-up")
    return FollowUpResults(
        pairs=mask_count(agg.n_pairs, threshold), items=out, composite=composite, composite_withheld=withheld, composite_text=text
    )


def build(instrument: Any, items: list[Item], agg: "Aggregates", threshold: int) -> Results:
    """All results for the dashboard, export and report, suppressed with the hub's threshold.

    ``items`` are the instrument's items in section order.
    """
    raw_rates = {"invited": agg.invited, PRE: agg.per_wave.get(PRE, 0), POST: agg.per_wave.get(POST, 0)}
    raw_rates["matched"] = agg.matched.n_pairs
    if agg.per_wave.get(FOLLOW_UP):
        raw_rates[FOLLOW_UP] = agg.per_wave[FOLLOW_UP]
    rates = {k: mask_count(v, threshold) for k, v in raw_rates.items()}
    rate_percent = {k: percentage(rates[k], rates["invited"]) for k in rates if k != "invited"}

    free_counts: dict[int, int] = {}
    for (_tp, item_id), n in agg.respondents.items():
        free_counts[item_id] = free_counts.get(item_id, 0) + n

    results = []
    for item in items:
        if item.kind == FREE_TEXT:
            continue
        result = ItemResult(item=item, choices=item.choices(), waves=_item_waves(item, agg, threshold))
        if item.kind in SCALE_KINDS and item.asked(PRE) and item.asked(POST):
            result.change, result.change_withheld, result.change_text = _paired_change(
                item, agg.matched.differences.get(item.id, {}), threshold, "after"
            )
        results.append(result)

    composite, withheld, text, means = _composite(items, agg.matched.composite, threshold, "after")
    out = Results(
        instrument=instrument,
        threshold=threshold,
        rates=rates,
        rate_percent=rate_percent,
        items=results,
        composite=composite,
        composite_withheld=withheld,
        composite_text=text,
        composite_means=means,
        core_count=sum(1 for i in items if i.core and not i.retired),
        free_text_counts=free_counts,
    )
    if agg.follow_up is not None:
        out.follow_up = follow_up_results(items, agg.follow_up, threshold)
    return out


def withhold(results: Results, problem: str) -> None:
    """Blank filtered results that could be compared with another view to reveal a small group."""
    results.differencing_withheld = problem
    results.rates = {k: (v if k == "invited" else MASK) for k, v in results.rates.items()}
    results.rate_percent = {k: MASK for k in results.rate_percent}
    results.items = []
    results.composite = None
    results.composite_withheld = problem
    results.composite_text = ""
    results.composite_means = {PRE: None, POST: None}
    results.free_text_counts = {}
    results.follow_up = None
