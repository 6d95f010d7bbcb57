"""News reading use cases: ingest a text, list and show documents, review a proposal, commit a reviewed
document to the agreements registry. Each runs in the unit of work it is given and commits once."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import date, datetime, timezone
from typing import Any, Callable

from maadan.errors import Conflict, InvalidInput, NotFound
from maadan.news.document import read_document
from maadan.news.held import status_change
from maadan.news.pipeline import extract
from maadan.news.review import NewsDocument, Proposal, build_drafts, decide
from maadan.unit_of_work import AbstractUnitOfWork

AddAgreement = Callable[..., str]  # add_agreement(uow, draft, *, actor) -> agreement id (the registry contract)
AddStatusChange = Callable[..., Any]  # add_status_change(uow, agreement_id, change, *, actor) (the registry's)


@dataclass
class IngestReport:
    document: NewsDocument
    created: bool  # False: the same text was ingested before; nothing new was written


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _proposals(doc_id: str, extraction, held: list | None = None) -> list[Proposal]:
    out = []
    for agreement in extraction.agreements:
        change = status_change(agreement, held or [])
        if change is not None:
            agreement.fields.insert(0, change)
    for no, agreement in enumerate(extraction.agreements, start=1):
        for pos, f in enumerate(agreement.fields):
            out.append(Proposal(id=0, document_id=doc_id, agreement_no=no, position=pos, field=f.field,
                                value=f.value, evidence=[asdict(e) for e in f.evidence], note=f.note))
    return out


def published_date(raw: str | None) -> date | None:
    """A publication date typed by a user: '2025-09-08' -> a date; empty -> None; anything else is
    refused naming the field."""
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(f"published: {raw[:40]!r} is not a date (YYYY-MM-DD)",
                           details={"field": "published"}) from None


def ingest_news(uow: AbstractUnitOfWork, raw: bytes, filename: str, published: date | None = None, *,
                actor: str = "cli") -> IngestReport:
    """Read an article and store its proposals for review. The same text (by content hash) twice
    creates nothing and returns the stored document with created=False."""
    read = read_document(raw, filename, published)
    with uow:
        existing = uow.news.get(read.content_hash)
        if existing is not None:
            return IngestReport(existing, created=False)
        held = uow.agreements.all()  # agreements news may report a later stage of
    extraction = extract(read.text, read.published, filename=filename, publisher=read.publisher, url=read.url)
    stored = extraction.to_dict()
    stored.pop("agreements")  # kept as proposals, one row per field
    doc = NewsDocument(
        id=read.content_hash, filename=filename, format=read.format, encoding=read.encoding,
        published=read.published.isoformat() if read.published else None, published_from=read.published_from,
        language=read.language, warnings=read.warnings + extraction.warnings, text=read.text, extraction=stored,
        status="in_review", ingested_at=_now(), ingested_by=actor,
        proposals=_proposals(read.content_hash, extraction, held))
    try:
        with uow:
            uow.news.add(doc)
            uow.commit()
            return IngestReport(uow.news.get(doc.id), created=True)
    except Conflict:  # a concurrent ingest of the same text committed first: nothing new
        with uow:
            return IngestReport(uow.news.get(doc.id), created=False)


_HEX = re.compile(r"[0-9a-f]{6,64}")


def _resolve(uow: AbstractUnitOfWork, ref: str) -> NewsDocument:
    ref = ref.strip().lower()
    if len(ref) < 6:
        raise InvalidInput(f"document id {ref!r}: give at least 6 characters of it", details={"field": "document"})
    ids = uow.news.ids_starting(ref) if _HEX.fullmatch(ref) else []  # ids are SHA-256 hex digests
    if not ids:
        raise NotFound("news document", ref)
    if len(ids) > 1:
        raise InvalidInput(f"document id {ref!r} is ambiguous: give more characters", details={"field": "document"})
    return uow.news.get(ids[0])


def list_documents(uow: AbstractUnitOfWork) -> list[NewsDocument]:
    with uow:
        return uow.news.all()


def show_document(uow: AbstractUnitOfWork, ref: str) -> NewsDocument:
    """A document by its id or a unique prefix of at least 6 characters, with its proposals."""
    with uow:
        return _resolve(uow, ref)


def review_proposal(uow: AbstractUnitOfWork, proposal_id: int, decision: str, value: Any = None, *,
                    reviewer: str) -> Proposal:
    """Accept, edit (with a new value) or reject one proposal. A committed document is closed."""
    return review_proposals(uow, [proposal_id], decision, value, reviewer=reviewer)[0]


def review_proposals(uow: AbstractUnitOfWork, proposal_ids: list[int], decision: str, value: Any = None, *,
                     reviewer: str) -> list[Proposal]:
    """The same decision on several proposals, in one transaction: all are saved or none."""
    if decision == "edit" and len(proposal_ids) != 1:
        raise InvalidInput("edit one proposal at a time", details={"field": "proposal"})
    now = _now()
    out = []
    with uow:
        for proposal_id in proposal_ids:
            p = uow.news.proposal(proposal_id)
            if p is None:
                raise NotFound("proposal", str(proposal_id))
            doc = uow.news.get(p.document_id)
            if doc.status == "committed":
                raise Conflict(f"document {doc.id[:12]} is already committed; its proposals are closed")
            decide(p, decision, value, reviewer, now)
            uow.news.save_review(p)
            out.append(p)
        uow.commit()
    return out


# ---------------------------------------------------------------------------------------------------------
# The registry hook: the CLI passes maadan.agreements.service.add_or_corroborate (adds the agreement, or adds
# the article as a source of the one the registry already holds); unit tests pass a recorder. Drafts are
# built from accepted and edited fields only: nothing unreviewed enters the registry.
# ---------------------------------------------------------------------------------------------------------
def commit_document(uow: AbstractUnitOfWork, ref: str, *, actor: str, add_agreement: AddAgreement,
                    add_status_change: AddStatusChange | None = None) -> list[str]:
    """Add one registry agreement per reviewed proposed agreement of the document and mark it committed.
    Refuses while any proposal is pending, and when the document was committed before.

    `add_agreement` runs its own transaction (the registry's use case commits), so each agreement is
    written whole or not at all; the document records each one as it is added, so after a failure
    (say a duplicate id, Conflict) a second commit adds only the agreements still missing."""
    with uow:
        doc = _resolve(uow, ref)
        if doc.status == "committed":
            raise Conflict(f"document {doc.id[:12]} was committed on {doc.committed_at:%Y-%m-%d} by "
                           f"{doc.committed_by}: agreements {', '.join((doc.agreement_ids or {}).values()) or 'none'}")
        drafts = build_drafts(doc)
        done = dict(doc.agreement_ids or {})
    for no, draft in drafts:
        if str(no) in done:
            continue
        change = draft.pop("status_change", None)
        if change is not None and add_status_change is not None:
            # the article reports a later stage of an agreement the registry holds: a dated status change on it
            add_status_change(uow, change["agreement"], {"status": change["status"], "date": change["date"],
                                                         "sources": draft["sources"]}, actor=actor)
            done[str(no)] = change["agreement"]
        else:
            done[str(no)] = add_agreement(uow, draft, actor=actor)
        with uow:
            uow.news.record_agreements(doc.id, done)
            uow.commit()
    with uow:
        uow.news.mark_committed(doc.id, actor, _now(), done)
        uow.commit()
    return list(done.values())
