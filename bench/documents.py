"""Documents the authority issues (issue 16 item 3): how long one certificate takes to draw as PDF
(core Latin-1 fonts, and DejaVu Sans embedded when a name needs Unicode) and as HTML; medians of
repeated runs in this process, and ratios against the HTML rendering as the baseline. The machine
may be shared: read the ratios, not the seconds.

    .venv/bin/python bench/documents.py [--runs 15]
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import date

import shapely

from maadan.cadastre.caches import rules_for
from maadan.cadastre.documents import Source, certificate_paper, render
from maadan.cadastre.model import Holder, Title
from maadan.documents.render import to_html, to_pdf


def title(holder: str) -> Title:
    ring = [(62.0, 29.0), (62.12, 29.0), (62.15, 29.08), (62.07, 29.12), (62.0, 29.1)]
    return Title(1, "PK-BA", "PK-BA/EL/2026/0001", "EL", "2020-03-03",
                 [Holder(holder, 60, "PK", "private"), Holder("Frontier Works Organisation", 40, "PK", "state-owned")],
                 shapely.Polygon(ring), 123.4, date(2026, 12, 1), date(2029, 12, 1), "active", ["copper", "gold"], 7)


def median(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=15)
    runs = ap.parse_args().runs
    rs = rules_for("PK-BA", date(2026, 12, 1))
    url = "http://localhost:8000/cadastre/titles/PK-BA/EL/2026/0001"
    latin = certificate_paper(title("Chagai Minerals (Pvt) Ltd"), None, rs, [], url)
    urdu = certificate_paper(title("چاغی منرلز"), None, rs, [], url)
    html = median(lambda: to_html(latin), runs)
    core = median(lambda: to_pdf(latin), runs)
    dejavu = median(lambda: to_pdf(urdu), runs)
    src = Source("X/certificate-1", "title X", "PK-BA", None, lambda: latin, None)
    same = render(src) == render(src)
    print(f"certificate, median of {runs} runs")
    print(f"  HTML                  {html * 1000:8.1f} ms   1.0x (baseline)")
    print(f"  PDF, core fonts       {core * 1000:8.1f} ms   {core / html:5.1f}x")
    print(f"  PDF, DejaVu embedded  {dejavu * 1000:8.1f} ms   {dejavu / html:5.1f}x  ({dejavu / core:.1f}x the core-font PDF)")
    print(f"  same inputs, same bytes: {same}")


if __name__ == "__main__":
    main()
