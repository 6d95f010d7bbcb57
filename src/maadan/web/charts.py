"""Charts as inline SVG, drawn on the server: horizontal bars (a figure per country) and grouped
columns (a figure per year). A figure without a number (withheld, not available, a net exporter)
gets its label and no bar, never a zero-length bar that reads as zero. Pure functions: text in,
escaped SVG markup out."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from markupsafe import Markup

PALETTE = ("#1f5f8b", "#c0642f", "#3c8d5a", "#8a4f9e", "#9c7b1a")


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: no number to draw (withheld, not available, unknown)
    text: str  # printed beside the bar, e.g. "91,700", ">50", "W (withheld)"
    bound: str | None = None  # "<" or ">" when the figure is a bound, not a value


@dataclass(frozen=True)
class Series:
    name: str
    points: dict[str, Bar]  # x label (e.g. a year) -> figure


def _a(value: object) -> str:
    return escape(str(value), quote=True)


def _fmt(value: float) -> str:
    if value >= 100 or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _head(chart_id: str, title: str, desc: str, width: int, height: int) -> list[str]:
    return [f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
            f'role="img" aria-labelledby="{_a(chart_id)}-t {_a(chart_id)}-d" preserveAspectRatio="xMinYMin meet">',
            f'<title id="{_a(chart_id)}-t">{_a(title)}</title>', f'<desc id="{_a(chart_id)}-d">{_a(desc)}</desc>']


def bar_chart(chart_id: str, title: str, bars: list[Bar], desc: str = "") -> Markup:
    """Horizontal bars on a common scale from zero; bounds drawn hatched, non-numbers as text only."""
    label_w, plot_w, text_w, row_h, top = 170, 330, 140, 22, 8
    width = label_w + plot_w + text_w
    height = top * 2 + row_h * max(1, len(bars))
    top_value = max((b.value for b in bars if b.value is not None and b.value > 0), default=0.0)
    out = _head(chart_id, title, desc or title, width, height)
    out.append(f'<line class="axis" x1="{label_w}" y1="{top}" x2="{label_w}" y2="{height - top}"/>')
    for i, b in enumerate(bars):
        y = top + i * row_h
        label = b.label if len(b.label) <= 26 else b.label[:25] + "…"
        out.append(f'<text class="label" x="{label_w - 6}" y="{y + row_h * 0.68:.1f}" text-anchor="end">'
                   f'<title>{_a(b.label)}</title>{_a(label)}</text>')
        if b.value is None or top_value == 0:
            out.append(f'<text class="nodata" x="{label_w + 6}" y="{y + row_h * 0.68:.1f}">{_a(b.text)}</text>')
            continue
        w = max(1.0, plot_w * max(0.0, b.value) / top_value)
        cls = "bar bound" if b.bound else "bar"
        out.append(f'<rect class="{cls}" x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row_h - 6}"/>')
        out.append(f'<text class="value" x="{label_w + w + 5:.1f}" y="{y + row_h * 0.68:.1f}">{_a(b.text)}</text>')
    out.append("</svg>")
    return Markup("".join(out))


def column_chart(chart_id: str, title: str, series: list[Series], y_max: float = 100.0, unit: str = "%",
                 desc: str = "") -> Markup:
    """Grouped columns per x label (in the order first seen), one colour per series, with a legend;
    bounds are hatched and labelled (">50"), non-numbers are labelled at the baseline."""
    xs: list[str] = []
    for s in series:
        for x in s.points:
            if x not in xs:
                xs.append(x)
    xs.sort()
    left, right, top, bottom = 44, 12, 14, 40
    legend_h = 18 * len(series)
    group_w = max(48, min(90, 560 // max(1, len(xs))))
    width = left + right + group_w * max(1, len(xs))
    plot_h = 200
    height = top + plot_h + bottom + legend_h
    base = top + plot_h
    out = _head(chart_id, title, desc or title, width, height)
    for tick in (0, 25, 50, 75, 100):
        v = y_max * tick / 100
        y = base - plot_h * tick / 100
        out.append(f'<line class="grid" x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}"/>')
        out.append(f'<text class="tick" x="{left - 4}" y="{y + 4:.1f}" text-anchor="end">{_a(_fmt(v))}{_a(unit)}</text>')
    n = max(1, len(series))
    col_w = (group_w - 10) / n
    for gi, x in enumerate(xs):
        gx = left + gi * group_w + 5
        out.append(f'<text class="tick" x="{gx + (group_w - 10) / 2:.1f}" y="{base + 16}" text-anchor="middle">{_a(x)}</text>')
        for si, s in enumerate(series):
            b = s.points.get(x)
            if b is None:
                continue
            cx = gx + si * col_w
            colour = PALETTE[si % len(PALETTE)]
            if b.value is None:
                out.append(f'<text class="nodata" x="{cx + col_w / 2:.1f}" y="{base - 4}" text-anchor="middle">'
                           f'{_a(b.text.split(" ")[0])}<title>{_a(s.name)} {_a(x)}: {_a(b.text)}</title></text>')
                continue
            h = plot_h * min(max(b.value, 0.0), y_max) / y_max
            cls = "col bound" if b.bound else "col"
            out.append(f'<rect class="{cls}" x="{cx + 1:.1f}" y="{base - h:.1f}" width="{max(1.0, col_w - 2):.1f}" '
                       f'height="{max(h, 0.5):.1f}" fill="{colour}"><title>{_a(s.name)} {_a(x)}: {_a(b.text)}</title></rect>')
            out.append(f'<text class="value" x="{cx + col_w / 2:.1f}" y="{base - h - 3:.1f}" text-anchor="middle">'
                       f'{_a(b.text)}</text>')
    out.append(f'<line class="axis" x1="{left}" y1="{base}" x2="{width - right}" y2="{base}"/>')
    for si, s in enumerate(series):
        y = base + bottom - 8 + si * 18
        out.append(f'<rect x="{left}" y="{y - 9}" width="10" height="10" fill="{PALETTE[si % len(PALETTE)]}"/>')
        out.append(f'<text class="legend" x="{left + 16}" y="{y}">{_a(s.name)}</text>')
    out.append("</svg>")
    return Markup("".join(out))
