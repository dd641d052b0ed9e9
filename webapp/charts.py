"""Small server-rendered SVG bar charts (stacked series, a legend, a title per bar), no library and no script."""
from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

# The drawing's own units (viewBox); CSS scales it to the width it is given, 360 px phones included.
WIDTH = 360
HEIGHT = 170
LEFT = 34  # room for the largest value's label
TOP = 8
PLOT_HEIGHT = 120  # a bar of the largest value is this tall
BAR_SHARE = 0.7  # of each bar's slot: the rest is the gap between bars
MAX_BAR = 36  # a bar of a chart with few slots stays a bar, not a block
# A series' look: a fill class, and a pattern for the second so no meaning rests on colour alone.
FILLS = ("chart-fill-0", "chart-fill-1", "chart-fill-2")
HATCHED = frozenset({1})


def _number(value: float) -> str:
    """A coordinate with at most two decimals, without trailing zeros."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _fill(chart_id: str, index: int) -> str:
    """The fill attributes of series `index`."""
    pattern = f' fill="url(#{chart_id}-hatch)"' if index in HATCHED else ""
    return f'class="{FILLS[index]}"{pattern}'


def _defs(chart_id: str) -> str:
    """The hatch pattern the second series is drawn with."""
    return (f'<defs><pattern id="{chart_id}-hatch" width="4" height="4" patternUnits="userSpaceOnUse"'
            ' patternTransform="rotate(45)"><rect width="4" height="4" class="chart-hatch-bg"/>'
            '<rect width="2" height="4" class="chart-hatch"/></pattern></defs>')


def _legend(chart_id: str, names: Sequence[str]) -> str:
    """A swatch and the name of each series, under the axis (only when there are two or more)."""
    if len(names) < 2:
        return ""
    y = TOP + PLOT_HEIGHT + 28
    items, x = [], LEFT
    for index, name in enumerate(names):
        items.append(f'<rect x="{x}" y="{y - 9}" width="10" height="10" {_fill(chart_id, index)}/>'
                     f'<text x="{x + 14}" y="{y}" class="chart-text">{escape(name)}</text>')
        x += 24 + 7 * len(name)
    return "".join(items)


def bar_chart(labels: Sequence[str], series: Sequence[tuple[str, Sequence[int]]], *, title: str, chart_id: str,
              every_label: bool = False) -> Markup:
    """An SVG bar chart: one slot per label, each series' value stacked from the bottom, one <rect> (with a
    <title> saying label, value and series) per value above zero. `every_label`: name each slot under the axis,
    else only the first and the last (31 days do not fit 360 px)."""
    if not series or any(len(values) != len(labels) for _, values in series):
        raise ValueError("each series needs one value per label")
    count = max(len(labels), 1)
    plot_width = WIDTH - LEFT - 4
    slot = plot_width / count
    totals = [sum(values[i] for _, values in series) for i in range(len(labels))]
    top = max(totals, default=0)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {WIDTH} {HEIGHT}"'
             f' width="100%" aria-labelledby="{chart_id}-title" id="{chart_id}">',
             f'<title id="{chart_id}-title">{escape(title)}</title>', _defs(chart_id)]
    base = TOP + PLOT_HEIGHT
    parts.append(f'<line x1="{LEFT}" y1="{base}" x2="{WIDTH - 4}" y2="{base}" class="chart-axis"/>')
    parts.append(f'<text x="{LEFT - 4}" y="{base}" class="chart-text" text-anchor="end">0</text>')
    if top:
        parts.append(f'<text x="{LEFT - 4}" y="{TOP + 8}" class="chart-text" text-anchor="end">{top}</text>')
        parts.append(f'<line x1="{LEFT}" y1="{TOP}" x2="{WIDTH - 4}" y2="{TOP}" class="chart-grid"/>')
    width = min(slot * BAR_SHARE, MAX_BAR)
    for i, label in enumerate(labels):
        x = LEFT + i * slot + (slot - width) / 2
        y = base
        for index, (name, values) in enumerate(series):
            if values[i] <= 0:
                continue
            height = values[i] / top * PLOT_HEIGHT
            y -= height
            described = f"{label}: {values[i]}" + (f" {name}" if name else "")
            parts.append(f'<rect x="{_number(x)}" y="{_number(y)}" width="{_number(width)}"'
                         f' height="{_number(height)}" {_fill(chart_id, index)}>'
                         f'<title>{escape(described)}</title></rect>')
    named = range(len(labels)) if every_label else sorted({0, len(labels) - 1} & set(range(len(labels))))
    for i in named:
        anchor = "middle" if every_label else ("start" if i == 0 else "end")
        x = LEFT + (i + 0.5) * slot if every_label else (LEFT if i == 0 else WIDTH - 4)
        parts.append(f'<text x="{_number(x)}" y="{base + 14}" class="chart-text"'
                     f' text-anchor="{anchor}">{escape(labels[i])}</text>')
    parts.append(_legend(chart_id, [name for name, _ in series]))
    parts.append("</svg>")
    return Markup("".join(parts))
