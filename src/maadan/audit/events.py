"""Events of the register of changes, and the hash chain that links them: every event's hash
covers the previous event's hash, so editing, deleting or reordering any event breaks the chain
from that event on. The chain covers the whole event, private parts included, and so only the
authority can check it; the public checks the Merkle tree of its leaves (`maadan.audit.leaf`)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from typing import Any, Iterable

GENESIS = "0" * 64
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


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
    salt: str = ""  # hex; hides the private part behind its commitment in the leaf
    leaf_hash: str = ""  # hex SHA-256(0x00 || leaf): the event's place in the Merkle tree


def canonical(event: Event) -> bytes:
    """The bytes an event's chain hash covers: the event as first recorded (salt and leaf hash
    came later and are checked through the leaf), in a fixed form."""
    body = {
        "seq": event.seq, "at": event.at, "actor": event.actor, "kind": event.kind, "subject": event.subject,
        "data": event.data, "documents": [[d.name, d.sha256] for d in event.documents], "reason": event.reason,
        "prev_hash": event.prev_hash,
    }
    return _ENCODER.encode(body).encode()


def seal(event: Event) -> Event:
    """The event with its chain hash filled in."""
    return replace(event, hash=hashlib.sha256(canonical(event)).hexdigest())


@dataclass(frozen=True)
class Verification:
    ok: bool
    events: int
    first_bad_seq: int | None = None
    reason: str | None = None


class ChainCheck:
    """Walks the chain one event at a time (so a million events need no list in memory);
    `problem` names the first event that was edited, removed or moved."""

    def __init__(self) -> None:
        self.prev, self.expected, self.events = GENESIS, 1, 0
        self.problem: Verification | None = None

    def add(self, ev: Event) -> bool:
        """False (and `problem` set) at the first break."""
        self.events += 1
        n = self.events
        if ev.seq != self.expected:
            what = "missing (deleted)" if ev.seq > self.expected else "out of order"
            self.problem = Verification(False, n, self.expected,
                                        f"event {self.expected} is {what}: found event {ev.seq} in its place")
        elif ev.prev_hash != self.prev:
            self.problem = Verification(False, n, ev.seq, f"event {ev.seq} does not follow event {ev.seq - 1} "
                                        "(its previous-hash differs: an event before it was removed, reordered or edited)")
        elif hashlib.sha256(canonical(ev)).hexdigest() != ev.hash:
            self.problem = Verification(False, n, ev.seq, f"event {ev.seq} was edited after it was recorded (hash mismatch)")
        if self.problem:
            return False
        self.prev, self.expected = ev.hash, self.expected + 1
        return True


def verify(events: Iterable[Event]) -> Verification:
    """Walk the chain in sequence order; name the first event that was edited, removed or moved."""
    check = ChainCheck()
    for ev in events:
        if not check.add(ev):
            return check.problem  # type: ignore[return-value]
    return Verification(True, check.events)


def event_from_row(r: tuple) -> Event:
    """An event from its stored columns (seq, at, actor, kind, subject, data, documents, reason,
    prev_hash, hash, salt, leaf_hash); JSON columns as text or already decoded."""
    data = json.loads(r[5]) if isinstance(r[5], str) else r[5]
    docs = json.loads(r[6]) if isinstance(r[6], str) else r[6]
    return Event(r[0], r[1], r[2], r[3], r[4], data, tuple(Document(n, h) for n, h in docs), r[7], r[8], r[9],
                 r[10] or "", r[11] or "")


def document_from_bytes(name: str, content: bytes) -> Document:
    return Document(name=name, sha256=hashlib.sha256(content).hexdigest())
