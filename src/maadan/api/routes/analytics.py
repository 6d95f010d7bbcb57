"""Analytics over REST: supply risk, the list check, what-if, project economics, Monte Carlo, screening and
reports. Thin: parse, call maadan.analytics.service, serialise with maadan.analytics.report."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response

from maadan.analytics import criticality as crit, document, montecarlo, report, sensitivity, service
from maadan.analytics.whatif import ImportVolume
from maadan.api.client_limits import RESPONSES as LIMIT_RESPONSES
from maadan.api.client_limits import limited
from maadan.api.deps import UoW
from maadan.api.security_headers import DOCUMENT_POLICY

router = APIRouter(prefix="/api/analytics", tags=["analytics"])
COMPUTE = [Depends(limited("compute"))]
MAX_WEB_PATHS = 200_000  # bounded: one request must not hold a worker for long
Rate = Annotated[float, Query(gt=-100, le=100, description="Discount rate in % (> -100)")]


@router.get("/criticality", summary="Supply-risk indicators of every mineral with USGS figures, ranked")
def criticality(uow: UoW) -> dict:
    risks = service.supply_risk(uow)
    return {"method": crit.SCORE_METHOD, "geopolrisk": crit.GEOPOLRISK_NOTE,
            "minerals": [report.risk(r) for r in risks]}


@router.get("/criticality/{mineral}", summary="Supply-risk indicators of one mineral (name, alias or symbol)")
def criticality_one(mineral: Annotated[str, Path(min_length=1, max_length=80)], uow: UoW) -> dict:
    (r,) = service.supply_risk(uow, mineral)
    return {"method": crit.SCORE_METHOD, **report.risk(r)}


@router.get("/validation", summary="ROC AUC of the score against the USGS 2025 list, misranked minerals named")
def validation(uow: UoW, list: Annotated[Literal["usgs-2025", "usgs-2022", "doe-2023", "eu-2023"],
                                         Query(description="Official list")] = "usgs-2025") -> dict:
    return report.list_check(service.check_against_list(uow, list))


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
           import_category: Annotated[str | None, Query(max_length=120)] = None) -> dict:
    volume = ImportVolume(us_imports, us_imports_unit, us_imports_source) if us_imports is not None else None
    w = service.project_whatif(uow, project, phase=phase, mineral=mineral, value=add, unit=unit,
                               us_share_pct=us_share, us_imports=volume, import_category=import_category,
                               country=country)
    return report.whatif(w)


@router.get("/economics/{project}", summary="DCF of a project's case: partner cash flows, NPV, IRR, tornado",
            dependencies=COMPUTE, responses=LIMIT_RESPONSES)
def economics(project: Annotated[str, Path(min_length=1, max_length=80)], uow: UoW,
              rate: Annotated[list[float] | None, Query(description="Discount rates in % (repeatable)")] = None,
              us_share: Annotated[float | None, Query(ge=0, le=100)] = None) -> dict:
    rates = tuple(rate or (8.0, 10.0))
    for i, r in enumerate(rates):
        if not -100 < r <= 100:
            raise RequestValidationError([{"loc": ("query", "rate", i), "msg": f"discount rate must be > -100 % "
                                           f"and <= 100 %, not {r:g}", "type": "value_error"}])
    e = service.project_economics(uow, project, rates_pct=rates, us_share_pct=us_share)
    t = sensitivity.tornado(e.case, rates[0])
    return {**report.evaluation(e), "tornado": {
        "rate_pct": t.rate_pct, "base_npv": round(t.base_npv, 2), "note": t.note,
        "bars": [{"input": b.factor.name, "low": b.factor.low, "high": b.factor.high, "why": b.factor.why,
                  "npv_low": round(b.npv_low, 2), "npv_high": round(b.npv_high, 2)} for b in t.bars]}}


@router.get("/montecarlo/{project}", summary="NPV distribution per partner (P10/P50/P90), seeded",
            dependencies=COMPUTE, responses=LIMIT_RESPONSES)
def montecarlo_(project: Annotated[str, Path(min_length=1, max_length=80)], uow: UoW,
                paths: Annotated[int, Query(ge=100, le=MAX_WEB_PATHS, description="Price paths (bounded)")] = 20_000,
                rate: Rate = 8.0, seed: Annotated[int, Query(ge=0, le=2**32 - 1)] = 2025) -> dict:
    case = service.project_economics(uow, project, rates_pct=(rate,)).case
    result, _ = montecarlo.simulate(case, montecarlo.Uncertainty(), paths=paths, rate_pct=rate, seed=seed)
    return report.montecarlo(result, case)


@router.get("/screening", summary="Projects and open ground ranked for an investor profile, with reasons",
            dependencies=COMPUTE, responses=LIMIT_RESPONSES)
def screening(uow: UoW, profile: Annotated[str, Query(pattern=r"^[a-z0-9-]{1,40}$",
                                                      description="Bundled profile id")] = "us-investor") -> dict:
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
