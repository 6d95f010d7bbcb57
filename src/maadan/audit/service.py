"""The register's use cases: record an event, sign a checkpoint, prove inclusion and consistency,
verify the register (against a checkpoint someone kept), and export its public leaves.

Each function runs in the unit of work it is given; only `record` runs inside its caller's."""

from __future__ import annotations

import json
import secrets
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any, Callable, Iterable, Iterator

from maadan.audit import merkle, note, tiles
from maadan.audit.events import GENESIS, ChainCheck, Document, Event, event_from_row, seal
from maadan.audit.judge import Signed, kept as judge_kept, stored as judge_stored
from maadan.audit.keys import Signer
from maadan.audit.leaf import leaf_line, parse_leaf
from maadan.audit.model import (EDITED, FORGED, TREE, ConsistencyProof, InclusionProof, RegisterCheck,
                                StoredCheckpoint)
from maadan.errors import Conflict, InvalidInput, NotFound
from maadan.unit_of_work import AbstractUnitOfWork

AUDIT_LOCK = "__audit__"  # one counter row serialises appends to the register
EXPORT_FORMAT = "maadan-register-export"
BATCH = 10_000


# --- appending -----------------------------------------------------------------------------------

def record(uow: AbstractUnitOfWork, actor: str, kind: str, subject: str, data: dict[str, Any] | None = None,
           reason: str | None = None, documents: Iterable[Document] = (), at: datetime | None = None) -> Event:
    """Append an event (inside the caller's transaction): chained, salted, hashed into the tree."""
    uow.audit.lock(AUDIT_LOCK)
    last = uow.audit.last_event()
    # The data as the store will give it back (tuples become lists...), so its leaf hashes the same later.
    try:
        data = json.loads(json.dumps(data or {}, allow_nan=False))
    except ValueError:
        raise InvalidInput(f"{kind}: the event's data holds NaN or an infinite number, which a register "
                           "cannot record") from None
    ev = seal(Event(seq=(last.seq + 1) if last else 1,
                    # UTC always, so that events compare by time as text (the ballot seed looks them up so)
                    at=(at or datetime.now(timezone.utc)).astimezone(timezone.utc).isoformat(timespec="microseconds"),
                    actor=actor, kind=kind, subject=subject, data=data, documents=tuple(documents),
                    reason=reason, prev_hash=last.hash if last else GENESIS, salt=secrets.token_hex(32)))
    ev = replace(ev, leaf_hash=merkle.leaf_hash(leaf_line(ev)).hex())
    uow.audit.append_event(ev)
    store_completed_nodes(uow, ev.seq)
    return ev


def store_completed_nodes(uow: AbstractUnitOfWork, size: int) -> None:
    """Store the subtree roots a tree of `size` leaves has just completed."""
    for level, index in tiles.completed_by(size):
        children = uow.audit.hashes(level - tiles.HEIGHT, index * tiles.WIDTH, (index + 1) * tiles.WIDTH)
        uow.audit.add_nodes([(level, index, tiles.node_from_children(children))])


def _subtree(uow: AbstractUnitOfWork) -> merkle.Subtree:
    cache: dict[tuple[int, int, int], list[bytes]] = {}

    def fetch(level: int, first: int, last: int) -> list[bytes]:
        key = (level, first, last)
        if key not in cache:
            cache[key] = uow.audit.hashes(level, first, last)
        return cache[key]

    return tiles.subtree_reader(fetch)


# --- checkpoints ---------------------------------------------------------------------------------

