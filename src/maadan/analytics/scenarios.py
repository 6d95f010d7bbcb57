"""Named scenarios of a case: price decks, capital revisions, delays, tax readings (docs/analytics.md §4.5).

A scenario file (`data/fiscal/scenarios/<project>.yaml`, schema `maadan.scenarios/1`) lists price decks (each
price with its source) and scenarios that change the case: a price deck, capital totals by item, a start
delay, cost factors, the tax reading and the Monte Carlo's delay distribution. `compare` evaluates them side by
side: NPV, IRR, Barrick's NPV, government take, equity IRR and minimum DSCR when the case is financed, and,
on request, Monte Carlo percentiles and the probability of a covenant breach.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

from maadan import bundled
from maadan.analytics import economics as ec
from maadan.analytics import finance, montecarlo, yamlfile
from maadan.analytics.economics import LB_PER_T
from maadan.analytics.params import CITED_KEYS, Cited
from maadan.errors import InvalidInput, NotFound

SCHEMA = "maadan.scenarios/1"
TOP = {"schema", "project", "price_decks", "scenarios", "notes"}
DECK_KEYS = {"label"}
SCENARIO_KEYS = {"id", "label", "price_deck", "capex_musd", "delay_years", "capex_factor", "opex_factor", "tax",
                 "delay_probs", "note"}
TAX_READINGS = {"calibrated", "as-reported", "standard"}
# price unit -> (case unit, factor): a deck may quote copper per tonne or in US cents per pound
_CONVERT = {("USD/t", "USD/lb"): 1 / LB_PER_T, ("USc/lb", "USD/lb"): 0.01, ("USD/lb", "USD/lb"): 1.0,
            ("USD/oz", "USD/oz"): 1.0, ("USD/t", "USD/t"): 1.0, ("USc/lb", "USD/t"): LB_PER_T / 100,
            ("USD/lb", "USD/t"): LB_PER_T}


@dataclass
class Scenario:
    id: str
    label: str
    prices: dict[str, Cited]  # in the case's price units
    deck: str | None
    capex: dict[str, Cited] = field(default_factory=dict)
    delay: Cited | None = None
    capex_factor: Cited | None = None
    opex_factor: Cited | None = None
    tax: str = "calibrated"
    delay_probs: tuple[float, ...] | None = None
    delay_probs_cited: Cited | None = None
    note: str | None = None


def scenarios_dir() -> Path:
    return Path(str(resources.files("maadan") / "data" / "fiscal" / "scenarios"))


def scenario_file(project: str) -> Path | None:
    """The bundled scenario file of a project id, if any (the id is looked up, never used as a path)."""
    return scenarios_dir() / f"{project}.yaml" if project in bundled.ids(scenarios_dir(), ".yaml") else None


def _cited(doc: yamlfile.YamlDoc, data: Any, where: str, kind: str = "number") -> Cited:
    if not isinstance(data, dict) or "value" not in data:
        raise doc.error(where, "expected {value: ..., source: ..., verified: ...}")
    extra = set(data) - CITED_KEYS
    if extra:
        raise doc.error(f"{where}.{sorted(extra)[0]}", f"unknown key {sorted(extra)[0]!r}")
    if not (data.get("source") or data.get("assumption") or data.get("derived")):
        raise doc.error(where, "no source, assumption or derived note")
    v = data["value"]
    if kind == "number":
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise doc.error(where, f"value must be a number, not {v!r}")
        value, text = float(v), None
    else:
        if not isinstance(v, list) or not v or any(isinstance(x, bool) or not isinstance(x, (int, float)) for x in v):
            raise doc.error(where, f"value must be a list of numbers, not {v!r}")
        value, text = float("nan"), ", ".join(f"{x:g}" for x in v)
    return Cited(value, data.get("unit"), data.get("source"), data.get("legal_basis"),
                 bool(data.get("verified", False)), data.get("assumption"), data.get("derived"), data.get("note"),
                 data.get("confidence"), text)


def load(case: ec.Case, path: str | None = None) -> list[Scenario]:
    """The scenarios of `case` (its bundled file, or `path`)."""
    if path is None:
        f = scenario_file(case.project_id)
        if f is None:
            raise NotFound("scenario file", case.project_id, bundled.ids(scenarios_dir(), ".yaml"))
        doc = yamlfile.parse(f"data/fiscal/scenarios/{f.name}", f.read_text(encoding="utf-8"))
    else:
        doc = yamlfile.load(path)
    data = doc.data
    if not isinstance(data, dict):
        raise doc.error("", "expected a mapping")
    for k in data:
        if k not in TOP:
            raise doc.error(str(k), f"unknown key {k!r} (allowed: {', '.join(sorted(TOP))})")
    if data.get("schema") != SCHEMA:
        raise doc.error("schema", f"expected {SCHEMA!r}, not {data.get('schema')!r}")
    if data.get("project") != case.project_id:
        raise doc.error("project", f"scenarios for {data.get('project')!r}, not {case.project_id!r}")
    units = {c.id: c.price_unit for c in case.commodities}
    decks: dict[str, tuple[str, dict[str, Cited]]] = {}
    for did, deck in (data.get("price_decks") or {}).items():
        w = f"price_decks.{did}"
        if not isinstance(deck, dict):
            raise doc.error(w, "expected a mapping")
        prices = {}
        for k, v in deck.items():
            if k in DECK_KEYS:
                continue
            if k not in units:
                raise doc.error(f"{w}.{k}", f"{k!r} is not a commodity of the case ({', '.join(units)})")
            c = _cited(doc, v, f"{w}.{k}")
            factor = _CONVERT.get((c.unit or "", units[k]))
            if factor is None:
                raise doc.error(f"{w}.{k}.unit", f"cannot convert {c.unit!r} to the case's {units[k]}")
            prices[k] = replace(c, value=c.value * factor, unit=units[k],
                                note=(c.note or "") + (f" (given as {v['value']} {c.unit})" if factor != 1 else ""))
        decks[str(did)] = (str(deck.get("label", did)), prices)
    out = []
    ids: set[str] = set()
    for i, s in enumerate(data.get("scenarios") or []):
        w = f"scenarios[{i}]"
        if not isinstance(s, dict):
            raise doc.error(w, "expected a mapping")
        for k in s:
            if k not in SCENARIO_KEYS:
                raise doc.error(f"{w}.{k}", f"unknown key {k!r} (allowed: {', '.join(sorted(SCENARIO_KEYS))})")
        if "id" not in s:
            raise doc.error(w, "missing key 'id'")
        sid = str(s["id"])
        if sid in ids:
            raise doc.error(f"{w}.id", f"scenario id {sid!r} used twice")
        ids.add(sid)
        deck = s.get("price_deck")
        if deck is not None and deck not in decks:
            raise doc.error(f"{w}.price_deck", f"unknown price deck {deck!r} (decks: {', '.join(decks)})")
        labels = {it.label for it in case.capex}
        capex = {}
        for label, v in (s.get("capex_musd") or {}).items():
            if label not in labels:
                raise doc.error(f"{w}.capex_musd.{label}", f"no capital item {label!r} in the case "
                                                           f"({', '.join(sorted(labels))})")
            capex[label] = _cited(doc, v, f"{w}.capex_musd.{label}")
        tax = str(s.get("tax", "calibrated"))
        if tax not in TAX_READINGS:
            raise doc.error(f"{w}.tax", f"tax must be one of {', '.join(sorted(TAX_READINGS))}, not {tax!r}")
        delay = _cited(doc, s["delay_years"], f"{w}.delay_years") if "delay_years" in s else None
        if delay is not None and (delay.value < 0 or not float(delay.value).is_integer()):
            raise doc.error(f"{w}.delay_years", "must be a whole number of years >= 0")
        probs = _cited(doc, s["delay_probs"], f"{w}.delay_probs", kind="list") if "delay_probs" in s else None
        factors = {k: _cited(doc, s[k], f"{w}.{k}") for k in ("capex_factor", "opex_factor") if k in s}
        for k, c in factors.items():
            if c.value <= 0:
                raise doc.error(f"{w}.{k}", "must be > 0")
        scenario = Scenario(sid, str(s.get("label", sid)), decks[deck][1] if deck else {}, deck, capex, delay,
                            factors.get("capex_factor"), factors.get("opex_factor"), tax,
                            tuple(float(x) for x in s["delay_probs"]["value"]) if probs else None, probs,
                            s.get("note"))
        if scenario.delay_probs is not None:
            try:
                montecarlo.Uncertainty(delay_probs=scenario.delay_probs)
            except InvalidInput as exc:
                raise doc.error(f"{w}.delay_probs", exc.message) from None
        out.append(scenario)
    return out


def _tax(case: ec.Case, reading: str) -> ec.Case:
    regime = case.fiscal.tax_regime
    if reading == "calibrated":
        return case
    if reading == "standard":
        t = replace(regime, holiday_years=0, capped_pct=None, stabilised_years=None, super_tax_in_stabilisation=True)
    else:  # as reported by the agreement data (before the case's calibration)
        from maadan.analytics import fiscal as fiscal_data
        res = fiscal_data.resolve(str(case.provenance.get("_fiscal", "")), case.project_id,
                                  [c.id for c in case.commodities], case.start_year,
                                  case.last_production_year + 10, case.first_production_year,
                                  files=not case.provenance.get("_bundled", False))
        t = res.tax
    return replace(case, fiscal=replace(case.fiscal, tax=t))


def apply(case: ec.Case, s: Scenario) -> tuple[ec.Case, int]:
    """The scenario's case and start delay (years)."""
    c = case
    if s.prices:
        c = replace(c, commodities=tuple(replace(x, price=s.prices[x.id].value) if x.id in s.prices else x
                                         for x in c.commodities))
    if s.capex:
        totals = {}
        for it in case.capex:
            totals[it.label] = totals.get(it.label, 0.0) + it.amount_musd
        c = replace(c, capex=tuple(replace(it, amount_musd=it.amount_musd * s.capex[it.label].value
                                           / totals[it.label]) if it.label in s.capex else it for it in c.capex))
    c = _tax(c, s.tax)
    return c, int(s.delay.value) if s.delay else 0


