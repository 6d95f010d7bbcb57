"""The read side of deposits and projects: a project as a line of a list and one project in full,
the same for the CLI and the REST API (the pages draw the same objects). Projects are public."""

from __future__ import annotations

from typing import Any

from maadan.projects.service import ProjectDetail, ProjectRow
from maadan.serialize import to_jsonable


def row_view(r: ProjectRow) -> dict[str, Any]:
    """One row: the point (or centre) and how precisely it is known, the distances when searched
    (to the nearest place the deposit may be, and to its centre)."""
    p, loc = r.project, r.project.location
    return {"id": p.id, "name": p.name, "kind": p.kind, "status": p.status, "status_as_of": p.status_as_of,
            "province": p.province, "district": p.district, "commodities": p.commodities,
            "operator": p.operator_id, "lat": loc.lat if loc else None, "lon": loc.lon if loc else None,
            "location_kind": loc.kind if loc else None, "location_confidence": loc.confidence if loc else None,
            "radius_km": loc.radius_km if loc else None,
            "bbox": [loc.west, loc.south, loc.east, loc.north] if loc and loc.kind == "box" else None,
            "located": loc is not None, "distance_km": r.distance_km, "centre_km": r.centre_km}


def detail_view(d: ProjectDetail) -> dict[str, Any]:
    """Every fact with its source; each ownership reading with its total and whether it is complete,
    each holder with its organisation's name; each location described; every claim with its sources
    beside it and the unsourced ones named; the organisations named and the agreements about it."""
    p, orgs = d.project, d.organisations
    data = to_jsonable(p)
    for reading, raw in zip(p.ownership, data["ownership"]):
        raw["total_pct"], raw["complete"] = reading.total_pct, reading.complete
        for h in raw["holders"]:
            org = orgs.get(h["organisation_id"] or "")
            h["organisation_name"] = org.name if org else h["label"]
    for loc, raw in zip(p.locations, data["locations"]):
        raw["description"] = loc.describe()
    data["operator_name"] = orgs[p.operator_id].name if p.operator_id in orgs else None
    claims = p.claims(d.names)
    data["claims"] = [c.as_dict() for c in claims]
    data["unsourced"] = [c.key for c in claims if not c.sourced]
    data["organisations"] = {k: to_jsonable(o) for k, o in orgs.items()
                             if k == p.operator_id or any(k in (h.organisation_id, h.via_id)
                                                          for r in p.ownership for h in r.holders)}
    data["agreements"] = [{"id": a.id, "date": a.date, "kind": a.kind, "title": a.title} for a in d.agreements]
    return data
