"""What the register's use cases return: stored checkpoints, proofs, and the verdict of a check."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class StoredCheckpoint:
    """A checkpoint the authority signed and kept. `note` is the signed text exactly as served."""

    id: int
    tree_size: int
    root_hash: str  # hex
    signed_at: datetime
    origin: str
    key_id: str  # hex, 4 bytes
    note: str


@dataclass(frozen=True)
class InclusionProof:
    """Event `seq` (leaf index seq - 1) is in the tree of `tree_size` events whose root is `root_hash`."""

    seq: int
    leaf_index: int
    tree_size: int
    leaf: str  # the public leaf line
    leaf_hash: str
    proof: list[str]  # hex, the sibling nearest the leaf first (RFC 9162 2.1.3)
    root_hash: str
    checkpoint: str | None = None  # the signed checkpoint of this tree size, when there is one


@dataclass(frozen=True)
class ConsistencyProof:
    """The tree of `first` events is a prefix of the tree of `second` events (RFC 9162 2.1.4)."""

    first: int
    second: int
    first_root: str
    second_root: str
    proof: list[str]
    first_checkpoint: str | None = None
    second_checkpoint: str | None = None


# What `problem` names when a check fails.
EDITED = "edited"  # an event no longer matches its chain hash or its leaf hash, or one is missing
TREE = "tree"  # a stored subtree root does not match the events (proofs served from it would be wrong)
TRUNCATED = "truncated"  # events a checkpoint covers are gone from the end of the register
REWRITTEN = "rewritten"  # the register no longer hashes to a root its key signed: history was rewritten
FORK = "fork"  # the key signed two histories that cannot both be true: the one kept and the register's
FORGED = "forged"  # a checkpoint stored in the register does not carry a valid signature


@dataclass
class RegisterCheck:
    """The verdict on the register: `ok`, or the `problem` named with the first event at fault."""

    ok: bool
    events: int
    problem: str | None = None
    first_bad_seq: int | None = None
    reason: str | None = None
    checkpoints_verified: int = 0
    kept: dict | None = None  # the checkpoint given to check against: size, root, time, verdict
    notes: list[str] = field(default_factory=list)
