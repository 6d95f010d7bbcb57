"""Naming what went wrong when a register does not extend a signed checkpoint. Pure: the tree is
seen only through `root_at(size)`, the root of its first `size` events.

- truncated: the checkpoint covers more events than the register now holds (the tail was deleted);
- fork: the same key signed another checkpoint that agrees with the register and not with the
  one kept (two signed histories that cannot both be true: a split view);
- rewritten: the register's events no longer hash to the signed root, and nothing the key signed
  vouches for the new history (an edit with every hash recomputed, by someone without the key)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Sequence

from maadan.audit.model import FORK, REWRITTEN, TRUNCATED


@dataclass(frozen=True)
class Signed:
    """A checkpoint whose signature has been verified."""

    size: int
    root: bytes
    time: datetime | None
    label: str  # how to name it: "the checkpoint you kept", "the register's checkpoint #12"


@dataclass(frozen=True)
class Finding:
    problem: str
    first_bad_seq: int | None
    reason: str


def _when(s: Signed) -> str:
    return f" (signed {s.time:%Y-%m-%d %H:%M:%S} UTC)" if s.time else ""


def _deleted(s: Signed, current: int) -> Finding:
    span = f"event {current + 1:,}" if s.size == current + 1 else f"events {current + 1:,}–{s.size:,}"
    return Finding(TRUNCATED, current + 1, f"{s.label}{_when(s)} covers {s.size:,} events; the register has "
                                           f"{current:,}: {span} were deleted from its end")


def kept(checkpoint: Signed, current: int, root_at: Callable[[int], bytes],
         others: Sequence[Signed] = ()) -> Finding | None:
    """None when the register's first `checkpoint.size` events hash to its root; else what broke.
    `others` are checkpoints the same key signed that the register holds."""
    if checkpoint.size > current:
        return _deleted(checkpoint, current)
    if root_at(checkpoint.size) == checkpoint.root:
        return None
    rival = next((o for o in others if o.size == checkpoint.size and o.root != checkpoint.root), None) or next(
        (o for o in sorted(others, key=lambda o: o.size)
         if checkpoint.size <= o.size <= current and root_at(o.size) == o.root), None)
    if rival is not None:
        return Finding(FORK, None, f"the register's key signed two histories that cannot both be true: "
                                   f"{checkpoint.label}{_when(checkpoint)} ({checkpoint.size:,} events, root "
                                   f"{checkpoint.root.hex()[:16]}…) and {rival.label}{_when(rival)} "
                                   f"({rival.size:,} events, root {rival.root.hex()[:16]}…), which the register "
                                   "matches. Both signatures are valid: keep both checkpoints as evidence")
    same = any(o.size == checkpoint.size and o.root == checkpoint.root for o in others)
    signed_here = " (the register holds the same checkpoint: it was rewritten after signing it)" if same else ""
    return Finding(REWRITTEN, None, f"the register's first {checkpoint.size:,} events no longer hash to the root "
                                    f"of {checkpoint.label}{_when(checkpoint)}: events in 1–{checkpoint.size:,} were "
                                    f"rewritten and their hashes recomputed{signed_here}")


def stored(checkpoints: Sequence[Signed], current: int, root_at: Callable[[int], bytes]) -> Finding | None:
    """The register against its own signed checkpoints, oldest first: the first that no longer
    holds, with the events it narrows the damage to."""
    by_size: dict[int, Signed] = {}
    for c in checkpoints:
        other = by_size.setdefault(c.size, c)
        if other.root != c.root:
            return Finding(FORK, None, f"the register's key signed two different roots for the same {c.size:,} "
                                       f"events: {other.label}{_when(other)} and {c.label}{_when(c)}")
    good = 0
    for c in sorted(by_size.values(), key=lambda c: c.size):
        if c.size > current:
            return _deleted(c, current)
        if root_at(c.size) != c.root:
            where = f"events {good + 1:,}–{c.size:,}" if good else f"events 1–{c.size:,}"
            return Finding(REWRITTEN, good + 1, f"the register no longer hashes to the root of {c.label}{_when(c)}: "
                                                f"{where} were rewritten and their hashes recomputed"
                                                + (f" (the first {good:,} still match an earlier checkpoint)" if good else ""))
        good = c.size
    return None
