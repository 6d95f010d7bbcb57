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

from maadan.analytics import charts, criticality as crit, finance, montecarlo, params, report, sensitivity, service
from maadan.analytics import scenarios as scenarios_mod, supplyrisk
from maadan.analytics import document, governance, profiles, tornado_chart
from maadan.analytics.whatif import ImportVolume
from maadan.cli import common
from maadan.errors import InvalidInput

app = typer.Typer(help="Supply risk, what-if of new supply, project economics and Monte Carlo.")



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
                method: str = typer.Option("composite", "--method", help="composite (HHI x NIR, §1), loss "
                                           "(expected disruption loss, §2b) or shortfall (disruption shortfall, "
                                           "the revised method closer to the USGS 2025 one, §2c)."),
                variants: bool = typer.Option(False, "--variants", help="With --method shortfall --check: every "
                                              "variant of docs/analytics.md §2d on every half of the split."),
                json_out: bool = common.JSON) -> None:
    """Rank minerals by supply risk (production concentration x US import reliance), with every input."""
    c = common.get()
    if method not in ("composite", "loss", "shortfall"):
        raise InvalidInput(f"--method must be composite, loss or shortfall, not {method!r}")
    if variants and not (method == "shortfall" and check):
        raise InvalidInput("--variants goes with --method shortfall --check")
    if variants:
        _criticality_variants(c, list_id, json_out)
        return
    if method == "shortfall":
        _criticality_shortfall(c, check, list_id, json_out, mineral)
        return
    if method == "loss":
        _criticality_loss(c, check, list_id, json_out, mineral)
        return
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
        c.err.print(f"Risk map of {common.counted(len(pts), 'mineral')} written to {chart}")
    if json_out:
        _json({"method": crit.SCORE_METHOD, "minerals": [report.risk(r) for r in risks]})
        return
    t = Table(title="Supply risk (HHI excludes 'Other countries': lower bounds)", title_justify="left")
    for col in ("#", "Mineral", "Score", "HHI", "Top producer", "Top 3", "China", "US NIR", "Import HHI", "Year",
                "GeoPolRisk"):
        t.add_column(col, justify="right" if col not in ("Mineral", "Top producer") else "left")
    for i, r in enumerate(risks, 1):
        p = r.production
        t.add_row(str(i) if r.score is not None else "-", r.name, "-" if r.score is None else f"{r.score:.3f}",
                  "-" if p is None else f"{p.hhi:,.0f}",
                  "-" if p is None or p.top1 is None else f"{p.top1.country} {p.top1.share_pct:.0f}%",
                  "-" if p is None else f"{p.top3_pct:.0f}%", "-" if p is None else _pct(p.china_pct, 0),
                  "-" if r.reliance is None else r.reliance.published,
                  "-" if r.imports is None else f"{r.imports.hhi:,.0f}", "-" if p is None else str(p.year),
                  "-" if r.geopolrisk is None else f"{r.geopolrisk:.3f}")
    c.out.print(t)
    c.out.print(f"{crit.SCORE_METHOD[0].upper()}{crit.SCORE_METHOD[1:]}. {crit.GEOPOLRISK_NOTE} "
                f"Governance source: {governance.table_source()}.", markup=False)
    if mineral and risks:
        r = risks[0]
        if r.production:
            c.out.print(f"Series: {r.production.series} ({r.production.unit}), {r.production.edition}; excluded: "
                        + ("; ".join(r.production.excluded) or "none"))
        c.out.print(f"GeoPolRisk: {'unknown' if r.geopolrisk is None else f'{r.geopolrisk:.3f}'} ({r.geopolrisk_note})",
                    markup=False)
        c.out.print("Missing: " + "; ".join(r.missing))
        c.out.print("[bold]Sources[/]")
        for i, s in enumerate(r.sources, 1):
            c.out.print(f"  [{i}] {s}", markup=False)


def _only(scores: list, mineral: str | None) -> list:
    """The scores of one commodity (id or name) when --mineral is given; all otherwise."""
    if not mineral:
        return scores
    out = [s for s in scores if s.mineral_id == mineral.strip().lower() or s.name.lower() == mineral.lower()]
    if not out:
        raise InvalidInput(f"No MCS figures for {mineral!r}")
    return out


