"""Reader for the per-claim sources of the bundled organisations (maadan/data/organisation_sources.yaml):
for each organisation of organisations.csv, the sources of its name, parent, profile and note, each a
citation of the source catalogue with the words quoted, and the corrections made to its claims.
Errors name the file, the line and the key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from maadan.errors import InvalidInput
from maadan.evidence.model import Correction, Source, parse_correction, parse_sources
from maadan.ingest.citations import expand
from maadan.ingest.yamlfile import read

CLAIM_KEYS = ("name", "parent", "profile", "note")
ENTRY_KEYS = (*CLAIM_KEYS, "corrections")


def load_organisation_sources(path: Path, label: str, catalogue: dict[str, dict],
                              ids: set[str]) -> dict[str, tuple[tuple[tuple[str, tuple[Source, ...]], ...],
                                                               tuple[Correction, ...]]]:
    """organisation id -> ((claim, sources) pairs, corrections)."""
    doc = read(path, label)
    entries = doc.data.get("organisations") if isinstance(doc.data, dict) else None
    if not isinstance(entries, dict):
        raise doc.error([], "must hold a mapping under 'organisations' (organisation id -> claims)")
    out = {}
    for oid, entry in entries.items():
        steps: list[str | int] = ["organisations", str(oid)]
        if oid not in ids:
            raise doc.error(steps, f"{oid!r} is not an organisation id of organisations.csv", key=str(oid))
        if not isinstance(entry, dict):
            raise doc.error(steps, f"{oid}: must be a mapping of claim -> sources", key=str(oid))
        unknown = sorted(str(k) for k in entry if k not in ENTRY_KEYS)
        if unknown:
            raise doc.error([*steps, unknown[0]], f"{oid}: unknown key {unknown[0]!r} (allowed: "
                                                  f"{', '.join(ENTRY_KEYS)})", key=unknown[0])
        claims: list[tuple[str, tuple[Source, ...]]] = []
        for name in CLAIM_KEYS:
            if name not in entry:
                continue
            try:
                sources = parse_sources(expand(entry[name], catalogue, doc, [*steps, name]), name, required=True)
            except InvalidInput as exc:
                if exc.details.get("path"):
                    raise
                raise doc.refuse([*steps, name], exc, str(oid)) from None
            claims.append((name, sources))
        corrections = []
        for i, item in enumerate(entry.get("corrections") or []):
            try:
                corrections.append(parse_correction(expand(item, catalogue, doc, [*steps, "corrections", i]),
                                                    f"corrections[{i}]"))
            except InvalidInput as exc:
                if exc.details.get("path"):
                    raise
                raise doc.refuse([*steps, "corrections", i], exc, str(oid)) from None
        out[str(oid)] = (tuple(claims), tuple(corrections))
    return out


def attach(org: Any, claims: tuple, corrections: tuple) -> dict[str, Any]:
    """The fields of `org` that the per-claim sources fill: its claims' sources, corrections and the
    `source` label (every publication it cites, as plain references)."""
    labels = list(dict.fromkeys(s.reference for _, sources in claims for s in sources))
    return {"claim_sources": claims, "corrections": corrections, "source": "; ".join(labels) or org.source}
