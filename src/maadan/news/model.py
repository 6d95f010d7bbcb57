"""What reading a news text produces: mentions, proposed agreement fields with evidence, project readings."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

MENTION_KINDS = ("organisation", "country", "person", "place", "mineral", "project", "date", "money",
                 "agreement_kind")


@dataclass(frozen=True)
class Evidence:
    """A quoted span of the cleaned text: `text == document[start:end]`."""

    text: str
    start: int
    end: int


@dataclass
class Mention:
    """One thing found in the text. `value` is the normalised value (an ISO code, a partial ISO date, an
    amount...) or None when it could not be resolved; `linked` is a catalogue id, "new" or None."""

    kind: str
    text: str
    start: int
    end: int
    value: Any = None
    linked: str | None = None
    resolved: bool = True
    note: str | None = None

    @property
    def evidence(self) -> Evidence:
        return Evidence(self.text, self.start, self.end)


@dataclass
class FieldProposal:
    """One proposed value of one field of an agreement draft, with the spans that support it."""

    field: str  # title, kind, status, signed, announced, place, party, country, mineral, project, amount, source
    value: Any
    evidence: list[Evidence] = field(default_factory=list)
    note: str | None = None


@dataclass
class ProposedAgreement:
    kind: str
    fields: list[FieldProposal] = field(default_factory=list)


@dataclass
class ProjectReading:
    """A project named in the text with what the same sentence (or the province it refers back to) says."""

    project_id: str
    name: Evidence
    operators: list[tuple[str, Evidence]] = field(default_factory=list)  # (organisation id or name, span)
    minerals: list[tuple[str, Evidence]] = field(default_factory=list)
    places: list[tuple[str, Evidence]] = field(default_factory=list)


@dataclass
class Extraction:
    mentions: list[Mention] = field(default_factory=list)
    agreements: list[ProposedAgreement] = field(default_factory=list)
    projects: list[ProjectReading] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def of_kind(self, kind: str) -> list[Mention]:
        return [m for m in self.mentions if m.kind == kind]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