def _criticality_loss(c, check: bool, list_id: str, json_out: bool, mineral: str | None) -> None:
    if check:
        lc = service.check_loss(c.uow(), list_id)
        data = report.loss_check(lc)
        if json_out:
            _json(data)
            return
        for key in ("rank_before", "rank_after"):
            r = data[key]
            c.out.print(f"[bold]{r['score']}[/]: Spearman rho {r['rho']:.3f} against the USGS 2025 economic-effects "
                        f"order over {r['n']} commodities")
            c.out.print("  disagree most: " + "; ".join(
                f"{d['name']} (USGS {d['usgs_rank']}, here {d['model_rank']})" for d in r["disagreements"][:8]),
                markup=False)
        for key in ("auc_before", "auc_after"):
            a = data[key]
            c.out.print(f"[bold]{a['score']}[/]: ROC AUC {a['auc']:.3f} against {list_id} over {a['n_critical']} "
                        f"critical and {a['n_other']} other commodities")
            c.out.print("  critical but low: " + ", ".join(n for n, _ in a["missed"][:10]), markup=False)
            c.out.print("  not critical but high: " + ", ".join(n for n, _ in a["false_alarms"][:10]), markup=False)
        sp = data["split"]
        t = sp["tuned_on_train"]
        c.out.print(f"Split ({sp['rule']}; {len(sp['train'])} train, {len(sp['test'])} test): the prior "
                    f"(p0 {sp['prior']['p0']}, a {sp['prior']['a']}) gives test rho {sp['test_rho_prior']}; tuned on "
                    f"the training half (p0 {t['p0']}, a {t['a']}) it gives test rho {sp['test_rho_tuned']} "
                    f"(all ranked commodities: {sp['all_rho_tuned']}).")
        c.out.print("Method: docs/analytics.md §2b (stated before measuring).")
        return
    scores = _only(service.loss_scores(c.uow()), mineral)
    if json_out:
        _json({"method": supplyrisk.METHOD, "minerals": [report.loss_score(s) for s in scores]})
        return
    t = Table(title="Expected disruption loss (US consumption at risk, MUSD a year)", title_justify="left")
    for col in ("#", "Mineral", "At risk", "Likelihood", "US consumption value", "Restricted by", "Withheld", "Exposure"):
        t.add_column(col, justify="right" if col in ("#", "At risk", "Likelihood", "US consumption value") else "left")
    for i, s in enumerate(scores, 1):
        t.add_row(str(i) if s.score_musd is not None else "-", s.name,
                  "unknown" if s.score_musd is None else f"{s.score_musd:,.1f}",
                  "-" if s.likelihood is None else f"{s.likelihood:.3f}",
                  "-" if s.value_musd is None else f"{s.value_musd:,.0f}", ", ".join(s.restricted_by) or "-",
                  "possible single producer" if s.possible_single_producer else "", s.exposure_basis[:40])
    c.out.print(t)
    c.out.print(supplyrisk.METHOD + ". Unknown where a figure is withheld or missing (see --json: 'missing').",
                markup=False)


