"""The register: appending hash-chained events, verifying the chain, and naming the actors of
its events as the public may see them."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Iterable

from maadan.cadastre.audit import GENESIS, Document, Event, Verification, seal, verify
from maadan.unit_of_work import AbstractUnitOfWork

AUDIT_LOCK = "__audit__"  # one counter row serialises appends to the chain


# --- the audit chain ---------------------------------------------------------------------------

def record(uow: AbstractUnitOfWork, actor: str, kind: str, subject: str, data: dict[str, Any] | None = None,
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


def verify_audit(uow: AbstractUnitOfWork) -> Verification:
    with uow:
        return verify(uow.cadastre.events())


def actor_roles(uow: AbstractUnitOfWork, events: list[Event]) -> dict[str, str]:
    """actor -> a role the public may see: the account's role for "user:NAME", "operator
    (command line)" for "cli:NAME", else "system". Call inside `with uow`."""
    out: dict[str, str] = {}
    for ev in events:
        if ev.actor in out:
            continue
        kind, _, name = ev.actor.partition(":")
        if kind == "user":
            user = uow.auth.user(name)
            out[ev.actor] = user.role if user else "former account"
        elif kind == "cli":
            out[ev.actor] = "operator (command line)"
        else:
            out[ev.actor] = "system"
    return out
