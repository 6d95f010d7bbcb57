"""Risk map: production concentration against US import reliance. PNG (matplotlib) or self-contained
HTML/SVG (no CDN, no script). Functions return bytes or text; writing files is the caller's job."""

from __future__ import annotations

import html
import io
import math
from dataclasses import dataclass
from typing import Sequence

from maadan.analytics.criticality import MineralRisk
from maadan.analytics.units import is_mass, kilograms_per
from maadan.errors import MaadanError

TITLE = "Supply risk: world production concentration vs US net import reliance"
X_LABEL = "World mine production HHI, normalised (lower bound)"
Y_LABEL = "US net import reliance, % (E = 0; bounds at interval midpoint)"
SIZE_NOTE = "Bubble area: log10 of world production in tonnes where the unit is a mass; fixed otherwise."


@dataclass(frozen=True)
class Point:
    mineral_id: str
    name: str
    x: float  # normalised HHI
    y: float  # NIR %
    score: float
    production_t: float | None
    label: str

    @property
    def radius(self) -> float:
        """Marker radius in points: grows with log10 tonnes, 6 when the unit is not a mass."""
        if not self.production_t or self.production_t <= 0:
            return 6.0
        return 3.0 + 1.6 * max(0.0, math.log10(self.production_t))


def points(risks: Sequence[MineralRisk]) -> list[Point]:
    out = []
    for r in risks:
        if r.score is None:
            continue
        prod = r.production
        tonnes = prod.world_total * kilograms_per(prod.unit) / 1000.0 if is_mass(prod.unit) else None
        out.append(Point(r.mineral_id, r.name, prod.hhi_normalised, r.reliance.value_pct, r.score, tonnes,
                         f"{r.name}: HHI {prod.hhi:,.0f}, NIR {r.reliance.published}, score {r.score:.3f}"))
    return out


def pyplot():
    """matplotlib.pyplot on the non-interactive Agg backend (imported only when a PNG is asked for)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise MaadanError("PNG charts need matplotlib (pip install matplotlib); "
                          "or ask for an .html chart, which needs nothing") from None
    return plt


def png(pts: Sequence[Point]) -> bytes:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(9, 6.5), dpi=110)
    ax.scatter([p.x for p in pts], [p.y for p in pts], s=[(p.radius * 1.4) ** 2 for p in pts],
               c=[p.score for p in pts], cmap="viridis_r", alpha=0.7, edgecolors="black", linewidths=0.5)
    for p in pts:
        ax.annotate(p.name, (p.x, p.y), textcoords="offset points", xytext=(6, 4), fontsize=8)
    ax.set_xlim(0, 1)
    ax.set_ylim(-5, 105)
    ax.set_xlabel(X_LABEL)
    ax.set_ylabel(Y_LABEL)
    ax.set_title(TITLE, fontsize=11)
    ax.grid(alpha=0.3)
    fig.text(0.01, 0.01, SIZE_NOTE + " Colour: score. Sources: USGS MCS 2025 (doi:10.5066/P13XCP3R).", fontsize=7)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


def html_page(pts: Sequence[Point], sources: Sequence[str]) -> str:
    """A standalone HTML page with an inline SVG scatter; hovering a bubble shows its figures."""
    src = "".join(f"<li>{html.escape(s)}</li>" for s in sources)
    return ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(TITLE)}</title></head><body style=\"font-family:sans-serif\">"
            f"<h1 style=\"font-size:1.2em\">{html.escape(TITLE)}</h1>{svg(pts)}"
            f"<p>{html.escape(SIZE_NOTE)} Darker: higher score (normalised HHI × NIR/100). "
            "HHI excludes \"Other countries\", so it is a lower bound.</p>"
            f"<h2 style=\"font-size:1em\">Sources</h2><ol>{src}</ol></body></html>")


def svg(pts: Sequence[Point]) -> str:
    """The risk map as one inline SVG element (no script, nothing fetched)."""
    w, h, m = 900, 620, 70
    def sx(x: float) -> float:
        return m + x * (w - 2 * m)

    def sy(y: float) -> float:
        return h - m - (y + 5) / 110 * (h - 2 * m)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" '
             'font-family="sans-serif" font-size="11">',
             f'<rect x="{m}" y="{m}" width="{w - 2 * m}" height="{h - 2 * m}" fill="none" stroke="#444"/>']
    for i in range(11):
        x = sx(i / 10)
        parts.append(f'<line x1="{x:.1f}" y1="{h - m}" x2="{x:.1f}" y2="{m}" stroke="#ddd"/>'
                     f'<text x="{x:.1f}" y="{h - m + 16}" text-anchor="middle">{i / 10:.1f}</text>')
    for v in range(0, 101, 20):
        y = sy(v)
        parts.append(f'<line x1="{m}" y1="{y:.1f}" x2="{w - m}" y2="{y:.1f}" stroke="#ddd"/>'
                     f'<text x="{m - 8}" y="{y + 4:.1f}" text-anchor="end">{v}</text>')
    parts.append(f'<text x="{w / 2}" y="{h - 20}" text-anchor="middle">{html.escape(X_LABEL)}</text>')
    parts.append(f'<text transform="translate(18 {h / 2}) rotate(-90)" text-anchor="middle">{html.escape(Y_LABEL)}'
                 '</text>')
    top = max((p.score for p in pts), default=1.0) or 1.0
    for p in sorted(pts, key=lambda p: -p.radius):
        shade = int(200 - 170 * p.score / top)
        parts.append(f'<circle cx="{sx(p.x):.1f}" cy="{sy(p.y):.1f}" r="{p.radius:.1f}" '
                     f'fill="rgb({shade},{shade // 2 + 60},140)" fill-opacity="0.7" stroke="#222">'
                     f'<title>{html.escape(p.label)}</title></circle>'
                     f'<text x="{sx(p.x) + p.radius + 2:.1f}" y="{sy(p.y) + 4:.1f}">{html.escape(p.name)}</text>')
    parts.append("</svg>")
    return "".join(parts)