def _criticality_variants(c, list_id: str, json_out: bool) -> None:
    data = report.variant_check(service.check_variants(c.uow(), list_id))
    if json_out:
        _json(data)
        return
    t = Table(title=f"Shortfall variants (§2d, §2e) against the USGS 2025 order (Spearman) and {list_id} (ROC AUC)",
              title_justify="left")
    for col in ("Variant", "rho all (n)", "rho train (n)", "rho test (n)", "AUC", "critical / other"):
        t.add_column(col, justify="left" if col == "Variant" else "right")
    for v in data["variants"]:
        t.add_row(f"{v['variant']}: {v['description']}", f"{v['rho_all']:.3f} ({v['n_all']})",
                  f"{v['rho_train']:.3f} ({v['n_train']})", f"{v['rho_test']:.3f} ({v['n_test']})",
                  f"{v['auc']:.3f}", f"{v['n_critical']} / {v['n_other']}")
    c.out.print(t)
    chosen = next(v for v in data["variants"] if v["variant"] == data["chosen_on_train"])
    c.out.print(f"Split: {data['split']}. Chosen on the training half only: {chosen['variant']} (train "
                f"{chosen['rho_train']:.3f}); held-out test half {chosen['rho_test']:.3f} over {chosen['n_test']}.",
                markup=False)
    rs = data["resampled"]
    c.out.print(f"Diagnostic over {rs['draws']} random halvings (seed {rs['seed']}): chosen " + ", ".join(
        f"{v} {n}x" for v, n in rs["chosen_count"].items()) + f"; test rho of the variant chosen on train, mean "
        f"{rs['chosen_test_rho']['mean']:.3f} (10-90 %: {rs['chosen_test_rho']['p10']:.3f} to "
        f"{rs['chosen_test_rho']['p90']:.3f}); held fixed: " + ", ".join(
            f"{v} {x['mean']:.3f}" for v, x in rs["fixed_test_rho"].items()), markup=False)
    governance = [v for v in data["variants"] if v["variant"] in ("V7", "V8") and v is not chosen]
    for v in [chosen, *governance]:
        c.out.print(f"Disagree most, {v['variant']} (ranks among the {v['n_all']} compared): " + "; ".join(
            f"{d['name']} USGS {d['usgs_rank']}, here {d['model_rank']}" for d in v["rank"]["disagreements"][:10]),
            markup=False)
    c.out.print(f"V7 and V8 weight partners by WGI political stability: {data['governance_source']}", markup=False)
    c.out.print("Method: docs/analytics.md §2d, §2e (stated before measuring).")


