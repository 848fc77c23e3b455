"""Server-side SVG charts. Pure functions returning markup; every chart has a table alternative on the page.

Charts never draw a suppressed figure: a bar whose counts include a ``*`` is replaced by a
"not shown" note, so the picture cannot reveal what the table hides.
"""

from markupsafe import Markup, escape

from learnhub.suppression import MASK

#: Strongly disagree … strongly agree (NHS palette; the labels are printed in the legend).
AGREEMENT_COLOURS = ["#d5281b", "#f0a39b", "#d8dde0", "#7fb5e3", "#005eb8"]
AGREEMENT_SHORT = ["Strongly disagree", "Disagree", "Neither", "Agree", "Strongly agree"]


def _svg(width: int, height: int, title: str, body: str, chart_id: str) -> Markup:
    return Markup(
        f'<svg class="app-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-labelledby="{chart_id}-title" focusable="false">'
        f'<title id="{chart_id}-title">{escape(title)}</title>{body}</svg>'
    )


def diverging_bars(chart_id: str, title: str, rows: list[tuple[str, list[int | str]]]) -> Markup:
    """Diverging stacked bars for 1–5 agreement answers: disagreement left of centre, agreement right.

    ``rows`` is ``[(label, [count for 1..5]), ...]`` (e.g. Before, After), already suppressed.
    """
    width, label_w, bar_h, gap = 640, 90, 28, 14
    centre = label_w + (width - label_w) / 2
    half = (width - label_w) / 2 - 10
    height = 30 + len(rows) * (bar_h + gap) + 40
    parts = [f'<line x1="{centre}" y1="20" x2="{centre}" y2="{height - 40}" stroke="#425563" stroke-width="1"/>']
    for r, (label, counts) in enumerate(rows):
        y = 24 + r * (bar_h + gap)
        parts.append(f'<text x="0" y="{y + bar_h * 0.68}" font-size="14" fill="#212b32">{escape(label)}</text>')
        total = 0 if any(c == MASK for c in counts) else sum(int(c) for c in counts)
        if not total:
            parts.append(
                f'<text x="{label_w}" y="{y + bar_h * 0.68}" font-size="13" fill="#4c6272">Not shown: too few answers</text>'
            )
            continue
        shares = [int(c) / total for c in counts]
        # Neutral answers straddle the centre line.
        # Each side has room for a whole bar (everyone disagreeing, or everyone agreeing).
        x = centre - (shares[0] + shares[1] + shares[2] / 2) * half
        for i, share in enumerate(shares):
            w = share * half
            if w > 0:
                parts.append(
                    f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{AGREEMENT_COLOURS[i]}">'
                    f"<title>{escape(label)}: {escape(AGREEMENT_SHORT[i])} {round(share * 100)}%</title></rect>"
                )
            x += w
    legend_y = height - 22
    x = 0.0
    for colour, text in zip(AGREEMENT_COLOURS, AGREEMENT_SHORT, strict=True):
        parts.append(
            f'<rect x="{x:.0f}" y="{legend_y}" width="12" height="12" fill="{colour}" stroke="#425563" stroke-width="0.5"/>'
        )
        parts.append(f'<text x="{x + 16:.0f}" y="{legend_y + 11}" font-size="12" fill="#212b32">{escape(text)}</text>')
        x += 16 + len(text) * 7 + 14
    return _svg(width, height, title, "".join(parts), chart_id)


def rate_bars(chart_id: str, title: str, rows: list[tuple[str, int | str]]) -> Markup:
    """Horizontal bars of counts (invited, answered before, after, matched); ``*`` draws no bar."""
    width, label_w, bar_h, gap = 640, 170, 26, 12
    height = 10 + len(rows) * (bar_h + gap)
    numbers = [int(v) for _, v in rows if v != MASK]
    top = max(numbers) if numbers else 0
    parts = []
    for r, (label, value) in enumerate(rows):
        y = 6 + r * (bar_h + gap)
        parts.append(f'<text x="0" y="{y + bar_h * 0.68}" font-size="14" fill="#212b32">{escape(label)}</text>')
        if value == MASK or not top:
            note = "* (too few to show)" if value == MASK else str(value)
            parts.append(f'<text x="{label_w}" y="{y + bar_h * 0.68}" font-size="13" fill="#4c6272">{escape(note)}</text>')
            continue
        w = (width - label_w - 60) * int(value) / top
        parts.append(f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="#005eb8"/>')
        parts.append(f'<text x="{label_w + w + 6:.1f}" y="{y + bar_h * 0.68}" font-size="14" fill="#212b32">{value}</text>')
    return _svg(width, height, title, "".join(parts), chart_id)
