"""JSON-ready views of analytics results (for `--json` and, later, the API). Inputs and sources included."""

from __future__ import annotations

from typing import Any

from maadan.analytics import criticality, params
from maadan.analytics.criticality import Concentration, MineralRisk
from maadan.analytics.economics import Evaluation
from maadan.analytics.montecarlo import MonteCarloResult
from maadan.analytics.service import ListCheck, WhatIfReport
from maadan.analytics.validation import ValidationReport


def _r(x: float | None, nd: int = 4) -> float | None:
    return None if x is None else round(float(x), nd)


def concentration(c: Concentration | None) -> dict[str, Any] | None:
    if c is None:
        return None
    return {
        "edition": c.edition, "series": c.series, "metric": c.metric, "year": c.year, "estimated": c.estimated,
        "unit": c.unit, "world_total": c.world_total, "world_qualifier": c.world_qualifier,
        "hhi": _r(c.hhi, 1), "hhi_normalised": _r(c.hhi_normalised), "lower_bound": True,
        "top1": {"country": c.top1.country, "share_pct": _r(c.top1.share_pct, 2)} if c.top1 else None,
        "top3_pct": _r(c.top3_pct, 2), "china_pct": _r(c.china_pct, 2), "coverage_pct": _r(c.coverage_pct, 2),
        "bounded": c.bounded, "note": c.note,
        "inputs": [{"country": r.country, "value": r.value, "share_pct": _r(r.share_pct, 3), "qualifier": r.qualifier}
                   for r in c.rows],
        "excluded": c.excluded, "sources": c.sources,
    }


def risk(r: MineralRisk) -> dict[str, Any]:
    nir = r.reliance
    imp = r.imports
    return {
        "mineral": r.mineral_id, "name": r.name, "score": _r(r.score), "score_method": criticality.SCORE_METHOD,
        "production": concentration(r.production), "reserves": concentration(r.reserves),
        "net_import_reliance": None if nir is None else {
            "value_pct_scored": nir.value_pct, "published": nir.published, "bound": nir.bound,
            "net_exporter": nir.net_exporter, "edition": nir.edition, "year": nir.year, "estimated": nir.estimated,
            "basis": nir.basis, "other_bases": list(nir.other_bases), "source": nir.source},
        "import_sources": None if imp is None else {
            "category": imp.category, "edition": imp.edition, "period": imp.period, "hhi": _r(imp.hhi, 1),
            "hhi_normalised": _r(imp.hhi_normalised), "shares": [{"country": c, "share_pct": v} for c, v in imp.shares],
            "other_pct": imp.other_pct, "complete": imp.complete, "source": imp.source, "note": imp.note,
            "lower_bound": True},
        "import_categories": [{"category": c.category, "edition": c.edition, "hhi": _r(c.hhi, 1),
                               "complete": c.complete} for c in r.import_categories],
        "geopolrisk": None, "geopolrisk_status": "unavailable", "geopolrisk_note": r.geopolrisk_note, "missing": r.missing, "sources": r.sources,
    }


def validation(v: ValidationReport) -> dict[str, Any]:
    def item(s):
        return {"mineral": s.mineral_id, "name": s.name, "score": _r(s.score, 8), "critical": s.critical, "via": s.via}
    return {"score": v.score_name, "method": v.method, "list": v.list_id, "auc": _r(v.auc),
            "n_critical": v.n_critical, "n_other": v.n_other,
            "false_negatives": [item(s) for s in v.false_negatives],
            "false_positives": [item(s) for s in v.false_positives],
            "listed_but_not_scored": v.unscored_critical, "items": [item(s) for s in v.items]}


def list_check(c: ListCheck) -> dict[str, Any]:
    return {"primary": validation(c.primary), "secondary": validation(c.secondary),
            "mcs_commodities_without_production_concentration": c.unscored,
            "method": "See docs/analytics.md section 2: label = mineral or a group member on the list; "
                      "misranked = outside/inside the top k, k = number of critical minerals scored"}


def whatif(w: WhatIfReport) -> dict[str, Any]:
    return {
        "project": w.project_id, "name": w.project_name, "phase": w.phase, "skipped": w.skipped,
        "supply": [{
            "mineral": s.mineral_id, "added": s.addition.label, "input": {"value": s.addition.value,
                                                                          "unit": s.addition.unit,
                                                                          "source": s.addition.source},
            "conversion": s.conversion, "series": s.series, "year": s.year, "unit": s.unit,
            "world_before": s.world_before, "world_after": s.world_after,
            "hhi_before": _r(s.hhi_before, 1), "hhi_after": _r(s.hhi_after, 1),
            "country": s.addition.country, "share_before_pct": _r(s.country_row.before_pct, 3),
            "share_after_pct": _r(s.country_row.after_pct, 3), "rank_before": s.country_rank_before,
            "rank_after": s.country_rank_after, "countries_listed": s.n_countries_after,
            "shares": [{"country": r.country, "before_pct": _r(r.before_pct, 3), "after_pct": _r(r.after_pct, 3),
                        "rank_before": r.rank_before, "rank_after": r.rank_after} for r in s.rows],
            "notes": s.notes, "sources": s.sources} for s in w.supply],
        "us_imports": [{
            "category": i.category, "edition": i.edition, "period": i.period, "us_share_pct": i.us_share_pct,
            "shipped": i.shipped, "volume": {"value": i.volume.value, "unit": i.volume.unit,
                                             "source": i.volume.source},
            "hhi_before": _r(i.hhi_before, 1), "hhi_after": _r(i.hhi_after, 1),
            "shares_before": [{"country": c, "share_pct": v} for c, v in i.shares_before],
            "shares_after": [{"country": c, "share_pct": _r(v, 3)} for c, v in i.shares_after],
            "other_after_pct": _r(i.other_after_pct, 3), "notes": i.notes, "sources": i.sources} for i in w.imports],
    }