def checkpoint(uow: AbstractUnitOfWork, signer: Signer, now: datetime | None = None) -> StoredCheckpoint:
    """Sign and keep a checkpoint of the register as it stands. Refuses to sign a register that
    no longer extends its latest checkpoint (that needs `maadan audit verify` first)."""
    now = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).replace(microsecond=0)
    with uow:
        uow.audit.lock(AUDIT_LOCK)
        size = uow.audit.size()
        subtree = _subtree(uow)
        latest = uow.audit.latest_checkpoint()
        if latest is not None:
            if latest.tree_size > size:
                raise Conflict(f"the register has {size:,} events but its checkpoint #{latest.id} covers "
                               f"{latest.tree_size:,}: events were deleted. Not signing; run `maadan audit verify`")
            if merkle.tree_root(latest.tree_size, subtree).hex() != latest.root_hash:
                raise Conflict(f"the register no longer hashes to the root of its checkpoint #{latest.id}: not "
                               "signing a rewritten history; run `maadan audit verify`")
        root = merkle.tree_root(size, subtree)
        cp = note.sign(note.checkpoint_text(signer.name, size, root, now), signer.name, signer.private_key)
        key_id = signer.public.key_id.hex()
        uow.audit.add_key(signer.public.vkey, key_id, now)
        cid = uow.audit.add_checkpoint(size, root.hex(), now, signer.name, key_id, cp.note)
        uow.commit()
    return StoredCheckpoint(cid, size, root.hex(), now, signer.name, key_id, cp.note)


def latest_checkpoint(uow: AbstractUnitOfWork) -> StoredCheckpoint | None:
    with uow:
        return uow.audit.latest_checkpoint()


def first_checkpoint_after(uow: AbstractUnitOfWork, moment: datetime) -> StoredCheckpoint | None:
    """The first checkpoint signed strictly after `moment` (None until one is): a value nobody
    could know before `moment`, for seeding a public draw. Its `note` is what to publish."""
    if moment.tzinfo is None:
        raise ValueError("moment must carry a time zone")
    with uow:
        return uow.audit.first_checkpoint_after(moment.astimezone(timezone.utc))


def list_checkpoints(uow: AbstractUnitOfWork, limit: int, offset: int = 0) -> tuple[list[StoredCheckpoint], int]:
    with uow:
        return uow.audit.checkpoints(limit, offset, newest_first=True), uow.audit.count_checkpoints()


def get_checkpoint(uow: AbstractUnitOfWork, checkpoint_id: int) -> StoredCheckpoint:
    with uow:
        found = uow.audit.checkpoint(checkpoint_id)
    if found is None:
        raise NotFound("checkpoint", str(checkpoint_id))
    return found


def public_key(uow: AbstractUnitOfWork, key_id: str | None = None) -> str:
    """The verifier key that signed the latest checkpoint (or the key with `key_id`)."""
    with uow:
        keys = uow.audit.keys()
        latest = uow.audit.latest_checkpoint()
    if key_id is not None:
        found = [vkey for vkey, kid, _ in keys if kid == key_id.lower()]
        if not found:
            raise NotFound("register key", key_id, [kid for _, kid, _ in keys][:5])
        return found[-1]
    if latest is None:
        raise NotFound("register key", "latest: no checkpoint has been signed yet")
    return next(vkey for vkey, kid, _ in reversed(keys) if kid == latest.key_id)


def register_keys(uow: AbstractUnitOfWork) -> list[note.VerifierKey]:
    with uow:
        return [note.parse_vkey(vkey) for vkey, _, _ in uow.audit.keys()]


# --- proofs --------------------------------------------------------------------------------------

def _signed(cp: StoredCheckpoint | None, root: bytes) -> str | None:
    """The checkpoint's note if its root is the one computed; a stored tree that disagrees with a
    signed root is damaged, and proofs from it would mislead: refuse to serve them."""
    if cp is None:
        return None
    if cp.root_hash != root.hex():
        raise Conflict(f"the stored tree does not give the root of checkpoint #{cp.id} ({cp.tree_size:,} events): "
                       "it is damaged; no proof is served until `maadan audit verify` has been run and the cause found")
    return cp.note


def _default_size(uow: AbstractUnitOfWork, size: int, at_least: int = 0) -> int:
    latest = uow.audit.latest_checkpoint()
    return latest.tree_size if latest and latest.tree_size >= at_least else size


