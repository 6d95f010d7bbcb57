"""`maadan criticality | whatif | economics | montecarlo`: thin adapters over maadan.analytics.service.

Register with `app.add_typer(analytics.app)` (no name: the commands join the top level)."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any, Optional

import typer
from rich.markup import escape
from rich.table import Table

from maadan.analytics import charts, criticality as crit, montecarlo, params, report, sensitivity, service
from maadan.analytics import document, profiles, tornado_chart
from maadan.analytics.whatif import ImportVolume
from maadan.cli import common
from maadan.errors import InvalidInput

app = typer.Typer(help="Supply risk, what-if of new supply, project economics and Monte Carlo.")

JSON = typer.Option(False, "--json", help="Print JSON (inputs and sources included) instead of tables.")


def _json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def _rates(text: str) -> tuple[float, ...]:
    try:
        rates = tuple(float(x) for x in text.split(",") if x.strip())
    except ValueError:
        raise InvalidInput(f"--discount must be percentages separated by commas (e.g. 8,10), not {text!r}") from None
    if not rates:
        raise InvalidInput("--discount needs at least one rate")
    for r in rates:
        if r <= -100:
            raise InvalidInput(f"a discount rate of {r:g} % is refused: at -100 % or below the discount factor "
                               "1/(1+r)^t is undefined")
    return rates


def _pct(x: float | None, nd: int = 1) -> str:
    return "unknown" if x is None else f"{x:.{nd}f}%"


@app.command("criticality")
def criticality(mineral: Optional[str] = typer.Option(None, "--mineral", help="One mineral (name, alias or symbol)."),
                chart: Optional[Path] = typer.Option(None, "--chart", help="Write a risk map: out.png or out.html."),
                check: bool = typer.Option(False, "--check", help="Score every MCS commodity and report the ROC AUC "
                                                                  "against the official list."),
                list_id: str = typer.Option(service.LIST_ID, "--list", help="List for --check."),
                json_out: bool = JSON) -> None:
    """Rank minerals by supply risk (production concentration x US import reliance), with every input."""
    c = common.get()
    c.json_mode = json_out
    if chart is not None and chart.suffix.lower() not in (".png", ".html", ".htm"):
        raise InvalidInput(f"--chart must end in .png or .html, not {chart.name!r}")
    if check:
        result = service.check_against_list(c.uow(), list_id)
        if json_out:
            _json(report.list_check(result))
            return
        for v in (result.primary, result.secondary):
            c.out.print(f"[bold]{v.score_name}[/] ({v.method}): ROC AUC {v.auc:.3f} over {v.n_critical} critical "
                        f"and {v.n_other} other minerals on {v.list_id}")
            c.out.print("  critical but outside the top %d: %s" % (
                v.n_critical, ", ".join(f"{s.name} ({s.score:.3f})" for s in v.false_negatives) or "none"))
            c.out.print("  not critical but inside it: " +
                        (", ".join(f"{s.name} ({s.score:.3f})" for s in v.false_positives) or "none"))
        c.out.print("Method: docs/analytics.md §2 (stated before measuring).")
        return
    risks = service.supply_risk(c.uow(), mineral)
    if chart is not None:
        pts = charts.points(risks)
        if not pts:
            raise InvalidInput("Nothing to draw: no mineral has both a production concentration and an NIR")
        sources = list(dict.fromkeys(s for r in risks if r.score is not None for s in r.sources))
        if chart.suffix.lower() == ".png":
            chart.write_bytes(charts.png(pts))
        else:
            chart.write_text(charts.html_page(pts, sources), encoding="utf-8")
        c.err.print(f"Risk map of {len(pts)} minerals written to {chart}")
    if json_out:
        _json({"method": crit.SCORE_METHOD, "minerals": [report.risk(r) for r in risks]})
        return
    t = Table(title="Supply risk (HHI excludes 'Other countries': lower bounds)", title_justify="left")
    for col in ("#", "Mineral", "Score", "HHI", "Top producer", "Top 3", "China", "US NIR", "Import HHI", "Year"):
        t.add_column(col, justify="right" if col not in ("Mineral", "Top producer") else "left")
    for i, r in enumerate(risks, 1):
        p = r.production
        t.add_row(str(i) if r.score is not None else "-", r.name, "-" if r.score is None else f"{r.score:.3f}",
                  "-" if p is None else f"{p.hhi:,.0f}",
                  "-" if p is None or p.top1 is None else f"{p.top1.country} {p.top1.share_pct:.0f}%",
                  "-" if p is None else f"{p.top3_pct:.0f}%", "-" if p is None else _pct(p.china_pct, 0),
                  "-" if r.reliance is None else r.reliance.published,
                  "-" if r.imports is None else f"{r.imports.hhi:,.0f}", "-" if p is None else str(p.year))
    c.out.print(t)
    c.out.print(f"{crit.SCORE_METHOD[0].upper()}{crit.SCORE_METHOD[1:]}. {crit.GEOPOLRISK_NOTE}")
    if mineral and risks:
        r = risks[0]
        if r.production:
            c.out.print(f"Series: {r.production.series} ({r.production.unit}), {r.production.edition}; excluded: "
                        + ("; ".join(r.production.excluded) or "none"))
        c.out.print("Missing: " + "; ".join(r.missing))
        c.out.print("[bold]Sources[/]")
        for i, s in enumerate(r.sources, 1):
            c.out.print(f"  [{i}] {s}", markup=False)


@app.command("whatif")
def whatif_(project: Optional[str] = typer.Option(None, "--project", help="Project id, name or alias."),
            phase: Optional[str] = typer.Option(None, "--phase", help="Phase, e.g. 1 or 'Phase 2'."),
            mineral: Optional[str] = typer.Option(None, "--mineral", help="Only this commodity."),
            add: Optional[float] = typer.Option(None, "--add", help="A figure given by hand instead of a project."),
            unit: Optional[str] = typer.Option(None, "--unit", help="Unit of --add, e.g. kt/yr, t, koz."),
            country: str = typer.Option("Pakistan", "--country", help="Country whose production grows."),
            us_share: Optional[float] = typer.Option(None, "--us-share", help="Percent of the output shipped to the US."),
            us_imports: Optional[float] = typer.Option(None, "--us-imports", help="US imports in the category, "
                                                                                   "same period as the shares."),
            us_imports_unit: str = typer.Option("t", "--us-imports-unit"),
            us_imports_source: str = typer.Option("", "--us-imports-source", help="Where --us-imports comes from."),
            import_category: Optional[str] = typer.Option(None, "--import-category"),
            json_out: bool = JSON) -> None:
    """Add a project's planned output to Pakistan's production: new world shares, HHI and rank."""
    c = common.get()
    c.json_mode = json_out
    volume = ImportVolume(us_imports, us_imports_unit, us_imports_source) if us_imports is not None else None
    w = service.project_whatif(c.uow(), project, phase=phase, mineral=mineral, value=add, unit=unit,
                               us_share_pct=us_share, us_imports=volume, import_category=import_category,
                               country=country)
    if json_out:
        _json(report.whatif(w))
        return
    c.out.print(f"[bold]{w.project_name}[/]{', phase ' + w.phase if w.phase else ''}")
    for s in w.supply:
        row = s.country_row
        c.out.print(f"\n[bold]{s.mineral_id}[/]: {s.addition.label}: {s.conversion} "
                    f"(USGS {s.series}, {s.year})")
        c.out.print(f"  World {s.world_before:,.6g} -> {s.world_after:,.6g} {s.unit}; HHI {s.hhi_before:,.0f} -> "
                    f"{s.hhi_after:,.0f}; {s.addition.country} {_pct(row.before_pct, 2) if row.before_pct is not None else 'not listed'}"
                    f" -> {row.after_pct:.2f}%, rank {s.country_rank_before or '-'} -> {s.country_rank_after} "
                    f"of {s.n_countries_after} listed")
        t = Table(show_header=True)
        for col in ("Rank", "Country", "Share before", "Share after"):
            t.add_column(col)
        for r in s.rows[:8] + ([row] if row.rank_after > 8 else []):
            t.add_row(str(r.rank_after), r.country, _pct(r.before_pct, 2) if r.before_pct is not None else "-",
                      f"{r.after_pct:.2f}%")
        c.out.print(t)
        for n in s.notes:
            c.out.print(f"  note: {n}", markup=False)
        c.out.print("  sources: " + "; ".join(s.sources), markup=False)
    for i in w.imports:
        c.out.print(f"\nUS imports, {i.category} ({i.edition}, {i.period}): {i.us_share_pct:g}% shipped = "
                    f"{i.shipped:,.6g} {i.volume.unit} on {i.volume.value:,.6g}; import-source HHI "
                    f"{i.hhi_before:,.0f} -> {i.hhi_after:,.0f}")
        c.out.print("  after: " + ", ".join(f"{k} {v:.1f}%" for k, v in i.shares_after[:6]), markup=False)
        c.out.print("  sources: " + "; ".join(i.sources), markup=False)
    for s in w.skipped:
        c.out.print(f"[yellow]not computed:[/] {s}")


@app.command("economics")
def economics_(project: Optional[str] = typer.Option(None, "--project", help="Project with a bundled case."),
               params_file: Optional[str] = typer.Option(None, "--params", help="A case file (YAML) instead."),
               discount: str = typer.Option("8,10", "--discount", help="Discount rates in %, comma separated."),
               us_share: Optional[float] = typer.Option(None, "--us-share", help="Percent of sales to the US "
                                                                                 "(19% tariff applies)."),
               cash_flows: bool = typer.Option(False, "--cash-flows", help="Print the yearly cash flows too."),
               tornado: Optional[Path] = typer.Option(None, "--tornado", help="Write a tornado chart of one-at-a-"
                                                      "time NPV sensitivities (first rate): out.png or out.html."),
               json_out: bool = JSON) -> None:
    """Discounted cash flow: project and partner NPV, IRR, payback and government take."""
    c = common.get()
    c.json_mode = json_out
    if tornado is not None and tornado.suffix.lower() not in (".png", ".html", ".htm"):
        raise InvalidInput(f"--tornado must end in .png or .html, not {tornado.name!r}")
    e = service.project_economics(c.uow(), project, params_file=params_file, rates_pct=_rates(discount),
                                  us_share_pct=us_share)
    if tornado is not None:
        t = sensitivity.tornado(e.case, e.rates_pct[0])
        if tornado.suffix.lower() == ".png":
            tornado.write_bytes(tornado_chart.png(t))
        else:
            tornado.write_text(tornado_chart.html_page(t), encoding="utf-8")
        c.err.print(f"Tornado chart of {len(t.bars)} inputs written to {tornado}")
        if not json_out:
            c.out.print(f"[bold]Sensitivities[/] (NPV @{t.rate_pct:g}%, base {t.base_npv:,.0f} MUSD): " + "; ".join(
                f"{b.factor.name} {b.npv_low:,.0f} / {b.npv_high:,.0f}" for b in t.bars), markup=True)
    if json_out:
        _json(report.evaluation(e))
        return
    c.out.print(f"[bold]{e.case.name}[/] (MUSD, real, unlevered; year 0 = {e.case.start_year})")
    t = Table()
    t.add_column("Cash flows to")
    for r in e.rates_pct:
        t.add_column(f"NPV @{r:g}%", justify="right")
    t.add_column("IRR", justify="right")
    t.add_column("Payback (y)", justify="right")
    t.add_row("Project", *[f"{e.npv[r]:,.0f}" for r in e.rates_pct], e.irr.short(),
              "-" if e.payback_years is None else f"{e.payback_years:.1f}")
    for p in e.partners:
        name = escape(p.partner.name + (" [carried]" if p.partner.carried else ""))
        t.add_row(f"{name} ({p.partner.equity_pct:g}%)", *[f"{p.npv[r]:,.0f}" for r in e.rates_pct], p.irr.short(),
                  "-" if p.payback_years is None else f"{p.payback_years:.1f}")
    c.out.print(t)
    for who, i in [("the project", e.irr), *[(p.partner.name, p.irr) for p in e.partners]]:
        if i.value_pct is None:
            c.out.print(f"IRR of {who} {i.display()}", markup=False)
    g = e.take
    c.out.print(f"Government take (undiscounted): royalty {g.royalty:,.0f} + income tax {g.income_tax:,.0f} + "
                f"state partners {g.government_equity:,.0f} = {g.host_total:,.0f} of {g.pre_fiscal:,.0f} pre-fiscal "
                f"cash flow: fiscal {_pct(g.fiscal_take_pct)}, host total {_pct(g.host_take_pct)}. "
                f"US tariff absorbed: {g.us_tariff:,.0f}.")
    if cash_flows:
        f = e.flows
        ct = Table(title="Cash flows (MUSD)", title_justify="left")
        cols = ("revenue", "royalty", "tariff", "offsite", "opex", "capex", "depreciation", "tax", "net")
        ct.add_column("Year")
        for col in cols:
            ct.add_column(col, justify="right")
        for i, y in enumerate(f.years):
            ct.add_row(str(y), *[f"{getattr(f, col)[i]:,.0f}" for col in cols])
        c.out.print(ct)
    c.out.print("[bold]Not verified (assumptions, derived values, inputs without a source):[/]")
    for k, v in params.assumptions(e.case):
        c.out.print(f"  {k} = {v.value:g}{' ' + v.unit if v.unit else ''}: {v.provenance()}", markup=False)
    c.out.print("Files: " + ", ".join(e.case.provenance.get("_files", [])), markup=False)


@app.command("montecarlo")
def montecarlo_(project: Optional[str] = typer.Option(None, "--project", help="Project with a bundled case."),
                params_file: Optional[str] = typer.Option(None, "--params", help="A case file (YAML) instead."),
                paths: int = typer.Option(100_000, "--paths", min=100, max=10_000_000),
                discount: float = typer.Option(8.0, "--discount", help="Discount rate in %."),
                seed: int = typer.Option(2025, "--seed"),
                chunk: int = typer.Option(50_000, "--chunk", min=1000, help="Paths per vectorised chunk."),
                json_out: bool = JSON) -> None:
    """NPV distribution per partner under correlated copper/gold prices, costs and start delay."""
    c = common.get()
    c.json_mode = json_out
    _rates(str(discount))
    e_case = service.project_economics(c.uow(), project, params_file=params_file, rates_pct=(discount,)).case
    u = montecarlo.Uncertainty()
    t0 = time.perf_counter()
    result, _ = montecarlo.simulate(e_case, u, paths=paths, rate_pct=discount, seed=seed, chunk=chunk)
    seconds = time.perf_counter() - t0
    if json_out:
        _json({**report.montecarlo(result, e_case), "seconds": round(seconds, 3)})
        return
    c.out.print(f"[bold]{e_case.name}[/]: {paths:,} paths x {result.years} years, NPV @{discount:g}% (MUSD), "
                f"seed {seed}, {seconds:.2f} s")
    t = Table()
    for col in ("Cash flows to", "P10", "P50", "P90", "Mean", "P(loss)"):
        t.add_column(col, justify="left" if col == "Cash flows to" else "right")
    for name, d in [("Project", result.project), *result.partners.items()]:
        t.add_row(name, f"{d.p10:,.0f}", f"{d.p50:,.0f}", f"{d.p90:,.0f}", f"{d.mean:,.0f}", f"{d.prob_loss_pct:.1f}%")
    c.out.print(t)
    c.out.print(result.note)
    c.out.print("Assumptions: " + json.dumps(u.describe()), markup=False)


@app.command("screen")
def screen(profile: str = typer.Option("us-investor", "--profile", help="Profile id (data/profiles) or a YAML file."),
           json_out: bool = JSON) -> None:
    """Rank projects and open ground for an investor profile, with the reasons for each rank."""
    c = common.get()
    c.json_mode = json_out
    s = service.screen_candidates(c.uow(), profiles.load_profile(profile))
    if json_out:
        _json(report.screening(s))
        return
    c.out.print(f"[bold]{escape(s.profile.name)}[/] ({s.profile.path})")
    t = Table()
    for col in ("#", "Candidate", "Kind", "Stage", "Score", *(f.capitalize() for f in profiles.FACTORS)):
        t.add_column(col, justify="right" if col in ("#", "Score") else "left")
    for i in s.items:
        t.add_row(str(i.rank), i.name, i.category, i.status, f"{i.total:.3f}",
                  *[f"{x.score:.2f}" if x.known else "unknown" for x in i.components])
    c.out.print(t)
    for i in s.items:
        c.out.print(f"[bold]{i.rank}. {escape(i.name)}[/] ({i.ground.detail})")
        for r in i.reasons:
            c.out.print(f"   {r}", markup=False)
    for n in s.notes:
        c.out.print(f"note: {n}", markup=False)


report_app = typer.Typer(help="Reports as self-contained HTML and PDF: mineral, project, screening.")
app.add_typer(report_app, name="report")
OUT = typer.Option(None, "--out", help="Directory for <name>.html and <name>.pdf.")
HTML = typer.Option(None, "--html", help="Write the HTML report here.")
PDF = typer.Option(None, "--pdf", help="Write the PDF report here.")


def _write(doc, stem: str, out: Optional[Path], html_path: Optional[Path], pdf_path: Optional[Path]) -> None:
    c = common.get()
    if out is None and html_path is None and pdf_path is None:
        raise InvalidInput("Give --out DIR, or --html FILE and/or --pdf FILE")
    if out is not None:
        if out.exists() and not out.is_dir():
            raise InvalidInput(f"--out {out} exists and is not a directory")
        out.mkdir(parents=True, exist_ok=True)
        html_path = html_path or out / f"{stem}.html"
        pdf_path = pdf_path or out / f"{stem}.pdf"
    rendered = []  # render everything first: nothing is half-written if rendering fails
    if html_path is not None:
        rendered.append((html_path, document.to_html(doc).encode("utf-8")))
    if pdf_path is not None:
        rendered.append((pdf_path, document.to_pdf(doc)))
    for path, data in rendered:
        path.write_bytes(data)
        c.err.print(f"wrote {path} ({len(data):,} bytes)")


@report_app.command("mineral")
def report_mineral(mineral: str = typer.Argument(..., help="Mineral name, alias or symbol."),
                   out: Optional[Path] = OUT, html_path: Optional[Path] = HTML, pdf_path: Optional[Path] = PDF) -> None:
    """Supply-risk report of one mineral."""
    c = common.get()
    doc = service.report_mineral(c.uow(), mineral)
    _write(doc, f"mineral-{mineral.lower().replace(' ', '-')}", out, html_path, pdf_path)


@report_app.command("project")
def report_project(project: str = typer.Argument(..., help="Project id, name or alias."),
                   discount: float = typer.Option(8.0, "--discount", help="Discount rate in %."),
                   paths: int = typer.Option(20_000, "--paths", min=100, max=1_000_000, help="Monte Carlo paths."),
                   out: Optional[Path] = OUT, html_path: Optional[Path] = HTML, pdf_path: Optional[Path] = PDF) -> None:
    """Project report: facts, economics per partner, tornado and Monte Carlo where a case exists."""
    c = common.get()
    _rates(str(discount))
    doc = service.report_project(c.uow(), project, rate_pct=discount, paths=paths)
    _write(doc, f"project-{project.lower().replace(' ', '-')}", out, html_path, pdf_path)


@report_app.command("screening")
def report_screening(profile: str = typer.Option("us-investor", "--profile"),
                     out: Optional[Path] = OUT, html_path: Optional[Path] = HTML, pdf_path: Optional[Path] = PDF) -> None:
    """Screening report for an investor profile."""
    c = common.get()
    doc = service.report_screening(c.uow(), profiles.load_profile(profile))
    _write(doc, f"screening-{profile if '/' not in profile else 'custom'}", out, html_path, pdf_path)
