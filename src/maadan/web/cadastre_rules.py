"""The rules for people (public): every jurisdiction's rule versions with their legal status, the
version applied on a day and why (flagged where that is uncertain), every value with its legal
basis, source, confidence and `verified`, and what changed between two versions."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import Response

from maadan.cadastre import views
from maadan.errors import InvalidInput
from maadan.http.errors import PAGE_TAG
from maadan.web.templating import NavLink, render

router = APIRouter(include_in_schema=False, tags=[PAGE_TAG])
NAV = (NavLink(75, "/cadastre/rules", "Rules"),)


def _day(at: str | None) -> date:
    if not at or not at.strip():
        return date.today()
    try:
        return date.fromisoformat(at.strip()[:10])
    except ValueError:
        raise InvalidInput(f"at: give a day as YYYY-MM-DD, not {at[:40]!r}") from None


@router.get("/cadastre/rules")
def rules_index(request: Request, at: str | None = None) -> Response:
    day = _day(at)
    return render(request, "rules.html", {"index": views.rules_index(day), "at": day.isoformat()})


@router.get("/cadastre/rules/{jurisdiction}")
def rules_page(request: Request, jurisdiction: str, at: str | None = None, version: str | None = None,
               diff_from: str | None = None, diff_to: str | None = None) -> Response:
    day = _day(at)
    data = views.rules_of(jurisdiction, day)
    codes = [v["version"] for v in data["versions"]]
    version = (version or "").strip() or (data["applied"]["version"] or codes[-1])
    if version not in codes:
        raise InvalidInput(f"version must be one of {', '.join(codes)}")
    diff = None
    if diff_from or diff_to:
        diff = views.rules_diff(jurisdiction, diff_from or codes[0], diff_to or codes[-1])
    shown = next(v for v in data["versions"] if v["version"] == version)
    return render(request, "rules_jurisdiction.html", {"r": data, "shown": shown, "codes": codes, "diff": diff,
                                                       "at": day.isoformat()})