def inclusion_proof(uow: AbstractUnitOfWork, seq: int, tree_size: int | None = None) -> InclusionProof:
    """Proof that event `seq` is in the tree of `tree_size` events (default: the latest signed
    checkpoint that holds it, else the register as it stands)."""
    with uow:
        size = uow.audit.size()
        if seq < 1:
            raise InvalidInput(f"seq: events are numbered from 1, not {seq}")
        if seq > size:
            raise InvalidInput(f"seq: event {seq:,} is beyond the tree: the register has {size:,} events")
        tree_size = _default_size(uow, size, seq) if tree_size is None else tree_size
        if tree_size > size:
            raise InvalidInput(f"tree_size: {tree_size:,} is beyond the tree: the register has {size:,} events")
        if seq > tree_size:
            raise InvalidInput(f"seq: event {seq:,} is beyond the tree of {tree_size:,} events")
        subtree = _subtree(uow)
        proof = merkle.inclusion_proof(seq - 1, tree_size, subtree)
        root = merkle.tree_root(tree_size, subtree)
        ev = uow.audit.event(seq)
        cp = uow.audit.checkpoint_of_size(tree_size)
    assert ev is not None
    return InclusionProof(seq=seq, leaf_index=seq - 1, tree_size=tree_size, leaf=leaf_line(ev).decode("ascii"),
                          leaf_hash=ev.leaf_hash, proof=[p.hex() for p in proof], root_hash=root.hex(),
                          checkpoint=_signed(cp, root))


def consistency_proof(uow: AbstractUnitOfWork, first: int, second: int | None = None) -> ConsistencyProof:
    """Proof that the tree of `first` events is a prefix of the tree of `second` (default: the
    latest signed checkpoint, else the register as it stands)."""
    with uow:
        size = uow.audit.size()
        second = _default_size(uow, size, first) if second is None else second
        if first < 0:
            raise InvalidInput(f"first: a tree size is 0 or more, not {first}")
        if second > size:
            raise InvalidInput(f"second: {second:,} is beyond the tree: the register has {size:,} events")
        if first > second:
            raise InvalidInput(f"first: a tree of {first:,} events cannot be a prefix of one of {second:,}")
        subtree = _subtree(uow)
        proof = merkle.consistency_proof(first, second, subtree)
        roots = merkle.tree_root(first, subtree), merkle.tree_root(second, subtree)
        cps = uow.audit.checkpoint_of_size(first), uow.audit.checkpoint_of_size(second)
    notes = [_signed(c, r) for c, r in zip(cps, roots)]
    return ConsistencyProof(first, second, roots[0].hex(), roots[1].hex(), [p.hex() for p in proof], *notes)


# --- verification --------------------------------------------------------------------------------

def _signed_stored(stored: list[StoredCheckpoint], keys: dict[str, note.VerifierKey],
                   trusted: note.VerifierKey | None) -> tuple[list[Signed], str | None]:
    """The register's checkpoints whose signatures verify, and the first forged one."""
    out = []
    for c in stored:
        key = keys.get(c.key_id)
        try:
            cp = note.parse_checkpoint(c.note)
            if key is None:
                raise note.CheckpointError(f"signed by key {c.key_id}, which the register does not list")
            note.verify_checkpoint(cp, key)
            if cp.size != c.tree_size or cp.root.hex() != c.root_hash:
                raise note.CheckpointError("its size or root differ from the signed text")
        except note.CheckpointError as exc:
            return out, f"the register's checkpoint #{c.id} is not validly signed: {exc.message}"
        if trusted is None or key.key_id == trusted.key_id:
            out.append(Signed(cp.size, cp.root, cp.time, f"the register's checkpoint #{c.id}"))
    return out, None


def _kept(kept_note: str | bytes, key: note.VerifierKey | None, keys: dict[str, note.VerifierKey]
          ) -> tuple[note.Checkpoint, note.VerifierKey]:
    cp = note.parse_checkpoint(kept_note)
    if key is None:  # fall back on the register's own list of keys
        candidates = [keys[s.key_id.hex()] for s in cp.signatures if s.key_id.hex() in keys]
        if not candidates:
            raise note.CheckpointError("the checkpoint is not signed by any key this register has used "
                                       f"({', '.join(keys) or 'none yet'}): a wrong key or a forgery")
        key = candidates[0]
    return note.verify_checkpoint(cp, key), key


