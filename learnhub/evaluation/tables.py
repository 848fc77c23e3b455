"""Results as tables for the CSV and XLSX exports: plain functions of :class:`~.analysis.Results`.

Figures are the same (already suppressed) ones the page shows. Numbers are kept at full
precision (a p-value of 3.24e-06 is exported as 3.24e-06, never rounded to 0); the XLSX
shows p-values in scientific notation with three significant figures. The XLSX has one sheet
per table — summary, matched change, distributions, follow-up — and a "Notes" sheet with the
suppression rule and the methods.
"""

from collections.abc import Sequence

from learnhub.evaluation import stats
from learnhub.evaluation.analysis import Results
from learnhub.evaluation.models import FOLLOW_UP, POST, PRE, TIMEPOINTS
from learnhub.exports import Sheet
from learnhub.suppression import MASK

#: Excel number format for p-values: three significant figures, however small.
P_VALUE_FORMAT = "0.00E+00"
LONG_HEADER = ["Section", "Question", "Timepoint or measure", "Answer", "Value"]


def _blank(value: object) -> object:
    return "" if value is None else value


def notes(res: Results) -> list[str]:
    """The suppression rule and the methods, as sentences (the export's "Notes")."""
    t = res.threshold
    return [
        f"Counts from 1 to {t - 1} are shown as {MASK}; so is the next smallest count of a row when only one "
        "count of that row is hidden (so it cannot be worked out from the total).",
        f"Percentages, medians, means and 'agree or strongly agree' shares are shown as {MASK} when any count "
        f"they are computed from is hidden, or when they rest on fewer than {t} people.",
        f"Filtered results are shown only when no other filter choice differs from them by 1 to {t - 1} people "
        "(so two downloads cannot be subtracted to reveal a small group).",
        "Matched change: a person's answer before compared with their answer after (or at follow-up), linked by a "
        "pseudonymous key. Wilcoxon signed-rank test per question, with the matched-pairs rank-biserial correlation "
        "as the effect size; paired t-test on the overall score (mean of the core questions) with Cohen's dz.",
        stats.DESIGN_CAVEAT,
    ]


def csv_rows(res: Results, title: str, described: Sequence[str]) -> list[list]:
    """The CSV export: a title row, then one long table (section, question, measure, answer, value), then notes."""
    rows: list[list] = [[title] + ([" ; ".join(described)] if described else []), LONG_HEADER]
    rows.append(["Response rates", "", "Suppression threshold", "", res.threshold])
    if res.differencing_withheld:
        rows.append(["Filtered results withheld", "", "", "", res.differencing_withheld])
    rows += _rate_rows(res)
    for r in res.items:
        for tp, wave in r.waves.items():
            when = TIMEPOINTS[tp]
            rows.append(["Answers", r.item.text, when, "Number answering", wave.n])
            for (value, label), count in zip(r.choices, wave.counts, strict=True):
                rows.append(["Answers", r.item.text, when, f"{value} {label}" if label != str(value) else label, count])
            for name, figure in (
                ("Median", wave.median),
                ("Mean", wave.mean),
                ("Agree or strongly agree (%)", wave.agree_percent),
            ):
                if figure is not None:
                    rows.append(["Answers", r.item.text, when, name, figure])
        if r.change is not None:
            rows += _change_rows("Matched change", r.item.text, r.change, reverse=r.item.reverse_scored, threshold=res.threshold)
        elif r.change_withheld:
            rows.append(["Matched change", r.item.text, "Pairs", "", MASK])
    if res.follow_up is not None:
        fu = res.follow_up
        rows.append(["Before and follow-up", "", "Matched pairs", "", fu.pairs])
        for r in res.items:
            f = fu.items.get(r.item.id)
            if f is None:
                continue
            if f.change is None:
                rows.append(["Before and follow-up", r.item.text, "Pairs", "", MASK])
            else:
                rows += _change_rows(
                    "Before and follow-up", r.item.text, f.change, reverse=r.item.reverse_scored, threshold=res.threshold
                )
        if fu.composite is not None:
            for label, value in _composite_figures(fu.composite, ci=False):
                rows.append(["Before and follow-up", "Mean of core questions", label, "", _blank(value)])
    if res.composite is not None:
        for label, value in _composite_figures(res.composite, ci=True):
            rows.append(["Overall score", "Mean of core questions", label, "", _blank(value)])
    else:
        rows.append(["Overall score", "Mean of core questions", "Pairs", "", MASK])
    rows += [["Notes", "", "", "", note] for note in notes(res)]
    return rows


def _rate_rows(res: Results) -> list[list]:
    rows = []
    labels = (("invited", "Invited"), (PRE, "Answered before"), (POST, "Answered after"), ("matched", "Matched pairs"))
    if FOLLOW_UP in res.rates:
        labels += ((FOLLOW_UP, "Answered at follow-up"),)
    for key, label in labels:
        rows.append(["Response rates", "", label, "Number", res.rates[key]])
        if key != "invited":
            rows.append(["Response rates", "", label, "Percent of invited", res.rate_percent[key]])
    return rows


