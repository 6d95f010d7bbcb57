"""Calibration of a case to its published figures, and the validation table (docs/analytics.md §4.3).

A case file's `published:` section lists the figures a feasibility study or the government reported, each with
its source. `derive` recomputes, from those figures alone plus the case's sourced inputs, the inputs that no
source gives directly (recoveries, the payable share, head grades per period, operating cost per tonne,
sustaining capital), showing each formula with its numbers: nothing is fitted to the NPV or the IRR.
`validate` compares the model with every published figure; figures used by the derivation are marked as such
(they are reproduced by construction), the others are independent checks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from maadan.analytics import economics as ec
from maadan.analytics.params import CITED_KEYS, Cited
from maadan.analytics.units import TROY_OUNCE_G
from maadan.errors import InvalidInput

LB_PER_T = ec.LB_PER_T
PUBLISHED_KEYS = {"npv8_musd", "irr_pct", "pretax_cash_flow_musd", "operating_cash_flow_musd",
                  "free_cash_flow_musd", "lom_copper_kt", "lom_gold_koz", "revenue_musd", "royalty_and_tax_musd",
                  "royalties_and_taxes_30y_musd", "ore_mt", "head_grade_copper_pct", "head_grade_gold_gpt",
                  "capex_total_musd", "phase1_copper_ktpa", "phase1_gold_kozpa", "phase2_copper_ktpa",
                  "phase2_gold_kozpa"}

# Tolerances of the drift test (issue 17): relative differences.
TOLERANCES = {"npv8_musd": 0.05, "irr_pct": 0.05, "lom_copper_kt": 0.02, "lom_gold_koz": 0.02,
              "pretax_cash_flow_musd": 0.05}


def published(case: ec.Case) -> dict[str, Cited]:
    raw = case.provenance.get("_published") or {}
    doc = case.provenance.get("_doc")
    out = {}
    for k, v in raw.items():
        if k not in PUBLISHED_KEYS:
            msg = f"unknown key {k!r} (allowed: {', '.join(sorted(PUBLISHED_KEYS))})"
            raise doc.error(f"published.{k}", msg) if doc else InvalidInput(f"published.{k}: {msg}")
        if not isinstance(v, dict) or "value" not in v or set(v) - CITED_KEYS:
            msg = "expected {value: ..., source: ..., verified: ...}"
            raise doc.error(f"published.{k}", msg) if doc else InvalidInput(f"published.{k}: {msg}")
        out[k] = Cited(float(v["value"]), v.get("unit"), v.get("source"), v.get("legal_basis"),
                       bool(v.get("verified", False)), v.get("assumption"), v.get("derived"), v.get("note"),
                       v.get("confidence"))
    return out


@dataclass
class Step:
    name: str
    formula: str
    value: float
    unit: str


def _get(pub: dict[str, Cited], key: str) -> float:
    if key not in pub:
        raise InvalidInput(f"the derivation needs the published figure {key!r}")
    return pub[key].value


def derive(case: ec.Case) -> list[Step]:
    """The derived inputs of a copper-gold case, each with its formula and numbers (docs/analytics.md §4.3)."""
    pub = published(case)
    cu = next(c for c in case.commodities if c.id == "copper")
    au = next(c for c in case.commodities if c.id == "gold")
    ore_pub, g_cu, g_au = _get(pub, "ore_mt"), _get(pub, "head_grade_copper_pct"), _get(pub, "head_grade_gold_gpt")
    lom_cu, lom_au = _get(pub, "lom_copper_kt"), _get(pub, "lom_gold_koz")
    contained_cu = ore_pub * 1e6 * g_cu / 100 / 1e3  # kt
    contained_au = ore_pub * 1e6 * g_au / TROY_OUNCE_G / 1e3  # koz
    rec_cu = 100 * lom_cu / contained_cu
    rec_au = 100 * lom_au / contained_au
    price_cu_t = cu.price * (LB_PER_T if cu.price_unit == "USD/lb" else 1.0)
    gross = (lom_cu * 1e3 * price_cu_t + lom_au * 1e3 * au.price) / 1e6
    payable = 100 * _get(pub, "revenue_musd") / gross
    steps = [
        Step("copper recovery", f"LOM copper {lom_cu:,.0f} kt / ({ore_pub:,.0f} Mt x {g_cu} % = {contained_cu:,.0f} "
                                f"kt contained)", rec_cu, "%"),
        Step("gold recovery", f"LOM gold {lom_au:,.0f} koz / ({ore_pub:,.0f} Mt x {g_au} g/t = {contained_au:,.0f} "
                              f"koz contained)", rec_au, "%"),
        Step("payable share", f"published revenue {_get(pub, 'revenue_musd'):,.0f} MUSD / LOM metal at the "
                              f"feasibility prices {gross:,.0f} MUSD", payable, "%"),
    ]
    ocf, fcf, capex_total = (_get(pub, "operating_cash_flow_musd"), _get(pub, "free_cash_flow_musd"),
                             _get(pub, "capex_total_musd"))
    years = sum(p.last_year - p.first_year + 1 for p in case.schedule)
    sustaining = (ocf - fcf - capex_total) / years
    steps.append(Step("sustaining capital", f"(operating cash flow {ocf:,.0f} - free cash flow {fcf:,.0f} - "
                                            f"initial capital {capex_total:,.0f}) / {years} production years",
                      sustaining, "MUSD/yr"))
    # Operating cost per tonne: the rest of the published pre-tax cash flow, royalties computed by the model.
    probe = replace(case, opex_usd_per_t_ore=0.0, sustaining_musd_per_yr=sustaining)
    f = ec.cash_flows(probe)
    revenue = float(f.revenue.sum())
    royalties = float(f.royalty.sum())
    capex = float(f.capex.sum())
    ore = float(f.ore_mt.sum())
    pretax = _get(pub, "pretax_cash_flow_musd")
    opex = (revenue - float(f.offsite.sum()) - royalties - float(f.tariff.sum()) - capex - pretax) / ore
    steps.append(Step("operating cost", f"(revenue {revenue:,.0f} - royalties and rents {royalties:,.0f} - capital "
                                        f"{capex:,.0f} - published pre-tax cash flow {pretax:,.0f}) / {ore:,.0f} Mt",
                      opex, "USD/t ore"))
    regime = case.fiscal.tax_regime
    if regime.holiday_years and "free_cash_flow_musd" in pub:
        tax_total = pretax - _get(pub, "free_cash_flow_musd")
        probe = replace(case, opex_usd_per_t_ore=opex, sustaining_musd_per_yr=sustaining)

        def tax_at(rate: float) -> float:
            t = replace(regime, capped_pct=rate, stabilised_years=10**6, rate_pct=max(regime.rate_pct, rate))
            return float(ec.cash_flows(replace(probe, fiscal=replace(probe.fiscal, tax=t))).tax.sum())
        lo, hi = 0.0, 100.0
        for _ in range(60):  # tax rises with the rate: bisection
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if tax_at(mid) < tax_total else (lo, mid)
        steps.append(Step("income tax after the holiday", f"the rate that makes income tax after the "
                                                         f"{regime.holiday_years}-year holiday total the published "
                                                         f"pre-tax {pretax:,.0f} - free cash flow "
                                                         f"{_get(pub, 'free_cash_flow_musd'):,.0f} = {tax_total:,.0f} "
                                                         "MUSD (no super tax)", (lo + hi) / 2, "%"))
    return steps


@dataclass
class Check:
    key: str
    label: str
    published: float
    model: float | None
    unit: str
    source: str
    role: str  # "derivation input" or "independent check"
    tolerance: float | None

    @property
    def difference_pct(self) -> float | None:
        if self.model is None or self.published == 0:
            return None
        return 100.0 * (self.model - self.published) / abs(self.published)

    @property
    def within(self) -> bool | None:
        if self.tolerance is None or self.difference_pct is None:
            return None
        return abs(self.difference_pct) <= 100 * self.tolerance


LABELS = {
    "npv8_musd": ("NPV at 8 % (after tax)", "MUSD", "independent check"),
    "irr_pct": ("IRR (after tax)", "%", "independent check"),
    "pretax_cash_flow_musd": ("pre-tax cash flow, undiscounted", "MUSD", "derivation input"),
    "free_cash_flow_musd": ("free cash flow (after tax), undiscounted", "MUSD", "derivation input"),
    "operating_cash_flow_musd": ("operating cash flow (after tax), undiscounted", "MUSD", "derivation input"),
    "lom_copper_kt": ("life-of-mine copper", "kt", "derivation input"),
    "lom_gold_koz": ("life-of-mine gold", "koz", "derivation input"),
    "revenue_musd": ("revenue to 2065", "MUSD", "derivation input"),
    "royalty_and_tax_musd": ("royalties and taxes to 2065", "MUSD", "independent check"),
    "royalties_and_taxes_30y_musd": ("royalties and taxes, first 30 years (ECC)", "MUSD", "independent check"),
}


def model_figures(case: ec.Case) -> dict[str, float | None]:
    e = ec.evaluate(case, (8.0,))
    f = e.flows
    prod = [i for i, v in enumerate(f.ore_mt) if v > 0]
    first = prod[0] if prod else 0
    gov = f.royalty + f.tax
    return {
        "npv8_musd": e.npv[8.0], "irr_pct": e.irr.value_pct,
        "pretax_cash_flow_musd": float(f.pre_tax.sum()),
        "free_cash_flow_musd": float(f.net.sum()),
        "operating_cash_flow_musd": float((f.net + f.capex).sum()),
        "lom_copper_kt": float(f.recovered.get("copper", np.zeros(1)).sum()) / 1e3,
        "lom_gold_koz": float(f.recovered.get("gold", np.zeros(1)).sum()) / 1e3,
        "revenue_musd": float(f.revenue.sum()),
        "royalty_and_tax_musd": float(gov.sum()),
        "royalties_and_taxes_30y_musd": float(gov[first:first + 30].sum()),
    }


def validate(case: ec.Case) -> list[Check]:
    pub = published(case)
    model = model_figures(case)
    out = []
    for key, (label, unit, role) in LABELS.items():
        if key not in pub:
            continue
        out.append(Check(key, label, pub[key].value, model.get(key), unit, pub[key].provenance(), role,
                         TOLERANCES.get(key)))
    return out


def fmt(x: float | None, unit: str) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    return f"{x:,.2f}" if unit == "%" else f"{x:,.0f}"


def as_dict(checks: list[Check], steps: list[Step]) -> dict[str, Any]:
    return {"checks": [{"figure": c.label, "key": c.key, "published": c.published, "model": c.model,
                        "unit": c.unit, "difference_pct": None if c.difference_pct is None else round(c.difference_pct, 2),
                        "tolerance_pct": None if c.tolerance is None else 100 * c.tolerance, "within": c.within,
                        "role": c.role, "source": c.source} for c in checks],
            "derivation": [{"input": s.name, "value": s.value, "unit": s.unit, "formula": s.formula} for s in steps]}