@dataclass
class Row:
    scenario: Scenario
    npv: float
    irr: ec.Irr
    barrick_npv: float | None
    government_take: float
    host_take_pct: float | None
    equity_irr: float | None
    min_dscr: float | None
    mc: montecarlo.MonteCarloResult | None = None


def _shift(case: ec.Case, delay: int) -> ec.Case:
    """A case whose production and non-construction capital start `delay` years later."""
    if delay == 0:
        return case
    return replace(case,
                   schedule=tuple(replace(p, first_year=p.first_year + delay, last_year=p.last_year + delay)
                                  for p in case.schedule),
                   capex=tuple(it if it.construction else replace(it, year=it.year + delay) for it in case.capex),
                   sustaining_last_year=None if case.sustaining_last_year is None else
                   case.sustaining_last_year + delay)


def compare(case: ec.Case, scenarios: list[Scenario], rate_pct: float = 8.0, *, paths: int = 0, seed: int = 2025,
            financed: bool = True) -> list[Row]:
    fin = finance.parse_financing(case) if financed else None
    rows = []
    for s in scenarios:
        c, delay = apply(case, s)
        c = _shift(c, delay)
        e = ec.evaluate(c, (rate_pct,))
        barrick = next((p.npv[rate_pct] for p in e.partners if p.partner.name.lower().startswith("barrick")), None)
        eq_irr = min_dscr = None
        if fin is not None and fin.known:
            lev = finance.levered(c, fin, rate_pct)
            eq_irr = lev.equity_irr.value_pct
            m = lev.min_dscr
            min_dscr = None if m is None else m[0]
        mc = None
        if paths:
            u = montecarlo.Uncertainty(delay_probs=s.delay_probs) if s.delay_probs else montecarlo.Uncertainty()
            mc, _ = montecarlo.simulate(c, u, paths=paths, rate_pct=rate_pct, seed=seed, financing=fin)
        rows.append(Row(s, e.npv[rate_pct], e.irr, barrick, e.take.host_total, e.take.host_take_pct, eq_irr,
                        min_dscr, mc))
    return rows