def _criticality_shortfall(c, check: bool, list_id: str, json_out: bool, mineral: str | None) -> None:
    if check:
        data = report.shortfall_check(service.check_shortfall(c.uow(), list_id))
        if json_out:
            _json(data)
            return
        t = Table(title=f"Supply-risk scores against the USGS 2025 order (Spearman) and {list_id} (ROC AUC)",
                  title_justify="left")
        for col in ("Score", "rho", "n", "AUC", "critical / other"):
            t.add_column(col, justify="left" if col == "Score" else "right")
        for key, r in data["rank"].items():
            a = data["auc"][key]
            t.add_row(r["score"], f"{r['rho']:.3f}", str(r["n"]), f"{a['auc']:.3f}", f"{a['n_critical']} / {a['n_other']}")
        c.out.print(t)
        sp = data["split"]
        t2 = sp["tuned_on_train"]
        c.out.print(f"Split ({sp['rule']}): prior (p0 {sp['prior']['p0']}, k {sp['prior']['k']}) rho train "
                    f"{sp['prior_rho']['train']}, test {sp['prior_rho']['test']}; tuned on train (p0 {t2['p0']}, "
                    f"k {t2['k']}) rho train {sp['tuned_rho']['train']}, test {sp['tuned_rho']['test']}.",
                    markup=False)
        for key in ("shortfall", "loss"):
            c.out.print(f"[bold]Disagree most, {data['rank'][key]['score']}[/] (ranks among the commodities compared):")
            for d in data["drivers"][key]:
                c.out.print(f"  {d['name']}: USGS {d['usgs_rank']}, here {d['model_rank']}; driver: {d['driver']} "
                            f"({d['driver_rank']} of {d['of']})", markup=False)
        a = data["auc"]["shortfall"]
        c.out.print("On the list but scored low: " + ", ".join(n for n, _ in a["missed"][:10]), markup=False)
        c.out.print("Not on the list but scored high: " + ", ".join(n for n, _ in a["false_alarms"][:10]), markup=False)
        c.out.print("Possible single domestic producer (US production withheld): " + ", ".join(
            f"{x['name']} ({'on' if x['on_list'] else 'not on'} the list)" for x in data["single_producer"]),
            markup=False)
        c.out.print("Unscored (unknown, not filled in): " + ", ".join(data["rank"]["shortfall"]["uncovered"]),
                    markup=False)
        c.out.print("Method: docs/analytics.md §2c (stated before measuring).")
        return
    scores = _only(service.shortfall_scores(c.uow()), mineral)
    if json_out:
        _json({"method": supplyrisk.SHORTFALL_METHOD, "minerals": [report.shortfall_score(s) for s in scores]})
        return
    t = Table(title="Disruption shortfall D (expected severity of a one-year partner disruption, 0-1)",
              title_justify="left")
    for col in ("#", "Mineral", "D", "NIR %", "Largest partner", "Restricted by", "US consumption MUSD", "Notes"):
        t.add_column(col, justify="right" if col in ("#", "D", "NIR %", "US consumption MUSD") else "left")
    for i, s in enumerate(scores, 1):
        notes = [*(["possible single producer"] if s.possible_single_producer else []), *s.borrowed, *s.missing]
        t.add_row(str(i) if s.score is not None else "-", s.name, "unknown" if s.score is None else f"{s.score:.4f}",
                  "-" if s.nir_pct is None else f"{s.nir_pct:g}",
                  f"{s.top_partner} {100 * s.top_share:.0f}%" if s.top_share is not None else "-",
                  ", ".join(s.restricted_by) or "-", "unknown" if s.value_musd is None else f"{s.value_musd:,.0f}",
                  "; ".join(notes))
    c.out.print(t)
    c.out.print(supplyrisk.SHORTFALL_METHOD + ".", markup=False)


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
            json_out: bool = common.JSON) -> None:
    """Add a project's planned output to Pakistan's production: new world shares, HHI and rank."""
    c = common.get()
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
               reading: list[str] = typer.Option([], "--reading", help="An alternative fiscal reading by id "
                                                 "(e.g. saindak-report-2005); repeatable."),
               cash_flows: bool = typer.Option(False, "--cash-flows", help="Print the yearly cash flows too."),
               tornado: Optional[Path] = typer.Option(None, "--tornado", help="Write a tornado chart of one-at-a-"
                                                      "time NPV sensitivities (first rate): out.png or out.html."),
               validate: bool = typer.Option(False, "--validate", help="Compare the case with its published "
                                             "figures and show how the derived inputs follow from them."),
               financing: bool = typer.Option(False, "--finance", help="The levered case: tranches, equity IRR per "
                                              "partner, DSCR per year, the US-side view."),
               scenario_table: bool = typer.Option(False, "--scenarios", help="The named scenarios side by side."),
               scenario_chart: Optional[Path] = typer.Option(None, "--scenario-chart", help="Write the scenario "
                                                             "chart: out.png or out.html (implies --scenarios)."),
               mc_paths: int = typer.Option(0, "--mc-paths", min=0, max=1_000_000, help="Monte Carlo paths for "
                                            "--finance and --scenarios (0: none)."),
               json_out: bool = common.JSON) -> None:
    """Discounted cash flow: project and partner NPV, IRR, payback and government take."""
    c = common.get()
    for p, name in ((tornado, "--tornado"), (scenario_chart, "--scenario-chart")):
        if p is not None and p.suffix.lower() not in (".png", ".html", ".htm"):
            raise InvalidInput(f"{name} must end in .png or .html, not {p.name!r}")
    rates = _rates(discount)
    e = service.project_economics(c.uow(), project, params_file=params_file, rates_pct=rates,
                                  us_share_pct=us_share, readings=tuple(reading))
    out: dict[str, Any] = {}
    rendered: list[tuple[Path, bytes]] = []  # written only when everything has been computed
    if tornado is not None:
        t = sensitivity.tornado(e.case, e.rates_pct[0])
        rendered.append((tornado, tornado_chart.png(t) if tornado.suffix.lower() == ".png"
                         else tornado_chart.html_page(t).encode("utf-8")))
        if not json_out:
            c.out.print(f"[bold]Sensitivities[/] (NPV @{t.rate_pct:g}%, base {t.base_npv:,.0f} MUSD): " + "; ".join(
                f"{b.factor.name} {b.npv_low:,.0f} / {b.npv_high:,.0f} [{b.status}]" for b in t.bars), markup=True)
    if validate:
        case, checks, steps = service.project_validation(c.uow(), project, params_file=params_file)
        out["validation"] = report.validation_table(case, checks, steps)
    if financing:
        fr = service.project_finance(c.uow(), project, params_file=params_file, rate_pct=rates[0], paths=mc_paths)
        out["finance"] = report.finance_report(fr)
    if scenario_table or scenario_chart is not None:
        case, rows = service.project_scenarios(c.uow(), project, params_file=params_file, rate_pct=rates[0],
                                               paths=mc_paths)
        out["scenarios"] = scenarios_mod.as_dicts(rows)
        if scenario_chart is not None:
            rendered.append((scenario_chart, scenarios_mod.chart_png(rows, rates[0])
                             if scenario_chart.suffix.lower() == ".png"
                             else scenarios_mod.chart_html(rows, rates[0]).encode("utf-8")))
    for path, data in rendered:
        path.write_bytes(data)
        what = f"Tornado chart of {len(sensitivity.FACTORS)} inputs" if path == tornado else "Scenario chart"
        c.err.print(f"{what} written to {path} ({len(data):,} bytes)")
    if json_out:
        _json({**report.evaluation(e), **out})
        return
    _print_evaluation(c, e, cash_flows)
    if "validation" in out:
        _print_validation(c, out["validation"])
    if "finance" in out:
        _print_finance(c, out["finance"])
    if "scenarios" in out:
        _print_scenarios(c, out["scenarios"], rates[0])


