"""The cadastre's register: every change is recorded through `maadan.audit` (a hash chain and
a Merkle tree with signed checkpoints); and the public view of titles and pending applications."""

from __future__ import annotations

from typing import Any

import shapely

from maadan.audit.service import AUDIT_LOCK, record, verify_register
from maadan.cadastre import lifecycle as lc
from maadan.store.uow import UnitOfWork

__all__ = ["AUDIT_LOCK", "public_register", "record", "verify_audit"]


def verify_audit(uow: UnitOfWork):
    """The whole register checked: chain, leaf hashes, stored tree and its signed checkpoints."""
    return verify_register(uow)


# --- the public register -----------------------------------------------------------------------

def public_register(uow: UnitOfWork, jurisdiction: str | None = None) -> dict[str, list[dict[str, Any]]]:
    """Titles and pending applications as the public may see them: no beneficial owners, no
    documents, no applicant account."""
    with uow:
        titles = uow.cadastre.titles(jurisdiction)
        apps = uow.cadastre.applications(jurisdiction, lc.PENDING)
    return {
        "titles": [{
            "number": t.number, "type": t.title_type, "state": t.state, "area_km2": t.area_km2,
            "granted_on": t.granted_on.isoformat(), "expires_on": t.expires_on.isoformat() if t.expires_on else None,
            "holders": [{"name": h.name, "share_pct": h.share_pct, "country": h.country} for h in t.holders],
            "minerals": t.minerals, "synthetic": t.synthetic, "geometry": shapely.geometry.mapping(t.geometry),
        } for t in titles],
        "applications": [{
            "number": a.number, "ref": a.ref, "type": a.title_type, "state": a.state, "priority": a.priority,
            "received_at": a.received_at.isoformat(), "area_km2": a.area_km2,
            "applicants": [h.name for h in a.holders], "minerals": a.minerals, "synthetic": a.synthetic,
            "geometry": shapely.geometry.mapping(a.geometry),
        } for a in apps],
    }