def verify_register(uow: AbstractUnitOfWork, kept_note: str | bytes | None = None, key: note.VerifierKey | None = None,
                    progress: Callable[[int, int], None] | None = None) -> RegisterCheck:
    """Check every event against its chain hash and its leaf hash, rebuild the tree, and check it
    against the stored subtree roots, the register's own signed checkpoints and, if given, a
    checkpoint someone kept (with the public key they trust). Reads events a batch at a time."""
    with uow:
        size = uow.audit.size()
        keys = {vk.key_id.hex(): vk for vk in (note.parse_vkey(v) for v, _, _ in uow.audit.keys())}
        notes: list[str] = []
        kept_cp = kept_key = None
        if kept_note is not None:
            if key is None:
                notes.append("the checkpoint was checked with the register's own copy of its public key; "
                             "pass the key you trust (--key) for a check that does not rely on the register")
            kept_cp, kept_key = _kept(kept_note, key, keys)
        stored, forged = _signed_stored(uow.audit.checkpoints(), keys, kept_key)
        nodes = uow.audit.nodes()
        wanted = {s.size for s in stored} | ({kept_cp.size} if kept_cp else set())
        roots: dict[int, bytes] = {0: merkle.EMPTY_ROOT}
        bad_nodes: list[tuple[int, int]] = []

        def on_node(level: int, index: int, h: bytes) -> None:
            if level % tiles.HEIGHT == 0 and nodes.pop((level, index), None) != h:
                bad_nodes.append((level, index))

        chain, tree = ChainCheck(), merkle.CompactRange(on_node)
        last = 0
        while True:
            rows = uow.audit.event_rows(last, BATCH)
            for row in rows:
                ev = event_from_row(row)
                if not chain.add(ev):
                    p = chain.problem
                    return RegisterCheck(False, p.events, EDITED, p.first_bad_seq, p.reason, notes=notes)
                h = merkle.leaf_hash(leaf_line(ev)) if ev.salt else b""
                if h.hex() != ev.leaf_hash:
                    return RegisterCheck(False, chain.events, EDITED, ev.seq,
                                         f"event {ev.seq} no longer matches its leaf hash: it was edited after "
                                         "it was recorded", notes=notes)
                tree.append(h)
                if tree.size in wanted:
                    roots[tree.size] = tree.root()
            if progress:
                progress(tree.size, size)
            if len(rows) < BATCH:
                break
            last = rows[-1][0]

    def root_at(n: int) -> bytes:
        return roots[n]

    result = RegisterCheck(True, tree.size, checkpoints_verified=len(stored), notes=notes)
    finding = None
    if kept_cp is not None:
        mine = Signed(kept_cp.size, kept_cp.root, kept_cp.time, "the checkpoint you kept")
        result.kept = {"tree_size": kept_cp.size, "root_hash": kept_cp.root.hex(),
                       "signed_at": kept_cp.time.isoformat() if kept_cp.time else None, "key_id": kept_key.key_id.hex()}
        finding = judge_kept(mine, tree.size, root_at, stored)
        result.kept["extended"] = finding is None
    finding = finding or judge_stored(stored, tree.size, root_at)
    if finding:
        result.ok, result.problem, result.first_bad_seq, result.reason = (False, finding.problem,
                                                                          finding.first_bad_seq, finding.reason)
    elif forged:
        result.ok, result.problem, result.reason = False, FORGED, forged
    elif bad_nodes or nodes:
        level, index = (bad_nodes or sorted(nodes))[0]
        first = index * (1 << level) + 1
        result.ok, result.problem, result.reason = False, TREE, (
            f"the stored tree node at level {level}, index {index} (events {first:,}–{first + (1 << level) - 1:,}) "
            "does not match the events: proofs served from it would be wrong")
    return result


