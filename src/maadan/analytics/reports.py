"""The three reports (mineral, project, screening) as Documents built from analytics results
(docs/analytics.md §9). Charts are drawn here as PNG (matplotlib); rendering is in document.py."""

from __future__ import annotations

import io
from typing import Sequence

from maadan.analytics import charts, tornado_chart
from maadan.analytics.criticality import GEOPOLRISK_NOTE, SCORE_METHOD, MineralRisk
from maadan.analytics.document import Document, Figure, Heading, Paragraph, TableBlock
from maadan.analytics.economics import Evaluation
from maadan.analytics.montecarlo import MonteCarloResult
from maadan.analytics.params import assumptions
from maadan.analytics.screening import Screening
from maadan.analytics.sensitivity import Tornado


def _png(fig) -> bytes:
    plt = charts.pyplot()
    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


def _barh(labels: Sequence[str], values: Sequence[float], title: str, xlabel: str) -> bytes:
    plt = charts.pyplot()
    fig, ax = plt.subplots(figsize=(8, 0.32 * len(labels) + 1.4), dpi=100)
    ax.barh(range(len(labels))[::-1], values, color="#4f81bd")
    ax.set_yticks(range(len(labels))[::-1], labels, fontsize=8)
    ax.set_title(title, fontsize=10)
    ax.set_xlabel(xlabel)
    ax.grid(axis="x", alpha=0.3)
    return _png(fig)


def _pct(x: float | None) -> str:
    return "unknown" if x is None else f"{x:.1f} %"


def mineral_document(r: MineralRisk, rank: int | None, of: int) -> Document:
    doc = Document(f"Supply risk: {r.name}", "Indicators from the Maadan knowledge base (USGS MCS); "
                   "every figure with its source.")
    p = r.production
    doc.add(Heading("Indicators"), TableBlock(["Indicator", "Value", "Note"], [
        ["Composite score S", "unknown" if r.score is None else f"{r.score:.3f}",
         SCORE_METHOD + (f"; rank {rank} of {of} scored minerals" if rank else "")],
        ["World production HHI", "unknown" if p is None else f"{p.hhi:,.0f}",
         "" if p is None else f"{p.series}, {p.year}, {p.unit}; lower bound ('Other countries' excluded)"],
        ["Top producer", "unknown" if p is None or p.top1 is None else f"{p.top1.country} {p.top1.share_pct:.1f} %",
         ""],
        ["Top-3 share", "unknown" if p is None else f"{p.top3_pct:.1f} %", ""],
        ["China's share", "unknown" if p is None else _pct(p.china_pct), ""],
        ["Reserves HHI", "unknown" if r.reserves is None else f"{r.reserves.hhi:,.0f}", "reported, not scored"],
        ["US net import reliance", "unknown" if r.reliance is None else r.reliance.published,
         "" if r.reliance is None else f"{r.reliance.year}, {r.reliance.basis}"
         + (f"; other readings: {'; '.join(r.reliance.other_bases)}" if r.reliance.other_bases else "")],
        ["US import-source HHI", "unknown" if r.imports is None else f"{r.imports.hhi:,.0f}",
         "" if r.imports is None else f"{r.imports.category} ({r.imports.edition}, {r.imports.period})"],
        ["GeoPolRisk", "unknown" if r.geopolrisk is None else f"{r.geopolrisk:.3f}",
         f"{r.geopolrisk_note}; " + "; ".join(r.geopolrisk_sources)],
    ]))
    doc.add(Paragraph(GEOPOLRISK_NOTE))
    if r.missing:
        doc.add(Paragraph("Missing data: " + "; ".join(r.missing) + "."))
    if p is not None:
        rows = p.rows[:12]
        doc.add(Heading("World production by country"),
                Figure(_barh([x.country for x in rows], [x.share_pct for x in rows],
                             f"{r.name}: share of world {p.series.lower()}, {p.year}", "% of the world total"),
                       f"Shares of the published world total ({p.world_total:,.6g} {p.unit}); "
                       f"coverage of listed countries {p.coverage_pct:.1f} %."),
                TableBlock(["Country", f"Value ({p.unit})", "Share"],
                           [[x.country, f"{x.value:,.6g}", f"{x.share_pct:.2f} %"] for x in p.rows]))
        if p.excluded:
            doc.add(Paragraph("Excluded: " + "; ".join(p.excluded) + "."))
    doc.cite(*r.sources)
    return doc