def _print_evaluation(c, e, cash_flows: bool) -> None:
    c.out.print(f"[bold]{escape(e.case.name)}[/] (MUSD, real, unlevered; "
                + ("discounted to the start of " if e.case.discount_offset else "year 0 = ")
                + f"{e.case.start_year})")
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
    c.out.print(f"Government take (undiscounted): royalties and rents {g.royalty:,.0f} + income tax {g.income_tax:,.0f}"
                f" + state partners {g.government_equity:,.0f} = {g.host_total:,.0f} of {g.pre_fiscal:,.0f} "
                f"pre-fiscal cash flow: fiscal {_pct(g.fiscal_take_pct)}, host total {_pct(g.host_take_pct)}. "
                f"US tariff absorbed: {g.us_tariff:,.0f}.", markup=False)
    if g.by_levy:
        c.out.print("  by levy: " + "; ".join(f"{k} ({payee}) {v:,.0f}" for k, (payee, v) in g.by_levy.items()),
                    markup=False)
    for group, alts in (e.case.provenance.get("_readings") or {}).items():
        c.out.print(f"  readings of {group}: " + "; ".join(f"{i} ({r}){' [used]' if u else ''}" for i, r, u in alts)
                    + " (choose with --reading ID)", markup=False)
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
    ok, total = params.verified_share(e.case)
    c.out.print(f"[bold]Not verified[/] ({total - ok} of {total} inputs; derived values show their formula):")
    for k, v in params.assumptions(e.case):
        c.out.print(f"  {k} = {v.shown()}: {v.provenance()}", markup=False)
    c.out.print("Files: " + ", ".join(e.case.provenance.get("_files", [])), markup=False)


def _print_validation(c, v: dict) -> None:
    t = Table(title="Validation against published figures", title_justify="left")
    for col in ("Figure", "Published", "Model", "Difference", "Tolerance", "Role"):
        t.add_column(col, justify="left" if col in ("Figure", "Role") else "right")
    for ch in v["checks"]:
        unit = ch["unit"]
        fmt = (lambda x: f"{x:,.2f}") if unit == "%" else (lambda x: f"{x:,.0f}")
        t.add_row(f"{ch['figure']} ({unit})", fmt(ch["published"]), "-" if ch["model"] is None else fmt(ch["model"]),
                  "-" if ch["difference_pct"] is None else f"{ch['difference_pct']:+.1f} %",
                  "-" if ch["tolerance_pct"] is None else
                  f"±{ch['tolerance_pct']:g} % {'ok' if ch['within'] else 'EXCEEDED'}", ch["role"])
    c.out.print(t)
    c.out.print("[bold]Derived inputs[/] (from the published figures; nothing fitted to NPV or IRR):")
    for d in v["derivation"]:
        c.out.print(f"  {d['input']} = {d['value']:,.4f} {d['unit']}: {d['formula']}", markup=False)
    for ch in v["checks"]:
        c.out.print(f"  [{ch['key']}] {ch['source']}", markup=False)


