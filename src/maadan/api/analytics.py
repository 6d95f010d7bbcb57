"""Analytics over REST: supply risk, the list check, what-if, project economics, Monte Carlo, screening and
reports. Thin: parse, call maadan.analytics.service, serialise with maadan.analytics.report."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from pydantic import Field

from maadan.analytics import criticality as crit, document, finance, montecarlo, report, scenarios, sensitivity
from maadan.analytics import governance, service, supplyrisk
from maadan.analytics.whatif import ImportVolume
from maadan.api.schemas import ApiRoute, Out
from maadan.http.client_limits import RESPONSES as LIMIT_RESPONSES
from maadan.http.client_limits import limited
from maadan.http.deps import UoW
from maadan.http.security_headers import DOCUMENT_POLICY

router = APIRouter(prefix="/api/analytics", tags=["analytics"], route_class=ApiRoute)
COMPUTE = [Depends(limited("compute"))]
MAX_WEB_PATHS = 200_000  # bounded: one request must not hold a worker for long
Rate = Annotated[float, Query(gt=-100, le=100, description="Discount rate in % (> -100)")]


class RiskOut(Out):
    """One mineral's supply-risk indicators, each with its inputs and sources (docs/analytics.md)."""

    mineral: str
    name: str
    score: float | None
    production: dict[str, Any] | None
    reserves: dict[str, Any] | None
    net_import_reliance: dict[str, Any] | None
    import_sources: dict[str, Any] | None
    missing: list[str]
    sources: Any


class CriticalityOut(Out):
    method: str
    geopolrisk: str
    governance_source: str = Field(description="The WGI table GeoPolRisk weights partners by (§1)")
    minerals: list[RiskOut]


class CriticalityOneOut(RiskOut):
    method: str


class ListCheckOut(Out):
    primary: dict[str, Any] = Field(description="ROC AUC of the score against the list, misranked minerals named")
    secondary: dict[str, Any]
    method: str


class WhatIfOut(Out):
    project: str | None
    supply: list[dict[str, Any]]
    us_imports: list[dict[str, Any]]


class TornadoOut(Out):
    rate_pct: float
    base_npv: float
    note: str
    bars: list[dict[str, Any]]


class EconomicsOut(Out):
    """Project and partner NPV, IRR, payback and government take, in MUSD, with every assumption."""

    project: str
    name: str
    unit: str
    rates_pct: list[float]
    npv: dict[str, float | None]
    partners: list[dict[str, Any]]
    tornado: TornadoOut


class MonteCarloOut(Out):
    project: str
    paths: int
    years: int
    rate_pct: float
    seed: int


class LossOut(Out):
    """Expected disruption loss per commodity (docs/analytics.md §2b), ranked, each with its inputs."""

    method: str
    minerals: list[dict[str, Any]]


class ShortfallOut(Out):
    """Disruption shortfall per commodity (docs/analytics.md §2c), ranked, each with its inputs and borrowings."""

    method: str
    minerals: list[dict[str, Any]]


class ShortfallCheckOut(Out):
    """Spearman rho and ROC AUC of each supply-risk score (composite, §2b, §2c prior and tuned), the split, and
    the input driving each large disagreement (docs/analytics.md §2c)."""

    list: str
    method: str
    rank: dict[str, dict[str, Any]]
    auc: dict[str, dict[str, Any]]
    drivers: dict[str, list[dict[str, Any]]]
    split: dict[str, Any] = Field(description="The train/test rule, its halves and the (p0, k) chosen on train")
    single_producer: list[dict[str, Any]] = Field(description="Commodities whose US production USGS withholds "
                                                  "(possible single producer) and whether each is on the list")


class VariantCheckOut(Out):
    """Each variant of the shortfall score (docs/analytics.md §2d, §2e): Spearman rho on all ranked commodities and on
    each half of the split, ROC AUC against the list, and the variant chosen on the training half only."""

    list: str
    method: str
    split: str
    chosen_on_train: str
    variants: list[dict[str, Any]]
    resampled: dict[str, Any] = Field(description="Diagnostic: the train-half choice over 1,000 random halvings")
    governance_source: str = Field(description="The WGI table and mapping V7 and V8 weight partners by (§2e)")


