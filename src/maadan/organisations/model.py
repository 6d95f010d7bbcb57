"""Organisations: companies, state enterprises, governments, agencies and lenders."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime

from maadan.evidence.model import Claim, Correction, Source

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
    # The sources of its claims, per claim: name (that it exists under this name, with this kind and
    # country), parent, profile, note; an empty tuple: unsourced.
    claim_sources: tuple[tuple[str, tuple[Source, ...]], ...] = ()
    corrections: tuple[Correction, ...] = ()

    def sources_of(self, claim: str) -> tuple[Source, ...]:
        return next((sources for key, sources in self.claim_sources if key == claim), ())

    def claims(self, names: dict[str, str] | None = None) -> list[Claim]:
        """Its claims with their sources: who it is, its parent, its profile and the note's statements."""
        names = names or {}
        out = [Claim("name", "Name, kind and country",
                     f"{self.name} ({self.kind}{', ' + self.country if self.country else ''})", self.sources_of("name"))]
        if self.parent_id:
            out.append(Claim("parent", "Part of", names.get(self.parent_id, self.parent_id), self.sources_of("parent")))
        if self.capabilities or self.minerals or self.regions or self.ownership:
            profile = "; ".join(x for x in (", ".join(self.capabilities), ", ".join(self.minerals),
                                            ", ".join(self.regions), self.ownership or "") if x)
            out.append(Claim("profile", "Profile", profile, self.sources_of("profile")))
        if self.note:
            out.append(Claim("note", "Note", self.note, self.sources_of("note")))
        return out


def slug(name: str) -> str:
    """'Kohistan Copper (Pvt) Ltd' -> 'kohistan-copper-pvt-ltd' (the id of a proposed organisation)."""
    ascii_ = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-")[:60]


PROPOSAL_STATES = ("proposed", "confirmed", "merged")


@dataclass(frozen=True)
class Proposal:
    """A new organisation an applicant proposed, outside the directory until an officer confirms it
    (it joins the directory under `id`) or merges it into one already there (`merged_into`)."""

    id: str
    name: str
    origin: str
    proposed_by: str
    proposed_at: datetime
    state: str = "proposed"
    decided_by: str | None = None
    decided_at: datetime | None = None
    merged_into: str | None = None

    @property
    def directory_id(self) -> str | None:
        """The directory organisation it stands for once decided; None while proposed."""
        return {"confirmed": self.id, "merged": self.merged_into}.get(self.state)
