"""Analytics pages: supply-risk ranking with the risk map, the list check, the what-if form, project
economics (partner cash flows, NPV/IRR, tornado, Monte Carlo) and screening. Thin adapters over
maadan.analytics.service; charts are server-drawn inline SVG (no script, no CDN)."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from markupsafe import Markup

from maadan.analytics import calibration, charts, criticality as crit, finance, montecarlo, params, report, scenarios
from maadan.analytics import governance, sensitivity, service, tornado_chart
from maadan.errors import InvalidInput, MaadanError
from maadan.http.client_limits import limited
from maadan.http.deps import UoW
from maadan.http.errors import PAGE_TAG
from maadan.web.templating import NavLink, render

router = APIRouter(include_in_schema=False, tags=[PAGE_TAG])
NAV = (NavLink(80, "/analytics", "Analytics"),)
WEB_PATHS = (1_000, 20_000, 100_000)  # Monte Carlo sizes offered on the page: bounded


def _fit(svg: str) -> Markup:
    """A fixed-size SVG made to scale with the page (class chart: width 100 %, keeps its viewBox)."""
    return Markup(re.sub(r'^<svg ([^>]*?)width="\d+" height="\d+"', r'<svg class="chart wide" \1', svg, count=1))


@router.get("/analytics")
def index(request: Request, uow: UoW) -> Response:
    with uow:
        cases = params.case_ids()
        names = {pid: name for pid, name, _ in uow.projects.names()}
    return render(request, "analytics/index.html", {"cases": [(c, names.get(c, c)) for c in cases]})


@router.get("/analytics/criticality")
def criticality_page(request: Request, uow: UoW) -> Response:
    risks = service.supply_risk(uow)
    pts = charts.points(risks)
    return render(request, "analytics/criticality.html", {
        "risks": risks, "chart": _fit(charts.svg(pts)) if pts else None, "method": crit.SCORE_METHOD,
        "geopolrisk": crit.GEOPOLRISK_NOTE, "governance_source": governance.table_source(),
        "size_note": charts.SIZE_NOTE})


@router.get("/analytics/validation")
def validation_page(request: Request, uow: UoW) -> Response:
    return render(request, "analytics/validation.html", {
        "check": service.check_against_list(uow),
        "ranking": report.shortfall_check(service.check_shortfall(uow))})


@router.get("/analytics/whatif")
def whatif_page(request: Request, uow: UoW,
                project: Annotated[str | None, Query(max_length=80)] = None,
                phase: Annotated[str | None, Query(max_length=40)] = None,
                mineral: Annotated[str | None, Query(max_length=80)] = None,
                add: Annotated[str | None, Query(max_length=30)] = None,
                unit: Annotated[str | None, Query(max_length=40)] = None) -> Response:
    form = {"project": project or "", "phase": phase or "", "mineral": mineral or "", "add": add or "",
            "unit": unit or ""}
    result, error = None, None
    if project or add:
        try:  # the form again with what went wrong
            value = None
            if add:
                try:
                    value = float(add)
                except ValueError:
                    raise InvalidInput(f"add: {add!r} is not a number") from None
            result = service.project_whatif(uow, project or None, phase=phase or None,
                                            mineral=mineral or None, value=value, unit=unit or None)
        except MaadanError as exc:
            error = exc.message
    return render(request, "analytics/whatif.html", {"form": form, "result": result, "error": error},
                  status_code=422 if error else 200)


@router.get("/analytics/economics/{project}", dependencies=[Depends(limited("compute"))])
def economics_page(request: Request, project: str, uow: UoW,
                   rate: Annotated[float, Query(gt=-100, le=100)] = 8.0,
                   paths: Annotated[int, Query(ge=100, le=max(WEB_PATHS))] = 20_000) -> Response:
    e = service.project_economics(uow, project, rates_pct=(rate, 10.0) if rate != 10.0 else (rate,))
    t = sensitivity.tornado(e.case, rate)
    fin = finance.parse_financing(e.case)
    mc, _ = montecarlo.simulate(e.case, montecarlo.Uncertainty(), paths=paths, rate_pct=rate, financing=fin)
    validation = fin_view = scen = None
    if calibration.published(e.case):
        validation = report.validation_table(e.case, calibration.validate(e.case), calibration.derive(e.case))
    if fin is not None and fin.known:
        lev = finance.levered(e.case, fin, rate)
        fin_view = report.finance_report(service.FinanceReport(lev, finance.us_view(lev), None))
    if scenarios.scenario_file(e.case.project_id) is not None:
        scen = scenarios.as_dicts(scenarios.compare(e.case, scenarios.load(e.case), rate))
    return render(request, "analytics/economics.html", {
        "e": e, "rate": rate, "tornado": t, "tornado_svg": _fit(tornado_chart.svg(t)), "mc": mc,
        "assumptions": params.assumptions(e.case), "paths": paths, "web_paths": WEB_PATHS,
        "mc_assumptions": mc.uncertainty.describe(), "validation": validation, "finance": fin_view,
        "scenarios": scen})


@router.get("/analytics/screening", dependencies=[Depends(limited("compute"))])
def screening_page(request: Request, uow: UoW,
                   profile: Annotated[str, Query(pattern=r"^[a-z0-9-]{1,40}$")] = "us-investor") -> Response:
    s = service.screen_candidates(uow, profile)
    return render(request, "analytics/screening.html", {"s": s})