def project_document(name: str, facts: list[list[str]], sources: list[str], e: Evaluation | None,
                     tornado: Tornado | None, mc: MonteCarloResult | None, extras: dict | None = None) -> Document:
    doc = Document(f"Project: {name}", "Facts from the Maadan knowledge base; economics from a case whose inputs "
                   "are sourced, derived from published figures or stated assumptions, every one listed.")
    doc.add(Heading("Facts"), TableBlock(["Item", "Value", "Source"], facts))
    doc.cite(*sources)
    if e is None:
        doc.add(Heading("Economics"), Paragraph("No economics case exists for this project (data/fiscal/cases): "
                                                "NPV, IRR and partner cash flows are unknown."))
        return doc
    rates = list(e.rates_pct)
    doc.add(Heading("Economics (MUSD, real, unlevered)"),
            TableBlock(["Cash flows to", *[f"NPV @{r:g}%" for r in rates], "IRR", "Payback (y)"],
                       [["Project", *[f"{e.npv[r]:,.0f}" for r in rates], e.irr.short(),
                         "-" if e.payback_years is None else f"{e.payback_years:.1f}"]]
                       + [[f"{p.partner.name} ({p.partner.equity_pct:g} %)", *[f"{p.npv[r]:,.0f}" for r in rates],
                           p.irr.short(), "-" if p.payback_years is None else f"{p.payback_years:.1f}"]
                          for p in e.partners]))
    g = e.take
    doc.add(Paragraph(f"Government take (undiscounted): royalty {g.royalty:,.0f} + income tax {g.income_tax:,.0f} + "
                      f"state partners {g.government_equity:,.0f} = {g.host_total:,.0f} of {g.pre_fiscal:,.0f} "
                      f"pre-fiscal cash flow (host total {_pct(g.host_take_pct)}). US tariff absorbed "
                      f"{g.us_tariff:,.0f}."))
    f = e.flows
    plt = charts.pyplot()
    fig, ax = plt.subplots(figsize=(8, 3.2), dpi=100)
    ax.bar(f.years, f.net, color=["#c0504d" if v < 0 else "#4f81bd" for v in f.net])
    ax.plot(f.years, f.net.cumsum(), color="black", linewidth=1, label="cumulative")
    ax.set_title(f"{name}: project net cash flow (MUSD)", fontsize=10)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    doc.add(Figure(_png(fig), "Annual project net cash flow and its running total."))
    doc.add(TableBlock(["Year", "Revenue", "Royalty", "Tariff", "Opex", "Capex", "Tax", "Net",
                        *[p.partner.name.split(" (")[0] for p in e.partners]],
                       [[str(y), *[f"{getattr(f, k)[i]:,.0f}" for k in ("revenue", "royalty", "tariff", "opex",
                                                                        "capex", "tax", "net")],
                         *[f"{p.cash_flows[i]:,.0f}" for p in e.partners]] for i, y in enumerate(f.years)],
                       "Cash flows per year, project and per partner (MUSD)"))
    if tornado is not None:
        doc.add(Heading("Sensitivities"),
                Figure(tornado_chart.png(tornado), tornado.note, svg=tornado_chart.svg(tornado)),
                TableBlock(["Input", "Low", "NPV low", "High", "NPV high", "Its inputs", "Why this range"],
                           [[b.factor.name, b.factor.low, f"{b.npv_low:,.0f}", b.factor.high, f"{b.npv_high:,.0f}",
                             b.status, b.factor.why] for b in tornado.bars]))
    if mc is not None:
        doc.add(Heading("Monte Carlo"),
                Paragraph(f"{mc.paths:,} paths, seed {mc.seed}, NPV @{mc.rate_pct:g}%. {mc.note} "
                          + mc.uncertainty.describe()["note"]),
                TableBlock(["Cash flows to", "P10", "P50", "P90", "Mean", "P(loss)"],
                           [[k, f"{d.p10:,.0f}", f"{d.p50:,.0f}", f"{d.p90:,.0f}", f"{d.mean:,.0f}",
                             f"{d.prob_loss_pct:.1f} %"] for k, d in [("Project", mc.project), *mc.partners.items()]]))
    if mc is not None and mc.coverage is not None:
        cv = mc.coverage
        doc.add(Paragraph(f"Debt service: minimum DSCR P10 {cv.min_dscr_p10:.2f}, P50 {cv.min_dscr_p50:.2f}; "
                          f"P(min DSCR < 1) {cv.prob_below_1_pct:.1f} %, P(< covenant {cv.covenant:g}) "
                          f"{cv.prob_below_covenant_pct:.1f} %."))
    extras = extras or {}
    if extras.get("validation"):
        v = extras["validation"]
        doc.add(Heading("Validation against published figures"),
                TableBlock(["Figure", "Published", "Model", "Difference", "Role", "Source"],
                           [[c["figure"], f"{c['published']:,.2f}", "-" if c["model"] is None else f"{c['model']:,.2f}",
                             "-" if c["difference_pct"] is None else f"{c['difference_pct']:+.1f} %", c["role"],
                             c["source"]] for c in v["checks"]]),
                TableBlock(["Derived input", "Value", "Derivation"],
                           [[d["input"], f"{d['value']:,.4f} {d['unit']}", d["formula"]] for d in v["derivation"]]))
    if extras.get("finance"):
        f2 = extras["finance"]
        doc.add(Heading("Project finance"),
                TableBlock(["Lender", "Kind", "Amount (MUSD)", "Source"],
                           [[t["lender"], t["kind"], "unknown" if t["amount_musd"] is None else f"{t['amount_musd']:,.0f}",
                             t["source"] or t.get("note") or ""] for t in f2["tranches"]]),
                Paragraph(f"Unlevered NPV {f2['unlevered']['npv']:,.0f}, IRR {_pct(f2['unlevered']['irr_pct'])}; "
                          f"equity NPV {f2['levered']['equity_npv']:,.0f}, equity IRR "
                          f"{_pct(f2['levered']['equity_irr_pct'])}; minimum DSCR "
                          + ("-" if not f2["min_dscr"] else f"{f2['min_dscr']['value']:.2f} ({f2['min_dscr']['year']})")
                          + "."),
                TableBlock(["Year", "CFADS", "Interest", "Principal", "DSCR"],
                           [[str(r["year"]), f"{r['cfads']:,.0f}", f"{r['interest']:,.0f}", f"{r['principal']:,.0f}",
                             f"{r['dscr']:.2f}"] for r in f2["dscr"]]))
    if extras.get("scenarios"):
        doc.add(Heading("Scenarios"),
                TableBlock(["Scenario", "NPV", "IRR", "Barrick NPV", "Equity IRR", "Min DSCR"],
                           [[r["label"], f"{r['npv_musd']:,.0f}", _pct(r["irr_pct"]),
                             "-" if r["barrick_npv_musd"] is None else f"{r['barrick_npv_musd']:,.0f}",
                             _pct(r["equity_irr_pct"]), "-" if r["min_dscr"] is None else f"{r['min_dscr']:.2f}"]
                            for r in extras["scenarios"]]))
    doc.add(Heading("Parameters not verified"),
            TableBlock(["Parameter", "Value", "Provenance"],
                       [[k, v.shown() if hasattr(v, "shown") else f"{v.value:g}", v.provenance()]
                        for k, v in assumptions(e.case)]))
    doc.cite(*e.case.provenance.get("_files", []))
    for v in e.case.provenance.values():
        if hasattr(v, "source") and getattr(v, "source", None):
            doc.cite(v.source)
        if hasattr(v, "legal_basis") and getattr(v, "legal_basis", None):
            doc.cite(v.legal_basis)
    return doc


