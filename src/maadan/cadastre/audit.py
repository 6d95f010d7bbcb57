"""A tamper-evident register: every change is an event whose hash covers the previous event's
hash, so editing, deleting or reordering any event breaks the chain from that event on."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Iterable

GENESIS = "0" * 64


@dataclass(frozen=True)
class Document:
    """A document attached to a decision: its name and the SHA-256 of its content."""

    name: str
    sha256: str


@dataclass(frozen=True)
class Event:
    seq: int
    at: str  # ISO 8601 UTC
    actor: str
    kind: str  # e.g. application.received, application.grant, title.transfer
    subject: str  # e.g. "application PK-BA/7", "title PK-BA/EL/2026/0001"
    data: dict[str, Any] = field(default_factory=dict)
    documents: tuple[Document, ...] = ()
    reason: str | None = None
    prev_hash: str = GENESIS
    hash: str = ""


def canonical(event: Event) -> bytes:
    """The bytes an event's hash covers: every field but the hash itself, in a fixed form."""
    body = {
        "seq": event.seq, "at": event.at, "actor": event.actor, "kind": event.kind, "subject": event.subject,
        "data": event.data, "documents": [[d.name, d.sha256] for d in event.documents], "reason": event.reason,
        "prev_hash": event.prev_hash,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def seal(event: Event) -> Event:
    """The event with its hash filled in."""
    from dataclasses import replace

    return replace(event, hash=hashlib.sha256(canonical(event)).hexdigest())


@dataclass(frozen=True)
class Verification:
    ok: bool
    events: int
    first_bad_seq: int | None = None
    reason: str | None = None


def verify(events: Iterable[Event]) -> Verification:
    """Walk the chain in sequence order; name the first event that was edited, removed or moved."""
    prev, expected_seq, n = GENESIS, 1, 0
    for ev in events:
        n += 1
        if ev.seq != expected_seq:
            what = "missing (deleted)" if ev.seq > expected_seq else "out of order"
            return Verification(False, n, expected_seq, f"event {expected_seq} is {what}: found event {ev.seq} in its place")
        if ev.prev_hash != prev:
            return Verification(False, n, ev.seq, f"event {ev.seq} does not follow event {ev.seq - 1} "
                                "(its previous-hash differs: an event before it was removed, reordered or edited)")
        if hashlib.sha256(canonical(ev)).hexdigest() != ev.hash:
            return Verification(False, n, ev.seq, f"event {ev.seq} was edited after it was recorded (hash mismatch)")
        prev, expected_seq = ev.hash, expected_seq + 1
    return Verification(True, n)


def document_from_bytes(name: str, content: bytes) -> Document:
    return Document(name=name, sha256=hashlib.sha256(content).hexdigest())