class LossCheckOut(Out):
    """Spearman rho against the USGS 2025 ranking and ROC AUC against the list, before and after, with the split."""

    list: str
    rank_before: dict[str, Any]
    rank_after: dict[str, Any]
    auc_before: dict[str, Any]
    auc_after: dict[str, Any]
    split: dict[str, Any] = Field(description="The train/test rule, its halves and the grid chosen on train")
    method: str


class CaseValidationOut(Out):
    """Published figure, model figure, difference and tolerance; the derivation of the inputs no source gives."""

    project: str
    tolerances_pct: dict[str, float]
    checks: list[dict[str, Any]]
    derivation: list[dict[str, Any]]


class FinanceOut(Out):
    """Tranches as reported, the levered case, equity per partner, DSCR per year and its minimum, US view."""

    project: str
    rate_pct: float
    debt_musd: float
    tranches: list[dict[str, Any]]
    unlevered: dict[str, Any]
    levered: dict[str, Any]
    partners: list[dict[str, Any]]
    dscr: list[dict[str, Any]]
    min_dscr: dict[str, Any] | None


class ScenariosOut(Out):
    project: str
    rate_pct: float
    scenarios: list[dict[str, Any]]


class ScreeningOut(Out):
    profile: dict[str, Any] = Field(description="The investor profile: weights, each with why")
    notes: list[str]
    candidates: list[dict[str, Any]] = Field(description="Ranked, each with its factors and reasons")


@router.get("/criticality", summary="Supply-risk indicators of every mineral with USGS figures, ranked")
def criticality(uow: UoW) -> CriticalityOut:
    risks = service.supply_risk(uow)
    return {"method": crit.SCORE_METHOD, "geopolrisk": crit.GEOPOLRISK_NOTE,
            "governance_source": governance.table_source(), "minerals": [report.risk(r) for r in risks]}


@router.get("/criticality/{mineral}", summary="Supply-risk indicators of one mineral (name, alias or symbol)")
def criticality_one(mineral: Annotated[str, Path(min_length=1, max_length=80)], uow: UoW) -> CriticalityOneOut:
    (r,) = service.supply_risk(uow, mineral)
    return {"method": crit.SCORE_METHOD, **report.risk(r)}


@router.get("/validation", summary="ROC AUC of the score against the USGS 2025 list, misranked minerals named")
def validation(uow: UoW, list: Annotated[Literal["usgs-2025", "usgs-2022", "doe-2023", "eu-2023"],
                                         Query(description="Official list")] = "usgs-2025") -> ListCheckOut:
    return report.list_check(service.check_against_list(uow, list))


@router.get("/loss", summary="Expected disruption loss per commodity (closer to the USGS 2025 method)",
            dependencies=COMPUTE, responses=LIMIT_RESPONSES)
def loss(uow: UoW) -> LossOut:
    return {"method": supplyrisk.METHOD, "minerals": [report.loss_score(s) for s in service.loss_scores(uow)]}


@router.get("/loss/check", summary="Spearman rho against the USGS 2025 ranking and ROC AUC against the list, "
                                   "before and after, with the split",
            dependencies=COMPUTE, responses=LIMIT_RESPONSES)
def loss_check(uow: UoW) -> LossCheckOut:
    return report.loss_check(service.check_loss(uow))


@router.get("/shortfall", summary="Disruption shortfall per commodity (the revised method, docs/analytics.md §2c)",
            dependencies=COMPUTE, responses=LIMIT_RESPONSES)
def shortfall(uow: UoW) -> ShortfallOut:
    return {"method": supplyrisk.SHORTFALL_METHOD,
            "minerals": [report.shortfall_score(s) for s in service.shortfall_scores(uow)]}


@router.get("/shortfall/check", summary="The revised method, §2b and the composite against the USGS 2025 ranking "
                                        "and list, with the split and the inputs driving the disagreements",
            dependencies=COMPUTE, responses=LIMIT_RESPONSES)
def shortfall_check(uow: UoW) -> ShortfallCheckOut:
    return report.shortfall_check(service.check_shortfall(uow))


