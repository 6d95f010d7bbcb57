"""The public ballot: a draw anyone can re-run. Its seed is a value the register published before the
draw and nobody could choose afterwards; the order is a pure function of that seed, the group and
its members, so the same inputs always give the same order.

The seed is derived in ONE place, `ballot_seed`, from the moment it is fixed: the end of the day
after the group's day closed (00:00 of day + 2, in the jurisdiction's time zone).

- Where the authority signs register checkpoints (`maadan audit checkpoint`; any checkpoint
  signed), the seed is the Merkle root of the first checkpoint signed after that moment: a signed,
  published value nobody could know before it. Until that checkpoint is signed the seed does not
  exist and the ballot waits.
- Where no checkpoint was ever signed, it is the register's hash-chain head at that moment (the
  hash of the last event recorded before it).
The decision records the seed, its source and where to find it, so a draw re-runs from the record.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Iterable
from zoneinfo import ZoneInfo

from maadan.cadastre.queue_model import CompetitionGroup
from maadan.unit_of_work import AbstractUnitOfWork

SEED_SOURCE = "register-head"  # the hash-chain head at the moment (no checkpoints signed)
CHECKPOINT_SOURCE = "signed-checkpoint"  # the root of the first checkpoint signed after the moment


@dataclass(frozen=True)
class Seed:
    value: str  # hex
    source: str  # what the value is: SEED_SOURCE or CHECKPOINT_SOURCE
    ref: str  # where to find it, e.g. "event 1234" or "checkpoint 7 (tree size 1234)"
    fixed_at: datetime  # the moment after which it could no longer change (UTC)


def seed_time(group: CompetitionGroup) -> datetime:
    """When the seed is fixed: the end of the day after the group closed (00:00 of day + 2, local).
    The group closes with its day; a paper filing recorded later (received that day) reopens it, so
    the later of its day and the day its members last changed counts."""
    tz = ZoneInfo(group.timezone)
    day = group.local_date
    if group.changed_at is not None:
        day = max(day, group.changed_at.astimezone(tz).date())
    return datetime.combine(day + timedelta(days=2), time(0), tzinfo=tz).astimezone(ZoneInfo("UTC"))


def signs_checkpoints(uow: AbstractUnitOfWork) -> bool:
    """Whether the authority signs register checkpoints (then they seed the ballots)."""
    return uow.audit.latest_checkpoint() is not None


def ballot_seed(uow: AbstractUnitOfWork, group: CompetitionGroup, now: datetime) -> Seed | None:
    """The group's ballot seed, or None while it does not exist yet (before `seed_time`, or, where
    checkpoints are signed, until the first one after it is)."""
    fixed_at = seed_time(group)
    if now < fixed_at:
        return None
    if signs_checkpoints(uow):
        cp = uow.audit.first_checkpoint_after(fixed_at)
        if cp is None or cp.signed_at > now:
            return None
        return Seed(value=cp.root_hash, source=CHECKPOINT_SOURCE, ref=f"checkpoint {cp.id} (tree size {cp.tree_size})",
                    fixed_at=fixed_at)
    head = uow.priority.last_event_before(fixed_at)
    if head is None:
        return None
    seq, digest, _ = head
    return Seed(value=digest, source=SEED_SOURCE, ref=f"event {seq}", fixed_at=fixed_at)


def ticket(seed: str, group: str, number: int) -> str:
    """A member's ballot ticket: SHA-256 of "<seed>|<group ref>|<application number>", hex."""
    return hashlib.sha256(f"{seed}|{group}|{number}".encode()).hexdigest()


def draw(seed: str, group: str, members: Iterable[int]) -> list[int]:
    """Members in drawn order: by ticket, lowest first (ties, which SHA-256 makes vanishingly rare,
    by application number)."""
    return sorted(members, key=lambda n: (ticket(seed, group, n), n))
