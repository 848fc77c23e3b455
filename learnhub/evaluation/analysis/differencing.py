"""Differencing: filtered results are withheld when comparing them with another view reveals a small group."""

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import aliased

from learnhub.evaluation.analysis.queries import Filters, _conditions
from learnhub.evaluation.models import FOLLOW_UP, POST, PRE, Instrument, Response
from learnhub.extensions import db
from learnhub.suppression import differencing_risk


def filters_applied(filters: Filters) -> bool:
    """True when any filter narrows the results."""
    return any(
        (filters.attachment_id, filters.subgroup, filters.pcn_id, filters.professional_role, filters.date_from, filters.date_to)
    )


#: Names of the counts checked for differencing, as said to the administrator.
DIFFERENCING_LABELS = {
    PRE: "answered before",
    POST: "answered after",
    FOLLOW_UP: "answered at follow-up",
    "matched": "answered before and after",
    "matched_follow_up": "answered before and at follow-up",
}


def _filter_dimensions(filters: Filters) -> list[Filters]:
    """Each filter in use on its own (the two dates separately): the views an observer could combine."""
    dims = []
    for name in ("attachment_id", "subgroup", "pcn_id", "professional_role", "date_from", "date_to"):
        value = getattr(filters, name)
        if value:
            dims.append(Filters(**{name: value}))
    return dims


def differencing_cells(instrument: Instrument, filters: Filters) -> dict[str, dict[tuple[bool, ...], int]]:
    """People per published count, split by which of the filters in use they pass.

    ``{"pre": {(True, False): 12, ...}, "matched": {...}}``: the tuple has one flag per filter in
    use (``_filter_dimensions`` order). Any view with a subset of the filters is a sum of cells,
    so two GROUP BY queries serve every comparison.
    """
    dims = _filter_dimensions(filters)
    everything = Filters()
    resp = aliased(Response)
    flags = [case((and_(*_conditions(resp, instrument.id, d)), 1), else_=0) for d in dims]
    cells: dict[str, dict[tuple[bool, ...], int]] = {}
    for tp, *bits, n in db.session.execute(
        select(resp.timepoint, *flags, func.count())
        .where(*_conditions(resp, instrument.id, everything))
        .group_by(resp.timepoint, *flags)
    ).all():
        cells.setdefault(tp, {})[tuple(bool(b) for b in bits)] = int(n)
    pre, later = aliased(Response), aliased(Response)
    on = and_(
        later.attachment_id == pre.attachment_id,
        later.respondent_key == pre.respondent_key,
        pre.timepoint == PRE,
        later.timepoint.in_([POST, FOLLOW_UP]),
    )
    pair_flags = [
        case((and_(*_conditions(pre, instrument.id, d), *_conditions(later, instrument.id, d)), 1), else_=0) for d in dims
    ]
    for tp, *bits, n in db.session.execute(
        select(later.timepoint, *pair_flags, func.count())
        .select_from(pre)
        .join(later, on)
        .where(*_conditions(pre, instrument.id, everything), *_conditions(later, instrument.id, everything))
        .group_by(later.timepoint, *pair_flags)
    ).all():
        name = "matched" if tp == POST else "matched_follow_up"
        cells.setdefault(name, {})[tuple(bool(b) for b in bits)] = int(n)
    return cells


def _count(cells: dict[tuple[bool, ...], int], kept: tuple[int, ...]) -> int:
    """People passing the filters numbered in ``kept``."""
    return sum(n for bits, n in cells.items() if all(bits[k] for k in kept))


def differencing_comparisons(instrument: Instrument, filters: Filters) -> dict[tuple[str, tuple[int, ...]], tuple[int, int]]:
    """``{(count name, filters kept): (filtered, broader)}`` for every broader view.

    A broader view keeps some of the filters in use (none: the results for everyone). The
    filtered view subtracted from any of them gives the people the other filters leave out.
    """
    from itertools import combinations

    k = len(_filter_dimensions(filters))
    every = tuple(range(k))
    out = {}
    for name, cells in differencing_cells(instrument, filters).items():
        filtered = _count(cells, every)
        for size in range(k):
            for kept in combinations(every, size):
                out[(name, kept)] = (filtered, _count(cells, kept))
    return out


def differencing_counts(instrument: Instrument, filters: Filters) -> dict[str, tuple[int, int]]:
    """``(filtered, unfiltered)`` people per published count: each wave and each kind of matched pair."""
    return {name: pair for (name, kept), pair in differencing_comparisons(instrument, filters).items() if not kept}


def differencing_problem(instrument: Instrument, filters: Filters, threshold: int) -> str | None:
    """Why filtered results must not be shown, or None.

    Someone who sees the unfiltered results (or the results with fewer filters) and a filtered
    view can subtract one from the other. So when a filter is applied, every published count
    of people (each wave, each kind of matched pair) must, in the filtered view and in what the
    filters leave out compared with any broader view, be either zero or at least the threshold.
    """
    if not filters_applied(filters):
        return None
    comparisons = differencing_comparisons(instrument, filters)
    risky = differencing_risk({f"{name}|{kept}": pair for (name, kept), pair in comparisons.items()}, threshold)
    if not risky:
        return None
    risky_keys = [key for key in comparisons if f"{key[0]}|{key[1]}" in risky]
    order = list(DIFFERENCING_LABELS)
    names = sorted({name for name, _ in risky_keys}, key=lambda n: order.index(n) if n in order else len(order))
    which = "; ".join(DIFFERENCING_LABELS.get(name, name) for name in names)
    if any(0 < comparisons[key][0] < threshold for key in risky_keys):
        return (
            f"Results for these filters are not shown because fewer than {threshold} people match them "
            f"(counting people who {which}). Choose a broader filter, or clear the filters."
        )
    against = "the results for everyone" if any(not kept for _, kept in risky_keys) else "the results with fewer filters"
    return (
        f"Results for these filters are not shown because the filters leave out fewer than {threshold} people "
        f"(counting people who {which}). Comparing them with {against} would reveal those people's "
        "answers. Choose a different filter, or clear the filters."
    )
