"""SVG charts: accessible names, bars inside the picture, nothing drawn for suppressed rows."""

import re

from learnhub.evaluation import charts


def _rects(svg: str) -> list[tuple[float, float]]:
    return [(float(x), float(w)) for x, w in re.findall(r'<rect x="([\d.]+)" y="\d+" width="([\d.]+)" height="28"', svg)]


def test_diverging_bars_stay_inside_the_chart_and_split_neutral_at_centre():
    svg = str(charts.diverging_bars("c1", "Before and after <item>", [("Before", [10, 0, 0, 0, 0]), ("After", [0, 0, 10, 0, 0])]))
    assert 'role="img"' in svg
    assert '<title id="c1-title">Before and after &lt;item&gt;</title>' in svg
    before, after = _rects(svg)
    assert before[0] >= 90  # never over the row labels
    assert before[0] + before[1] <= 640
    centre = 90 + (640 - 90) / 2
    assert abs(after[0] + after[1] / 2 - centre) < 0.2


def test_suppressed_rows_draw_no_bar():
    svg = str(charts.diverging_bars("c2", "t", [("Before", [10, "*", "*", 12, 0])]))
    assert _rects(svg) == []
    assert "Not shown: too few answers" in svg
    rates = str(charts.rate_bars("r", "Rates", [("Invited", 40), ("Matched", "*")]))
    assert "* (too few to show)" in rates