@router.get("/shortfall/variants", summary="The variants of the shortfall score (docs/analytics.md §2d, §2e) against "
                                           "the USGS 2025 ranking and list, per half of the split",
            dependencies=COMPUTE, responses=LIMIT_RESPONSES)
def shortfall_variants(uow: UoW) -> VariantCheckOut:
    return report.variant_check(service.check_variants(uow))


@router.get("/whatif", summary="New world shares, HHI and rank if a project's output (or a figure) is added")
def whatif(uow: UoW,
           project: Annotated[str | None, Query(max_length=80)] = None,
           phase: Annotated[str | None, Query(max_length=40)] = None,
           mineral: Annotated[str | None, Query(max_length=80)] = None,
           add: Annotated[float | None, Query(ge=0, le=1e12, description="A figure given by hand")] = None,
           unit: Annotated[str | None, Query(max_length=40)] = None,
           country: Annotated[str, Query(min_length=1, max_length=80)] = "Pakistan",
           us_share: Annotated[float | None, Query(ge=0, le=100, description="% shipped to the US")] = None,
           us_imports: Annotated[float | None, Query(gt=0, le=1e12, description="US imports in the category, "
                                                                                "same period as the shares")] = None,
           us_imports_unit: Annotated[str, Query(min_length=1, max_length=40)] = "t",
           us_imports_source: Annotated[str, Query(max_length=300, description="Where us_imports comes from")] = "",
           import_category: Annotated[str | None, Query(max_length=120)] = None) -> WhatIfOut:
    volume = ImportVolume(us_imports, us_imports_unit, us_imports_source) if us_imports is not None else None
    w = service.project_whatif(uow, project, phase=phase, mineral=mineral, value=add, unit=unit,
                               us_share_pct=us_share, us_imports=volume, import_category=import_category,
                               country=country)
    return report.whatif(w)


@router.get("/economics/{project}", summary="DCF of a project's case: partner cash flows, NPV, IRR, tornado",
            dependencies=COMPUTE, responses=LIMIT_RESPONSES)
def economics(project: Annotated[str, Path(min_length=1, max_length=80)], uow: UoW,
              rate: Annotated[list[float] | None, Query(description="Discount rates in % (repeatable)")] = None,
              us_share: Annotated[float | None, Query(ge=0, le=100)] = None,
              reading: Annotated[list[str] | None, Query(description="Alternative fiscal readings by id "
                                                         "(repeatable)")] = None) -> EconomicsOut:
    rates = tuple(rate or (8.0, 10.0))
    for i, r in enumerate(rates):
        if not -100 < r <= 100:
            raise RequestValidationError([{"loc": ("query", "rate", i), "msg": f"discount rate must be > -100 % "
                                           f"and <= 100 %, not {r:g}", "type": "value_error"}])
    for i, r in enumerate(reading or []):
        if not re.fullmatch(r"[a-z0-9-]{1,60}", r):
            raise RequestValidationError([{"loc": ("query", "reading", i), "msg": "a reading id is lower-case "
                                           "letters, digits and hyphens", "type": "value_error"}])
    e = service.project_economics(uow, project, rates_pct=rates, us_share_pct=us_share,
                                  readings=tuple(reading or ()))
    t = sensitivity.tornado(e.case, rates[0])
    return {**report.evaluation(e), "tornado": {
        "rate_pct": t.rate_pct, "base_npv": round(t.base_npv, 2), "note": t.note,
        "bars": [{"input": b.factor.name, "low": b.factor.low, "high": b.factor.high, "why": b.factor.why,
                  "npv_low": round(b.npv_low, 2), "npv_high": round(b.npv_high, 2), "inputs": b.status}
                 for b in t.bars]}}


@router.get("/economics/{project}/validation",
            summary="The case against its published figures, with the derivation of the inputs no source gives",
            dependencies=COMPUTE, responses=LIMIT_RESPONSES)
def economics_validation(project: Annotated[str, Path(min_length=1, max_length=80)],
                         uow: UoW) -> CaseValidationOut:
    case, checks, steps = service.project_validation(uow, project)
    return report.validation_table(case, checks, steps)