def _print_finance(c, f: dict) -> None:
    c.out.print(f"[bold]Project finance[/]: {escape(f['basis'])}; debt modelled {f['debt_musd']:,.0f} MUSD")
    t = Table()
    for col in ("Lender", "Kind", "Amount (MUSD)", "Source"):
        t.add_column(col, justify="right" if col.startswith("Amount") else "left")
    for tr in f["tranches"]:
        t.add_row(escape(tr["lender"]), tr["kind"], "unknown" if tr["amount_musd"] is None else f"{tr['amount_musd']:,.0f}",
                  escape(tr["source"] or tr.get("note") or ""))
    c.out.print(t)
    for k, v in f["reported_totals"].items():
        c.out.print(f"  reported total {k}: {v['value']:,.0f} MUSD ({v['source']})", markup=False)
    for k, v in f["terms"].items():
        c.out.print(f"  {k} = {v['value']:g}{'' if v['verified'] else ' (not verified)'}: {v['source']}", markup=False)
    u, lv = f["unlevered"], f["levered"]
    c.out.print(f"Unlevered NPV @{f['rate_pct']:g}% {u['npv']:,.0f}, IRR {_pct(u['irr_pct'], 2)}; levered equity NPV "
                f"{lv['equity_npv']:,.0f}, equity IRR {_pct(lv['equity_irr_pct'], 2)}")
    for p in f["partners"]:
        c.out.print(f"  {p['name']}: equity NPV {p['equity_npv']:,.0f}, equity IRR "
                    f"{_pct(p['equity_irr_pct'], 2) if p['equity_irr_pct'] is not None else p['irr_note']}", markup=False)
    dt = Table(title="Debt service coverage", title_justify="left")
    for col in ("Year", "CFADS", "Interest", "Principal", "DSCR"):
        dt.add_column(col, justify="right")
    for r in f["dscr"]:
        dt.add_row(str(r["year"]), f"{r['cfads']:,.0f}", f"{r['interest']:,.0f}", f"{r['principal']:,.0f}",
                   f"{r['dscr']:.2f}")
    c.out.print(dt)
    if f["min_dscr"]:
        c.out.print(f"Minimum DSCR {f['min_dscr']['value']:.2f} in {f['min_dscr']['year']}")
    us = f.get("us_view")
    if us:
        c.out.print(f"[bold]US view[/]: {us['lender']} {us['amount_musd']:,.0f} MUSD = {us['share_of_debt_pct']:.1f} % "
                    f"of the modelled debt; peak outstanding {us['peak_outstanding_musd']:,.0f} MUSD")
        c.out.print(f"  offtake: share of output {us['offtake'].get('share_of_output') or 'unknown'}; "
                    f"{us['offtake'].get('note', '')}", markup=False)
        for k, v in us["facts"].items():
            c.out.print(f"  {k} = {v['value']:,.0f}: {v['source']}", markup=False)
    mc = f.get("montecarlo")
    if mc and mc["coverage"]:
        cv = mc["coverage"]
        c.out.print(f"Monte Carlo ({mc['paths']:,} paths): minimum DSCR P10 {cv['min_dscr_p10']:.2f}, P50 "
                    f"{cv['min_dscr_p50']:.2f}; P(min DSCR < 1) {cv['prob_min_dscr_below_1_pct']:.1f} %, "
                    f"< {cv['covenant_dscr']:g} {cv['prob_min_dscr_below_covenant_pct']:.1f} %; mean shortfall "
                    f"{cv['mean_shortfall_musd']:,.0f} MUSD, of which {cv['us_lender']} "
                    f"{cv['us_expected_shortfall_musd']:,.0f} pro rata")
    for n in f["notes"]:
        c.out.print(f"  note: {n}", markup=False)


def _print_scenarios(c, rows: list[dict], rate: float) -> None:
    t = Table(title=f"Scenarios (NPV @{rate:g}%, MUSD)", title_justify="left")
    cols = ["Scenario", "NPV", "IRR", "Barrick NPV", "Host take", "Equity IRR", "Min DSCR"]
    if rows and "montecarlo" in rows[0]:
        cols += ["MC P10", "MC P50", "MC P90", "P(DSCR<1)"]
    for col in cols:
        t.add_column(col, justify="left" if col == "Scenario" else "right")
    for r in rows:
        cells = [escape(r["label"]), f"{r['npv_musd']:,.0f}", _pct(r["irr_pct"], 2),
                 "-" if r["barrick_npv_musd"] is None else f"{r['barrick_npv_musd']:,.0f}", _pct(r["host_take_pct"]),
                 _pct(r["equity_irr_pct"]), "-" if r["min_dscr"] is None else f"{r['min_dscr']:.2f}"]
        if "montecarlo" in r:
            m = r["montecarlo"]
            cells += [f"{m['p10']:,.0f}", f"{m['p50']:,.0f}", f"{m['p90']:,.0f}",
                      _pct(m["prob_dscr_below_1_pct"])]
        t.add_row(*cells)
    c.out.print(t)
    for r in rows:
        srcs = [f"{k} {v['value']:g}: {v['source']}" for k, v in r["prices"].items()]
        srcs += [f"{k} {v['value']:,.0f}: {v['source']}" for k, v in r["capex_musd"].items()]
        if r["delay_years"]:
            srcs.append(f"delay {r['delay_years']['value']:g} y: {r['delay_years']['source']}")
        if srcs:
            c.out.print(f"  {r['id']}: " + "; ".join(srcs), markup=False)


