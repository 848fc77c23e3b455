"""SVG charts: bars drawn whenever the table's figures allow, hidden answers hatched, readable colours and text."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from learnhub.evaluation import charts
from learnhub.suppression import MASK, percentage, suppress_row

PLOT_WIDTH = charts.WIDTH - 2


def _segments(svg: str) -> list[tuple[str, float, float, str]]:
    """(fill, x, width, tooltip) of every bar segment (28 units high)."""
    return [
        (fill, float(x), float(w), tip)
        for x, w, fill, tip in re.findall(
            r'<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)" height="28" fill="([^"]+)"[^>]*><title>([^<]*)</title>', svg
        )
    ]


def test_a_bar_with_hidden_answers_is_still_drawn_with_them_hatched_together():
    # 62 answers; "Disagree" and "Neither" are hidden in the table. The old chart drew no bar at all.
    svg = str(charts.agreement_bars("c1", "Before and after <item>", [("Before", [30, MASK, MASK, 12, 10])], n=[62]))
    segments = _segments(svg)
    fills = [fill for fill, *_ in segments]
    assert fills == [charts.AGREEMENT_COLOURS[0], "url(#c1-hatch)", charts.AGREEMENT_COLOURS[3], charts.AGREEMENT_COLOURS[4]]
    widths = {fill: w for fill, _x, w, _tip in segments}
    assert widths[charts.AGREEMENT_COLOURS[0]] == pytest.approx(30 / 62 * PLOT_WIDTH, abs=0.1)
    # The hidden pair is drawn as one block of 62 - 52 = 10 answers, never each at its own size.
    assert widths["url(#c1-hatch)"] == pytest.approx(10 / 62 * PLOT_WIDTH, abs=0.1)
    hatched_tip = segments[1][3]
    assert "Disagree and Neither not shown (fewer than 8 each)" in hatched_tip
    # Visibly marked: a stripe pattern, and the legend says what it means.
    assert '<pattern id="c1-hatch"' in svg
    assert ">Not shown: fewer than 8</text>" in svg
    # Percentages printed on the bars and an axis with its label.
    assert ">48%</text>" in svg  # 30 of 62
    for tick in ("0%", "50%", "100%"):
        assert f">{tick}</text>" in svg
    assert ">Percentage of people answering</text>" in svg
    assert '<title id="c1-title">Before and after &lt;item&gt;. Before: Strongly disagree 48%, Disagree and Neither' in svg


def test_the_label_uses_the_hubs_threshold():
    svg = str(charts.agreement_bars("c2", "t", [("After", [MASK, MASK, 0, 20, 30])], threshold=10, n=[55]))
    assert ">Not shown: fewer than 10</text>" in svg
    assert "fewer than 8" not in svg


def test_a_row_whose_number_of_people_is_hidden_draws_no_bar():
    svg = str(charts.agreement_bars("c3", "t", [("Before", [MASK, MASK, 0, 0, 0])], n=[MASK]))
    assert _segments(svg) == []
    assert "Not shown: fewer than 8 people answered" in svg


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(0, 40), min_size=5, max_size=5), st.integers(5, 12))
def test_chart_shows_exactly_what_the_suppressed_table_shows(raw, threshold):
    n = sum(raw)
    shown = suppress_row(raw, threshold)
    n_shown = n if n >= threshold else MASK
    svg = str(charts.agreement_bars("p", "t", [("Before", shown)], threshold, n=[n_shown]))
    segments = _segments(svg)
    if n_shown == MASK or n == 0:
        assert segments == []
        return
    coloured = {fill: w for fill, _x, w, _tip in segments if not fill.startswith("url(")}
    for i, count in enumerate(shown):
        colour = charts.AGREEMENT_COLOURS[i]
        if count == MASK or count == 0:
            assert colour not in coloured  # a hidden count never gets a segment of its own
        else:
            assert coloured[colour] == pytest.approx(count / n * PLOT_WIDTH, abs=0.06)
            assert f"{charts.AGREEMENT_SHORT[i]} {percentage(count, n_shown):.0f}%" in svg  # the table's percentage
    hatched = [w for fill, _x, w, _tip in segments if fill.startswith("url(")]
    hidden_total = n - sum(c for c in shown if c != MASK)
    if MASK in shown:
        assert hatched == [pytest.approx(hidden_total / n * PLOT_WIDTH, abs=0.06)]
    else:
        assert hatched == []
    assert sum(w for *_, w, _t in segments) == pytest.approx(PLOT_WIDTH, abs=0.3)


def test_rate_bars_show_counts_percentages_and_mark_hidden_counts():
    rows = [("Invited", 40), ("Answered before", 20), ("Matched", MASK)]
    svg = str(charts.rate_bars("r", "Rates", rows, 8, [None, 50.0, MASK]))
    assert ">40</text>" in svg
    assert ">20 (50%)</text>" in svg
    assert ">Not shown: fewer than 8</text>" in svg
    assert 'fill="url(#r-hatch)"' in svg
    assert ">Number of people (percent of those invited)</text>" in svg
    assert "Matched: not shown, fewer than 8" in svg  # in the alternative text


def test_contrast_ratio_is_the_wcag_formula():
    assert charts.contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
    assert charts.contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    assert charts.contrast_ratio("#005eb8", "#005eb8") == 1


@pytest.mark.parametrize("colour", [*charts.AGREEMENT_COLOURS, charts.BAR_COLOUR, charts.HATCH_COLOUR])
def test_every_fill_has_3_to_1_against_the_backgrounds_and_white_labels_4_5_to_1(colour):
    # WCAG 1.4.11 non-text contrast: each bar (and the hatch stripes) against the page and the PDF's white.
    for background in charts.BACKGROUNDS:
        assert charts.contrast_ratio(colour, background) >= 3, (colour, background)
    # Percentages are printed in white on the segments, and white outlines separate them.
    assert charts.contrast_ratio(colour, "#ffffff") >= 4.5


def test_old_colours_failed_the_contrast_rule():
    # The colours this replaces: "Neither" 1.24:1, "Disagree" 1.8:1, "Agree" 2.0:1 against the page.
    assert charts.contrast_ratio("#d8dde0", "#f0f4f5") < 1.3
    assert charts.contrast_ratio("#f0a39b", "#ffffff") < 3


def test_text_is_at_least_12px_on_a_375px_screen():
    svg = str(
        charts.agreement_bars("t", "t", [("Before", [10, 0, MASK, MASK, 30]), ("After", [0, 0, 0, 20, 30])], n=[48, 50])
        + charts.rate_bars("r", "Rates", [("Invited", 40), ("Matched", MASK)])
    )
    sizes = {float(s) for s in re.findall(r'font-size="([\d.]+)"', svg)}
    assert sizes == {charts.FONT_SIZE}
    # 375 px less the NHS.UK container's 16 px margins: the SVG is scaled to 343 px.
    viewboxes = {int(w) for w in re.findall(r'viewBox="0 0 (\d+) ', svg)}
    assert viewboxes == {charts.WIDTH}
    assert charts.FONT_SIZE * 343 / charts.WIDTH >= 12
