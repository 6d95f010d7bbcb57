"""JSON-ready views of analytics results (for `--json` and, later, the API). Inputs and sources included."""

from __future__ import annotations

from typing import Any

from maadan.analytics import criticality, governance, params
from maadan.analytics.criticality import Concentration, MineralRisk
from maadan.analytics.economics import Evaluation
from maadan.analytics.montecarlo import MonteCarloResult
from maadan.analytics.outcomes import ListCheck, WhatIfReport
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
        "geopolrisk": _r(r.geopolrisk, 6), "geopolrisk_status": "unknown" if r.geopolrisk is None else "computed",
        "geopolrisk_note": r.geopolrisk_note, "geopolrisk_method": criticality.GEOPOLRISK_NOTE,
        "geopolrisk_sources": r.geopolrisk_sources, "missing": r.missing, "sources": r.sources,
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
    return [{"parameter": k, "value": v.text if v.text is not None else v.value, "unit": v.unit,
             "verified": v.verified, "confidence": v.confidence, "provenance": v.provenance()}
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
                            "us_tariff_absorbed": _r(t.us_tariff, 1), "super_tax": _r(t.super_tax, 1),
                            "by_levy": {k: {"payee": payee, "total": _r(v, 1)} for k, (payee, v) in t.by_levy.items()},
                            "note": "undiscounted; host take counts government-owned partners' cash flows"},
        "readings": {g: [{"id": i, "reading": r, "used": u} for i, r, u in alts]
                     for g, alts in (e.case.provenance.get("_readings") or {}).items()},
        "valuation": "start of the first year, end-of-year cash flows" if e.case.discount_offset else
                     "first year's cash flow undiscounted",
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


def _dist(d):
    return {"p10": _r(d.p10, 1), "p50": _r(d.p50, 1), "p90": _r(d.p90, 1), "mean": _r(d.mean, 1),
            "prob_loss_pct": _r(d.prob_loss_pct, 3)}


def coverage(c) -> dict[str, Any] | None:
    if c is None:
        return None
    return {"covenant_dscr": c.covenant, "min_dscr_p10": _r(c.min_dscr_p10, 3), "min_dscr_p50": _r(c.min_dscr_p50, 3),
            "prob_min_dscr_below_1_pct": _r(c.prob_below_1_pct, 3),
            "prob_min_dscr_below_covenant_pct": _r(c.prob_below_covenant_pct, 3),
            "prob_shortfall_pct": _r(c.prob_shortfall_pct, 3), "mean_shortfall_musd": _r(c.mean_shortfall_musd, 1),
            "us_lender": c.us_lender, "us_share_of_debt_pct": _r(c.us_share_pct, 2),
            "us_expected_shortfall_musd": _r(c.us_expected_shortfall, 1),
            "note": "DSCR tested in production years with debt service; the shortfall is undiscounted debt service "
                    "not covered by CFADS; the US share assumes the tranches rank pari passu (IFC's is subordinated)"}


def montecarlo(m: MonteCarloResult, case) -> dict[str, Any]:
    return {"project": case.project_id, "paths": m.paths, "years": m.years, "rate_pct": m.rate_pct, "seed": m.seed,
            "chunk": m.chunk, "engine": m.engine, "unit": "MUSD NPV", "project_npv": _dist(m.project),
            "partners": {k: _dist(v) for k, v in m.partners.items()},
            "equity_npv": None if m.equity is None else _dist(m.equity), "coverage": coverage(m.coverage),
            "assumptions": m.uncertainty.describe(), "note": m.note, "parameters": _provenance(case)}


def validation_table(case, checks, steps) -> dict[str, Any]:
    from maadan.analytics import calibration
    return {"project": case.project_id, "tolerances_pct": {k: 100 * v for k, v in calibration.TOLERANCES.items()},
            **calibration.as_dict(checks, steps)}


def finance_report(fr) -> dict[str, Any]:
    from maadan.analytics import finance as fin_mod
    lev = fr.levered
    f = lev.financing
    m = lev.min_dscr
    out = {
        "project": lev.case.project_id, "rate_pct": lev.rate_pct, "basis": f.basis, "debt_musd": f.total,
        "tranches": list(fin_mod.tranche_rows(f)),
        "reported_totals": {k: {"value": v.value, "source": v.provenance()} for k, v in f.reported_totals},
        "terms": {k: {"value": getattr(f.terms, k).value, "verified": getattr(f.terms, k).verified,
                      "source": getattr(f.terms, k).provenance()}
                  for k in ("first_draw_year", "grace_years", "repayment_years", "interest_pct", "covenant_dscr")},
        "unlevered": {"npv": _r(lev.unlevered.npv[lev.rate_pct], 1), "irr_pct": _r(lev.unlevered.irr.value_pct)},
        "levered": {"equity_npv": _r(lev.equity_npv, 1), "equity_irr_pct": _r(lev.equity_irr.value_pct),
                    "equity_irr_note": lev.equity_irr.reason},
        "partners": [{"name": p.partner.name, "carried": p.partner.carried, "equity_npv": _r(p.npv, 1),
                      "equity_irr_pct": _r(p.irr.value_pct), "irr_note": p.irr.reason} for p in lev.partners],
        "dscr": [{"year": y, "cfads": _r(c, 1), "interest": _r(i, 1), "principal": _r(pr, 1), "dscr": _r(d, 3)}
                 for y, c, i, pr, d in fin_mod.dscr_table(lev)],
        "min_dscr": None if m is None else {"value": _r(m[0], 3), "year": m[1]},
        "notes": lev.notes,
    }
    if fr.us is not None:
        u = fr.us
        out["us_view"] = {"lender": u.lender, "amount_musd": u.amount, "share_of_debt_pct": _r(u.share_of_debt_pct, 2),
                          "peak_outstanding_musd": _r(u.peak_outstanding, 1),
                          "outstanding_by_year": {str(y): _r(v, 1) for y, v in u.outstanding_by_year.items()},
                          "offtake": u.offtake,
                          "facts": {k: {"value": v.value, "source": v.provenance()} for k, v in u.facts.items()}}
    if fr.mc is not None:
        out["montecarlo"] = {"paths": fr.mc.paths, "seed": fr.mc.seed, "coverage": coverage(fr.mc.coverage),
                             "equity_npv": None if fr.mc.equity is None else _dist(fr.mc.equity)}
    return out


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


