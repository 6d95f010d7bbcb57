"""Why a list names a mineral critical: each critical list's own criteria, in words, with their
sources (data/lists/criteria.csv)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from importlib import resources


@dataclass(frozen=True)
class Criterion:
    list_id: str
    text: str
    source: str


def list_criteria() -> dict[str, list[Criterion]]:
    """list id -> its criteria, in the order given."""
    path = resources.files("maadan") / "data" / "lists" / "criteria.csv"
    out: dict[str, list[Criterion]] = {}
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            out.setdefault(row["list_id"], []).append(Criterion(row["list_id"], row["criterion"], row["source"]))
    return out
