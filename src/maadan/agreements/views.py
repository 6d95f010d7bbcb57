"""The read side of the agreements registry: what everyone sees of an agreement, the same in the
CLI, the REST API and the web pages. Agreements are public; only officers and admins write them."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from maadan.agreements.model import Agreement
from maadan.agreements.service import AgreementDetail, StaleRecord


def parties(a: Agreement) -> list[str]:
    """The parties' names, witnesses left out."""
    return [p.name for p in a.parties if p.role != "witness"]


def agreement_view(a: Agreement) -> dict[str, Any]:
    """Every field of an agreement, its parties, readings and sources."""
    return a.as_dict()


def detail_view(d: AgreementDetail) -> dict[str, Any]:
    """One agreement with the names of what it links to, and which of its titles the cadastre holds."""
    return agreement_view(d.agreement) | {"organisation_names": {k: o.name for k, o in d.organisations.items()},
                                          "project_names": d.project_names,
                                          "titles_in_cadastre": sorted(d.known_titles)}


def timeline_row(a: Agreement) -> dict[str, Any]:
    """An agreement as a line of the timeline."""
    return {"date": a.date, "id": a.id, "kind": a.kind, "title": a.title, "status": a.status,
            "parties": parties(a), "amount": a.amount, "currency": a.currency, "amount_basis": a.amount_basis,
            "readings": len(a.readings)}


def facts(a: Agreement) -> list[tuple[str, str]]:
    """(label, text) of each field the model labels for display (`field(metadata={"label": ...})`)
    that the agreement gives: the CLI and the web page list them, so a labelled field is shown
    everywhere without a change to either."""
    out = []
    for f in fields(a):
        label, value = f.metadata.get("label"), getattr(a, f.name)
        if label is None or value is None or value == ():
            continue
        if isinstance(value, bool):
            text = "yes" if value else "no"
        elif isinstance(value, tuple):
            text = ", ".join(map(str, value))
        elif isinstance(value, float):
            text = f"{value:,g}"
        else:
            text = str(value)
        out.append((label + (f" ({f.metadata['unit']})" if f.metadata.get("unit") else ""), text))
    return out


def stale_row(r: StaleRecord) -> dict[str, Any]:
    """An agreement a curator should look at again: not final, and its newest source is old."""
    return {"id": r.agreement.id, "title": r.agreement.title, "kind": r.agreement.kind,
            "status": r.agreement.status, "status_as_of": r.agreement.status_as_of,
            "latest_source": r.latest_source, "age_days": r.age_days}