def loss_score(s) -> dict[str, Any]:
    return {"mineral": s.mineral_id, "name": s.name, "score_musd": _r(s.score_musd, 3),
            "likelihood": _r(s.likelihood, 5), "us_consumption_value_musd": _r(s.value_musd, 1),
            "exposure_basis": s.exposure_basis, "restricted_by": s.restricted_by,
            "possible_single_producer": s.possible_single_producer,
            "stages": [{"stage": x.stage or "all", "nir_pct": x.nir_pct, "nir_basis": x.nir_basis,
                        "value_musd": _r(x.value_musd, 1), "likelihood": _r(x.likelihood, 5),
                        "score_musd": _r(x.score_musd, 3)} for x in s.stages],
            "missing": s.missing, "sources": s.sources}


def loss_check(lc) -> dict[str, Any]:
    return {"list": lc.list_id, "rank_before": _rank_json(lc.rank_before), "rank_after": _rank_json(lc.rank_after),
            "auc_before": _auc_json(lc.auc_before), "auc_after": _auc_json(lc.auc_after), "split": lc.split,
            "method": "docs/analytics.md §2b"}


def shortfall_score(s) -> dict[str, Any]:
    return {"mineral": s.mineral_id, "name": s.name, "score": _r(s.score, 6),
            "score_x_consumption_value_musd": _r(s.usd_musd, 4), "us_consumption_value_musd": _r(s.value_musd, 1),
            "nir_pct": s.nir_pct, "nir_basis": s.nir_basis, "exposure_basis": s.exposure_basis,
            "restricted_by": s.restricted_by, "restricted_share": _r(s.restricted_share, 4),
            "largest_partner": {"country": s.top_partner, "share": _r(s.top_share, 4)} if s.top_partner else None,
            "possible_single_producer": s.possible_single_producer, "borrowed_from_group": s.borrowed,
            "stages": [{"nir_basis": b, "nir_pct": v, "score": _r(d, 6)} for b, v, d in s.stages],
            "missing": s.missing, "sources": s.sources}


def _rank_json(r) -> dict[str, Any]:
    return {"score": r.score_name, "n": r.n, "rho": _r(r.rho), "uncovered": r.uncovered,
            "pairs": [{"mineral": m, "name": n, "usgs_rank": u, "score": _r(s, 6)} for m, n, u, s in r.pairs],
            "disagreements": [{"mineral": d.mineral_id, "name": d.name, "usgs_rank": d.usgs_rank,
                               "model_rank": d.model_rank, "gap": d.gap} for d in r.disagreements]}


def _auc_json(a) -> dict[str, Any]:
    return {"score": a.score_name, "auc": _r(a.auc), "n_critical": a.n_critical, "n_other": a.n_other,
            "missed": [[n, _r(s, 6)] for n, s in a.missed], "false_alarms": [[n, _r(s, 6)] for n, s in a.false_alarms]}


def variant_check(vc) -> dict[str, Any]:
    def row(r) -> dict[str, Any]:
        return {"variant": r.variant, "description": r.description,
                "rho_all": _r(r.all.rho), "n_all": r.all.n, "rho_train": _r(r.train.rho), "n_train": r.train.n,
                "rho_test": _r(r.test.rho), "n_test": r.test.n, "auc": _r(r.auc.auc),
                "n_critical": r.auc.n_critical, "n_other": r.auc.n_other,
                "rank": _rank_json(r.all), "list": _auc_json(r.auc)}
    return {"list": vc.list_id, "method": "docs/analytics.md §2d, §2e", "split": vc.split_rule,
            "chosen_on_train": vc.chosen, "variants": [row(r) for r in vc.rows], "resampled": vc.resampled,
            "governance_source": f"{governance.DIMENSION}; {governance.MAPPING}; {governance.table_source()}"}


def shortfall_check(sc) -> dict[str, Any]:
    return {"list": sc.list_id, "method": "docs/analytics.md §2c",
            "rank": {k: _rank_json(r) for k, r in sc.rank.items()},
            "auc": {k: _auc_json(a) for k, a in sc.auc.items()},
            "drivers": {k: [{"mineral": d.mineral_id, "name": d.name, "usgs_rank": d.usgs_rank,
                             "model_rank": d.model_rank, "driver": d.driver, "driver_rank": d.driver_rank, "of": d.of}
                            for d in ds] for k, ds in sc.drivers.items()},
            "split": sc.split,
            "single_producer": [{"mineral": m, "name": n, "on_list": on} for m, n, on in sc.single_producer]}
