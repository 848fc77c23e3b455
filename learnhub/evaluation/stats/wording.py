"""Plain-English wording of the results, for the dashboard and the reports."""

from learnhub.evaluation.stats.results import CompositeChange, PairedChange

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


def format_p(p: float | str | None) -> str:
    """A p-value as people read it: 'p < 0.001' or 'p = 0.042' (a hidden one stays ``*``)."""
    if p is None:
        return "not tested"
    if isinstance(p, str):
        return p
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


def _median_sentence(result: PairedChange, later: str) -> str:
    change = abs(result.median_change or 0)
    return (
        f"Across {result.n_pairs} people who answered before and {later}, the typical (median) answer "
        f"{_direction(result.median_change or 0)}" + (f" by {change:g} point{'s' if change != 1 else ''}. " if change else ". ")
    )


def describe_paired_change(result: PairedChange, later: str = "after") -> str:
    """One or two sentences explaining an item's matched change (``later``: "after" or "at follow-up")."""
    if result.n_pairs == 0:
        return f"No one answered this question both before and {later}."
    if isinstance(result.p_value, str):  # hidden (``PairedChange.hide_test``): the median and why
        return _median_sentence(result, later) + (result.note or "")
    if result.p_value is None:
        return f"Across {result.n_pairs} people who answered before and {later}, {result.note or 'there was nothing to test.'}"
    text = _median_sentence(result, later) + _p_sentence(result.p_value)
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
