"""The leaf: what the public sees of an event, and what the Merkle tree commits to.

A leaf is one line of canonical JSON (keys sorted, no spaces, ASCII only, so it never holds a
newline and any JSON reader gets the same values back):

    {"at":…,"data":{public data},"documents":[sha256,…],"kind":…,"private":"<commitment>",
     "reason":…,"redacted":["/reference",…],"seq":…,"subject":…,"v":1}

Private parts never appear in it: the actor, the documents' names, and any data field whose key
is in PRIVATE_KEYS, at any depth (its JSON Pointer is listed under "redacted"). They are bound
to the leaf by a salted commitment, SHA-256(TAG || salt || canonical private part), so a public
export of leaves verifies against a signed root while the private part stays with the authority,
who can open it to a court or an auditor by revealing the salt. The salt (32 random bytes per
event) stops anyone from guessing a private value and checking the guess against the leaf.

Only the standard library: the standalone verifier reads leaves with this module."""

from __future__ import annotations

import hashlib
import json
from typing import Any, Iterable, Protocol

VERSION = 1
COMMITMENT_TAG = b"maadan-register/private/v1\n"

# Data fields that are private wherever they occur in an event's data.
PRIVATE_KEYS = frozenset({
    "beneficial_owners", "applicant_org", "applicant_account", "reference", "contact", "email", "phone",
    "address", "national_id", "passport", "date_of_birth", "bank_account",
})

LEAF_FIELDS = frozenset({"v", "seq", "at", "kind", "subject", "data", "reason", "documents", "redacted", "private"})


class LeafError(ValueError):
    """A line that is not a well-formed leaf; the message says what is wrong."""


class DocumentLike(Protocol):
    name: str
    sha256: str


class EventLike(Protocol):
    seq: int
    at: str
    actor: str
    kind: str
    subject: str
    data: dict[str, Any]
    documents: Iterable[DocumentLike]
    reason: str | None
    salt: str


_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False)


def canonical_json(value: Any) -> bytes:
    """Sorted keys, no whitespace, ASCII escapes, no NaN: one byte string per value."""
    return _ENCODER.encode(value).encode("ascii")


def _key(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1") if "~" in key or "/" in key else key


def _split(value: Any, path: str, private: dict[str, Any]) -> Any:
    if isinstance(value, dict):
        public = {}
        for key, v in value.items():
            key = str(key)
            if key in PRIVATE_KEYS:
                private[f"{path}/{_key(key)}"] = v
            elif isinstance(v, (dict, list, tuple)):
                public[key] = _split(v, f"{path}/{_key(key)}", private)
            else:
                public[key] = v
        return public
    if isinstance(value, (list, tuple)):
        return [_split(v, f"{path}/{i}", private) if isinstance(v, (dict, list, tuple)) else v
                for i, v in enumerate(value)]
    return value


def split_data(data: Any) -> tuple[Any, dict[str, Any]]:
    """(the data without private fields, {JSON Pointer: private value})."""
    private: dict[str, Any] = {}
    return _split(data, "", private), private


def private_part(event: EventLike, private_data: dict[str, Any] | None = None) -> dict[str, Any]:
    """What the commitment hides: the actor, the documents' names, the private data fields."""
    return {"actor": event.actor, "document_names": [d.name for d in event.documents],
            "data": split_data(event.data)[1] if private_data is None else private_data}


def commitment(salt_hex: str, private: dict[str, Any]) -> str:
    """SHA-256(TAG || salt || canonical JSON of the private part), hex."""
    return hashlib.sha256(COMMITMENT_TAG + bytes.fromhex(salt_hex) + canonical_json(private)).hexdigest()


def public_leaf(event: EventLike) -> dict[str, Any]:
    public, private = split_data(event.data)
    return {"v": VERSION, "seq": event.seq, "at": event.at, "kind": event.kind, "subject": event.subject,
            "data": public, "reason": event.reason, "documents": [d.sha256 for d in event.documents],
            "redacted": sorted(private), "private": commitment(event.salt, private_part(event, private))}


def leaf_line(event: EventLike) -> bytes:
    """The leaf's bytes (no newline): what the tree hashes and a public export holds."""
    if len(event.salt) != 64:
        raise ValueError(f"event {event.seq} has no salt")
    return canonical_json(public_leaf(event))


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise LeafError(f"the key {key!r} appears twice")
        out[key] = value
    return out


def parse_leaf(line: bytes) -> dict[str, Any]:
    """The leaf's fields, checked: JSON object, no key twice (two readers could see different
    values), the version and fields of a version 1 leaf."""
    try:
        leaf = json.loads(line.decode("utf-8"), object_pairs_hook=_no_duplicates)
    except UnicodeDecodeError as exc:
        raise LeafError(f"not UTF-8 at byte {exc.start}") from None
    except json.JSONDecodeError as exc:
        raise LeafError(f"not JSON at column {exc.colno}: {exc.msg}") from None
    if not isinstance(leaf, dict):
        raise LeafError("not a JSON object")
    if leaf.get("v") != VERSION:
        raise LeafError(f"leaf version {leaf.get('v')!r} is not {VERSION}")
    missing = LEAF_FIELDS - leaf.keys()
    if missing:
        raise LeafError(f"missing field(s) {', '.join(sorted(missing))}")
    if not isinstance(leaf["seq"], int) or isinstance(leaf["seq"], bool) or leaf["seq"] < 1:
        raise LeafError(f"seq {leaf['seq']!r} is not a positive whole number")
    if not isinstance(leaf["private"], str) or len(leaf["private"]) != 64:
        raise LeafError("private is not a SHA-256 commitment")
    return leaf


def opens(leaf: dict[str, Any], salt_hex: str, private: dict[str, Any]) -> bool:
    """Whether (salt, private part) is the opening of the leaf's commitment."""
    return commitment(salt_hex, private) == leaf["private"]