def quick_check(uow: AbstractUnitOfWork) -> RegisterCheck:
    """What the server can say cheaply, for anyone who asks over HTTP: every stored checkpoint's
    signature holds, and the stored tree still gives the latest one's root. It re-hashes no
    event: the full check is `verify_register`, the independent one the standalone verifier."""
    with uow:
        size = uow.audit.size()
        keys = {vk.key_id.hex(): vk for vk in (note.parse_vkey(v) for v, _, _ in uow.audit.keys())}
        stored, forged = _signed_stored(uow.audit.checkpoints(), keys, None)
        latest = max(stored, key=lambda c: c.size, default=None)
        subtree = _subtree(uow)
        finding = judge_stored([latest], size, lambda n: merkle.tree_root(n, subtree)) if latest else None
    result = RegisterCheck(True, size, checkpoints_verified=len(stored),
                           notes=["quick check: signatures and the stored tree against the latest checkpoint; "
                                  "events are not re-hashed (`maadan audit verify` does, and anyone can with "
                                  "the public export and python -m maadan.audit.verify_export)"])
    if finding:
        result.ok, result.problem, result.first_bad_seq, result.reason = (False, finding.problem,
                                                                          finding.first_bad_seq, finding.reason)
    elif forged:
        result.ok, result.problem, result.reason = False, FORGED, forged
    return result


def check_checkpoint(uow: AbstractUnitOfWork, kept_note: str | bytes) -> dict[str, Any]:
    """Does the register extend this checkpoint? Answered from the stored tree (fast; the full
    check is `verify_register`), with a consistency proof the caller can check offline."""
    with uow:
        keys = {vk.key_id.hex(): vk for vk in (note.parse_vkey(v) for v, _, _ in uow.audit.keys())}
        cp, key = _kept(kept_note, None, keys)
        size = uow.audit.size()
        stored, _ = _signed_stored([c for c in uow.audit.checkpoints() if c.tree_size >= cp.size], keys, key)
        subtree = _subtree(uow)
        cache: dict[int, bytes] = {}

        def root_at(n: int) -> bytes:
            if n not in cache:
                cache[n] = merkle.tree_root(n, subtree)
            return cache[n]

        mine = Signed(cp.size, cp.root, cp.time, "the checkpoint you sent")
        finding = judge_kept(mine, size, root_at, stored[:1] + [s for s in stored if s.size == cp.size])
    out: dict[str, Any] = {"ok": finding is None, "tree_size": size,
                           "checkpoint": {"tree_size": cp.size, "root_hash": cp.root.hex(),
                                          "signed_at": cp.time.isoformat() if cp.time else None,
                                          "key_id": key.key_id.hex()},
                           "problem": finding.problem if finding else None, "reason": finding.reason if finding else None}
    if finding is None:
        out["consistency"] = consistency_proof(uow, cp.size)
    return out


# --- the public export ---------------------------------------------------------------------------

def export_size(uow: AbstractUnitOfWork, size: int | None = None) -> tuple[int, StoredCheckpoint | None]:
    """The size to export (default: the latest checkpoint's) and the checkpoint of that size."""
    with uow:
        current = uow.audit.size()
        latest = uow.audit.latest_checkpoint()
        size = (latest.tree_size if latest else current) if size is None else size
        if not 0 <= size <= current:
            raise InvalidInput(f"size: {size:,} is beyond the tree: the register has {current:,} events")
        cp = uow.audit.checkpoint_of_size(size)
    return size, cp


def export_lines(uow: AbstractUnitOfWork, size: int, checkpoint: StoredCheckpoint | None) -> Iterator[bytes]:
    """The public export, line by line: a header, then the leaf of every event 1..size (exactly the
    bytes the tree hashes). Read in one transaction, so the lines are one consistent snapshot."""
    header = {"format": EXPORT_FORMAT, "version": 1, "tree_size": size,
              "exported_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
              "checkpoint": checkpoint.note if checkpoint else None,
              "leaf": "one JSON line per event; leaf hash = SHA-256(0x00 || line); tree: RFC 9162"}
    yield json.dumps(header, ensure_ascii=True).encode() + b"\n"
    with uow:
        last = 0
        while last < size:
            batch = uow.audit.events_after(last, BATCH, until=size)
            if not batch:
                break
            for ev in batch:
                yield leaf_line(ev) + b"\n"
            last = batch[-1].seq


def public_events(uow: AbstractUnitOfWork, limit: int, offset: int = 0) -> tuple[list[dict[str, Any]], int]:
    """A page of events as the public sees them (their leaves), oldest first, and the total."""
    with uow:
        total = uow.audit.size()
        events = uow.audit.events_after(offset, limit)
    return [parse_leaf(leaf_line(e)) | {"leaf_hash": e.leaf_hash} for e in events], total
