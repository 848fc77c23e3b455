"""Server-side SVG charts. Pure functions returning markup; every chart has a table alternative on the page.

What a chart may show is exactly what its table shows:

* The bars are drawn from the table's own (already suppressed) counts. A count shown as ``*``
  in the table is never drawn at its own size; the hidden answers of one row are drawn
  together as one hatched segment labelled "fewer than N" (N the hub's threshold), whose size
  is the row's total minus the counts that are shown — a figure the table already gives away.
  A row whose number of people is itself hidden draws no bar.
* Percentages printed on a chart are the table's percentages.

Accessibility (WCAG 2.2 AA): every fill is an NHS.UK palette colour with at least 3:1 contrast
against both page backgrounds (white in the PDF, NHS.UK grey on screen) — 1.4.11 — and white
outlines separate neighbouring segments; percentages printed in white on a segment have at
least 4.5:1. The picture is 400 units wide and scales to its container: text is 15 units, so
at least 12 CSS px on a 375 px screen (343 px of content), and the stylesheet caps the width
so text stays near its normal size on wide screens. The ``<title>`` is the chart's
alternative text (``aria-labelledby`` on the page, the Figure's ``/Alt`` in the tagged PDF), and
says what every bar shows.
"""

from markupsafe import Markup, escape

from learnhub.suppression import DEFAULT_THRESHOLD, MASK, percentage

#: The chart's width in SVG units (it scales to the width of its container).
WIDTH = 400
FONT_SIZE = 15
#: NHS.UK page background (screen) and white (PDF, table cells): chart colours must meet 3:1 on both.
BACKGROUNDS = ("#ffffff", "#f0f4f5")
TEXT = "#212b32"
SECONDARY_TEXT = "#4c6272"
#: Strongly disagree … strongly agree: NHS.UK dark pink, red, dark grey, bright blue, dark blue.
AGREEMENT_COLOURS = ["#7c2855", "#d5281b", "#425563", "#0072ce", "#003087"]
AGREEMENT_SHORT = ["Strongly disagree", "Disagree", "Neither", "Agree", "Strongly agree"]
#: Count bars (NHS.UK blue).
BAR_COLOUR = "#005eb8"
#: Stripes and outline of the "not shown" segments (NHS.UK dark grey on white).
HATCH_COLOUR = "#425563"
#: Percent labels are printed in white on segments at least this wide.
_LABEL_MIN_WIDTH = 38


def _luminance(colour: str) -> float:
    """WCAG relative luminance of a ``#rrggbb`` colour."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    """WCAG contrast ratio of two ``#rrggbb`` colours (1 to 21)."""
    high, low = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _text(x: float, y: float, body: str, *, anchor: str = "start", fill: str = TEXT, weight: str = "normal") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{FONT_SIZE}" font-family="Frutiger W01, Arial, sans-serif" '
        f'text-anchor="{anchor}" font-weight="{weight}" fill="{fill}">{escape(body)}</text>'
    )


def _hatch(chart_id: str) -> str:
    """The pattern that marks answers not shown: dark grey diagonal stripes on white."""
    return (
        f'<defs><pattern id="{chart_id}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)">'
        f'<rect width="6" height="6" fill="#ffffff"/><rect width="2.5" height="6" fill="{HATCH_COLOUR}"/>'
        "</pattern></defs>"
    )


def _svg(height: float, title: str, body: str, chart_id: str) -> Markup:
    return Markup(
        f'<svg class="app-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:.0f}" width="100%" '
        f'role="img" aria-labelledby="{chart_id}-title" focusable="false">'
        f'<title id="{chart_id}-title">{escape(title)}</title>{body}</svg>'
    )