@router.get("/economics/{project}/finance",
            summary="Levered case: tranches, equity IRR per partner, DSCR per year, US-side view, DSCR breaches",
            dependencies=COMPUTE, responses=LIMIT_RESPONSES)
def economics_finance(project: Annotated[str, Path(min_length=1, max_length=80)], uow: UoW, rate: Rate = 8.0,
                      paths: Annotated[int, Query(ge=0, le=50_000, description="Monte Carlo paths (0: none)")]
                      = 0, seed: Annotated[int, Query(ge=0, le=2**32 - 1)] = 2025) -> FinanceOut:
    return report.finance_report(service.project_finance(uow, project, rate_pct=rate, paths=paths, seed=seed))


@router.get("/economics/{project}/scenarios", summary="Named scenarios side by side (prices, capital, delay, tax)",
            dependencies=COMPUTE, responses=LIMIT_RESPONSES)
def economics_scenarios(project: Annotated[str, Path(min_length=1, max_length=80)], uow: UoW, rate: Rate = 8.0,
                        paths: Annotated[int, Query(ge=0, le=5_000, description="Monte Carlo paths per scenario")]
                        = 0, seed: Annotated[int, Query(ge=0, le=2**32 - 1)] = 2025) -> ScenariosOut:
    case, rows = service.project_scenarios(uow, project, rate_pct=rate, paths=paths, seed=seed)
    return {"project": case.project_id, "rate_pct": rate, "scenarios": scenarios.as_dicts(rows)}


@router.get("/montecarlo/{project}", summary="NPV distribution per partner (P10/P50/P90), seeded",
            dependencies=COMPUTE, responses=LIMIT_RESPONSES)
def montecarlo_(project: Annotated[str, Path(min_length=1, max_length=80)], uow: UoW,
                paths: Annotated[int, Query(ge=100, le=MAX_WEB_PATHS, description="Price paths (bounded)")] = 20_000,
                rate: Rate = 8.0, seed: Annotated[int, Query(ge=0, le=2**32 - 1)] = 2025) -> MonteCarloOut:
    case = service.project_case(uow, project)
    result, _ = montecarlo.simulate(case, montecarlo.Uncertainty(), paths=paths, rate_pct=rate, seed=seed,
                                    financing=finance.parse_financing(case))
    return report.montecarlo(result, case)


@router.get("/screening", summary="Projects and open ground ranked for an investor profile, with reasons",
            dependencies=COMPUTE, responses=LIMIT_RESPONSES)
def screening(uow: UoW, profile: Annotated[str, Query(pattern=r"^[a-z0-9-]{1,40}$",
                                                      description="Bundled profile id")] = "us-investor") -> ScreeningOut:
    return report.screening(service.screen_candidates(uow, profile))


@router.get("/reports/{kind}/{name}", summary="A report as self-contained HTML or PDF: <name>.html or <name>.pdf",
            response_class=Response, dependencies=COMPUTE,
            responses={200: {"content": {"application/pdf": {}, "text/html": {}}}, **LIMIT_RESPONSES})
def report_file(kind: Literal["mineral", "project", "screening"],
                name: Annotated[str, Path(pattern=r"^[^/]{1,80}\.(pdf|html)$",
                                          description="mineral, project or profile id + .pdf or .html")],
                uow: UoW) -> Response:
    stem, _, fmt = name.rpartition(".")
    if kind == "mineral":
        doc = service.report_mineral(uow, stem)
    elif kind == "project":
        doc = service.report_project(uow, stem)
    else:
        doc = service.report_screening(uow, stem)
    # The name may resolve by alias or close match and hold any character: the header gets a plain slug.
    filename = f"{kind}-{re.sub(r'[^A-Za-z0-9._-]+', '-', stem).strip('-.') or 'report'}.{fmt}"
    if fmt == "html":  # a self-contained document: its inline CSS and SVG allowed, no script at all
        return HTMLResponse(document.to_html(doc), headers={"Content-Disposition": f'inline; filename="{filename}"',
                                                            "Content-Security-Policy": DOCUMENT_POLICY})
    return Response(document.to_pdf(doc), media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{filename}"'})