def as_dicts(rows: list[Row]) -> list[dict[str, Any]]:
    out = []
    for r in rows:
        s = r.scenario
        d = {"id": s.id, "label": s.label, "price_deck": s.deck,
             "prices": {k: {"value": v.value, "unit": v.unit, "source": v.provenance()} for k, v in s.prices.items()},
             "capex_musd": {k: {"value": v.value, "source": v.provenance()} for k, v in s.capex.items()},
             "delay_years": None if s.delay is None else {"value": s.delay.value, "source": s.delay.provenance()},
             "tax": s.tax, "npv_musd": round(r.npv, 1), "irr_pct": r.irr.value_pct, "irr_note": r.irr.reason,
             "barrick_npv_musd": None if r.barrick_npv is None else round(r.barrick_npv, 1),
             "government_take_musd": round(r.government_take, 1), "host_take_pct": r.host_take_pct,
             "equity_irr_pct": r.equity_irr, "min_dscr": r.min_dscr}
        if r.mc is not None:
            p = r.mc.project
            d["montecarlo"] = {"paths": r.mc.paths, "p10": p.p10, "p50": p.p50, "p90": p.p90,
                               "prob_loss_pct": p.prob_loss_pct,
                               "prob_dscr_below_1_pct": r.mc.coverage.prob_below_1_pct if r.mc.coverage else None,
                               "delay_probs": list(r.mc.uncertainty.delay_probs)}
        out.append(d)
    return out