def _legend(entries: list[tuple[str, str]], y: float) -> tuple[list[str], float]:
    """Legend swatches (fill, text) wrapped to the chart's width; returns the parts and the next free y."""
    parts, x = [], 0.0
    for fill, label in entries:
        width = 22 + len(label) * FONT_SIZE * 0.55 + 14
        if x and x + width > WIDTH:
            x, y = 0.0, y + 24
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="15" height="15" fill="{fill}" stroke="{HATCH_COLOUR}"/>')
        parts.append(_text(x + 21, y + 13, label))
        x += width
    return parts, y + 30


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def agreement_bars(
    chart_id: str, title: str, rows: list[tuple[str, list[int | str]]], threshold: int = DEFAULT_THRESHOLD, n: list | None = None
) -> Markup:
    """100% stacked bars of 1–5 agreement answers (strongly disagree on the left), one per timepoint.

    ``rows`` is ``[(label, [count for 1..5]), ...]`` (e.g. Before, After), suppressed as in the
    table; ``n`` the people answering per row as the table shows them (the sum of the counts
    when not given). Hidden counts are drawn together as one hatched segment (see the module notes).
    """
    hidden_label = f"Not shown: fewer than {threshold}"
    parts, y = _legend([*zip(AGREEMENT_COLOURS, AGREEMENT_SHORT, strict=True), (f"url(#{chart_id}-hatch)", hidden_label)], 4)
    summaries = []
    bar_h, plot_w = 28, WIDTH - 2
    for r, (label, counts) in enumerate(rows):
        total = n[r] if n is not None else (MASK if MASK in counts else sum(int(c) for c in counts))
        shown_total = f"{total} {'person' if total == 1 else 'people'}" if total != MASK else f"fewer than {threshold} people"
        parts.append(_text(0, y + 15, f"{label} ({shown_total})", weight="bold"))
        y += 22
        if total == MASK or not total:
            note = "Not shown: fewer than" if total == MASK else "No answers"
            text = f"{note} {threshold} people answered" if total == MASK else note
            parts.append(_text(0, y + 18, text, fill=SECONDARY_TEXT))
            summaries.append(f"{label}: " + (f"not shown, fewer than {threshold} people" if total == MASK else "no answers"))
            y += bar_h + 16
            continue
        total = int(total)
        hidden = [i for i, c in enumerate(counts) if c == MASK]
        hidden_share = (total - sum(int(c) for c in counts if c != MASK)) / total
        x = 1.0
        said = []
        for i, count in enumerate(counts):
            if count == MASK:
                if i != hidden[0]:
                    continue
                w = hidden_share * plot_w
                names = _and([AGREEMENT_SHORT[j] for j in hidden])
                tip = f"{label}: {names} not shown (fewer than {threshold} each), {round(hidden_share * 100)}% together"
                parts.append(
                    f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{bar_h}" fill="url(#{chart_id}-hatch)" '
                    f'stroke="{HATCH_COLOUR}" stroke-width="1.5"><title>{escape(tip)}</title></rect>'
                )
                said.append(f"{names} not shown (fewer than {threshold} each)")
            else:
                share = int(count) / total
                w = share * plot_w
                pct = percentage(count, total)
                said.append(f"{AGREEMENT_SHORT[i]} {pct:.0f}%")
                if w <= 0:
                    continue
                tip = f"{label}: {AGREEMENT_SHORT[i]} {pct:.0f}%"
                parts.append(
                    f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{bar_h}" fill="{AGREEMENT_COLOURS[i]}" '
                    f'stroke="#ffffff" stroke-width="1.5"><title>{escape(tip)}</title></rect>'
                )
                if w >= _LABEL_MIN_WIDTH:
                    parts.append(_text(x + w / 2, y + 19, f"{pct:.0f}%", anchor="middle", fill="#ffffff", weight="bold"))
            x += w
        summaries.append(f"{label}: " + ", ".join(said))
        y += bar_h + 16
    # Percentage axis under the bars.
    parts.append(f'<line x1="1" y1="{y - 10:.1f}" x2="{WIDTH - 1}" y2="{y - 10:.1f}" stroke="{HATCH_COLOUR}" stroke-width="1"/>')
    for tick in (0, 25, 50, 75, 100):
        tx = 1 + tick / 100 * plot_w
        anchor = "start" if tick == 0 else "end" if tick == 100 else "middle"
        parts.append(f'<line x1="{tx:.1f}" y1="{y - 14:.1f}" x2="{tx:.1f}" y2="{y - 6:.1f}" stroke="{HATCH_COLOUR}"/>')
        parts.append(_text(tx, y + 10, f"{tick}%", anchor=anchor))
    parts.append(_text(WIDTH / 2, y + 32, "Percentage of people answering", anchor="middle"))
    alt = f"{title}. " + ". ".join(summaries) + "."
    return _svg(y + 40, alt, _hatch(chart_id) + "".join(parts), chart_id)


def rate_bars(
    chart_id: str,
    title: str,
    rows: list[tuple[str, int | str]],
    threshold: int = DEFAULT_THRESHOLD,
    percents: list[float | str | None] | None = None,
) -> Markup:
    """Horizontal bars of counts (invited, answered before, after, matched) with the table's percentages.

    A hidden count (``*``) has no bar: a small hatched mark and "fewer than N" take its place.
    """
    parts: list[str] = []
    bar_h, text_room = 24, 130
    plot_w = WIDTH - text_room
    numbers = [int(v) for _, v in rows if v != MASK]
    top = max(numbers) if numbers else 0
    y = 4.0
    said = []
    for r, (label, value) in enumerate(rows):
        pct = percents[r] if percents else None
        parts.append(_text(0, y + 15, label, weight="bold"))
        y += 21
        if value == MASK:
            parts.append(
                f'<rect x="1" y="{y:.1f}" width="16" height="{bar_h}" fill="url(#{chart_id}-hatch)" '
                f'stroke="{HATCH_COLOUR}" stroke-width="1.5"/>'
            )
            parts.append(_text(24, y + 17, f"Not shown: fewer than {threshold}", fill=SECONDARY_TEXT))
            said.append(f"{label}: not shown, fewer than {threshold}")
        else:
            w = plot_w * int(value) / top if top else 0
            if w > 0:
                parts.append(f'<rect x="1" y="{y:.1f}" width="{w:.1f}" height="{bar_h}" fill="{BAR_COLOUR}"/>')
            shown = f"{value}" + (f" ({pct:.0f}%)" if isinstance(pct, int | float) else "")
            parts.append(_text(w + 7, y + 17, shown))
            said.append(f"{label}: {shown}")
        y += bar_h + 12
    parts.append(_text(0, y + 12, "Number of people (percent of those invited)", fill=TEXT))
    alt = f"{title}. " + ". ".join(said) + "."
    return _svg(y + 20, alt, _hatch(chart_id) + "".join(parts), chart_id)


def for_results(results) -> dict:  # type: ignore[no-untyped-def]
    """The results page's and report's charts: response numbers, and answers to each agreement item.

    ``results`` is an ``analysis.Results``; the charts use the same suppressed counts, numbers of
    people and percentages as its tables, and the hub's threshold for the "fewer than" labels.
    """
    from learnhub.evaluation.models import AGREEMENT, FOLLOW_UP, POST, PRE

    threshold = results.threshold
    rate_rows = [
        ("Invited", results.rates["invited"]),
        ("Answered before", results.rates[PRE]),
        ("Answered after", results.rates[POST]),
        ("Matched pairs", results.rates["matched"]),
    ]
    percents = [None, results.rate_percent.get(PRE), results.rate_percent.get(POST), results.rate_percent.get("matched")]
    out = {
        "rates": rate_bars(
            "chart-rates", "Response numbers: invited, answered before, after and matched", rate_rows, threshold, percents
        )
    }
    for r in results.items:
        if r.item.kind == AGREEMENT and PRE in r.waves and POST in r.waves:
            timepoints = [(PRE, "Before"), (POST, "After")] + ([(FOLLOW_UP, "Follow-up")] if FOLLOW_UP in r.waves else [])
            out[r.item.id] = agreement_bars(
                f"chart-item-{r.item.id}",
                f"Answers before and after{' and at follow-up' if FOLLOW_UP in r.waves else ''}: {r.item.text}",
                [(label, r.waves[tp].counts) for tp, label in timepoints],
                threshold,
                n=[r.waves[tp].n for tp, _ in timepoints],
            )
    return out
