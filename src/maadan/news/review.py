"""Reviewing proposals and turning the reviewed ones into agreement drafts (the registry's contract).
Plain Python: the service stores what these functions decide."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from maadan.errors import Conflict, InvalidInput
from maadan.news.held import STAGES

DECISIONS = ("accept", "edit", "reject")
STATUS_OF = {"accept": "accepted", "edit": "edited", "reject": "rejected"}
AGREEMENT_KINDS = ("mou", "framework", "joint_venture", "concession", "offtake", "loan", "guarantee", "equity",
                   "shipment", "trade_deal", "policy", "event")
AGREEMENT_STATUS = ("announced", "signed", "approved", "closed", "disbursed", "stalled")
PARTY_ROLES = ("government", "state_owned_enterprise", "company", "lender", "offtaker", "guarantor", "witness",
               "other")
PARTIAL_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")
LIST_FIELDS = {"party": "parties", "country": "countries", "mineral": "minerals", "project": "projects",
               "source": "sources"}
SCALAR_FIELDS = ("title", "kind", "status", "signed", "announced", "effective", "expiry", "place", "confidence")


@dataclass
class Proposal:
    id: int
    document_id: str
    agreement_no: int
    position: int
    field: str
    value: Any
    evidence: list[dict]
    note: str | None = None
    status: str = "pending"
    reviewed_value: Any = None
    reviewer: str | None = None
    reviewed_at: datetime | None = None

    @property
    def final_value(self) -> Any:
        return self.reviewed_value if self.status == "edited" else self.value


@dataclass
class NewsDocument:
    id: str
    filename: str
    format: str
    encoding: str
    published: str | None
    published_from: str | None
    language: str
    warnings: list[str]
    text: str
    extraction: dict
    status: str
    ingested_at: datetime
    ingested_by: str
    committed_at: datetime | None = None
    committed_by: str | None = None
    agreement_ids: dict[str, str] | None = None  # agreement number -> registry id, once added
    proposals: list[Proposal] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        out = {"pending": 0, "accepted": 0, "edited": 0, "rejected": 0}
        for p in self.proposals:
            out[p.status] += 1
        return out


def check_value(field_name: str, value: Any) -> Any:
    """Validate an edited value for one field; raises InvalidInput naming the field."""
    def bad(msg: str) -> InvalidInput:
        return InvalidInput(f"{field_name}: {msg}", details={"field": field_name})

    if field_name == "kind" and value not in AGREEMENT_KINDS:
        raise bad(f"{value!r} is not one of {', '.join(AGREEMENT_KINDS)}")
    if field_name == "status" and value not in AGREEMENT_STATUS:
        raise bad(f"{value!r} is not one of {', '.join(AGREEMENT_STATUS)}")
    if field_name in ("signed", "announced", "effective", "expiry") and not (
            isinstance(value, str) and PARTIAL_DATE.fullmatch(value)):
        raise bad(f"{value!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)")
    if field_name == "country" and not (isinstance(value, str) and re.fullmatch(r"[A-Z]{2}", value)):
        raise bad(f"{value!r} is not an ISO 3166-1 alpha-2 code")
    if field_name == "confidence" and value not in ("high", "medium", "low"):
        raise bad(f"{value!r} is not one of high, medium, low")
    if field_name in ("title", "place", "mineral", "project") and not (isinstance(value, str) and value.strip()):
        raise bad("needs a non-empty text")
    if field_name == "party":
        if not isinstance(value, dict) or not str(value.get("name") or "").strip():
            raise bad("needs an object with a name")
        if value.get("role") not in PARTY_ROLES:
            raise bad(f"role {value.get('role')!r} is not one of {', '.join(PARTY_ROLES)}")
        unknown = set(value) - {"name", "organisation_id", "role", "share"}
        if unknown:
            raise bad(f"unknown key(s) {', '.join(sorted(unknown))}")
    if field_name == "amount":
        if not isinstance(value, dict) or not isinstance(value.get("amount"), (int, float)):
            raise bad("needs an object with a numeric amount")
        if not (isinstance(value.get("currency"), str) and re.fullmatch(r"[A-Z]{3}", value["currency"])):
            raise bad("the currency must be an ISO 4217 code such as USD or PKR")
    if field_name == "status_change":
        if not isinstance(value, dict) or not str(value.get("agreement") or "").strip():
            raise bad("needs an object with the held agreement's id, a status and a date")
        if value.get("status") not in STAGES:
            raise bad(f"status {value.get('status')!r} is not one of {', '.join(STAGES)}")
        if value.get("date") is None:
            raise bad("the date is unresolved: edit it with the date of that stage, or reject it")
        if not (isinstance(value.get("date"), str) and PARTIAL_DATE.fullmatch(value["date"])):
            raise bad(f"date {value.get('date')!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)")
        unknown = set(value) - {"agreement", "status", "date"}
        if unknown:
            raise bad(f"unknown key(s) {', '.join(sorted(unknown))}")
    if field_name == "source" and (not isinstance(value, dict) or not str(value.get("publisher") or "").strip()):
        raise bad("needs an object with a publisher")
    return value


def decide(p: Proposal, decision: str, value: Any, reviewer: str, now: datetime) -> None:
    if decision not in DECISIONS:
        raise InvalidInput(f"decision must be one of {', '.join(DECISIONS)}, not {decision!r}",
                           details={"field": "decision"})
    if decision == "edit":
        if value is None:
            raise InvalidInput("an edit needs a value", details={"field": "value"})
        check_value(p.field, value)
    elif value is not None:
        raise InvalidInput(f"a value is given only with 'edit', not with {decision!r}", details={"field": "value"})
    if decision == "accept":
        if p.value is None:
            raise InvalidInput(f"proposal {p.id} ({p.field}) is unresolved: edit it with a value or reject it",
                               details={"field": "decision"})
        check_value(p.field, p.value)
    p.status, p.reviewed_value = STATUS_OF[decision], (value if decision == "edit" else None)
    p.reviewer, p.reviewed_at = reviewer, now


def status_changes(doc: NewsDocument) -> list[dict]:
    """The reviewed status changes of a document ({agreement, status, date}): what `commit` records on
    agreements the registry holds instead of adding new ones."""
    return [dict(p.final_value) for p in doc.proposals
            if p.field == "status_change" and p.status in ("accepted", "edited") and isinstance(p.final_value, dict)]


def build_drafts(doc: NewsDocument) -> list[tuple[int, dict]]:
    """One contract draft per proposed agreement, from accepted and edited fields only. Refuses while
    anything is pending; an agreement whose title or kind was rejected is left out."""
    pending = [p.id for p in doc.proposals if p.status == "pending"]
    if pending:
        raise Conflict(f"{len(pending)} proposal(s) still pending (ids {', '.join(map(str, pending[:10]))}"
                       f"{'...' if len(pending) > 10 else ''}): accept, edit or reject each before committing",
                       details={"pending": pending})
    drafts: dict[int, dict] = {}
    for p in sorted(doc.proposals, key=lambda p: (p.agreement_no, p.position)):
        d = drafts.setdefault(p.agreement_no, {})
        if p.status not in ("accepted", "edited"):
            continue
        v = p.final_value
        if p.field in SCALAR_FIELDS:
            d[p.field] = v
        elif p.field == "amount":
            d["amount"], d["currency"], d["amount_basis"] = float(v["amount"]), v["currency"], "reported"
        elif p.field == "source":
            evidence = v.get("evidence") or (p.evidence[0]["text"] if p.evidence else None)
            d.setdefault("sources", []).append({"publisher": v["publisher"], "url": v.get("url"),
                                                "date": v.get("date"), "evidence": evidence})
        elif p.field == "status_change":
            d["status_change"] = dict(v)
        elif p.field in LIST_FIELDS:
            items = d.setdefault(LIST_FIELDS[p.field], [])
            if v not in items:
                items.append(v)
    out = []
    for no, d in sorted(drafts.items()):
        if ("title" not in d or "kind" not in d) and "status_change" not in d:
            continue  # the reviewer rejected the agreement itself
        if not d.get("sources"):
            raise InvalidInput(f"agreement {no}: every agreement needs a source; edit the source proposal "
                               "instead of rejecting it", details={"field": "sources", "agreement": no})
        d["notes"] = f"Read from news document {doc.id[:12]} ({doc.filename}); every field reviewed."
        out.append((no, d))
    return out
