"""The cadastre's register: every change is recorded through `maadan.audit` (a hash chain and a
Merkle tree with signed checkpoints); checking it; and naming the actors of its events as the
public may see them."""

from __future__ import annotations

from maadan.audit.events import Event
from maadan.audit.model import RegisterCheck
from maadan.audit.service import AUDIT_LOCK, record, verify_register
from maadan.unit_of_work import AbstractUnitOfWork

__all__ = ["AUDIT_LOCK", "actor_roles", "record", "verify_audit"]


def verify_audit(uow: AbstractUnitOfWork) -> RegisterCheck:
    """The whole register checked: chain, leaf hashes, stored tree and its signed checkpoints."""
    return verify_register(uow)


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
