"""Tornado chart of one-at-a-time NPV sensitivities: PNG (matplotlib) or inline SVG / standalone HTML."""

from __future__ import annotations

import html
import io

from maadan.analytics.charts import pyplot
from maadan.analytics.sensitivity import Tornado


def _title(t: Tornado) -> str:
    return f"{t.name}: project NPV @{t.rate_pct:g}% (MUSD), one input at a time"


def png(t: Tornado) -> bytes:
    plt = pyplot()
    bars = list(reversed(t.bars))  # widest on top
    fig, ax = plt.subplots(figsize=(9, 0.5 * len(bars) + 1.8), dpi=110)
    for i, b in enumerate(bars):
        ax.barh(i, b.npv_low - t.base_npv, left=t.base_npv, color="#c0504d", alpha=0.85)
        ax.barh(i, b.npv_high - t.base_npv, left=t.base_npv, color="#4f81bd", alpha=0.85)
    ax.set_yticks(range(len(bars)),
                  [f"{b.factor.name} ({b.factor.low} / {b.factor.high})" for b in bars], fontsize=8)
    ax.axvline(t.base_npv, color="black", linewidth=1)
    ax.set_xlabel(f"NPV, MUSD (base {t.base_npv:,.0f}); red: low setting, blue: high setting")
    ax.set_title(_title(t).replace(": project NPV", "\nproject NPV"), fontsize=10)
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


def svg(t: Tornado) -> str:
    """The chart as one inline SVG element; hovering a bar shows its NPV."""
    w, row, left, right, top = 900, 34, 260, 40, 40
    h = top + row * len(t.bars) + 50
    values = [t.base_npv] + [v for b in t.bars for v in (b.npv_low, b.npv_high)]
    lo, hi = min(values), max(values)
    span = (hi - lo) or 1.0
    lo, hi = lo - 0.05 * span, hi + 0.05 * span

    def x(v: float) -> float:
        return left + (v - lo) / (hi - lo) * (w - left - right)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" '
             'font-family="sans-serif" font-size="11">',
             f'<text x="{w / 2}" y="18" text-anchor="middle" font-weight="bold">{html.escape(_title(t))}</text>']
    for i, b in enumerate(t.bars):
        y = top + i * row
        for v, colour, which in ((b.npv_low, "#c0504d", b.factor.low), (b.npv_high, "#4f81bd", b.factor.high)):
            a, z = sorted((x(t.base_npv), x(v)))
            parts.append(f'<rect x="{a:.1f}" y="{y + 4}" width="{max(z - a, 0.5):.1f}" height="{row - 10}" '
                         f'fill="{colour}" fill-opacity="0.85"><title>{html.escape(b.factor.name)} {html.escape(which)}: '
                         f'NPV {v:,.0f} MUSD</title></rect>')
        parts.append(f'<text x="{left - 8}" y="{y + row / 2 + 4}" text-anchor="end">'
                     f'{html.escape(b.factor.name)} ({html.escape(b.factor.low)} / {html.escape(b.factor.high)})</text>')
    base_x = x(t.base_npv)
    bottom = top + row * len(t.bars)
    parts.append(f'<line x1="{base_x:.1f}" y1="{top - 4}" x2="{base_x:.1f}" y2="{bottom}" stroke="#000"/>')
    parts.append(f'<text x="{base_x:.1f}" y="{bottom + 16}" text-anchor="middle">base {t.base_npv:,.0f}</text>')
    parts.append(f'<text x="{left}" y="{bottom + 16}">{lo:,.0f}</text>'
                 f'<text x="{w - right}" y="{bottom + 16}" text-anchor="end">{hi:,.0f}</text>')
    parts.append(f'<text x="{w / 2}" y="{bottom + 36}" text-anchor="middle">NPV, MUSD; red: low setting, '
                 'blue: high setting</text></svg>')
    return "".join(parts)


def html_page(t: Tornado) -> str:
    rows = "".join(f"<tr><td>{html.escape(b.factor.name)}</td><td>{html.escape(b.factor.low)}</td>"
                   f"<td>{b.npv_low:,.0f}</td><td>{html.escape(b.factor.high)}</td><td>{b.npv_high:,.0f}</td>"
                   f"<td>{html.escape(b.factor.why)}</td></tr>" for b in t.bars)
    return ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(_title(t))}</title></head><body style=\"font-family:sans-serif\">"
            f"{svg(t)}<p>{html.escape(t.note)}</p><table border=\"1\" cellpadding=\"3\">"
            "<tr><th>Input</th><th>Low</th><th>NPV low</th><th>High</th><th>NPV high</th><th>Why this range</th></tr>"
            f"{rows}</table></body></html>")
