"""The register: appending hash-chained events, verifying the chain, and the public view of
titles and pending applications."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Iterable

import shapely

from maadan.cadastre import lifecycle as lc
from maadan.cadastre.audit import GENESIS, Document, Event, Verification, seal, verify
from maadan.cadastre.queue_views import queue_fields
from maadan.store.uow import UnitOfWork

AUDIT_LOCK = "__audit__"  # one counter row serialises appends to the chain


# --- the audit chain ---------------------------------------------------------------------------

def record(uow: UnitOfWork, actor: str, kind: str, subject: str, data: dict[str, Any] | None = None,
            reason: str | None = None, documents: Iterable[Document] = (), at: datetime | None = None) -> Event:
    uow.cadastre.lock(AUDIT_LOCK)
    last = uow.cadastre.last_event()
    ev = seal(Event(seq=(last.seq + 1) if last else 1,
                    # UTC always, so that events compare by time as text (the ballot seed looks them up so)
                    at=(at or datetime.now(timezone.utc)).astimezone(timezone.utc).isoformat(timespec="microseconds"),
                    actor=actor, kind=kind, subject=subject, data=data or {}, documents=tuple(documents),
                    reason=reason, prev_hash=last.hash if last else GENESIS))
    uow.cadastre.append_event(ev)
    return ev


def verify_audit(uow: UnitOfWork) -> Verification:
    with uow:
        return verify(uow.cadastre.events())



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
            "number": a.number, "ref": a.ref, "type": a.title_type, "state": a.state, **queue_fields(a),
            "received_at": a.received_at.isoformat(), "area_km2": a.area_km2,
            "applicants": [h.name for h in a.holders], "minerals": a.minerals, "synthetic": a.synthetic,
            "geometry": shapely.geometry.mapping(a.geometry),
        } for a in apps],
    }
