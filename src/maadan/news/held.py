"""A proposed agreement the registry already holds, at another stage.

News follows one agreement through its stages: a loan is announced, then approved, then signed, then
disbursed. When an article reports a stage of an agreement the registry already holds, the reader
proposes a dated status change on that record (to be reviewed like any field) instead of a new agreement.

The held record is the one of the same kind that shares a catalogue organisation with the proposal and
also its project or its amount (within 1%): "EXIM approved financing of $1.25 billion for Reko Diq" is the
held EXIM loan for Reko Diq, not the project's other financing. A proposal matching two held records
proposes no change (the reviewer decides). Works on any object with the registry's agreement shape
(`id`, `kind`, `title`, `parties[].organisation_id`, `projects`, `amount`, `status`, `history`)."""

from __future__ import annotations

from typing import Any

from maadan.news.model import Evidence, FieldProposal, ProposedAgreement

# Stages a news report can move an agreement to (the registry's statuses that carry a date in news).
STAGES = ("announced", "signed", "approved", "closed", "disbursed", "stalled", "deferred", "cancelled")


def _values(p: ProposedAgreement, name: str) -> list[FieldProposal]:
    return [f for f in p.fields if f.field == name]


def _same_amount(a: float | None, b: float | None) -> bool:
    return a is not None and b is not None and abs(a - b) <= 0.01 * max(abs(a), abs(b))


def find_held(p: ProposedAgreement, held: list[Any]) -> Any | None:
    """The one held agreement `p` reports on, or None (none, or more than one, match)."""
    orgs = {f.value.get("organisation_id") for f in _values(p, "party") if isinstance(f.value, dict)} - {None}
    projects = {f.value for f in _values(p, "project")}
    amounts = [f.value.get("amount") for f in _values(p, "amount") if isinstance(f.value, dict)]
    if not orgs:
        return None
    found = []
    for a in held:
        if a.kind != p.kind:
            continue
        theirs = {x.organisation_id for x in a.parties if x.organisation_id}
        if not orgs & theirs:
            continue
        if projects & set(a.projects or ()) or any(_same_amount(x, a.amount) for x in amounts):
            found.append(a)
    return found[0] if len(found) == 1 else None


def _history_has(a: Any, status: str, day: str | None) -> bool:
    for c in getattr(a, "history", ()) or ():
        if c.status == status and (day is None or c.date.startswith(day[:len(c.date)]) or day.startswith(c.date)):
            return True
    return False


def status_change(p: ProposedAgreement, held: list[Any]) -> FieldProposal | None:
    """A `status_change` field for `p` when it reports a stage of a held agreement: value {agreement,
    status, date}, or None (unresolved) when the text gives no date; evidence the status word and the
    date. None when no held agreement matches."""
    status = next((f for f in _values(p, "status")), None)
    if status is None or status.value not in STAGES:
        return None
    a = find_held(p, held)
    if a is None:
        return None
    dated = next((f for f in p.fields if f.field in ("signed", "announced")), None)
    day = dated.value if dated else None
    if _history_has(a, status.value, day):
        note = (f"the registry holds this agreement as {a.id} ({a.title}) with this stage already: accepting "
                "adds this article as a source of that stage")
    else:
        now = getattr(a, "status", None)
        note = (f"the registry holds this agreement as {a.id} ({a.title}){f', now {now}' if now else ''}: "
                f"the article reports it {status.value}. Accepting records a dated status change on that record "
                "instead of adding a new agreement; rejecting it adds (or corroborates) the agreement as usual")
    evidence: list[Evidence] = list(status.evidence) + (list(dated.evidence) if dated else [])
    value = {"agreement": a.id, "status": status.value, "date": day}
    if day is None:  # unresolved, like any field without its value: the reviewer gives the date or rejects it
        note += f'. The text gives no date: edit with {{"agreement": "{a.id}", "status": "{status.value}", ' \
                '"date": "YYYY-MM-DD"}'
        return FieldProposal("status_change", None, evidence, note)
    return FieldProposal("status_change", value, evidence, note)
