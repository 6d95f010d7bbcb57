"""Organisations: companies, state enterprises, governments, agencies and lenders."""

from __future__ import annotations

from dataclasses import dataclass, field

KINDS = ("company", "state-enterprise", "government", "agency", "lender", "cooperative", "other")
CAPABILITIES = ("exploration", "mining", "processing", "refining", "recycling", "engineering_construction",
                "logistics", "finance")
OWNERSHIPS = ("state", "private", "listed")  # an empty value means unknown


@dataclass(frozen=True)
class Organisation:
    id: str
    name: str
    kind: str
    source: str
    short_name: str | None = None
    country: str | None = None
    parent_id: str | None = None
    note: str | None = None
    aliases: tuple[str, ...] = field(default_factory=tuple)
    capabilities: tuple[str, ...] = ()
    minerals: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    ownership: str | None = None  # None: unknown
    profile_source: str | None = None  # cites capabilities, minerals, regions and ownership