def _provenance(case) -> list[dict[str, Any]]:
    return [{"parameter": k, "value": v.value, "unit": v.unit, "verified": v.verified, "provenance": v.provenance()}
            for k, v in case.provenance.items() if isinstance(v, params.Cited)]


def evaluation(e: Evaluation) -> dict[str, Any]:
    f = e.flows
    t = e.take
    return {
        "project": e.case.project_id, "name": e.case.name, "start_year": e.case.start_year, "unit": "MUSD",
        "rates_pct": list(e.rates_pct), "npv": {str(r): _r(v, 2) for r, v in e.npv.items()},
        "irr_pct": _r(e.irr.value_pct), "irr_note": e.irr.reason, "payback_years": _r(e.payback_years, 2),
        "government_take": {"royalty": _r(t.royalty, 1), "income_tax": _r(t.income_tax, 1),
                            "government_equity": _r(t.government_equity, 1), "host_total": _r(t.host_total, 1),
                            "pre_fiscal_net_cash_flow": _r(t.pre_fiscal, 1),
                            "fiscal_take_pct": _r(t.fiscal_take_pct, 2), "host_take_pct": _r(t.host_take_pct, 2),
                            "us_tariff_absorbed": _r(t.us_tariff, 1),
                            "note": "undiscounted; host take counts government-owned partners' cash flows"},
        "partners": [{"name": p.partner.name, "equity_pct": p.partner.equity_pct, "carried": p.partner.carried,
                      "government": p.partner.government, "npv": {str(r): _r(v, 2) for r, v in p.npv.items()},
                      "irr_pct": _r(p.irr.value_pct), "irr_note": p.irr.reason,
                      "payback_years": _r(p.payback_years, 2),
                      "cash_flows": [round(float(x), 3) for x in p.cash_flows]} for p in e.partners],
        "cash_flows": {"year": f.years.tolist(), "ore_mt": f.ore_mt.tolist(),
                       **{f"payable_{k}": [round(float(x), 1) for x in v] for k, v in f.metal.items()},
                       **{k: [round(float(x), 3) for x in getattr(f, k)]
                          for k in ("revenue", "royalty", "tariff", "offsite", "opex", "capex", "depreciation",
                                    "tax", "net")}},
        "parameters": _provenance(e.case), "files": e.case.provenance.get("_files", []),
        "notes": e.case.provenance.get("_notes", []),
    }


def montecarlo(m: MonteCarloResult, case) -> dict[str, Any]:
    def dist(d):
        return {"p10": _r(d.p10, 1), "p50": _r(d.p50, 1), "p90": _r(d.p90, 1), "mean": _r(d.mean, 1),
                "prob_loss_pct": _r(d.prob_loss_pct, 3)}
    return {"project": case.project_id, "paths": m.paths, "years": m.years, "rate_pct": m.rate_pct, "seed": m.seed,
            "chunk": m.chunk, "unit": "MUSD NPV", "project_npv": dist(m.project),
            "partners": {k: dist(v) for k, v in m.partners.items()}, "assumptions": m.uncertainty.describe(),
            "note": m.note, "parameters": _provenance(case)}


def screening(s) -> dict[str, Any]:
    p = s.profile
    return {
        "profile": {"id": p.id, "name": p.name, "file": p.path,
                    "weights": {k: {"value": w.value, "why": w.why} for k, w in p.weights.items()},
                    "minerals": {"list": p.list_id, "list_source": p.list_source,
                                 "listed_weight": p.listed_weight.value, "score_weight": p.score_weight.value},
                    "stage_scores": {k: {"value": w.value, "why": w.why} for k, w in p.stage_scores.items()},
                    "hurdle_rate_pct": p.hurdle_rate_pct.value, "scale_musd": p.scale_musd.value,
                    "unknown_score": p.unknown_score.value},
        "notes": s.notes,
        "candidates": [{
            "rank": i.rank, "project": i.project_id, "name": i.name, "category": i.category, "status": i.status,
            "commodities": i.commodities, "score": _r(i.total), "ground": {"free": i.ground.free,
                                                                           "detail": i.ground.detail},
            "factors": {c.factor: {"score": _r(c.score), "known": c.known, "reason": c.reason, "sources": c.sources}
                        for c in i.components},
            "reasons": i.reasons} for i in s.items],
    }