def _change_rows(section: str, question: str, change: stats.PairedChange, *, reverse: bool, threshold: int) -> list[list]:
    better, same, worse = change.direction_counts(reverse, threshold)
    return [
        [section, question, "Pairs", "", change.n_pairs],
        [section, question, "Improved", "", better],
        [section, question, "Unchanged", "", same],
        [section, question, "Worsened", "", worse],
        [section, question, "Median change", "", _blank(change.median_change)],
        [section, question, "Wilcoxon W", "", _blank(change.w_statistic)],
        [section, question, "Wilcoxon p-value", "", _blank(change.p_value)],
        [section, question, "Method of the p-value", "", change.method or ""],
        [section, question, "Rank-biserial r", "", _blank(change.rank_biserial)],
    ]


def _composite_figures(c: stats.CompositeChange, *, ci: bool) -> list[tuple[str, object]]:
    figures: list[tuple[str, object]] = [("Pairs", c.n_pairs), ("Mean change", c.mean_change)]
    if ci:
        figures += [("95% CI low", c.ci_low), ("95% CI high", c.ci_high)]
    return figures + [("Paired t p-value", c.p_value), ("Cohen's dz", c.cohens_dz)]


CHANGE_HEADER = [
    "Question",
    "Pairs",
    "Median change (mean for the overall score)",
    "p-value",
    "Effect size",
    "Effect size measure",
    "Test and note",
    "Improved",
    "Unchanged",
    "Worsened",
    "Test statistic (W or t)",
    "Method of the p-value",
]


def _change_row(
    question: str, change: stats.PairedChange | None, withheld: str | None, *, reverse: bool = False, threshold: int
) -> list:
    if change is None:
        return [question, MASK, MASK, MASK, MASK, "", withheld or "", MASK, MASK, MASK, MASK, ""]
    return [
        question,
        change.n_pairs,
        _blank(change.median_change),
        _blank(change.p_value),
        _blank(change.rank_biserial),
        "Rank-biserial r",
        "Wilcoxon signed-rank" + (f"; {change.note}" if change.note else ""),
        *change.direction_counts(reverse, threshold),
        _blank(change.w_statistic),
        change.method or "",
    ]


def _composite_row(composite: stats.CompositeChange | None, withheld: str | None, *, ci: bool) -> list:
    question = "Overall score (mean of the core questions)"
    if composite is None:
        return [question, MASK, MASK, MASK, MASK, "", withheld or "", "", "", "", MASK, ""]
    note = "Paired t-test"
    if ci and composite.ci_low is not None and composite.ci_high is not None:
        note += f"; 95% confidence interval of the mean change {composite.ci_low!r} to {composite.ci_high!r}"
    if composite.note:
        note += f"; {composite.note}"
    return [
        question,
        composite.n_pairs,
        _blank(composite.mean_change),
        _blank(composite.p_value),
        _blank(composite.cohens_dz),
        "Cohen's dz",
        note,
        "",
        "",
        "",
        _blank(composite.t_statistic),
        "t distribution" if composite.p_value is not None else "",
    ]


def _change_sheet(title: str, rows: list[list]) -> Sheet:
    return Sheet(title, CHANGE_HEADER, rows, number_formats={3: P_VALUE_FORMAT})


def sheets(res: Results, title: str, described: Sequence[str]) -> list[Sheet]:
    """The XLSX export: summary, matched change, distributions, follow-up (when any) and notes."""
    summary: list[list] = [["Survey", "", title, "", ""]]
    if described:
        summary.append(["Filters", "", " ; ".join(described), "", ""])
    summary.append(["Response rates", "", "Suppression threshold", "", res.threshold])
    if res.differencing_withheld:
        summary.append(["Filtered results withheld", "", "", "", res.differencing_withheld])
    summary += _rate_rows(res)
    out = [Sheet("Summary", LONG_HEADER, summary)]

    matched = [
        _change_row(r.item.text, r.change, r.change_withheld, reverse=r.item.reverse_scored, threshold=res.threshold)
        for r in res.items
        if r.change or r.change_withheld
    ]
    matched.append(_composite_row(res.composite, res.composite_withheld, ci=True))
    out.append(_change_sheet("Matched change", matched))

    distributions = []
    for r in res.items:
        for tp, wave in r.waves.items():
            for (value, label), count, percent in zip(r.choices, wave.counts, wave.percentages, strict=True):
                answer = f"{value} {label}" if label != str(value) else label
                distributions.append([r.item.text, TIMEPOINTS[tp], answer, count, percent])
            distributions.append([r.item.text, TIMEPOINTS[tp], "Number answering", wave.n, ""])
            for name, figure in (
                ("Median", wave.median),
                ("Mean", wave.mean),
                ("Agree or strongly agree (%)", wave.agree_percent),
            ):
                if figure is not None:
                    distributions.append([r.item.text, TIMEPOINTS[tp], name, figure, ""])
    header = ["Question", "Timepoint", "Answer or measure", "Number or value", "Percent"]
    out.append(Sheet("Distributions", header, distributions))

    if res.follow_up is not None:
        fu = res.follow_up
        rows = [["People who answered before and at follow-up", fu.pairs, *[""] * (len(CHANGE_HEADER) - 2)]]
        for r in res.items:
            f = fu.items.get(r.item.id)
            if f is not None:
                rows.append(
                    _change_row(r.item.text, f.change, f.withheld, reverse=r.item.reverse_scored, threshold=res.threshold)
                )
        rows.append(_composite_row(fu.composite, fu.composite_withheld, ci=False))
        out.append(_change_sheet("Follow-up", rows))

    out.append(Sheet("Notes", ["Note"], [[note] for note in notes(res)]))
    return out
