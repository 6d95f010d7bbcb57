"""Web pages of the agreements registry and the partner directory: the agreements list with its
timeline, one agreement, partners with the match form, and an organisation's page. Thin adapters
over agreements/service.py and partners/service.py."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from maadan.agreements import service, views
from maadan.agreements.model import CONFIDENCE, KINDS, KIND_LABELS, Agreement
from maadan.errors import InvalidInput, NotFound
from maadan.http.deps import UoW
from maadan.http.errors import PAGE_TAG
from maadan.organisations.model import CAPABILITIES, OWNERSHIPS
from maadan.partners import service as partners
from maadan.web.templating import NavLink, render

router = APIRouter(include_in_schema=False, tags=[PAGE_TAG])
NAV = (NavLink(50, "/agreements", "Agreements"), NavLink(60, "/partners", "Partners"))
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


def when(partial: str | None) -> str:
    """'2025-09-08' -> '8 September 2025'; '2025-04' -> 'April 2025'; None -> 'undated'."""
    if not partial:
        return "undated"
    parts = partial.split("-")
    if len(parts) == 1:
        return parts[0]
    month = MONTHS[int(parts[1]) - 1]
    return f"{int(parts[2])} {month} {parts[0]}" if len(parts) == 3 else f"{month} {parts[0]}"


def money(a: Agreement) -> str:
    if a.amount is None:
        return ""
    value = a.amount
    text = (f"{value / 1e9:,.2f}".rstrip("0").rstrip(".") + " bn" if value >= 1e9
            else f"{value / 1e6:,.1f}".rstrip("0").rstrip(".") + " m" if value >= 1e6 else f"{value:,.0f}")
    return f"{a.currency} {text}"


def _months(rows: list[Agreement]) -> "OrderedDict[str, list[Agreement]]":
    """Timeline rows grouped under their month ('April 2025'), or their year when no month is known."""
    out: OrderedDict[str, list[Agreement]] = OrderedDict()
    for a in rows:
        key = when(a.date[:7]) if a.date and len(a.date) >= 7 else when(a.date)
        out.setdefault(key, []).append(a)
    return out


def _context(extra: dict[str, Any]) -> dict[str, Any]:
    return {"when": when, "money": money, "kinds": KINDS, "kind_labels": KIND_LABELS, **extra}


@router.get("/agreements")
def agreements_page(request: Request, uow: UoW, party: str | None = None, country: str | None = None,
                    mineral: str | None = None, kind: str | None = None, year: str | None = None,
                    project: str | None = None, organisation: str | None = None) -> Response:
    raw = {"party": party, "country": country, "mineral": mineral, "kind": kind, "year": year, "project": project,
           "organisation": organisation}
    filters = {k: (v or "").strip()[:200] for k, v in raw.items()}
    error, rows, suggestions = None, [], []
    try:  # a filter naming nothing known: the page again, with the message and close names
        rows = service.find_agreements(uow, **{k: v or None for k, v in filters.items()})
    except (InvalidInput, NotFound) as exc:
        error = exc.message
        suggestions = exc.details.get("suggestions", []) if isinstance(exc, NotFound) else []
    dated = [a for a in rows if a.date]
    api = "/api/agreements?" + "&".join(f"{k}={quote(v)}" for k, v in filters.items() if v)
    return render(request, "agreements.html", _context({
        "rows": rows, "timeline": _months(dated), "filters": filters, "error": error, "suggestions": suggestions,
        "api": api.rstrip("?"), "active": any(filters.values())}), status_code=422 if error else 200)


@router.get("/agreements/stale")
def stale_page(request: Request, uow: UoW, older_than: str | None = None) -> Response:
    """The curator's page: records whose status is not final while their newest source is old."""
    default = request.app.state.settings.stale_days
    raw = (older_than or "").strip()
    if raw and not (raw.isdigit() and len(raw) <= 5 and int(raw) <= 36_500):
        raise InvalidInput(f"older than: {raw[:20]!r} is not a number of days (0-36500)")
    days = int(raw) if raw else default
    rows = service.stale_agreements(uow, older_than_days=days)
    return render(request, "agreements_stale.html", _context({"rows": rows, "days": days, "default": default}))


@router.get("/agreements/{agreement_id}")
def agreement_page(request: Request, agreement_id: str, uow: UoW) -> Response:
    d = service.agreement_detail(uow, agreement_id)
    a = d.agreement
    if a.id != agreement_id:  # a merged record's old id: send to the one address of the page
        return RedirectResponse(f"/agreements/{quote(a.id)}", status_code=301)
    readings: OrderedDict[str, list] = OrderedDict()
    for r in a.readings:
        readings.setdefault(r.field, []).append(r)
    claims = a.claims()
    return render(request, "agreement.html", _context({"d": d, "a": a, "readings": readings, "claims": claims,
                                                       "unsourced": sum(not c.sourced for c in claims),
                                                       "facts": views.facts(a),
                                                       "confidence_levels": CONFIDENCE}))


@router.get("/partners")
def partners_page(request: Request, uow: UoW, capability: str | None = None, mineral: str | None = None,
                  region: str | None = None, ownership: str | None = None) -> Response:
    # The match form sends for, match_mineral and match_region ("for" is a Python keyword).
    params = request.query_params
    for_ = (params.get("for") or "").strip()[:200]
    match_mineral = (params.get("match_mineral") or "").strip()[:200]
    match_region = (params.get("match_region") or "").strip()[:200]
    filters = {"capability": (capability or "").strip(), "mineral": (mineral or "").strip()[:200],
               "region": (region or "").strip()[:200], "ownership": (ownership or "").strip()}
    error, suggestions, rows, match = None, [], [], None
    try:  # as on the agreements page: the form again with what went wrong
        rows = partners.list_partners(uow, **{k: v or None for k, v in filters.items()})
        if for_:
            match = partners.match_partners(uow, for_, mineral=match_mineral or None,
                                            region=match_region or None)
    except (InvalidInput, NotFound) as exc:
        error = exc.message
        suggestions = exc.details.get("suggestions", []) if isinstance(exc, NotFound) else []
    return render(request, "partners.html", {
        "rows": rows, "filters": filters, "match": match, "error": error, "suggestions": suggestions,
        "form": {"for": for_, "mineral": match_mineral, "region": match_region},
        "capabilities": CAPABILITIES, "ownerships": OWNERSHIPS}, status_code=422 if error else 200)


@router.get("/organisations/{organisation_id}")
def organisation_page(request: Request, organisation_id: str, uow: UoW) -> Response:
    d = partners.partner_profile(uow, organisation_id)
    if d.profile.id != organisation_id:  # a name or alias: send to the one address of the page
        return RedirectResponse(f"/organisations/{quote(d.profile.id)}", status_code=301)
    o = d.profile.organisation
    claims = o.claims(d.partner_names)
    return render(request, "organisation.html", _context({"d": d, "p": d.profile, "o": o, "claims": claims,
                                                          "unsourced": sum(not c.sourced for c in claims)}))