def chart_png(rows: list[Row], rate_pct: float) -> bytes:
    """Side-by-side bars of project and Barrick NPV per scenario (matplotlib, Agg)."""
    import io

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    labels = [r.scenario.label for r in rows]
    fig, ax = plt.subplots(figsize=(9, 0.55 * len(rows) + 1.4), dpi=110)
    y = list(range(len(rows)))
    ax.barh([i + 0.2 for i in y], [r.npv for r in rows], height=0.4, label="project NPV", color="#1f5f8b")
    ax.barh([i - 0.2 for i in y], [r.barrick_npv or 0 for r in rows], height=0.4, label="Barrick NPV",
            color="#d08c2f")
    ax.set_yticks(y, labels, fontsize=8)
    ax.invert_yaxis()
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel(f"NPV @{rate_pct:g}% (MUSD, real)")
    ax.legend(fontsize=8, loc="lower right")
    ax.set_title("Scenarios side by side", fontsize=10)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


def chart_html(rows: list[Row], rate_pct: float) -> str:
    """A self-contained HTML page: the table and an inline SVG bar chart (no script)."""
    from html import escape
    values = [v for r in rows for v in (r.npv, r.barrick_npv or 0.0)]
    lo, hi = min(0.0, *values), max(0.0, *values)
    span = (hi - lo) or 1.0
    W, left, bar = 760, 330, 12

    def x(v: float) -> float:
        return left + (v - lo) / span * (W - left - 20)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{len(rows) * 34 + 30}" role="img" '
             f'aria-label="Scenario NPVs">']
    for i, r in enumerate(rows):
        top = 10 + i * 34
        parts.append(f'<text x="4" y="{top + 14}" font-size="11">{escape(r.scenario.label)}</text>')
        for k, (v, color) in enumerate(((r.npv, "#1f5f8b"), (r.barrick_npv or 0.0, "#d08c2f"))):
            x0, x1 = sorted((x(0.0), x(v)))
            parts.append(f'<rect x="{x0:.1f}" y="{top + k * (bar + 2)}" width="{max(x1 - x0, 0.5):.1f}" '
                         f'height="{bar}" fill="{color}"><title>{v:,.0f} MUSD</title></rect>')
    parts.append(f'<line x1="{x(0):.1f}" x2="{x(0):.1f}" y1="0" y2="{len(rows) * 34 + 10}" stroke="black"/></svg>')
    head = "".join(f"<th>{h}</th>" for h in ("Scenario", f"NPV @{rate_pct:g}%", "IRR", "Barrick NPV",
                                              "Host take", "Equity IRR", "Min DSCR"))
    body = "".join(
        "<tr>" + "".join(f"<td>{c}</td>" for c in (
            escape(r.scenario.label), f"{r.npv:,.0f}", escape(r.irr.short()),
            "-" if r.barrick_npv is None else f"{r.barrick_npv:,.0f}",
            "-" if r.host_take_pct is None else f"{r.host_take_pct:.1f} %",
            "-" if r.equity_irr is None else f"{r.equity_irr:.1f} %",
            "-" if r.min_dscr is None else f"{r.min_dscr:.2f}")) + "</tr>" for r in rows)
    return ("<!doctype html><html lang='en'><meta charset='utf-8'><title>Scenarios</title>"
            "<style>body{font-family:sans-serif}table{border-collapse:collapse}td,th{border:1px solid #999;"
            "padding:2px 6px}</style><h1>Scenarios side by side</h1><p>Blue: project NPV; orange: Barrick's NPV "
            f"(MUSD, real, @{rate_pct:g}%).</p>{''.join(parts)}<table><tr>{head}</tr>{body}</table></html>")