def screening_document(s: Screening) -> Document:
    p = s.profile
    doc = Document(f"Screening: {p.name}", f"Projects and open ground ranked for the profile {p.id} ({p.path}).")
    doc.add(Heading("Profile weights"),
            TableBlock(["Factor", "Weight", "Why"], [[k, f"{w.value:g}", w.why] for k, w in p.weights.items()]))
    items = s.items
    plt = charts.pyplot()
    fig, ax = plt.subplots(figsize=(8, 0.3 * len(items) + 1.5), dpi=100)
    left = [0.0] * len(items)
    ys = list(range(len(items)))[::-1]
    for k, colour in zip(p.weights, ("#4f81bd", "#9bbb59", "#f79646", "#c0504d", "#8064a2")):
        vals = [p.weights[k].value * next(c.score for c in i.components if c.factor == k) for i in items]
        ax.barh(ys, vals, left=left, color=colour, label=k)
        left = [a + b for a, b in zip(left, vals)]
    ax.set_yticks(ys, [f"{i.rank}. {i.name}" for i in items], fontsize=8)
    ax.set_xlabel("score (weighted factor contributions)")
    ax.legend(fontsize=7, loc="lower right")
    ax.set_title("Screening score by factor", fontsize=10)
    doc.add(Heading("Ranking"), Figure(_png(fig), "Each bar is the weighted sum of the factor scores; unknown "
                                                  "factors count as the profile's neutral value."))
    doc.add(TableBlock(["#", "Candidate", "Kind", "Stage", "Score", *p.weights],
                       [[str(i.rank), i.name, i.category, i.status, f"{i.total:.3f}",
                         *[f"{c.score:.2f}" if c.known else "unknown" for c in i.components]] for i in items]))
    doc.add(Heading("Reasons"))
    for i in items:
        doc.add(Paragraph(f"{i.rank}. {i.name} ({i.ground.detail}): " + " | ".join(i.reasons)))
    for n in s.notes:
        doc.add(Paragraph("Note: " + n))
    doc.cite(p.path, p.list_source)
    for i in items:
        for c in i.components:
            doc.cite(*c.sources)
    return doc