@app.command("montecarlo")
def montecarlo_(project: Optional[str] = typer.Option(None, "--project", help="Project with a bundled case."),
                params_file: Optional[str] = typer.Option(None, "--params", help="A case file (YAML) instead."),
                paths: int = typer.Option(100_000, "--paths", min=100, max=10_000_000),
                discount: float = typer.Option(8.0, "--discount", help="Discount rate in %."),
                seed: int = typer.Option(2025, "--seed"),
                chunk: int = typer.Option(50_000, "--chunk", min=1000, help="Paths per chunk."),
                unlevered: bool = typer.Option(False, "--unlevered", help="Ignore the case's financing."),
                json_out: bool = common.JSON) -> None:
    """NPV distribution per partner under correlated prices, costs and start delay; with the case's financing,
    equity NPV and debt-service coverage (breaches of DSCR 1 and of the covenant)."""
    c = common.get()
    _rates(str(discount))
    case = service.project_case(c.uow(), project, params_file=params_file)
    fin = None if unlevered else finance.parse_financing(case)
    u = montecarlo.Uncertainty()
    t0 = time.perf_counter()
    result, _ = montecarlo.simulate(case, u, paths=paths, rate_pct=discount, seed=seed, chunk=chunk, financing=fin)
    seconds = time.perf_counter() - t0
    if json_out:
        _json({**report.montecarlo(result, case), "seconds": round(seconds, 3)})
        return
    c.out.print(f"[bold]{escape(case.name)}[/]: {paths:,} paths x {result.years} years, NPV @{discount:g}% (MUSD), "
                f"seed {seed}, {seconds:.2f} s")
    t = Table()
    for col in ("Cash flows to", "P10", "P50", "P90", "Mean", "P(loss)"):
        t.add_column(col, justify="left" if col == "Cash flows to" else "right")
    rows = [("Project", result.project), *result.partners.items()]
    if result.equity is not None:
        rows.append(("Equity (levered)", result.equity))
    for name, d in rows:
        t.add_row(escape(name), f"{d.p10:,.0f}", f"{d.p50:,.0f}", f"{d.p90:,.0f}", f"{d.mean:,.0f}",
                  f"{d.prob_loss_pct:.1f}%")
    c.out.print(t)
    cv = result.coverage
    if cv is not None:
        c.out.print(f"Debt service: minimum DSCR P10 {cv.min_dscr_p10:.2f}, P50 {cv.min_dscr_p50:.2f}; "
                    f"P(min DSCR < 1) {cv.prob_below_1_pct:.1f} %, P(< covenant {cv.covenant:g}) "
                    f"{cv.prob_below_covenant_pct:.1f} %; mean shortfall {cv.mean_shortfall_musd:,.0f} MUSD"
                    + (f" ({cv.us_lender} pro rata {cv.us_expected_shortfall:,.0f})" if cv.us_lender else ""))
    c.out.print(result.note)
    ok, total = params.verified_share(case)
    c.out.print(f"Case inputs: {ok} of {total} verified; the others are derived from published figures or "
                "assumptions (`maadan economics --project ...` lists them).")
    c.out.print("Assumptions: " + json.dumps(u.describe()), markup=False)


@app.command("screen")
def screen(profile: str = typer.Option("us-investor", "--profile", help="Profile id (data/profiles) or a YAML file."),
           json_out: bool = common.JSON) -> None:
    """Rank projects and open ground for an investor profile, with the reasons for each rank."""
    c = common.get()
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


GROUPS = {"": app}  # its commands sit at the top level: maadan criticality, maadan whatif ...
