"""The read side of deposits and projects: a project as a line of a list and one project in full,
the same for the CLI and the REST API (the pages draw the same objects). Projects are public."""

from __future__ import annotations

from typing import Any

from maadan.projects.service import ProjectDetail, ProjectRow
from maadan.serialize import to_jsonable


def row_view(r: ProjectRow) -> dict[str, Any]:
    p, loc = r.project, r.project.location
    return {"id": p.id, "name": p.name, "kind": p.kind, "status": p.status, "province": p.province,
            "district": p.district, "commodities": p.commodities, "operator": p.operator_id,
            "lat": loc.lat if loc else None, "lon": loc.lon if loc else None, "distance_km": r.distance_km}


def detail_view(d: ProjectDetail) -> dict[str, Any]:
    """Every fact with its source; each ownership reading with its total and whether it is complete,
    each holder with its organisation's name; the organisations named and the agreements about it."""
    p, orgs = d.project, d.organisations
    data = to_jsonable(p)
    for reading, raw in zip(p.ownership, data["ownership"]):
        raw["total_pct"], raw["complete"] = reading.total_pct, reading.complete
        for h in raw["holders"]:
            h["organisation_name"] = orgs[h["organisation_id"]].name if h["organisation_id"] else h["label"]
    data["operator_name"] = orgs[p.operator_id].name if p.operator_id else None
    data["organisations"] = {k: to_jsonable(o) for k, o in orgs.items()
                             if k == p.operator_id or any(k in (h.organisation_id, h.via_id)
                                                          for r in p.ownership for h in r.holders)}
    data["agreements"] = [{"id": a.id, "date": a.date, "kind": a.kind, "title": a.title} for a in d.agreements]
    return data
