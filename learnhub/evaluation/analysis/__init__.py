"""Results of an instrument: SQL aggregates, then pure results, then differencing protection.

- :mod:`.queries`: the filters and the GROUP BY queries (:func:`~.queries.gather`); the
  number of queries and the rows read do not grow with the number of responses;
- :mod:`.results`: the figures people see, computed from the aggregates without the database,
  with small-number suppression applied once (so the page, exports and PDF agree);
- :mod:`.slices` and :mod:`.differencing`: which filtered views may be shown at all (one
  predefined slice at a time; no two shown views differ by 1 to threshold - 1 people).
"""

from learnhub.evaluation import stats
from learnhub.evaluation.analysis import differencing, queries, slices
from learnhub.evaluation.analysis.differencing import (
    DIFFERENCING_LABELS,
    differencing_cells,
    differencing_problem,
    filters_applied,
    withheld,
)
from learnhub.evaluation.analysis.queries import (
    Aggregates,
    Filters,
    PairAggregates,
    free_text,
    gather,
    invited_count,
    submission_months,
    submission_subgroups,
)
from learnhub.evaluation.analysis.results import (
    FollowUpItem,
    FollowUpResults,
    ItemResult,
    ItemWave,
    Results,
    build,
    follow_up_results,
    withhold,
)
from learnhub.evaluation.analysis.slices import EVERYONE, period_choices, period_label, withheld_views
from learnhub.evaluation.models import Answer, Instrument
from learnhub.suppression import percentage


def compute(instrument: Instrument, filters: Filters, threshold: int) -> Results:
    """All results for the dashboard, export and report, suppressed with the hub's threshold."""
    items = [i for s in instrument.sections for i in s.items]
    results = build(instrument, items, gather(instrument, filters), threshold)
    problem = differencing_problem(instrument, filters, threshold)
    if problem is not None:
        withhold(results, problem)
    return results


__all__ = [
    "DIFFERENCING_LABELS",
    "EVERYONE",
    "Aggregates",
    "Answer",
    "Filters",
    "FollowUpItem",
    "FollowUpResults",
    "ItemResult",
    "ItemWave",
    "PairAggregates",
    "Results",
    "build",
    "compute",
    "differencing",
    "differencing_cells",
    "differencing_problem",
    "filters_applied",
    "follow_up_results",
    "free_text",
    "gather",
    "invited_count",
    "percentage",
    "period_choices",
    "period_label",
    "queries",
    "slices",
    "stats",
    "submission_months",
    "submission_subgroups",
    "withheld",
    "withheld_views",
    "withhold",
]
