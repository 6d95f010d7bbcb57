"""Competition groups, sealed bids and notices: the records behind fair priority. Plain Python."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from maadan.cadastre.model import group_ref

OPEN, DECIDED, MERGED, DISSOLVED = "open", "decided", "merged", "dissolved"


@dataclass
class CompetitionGroup:
    """Overlapping pending applications received on the same local date (rule 10: simultaneous),
    joined transitively. Open until decided; merged into another group or dissolved when its
    members stop overlapping."""

    id: int | None
    jurisdiction: str
    number: int
    local_date: date
    timezone: str
    state: str
    members: list[int]  # application numbers
    formed_at: datetime
    changed_at: datetime | None = None  # when its members last changed (recording time, UTC)
    closed_at: datetime | None = None
    merged_into: int | None = None
    method: str | None = None
    outcome: dict[str, Any] | None = None
    decided_by: str | None = None

    @property
    def ref(self) -> str:
        return group_ref(self.jurisdiction, self.number)

    def result_of(self, number: int) -> dict[str, Any] | None:
        """The decision's line for one member application, if decided."""
        for line in (self.outcome or {}).get("results", []):
            if line["application"] == number:
                return line
        return None


@dataclass
class SealedBid:
    id: int | None
    jurisdiction: str
    group_number: int
    application_number: int
    amount: float
    currency: str
    salt: str
    commitment: str  # SHA-256 of "<group ref>|<application number>|<amount>|<currency>|<salt>"
    submitted_at: datetime
    actor: str


@dataclass
class Notice:
    """A message to an applicant (its organisation) about its application, kept as data so that an
    inbox or e-mail can be built over it."""

    id: int | None
    jurisdiction: str
    kind: str  # promoted | competing | competition-decided | remainder-offered | no-longer-competing | ...
    message: str
    created_at: datetime
    application_number: int | None = None
    group_number: int | None = None
    recipient_org: str | None = None
    action_needed: bool = False
    event_seq: int | None = None
    read_at: datetime | None = None
    read_by: str | None = None

    @property
    def subject(self) -> str:
        if self.application_number is not None:
            return f"{self.jurisdiction}/A{self.application_number}"
        return group_ref(self.jurisdiction, self.group_number or 0)
