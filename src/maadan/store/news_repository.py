"""Persistence of news documents and their proposals. No commits here."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from maadan.errors import Conflict
from maadan.news.review import NewsDocument, Proposal
from maadan.store import news_tables as t


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def _proposal(r) -> Proposal:
    return Proposal(id=r.id, document_id=r.document_id, agreement_no=r.agreement_no, position=r.position,
                    field=r.field, value=r.value, evidence=r.evidence, note=r.note, status=r.status,
                    reviewed_value=r.reviewed_value, reviewer=r.reviewer, reviewed_at=_utc(r.reviewed_at))


def _document(r, proposals: list[Proposal]) -> NewsDocument:
    return NewsDocument(id=r.id, filename=r.filename, format=r.format, encoding=r.encoding, published=r.published,
                        published_from=r.published_from, language=r.language, warnings=r.warnings, text=r.text,
                        extraction=r.extraction, status=r.status, ingested_at=_utc(r.ingested_at),
                        ingested_by=r.ingested_by, committed_at=_utc(r.committed_at), committed_by=r.committed_by,
                        agreement_ids=r.agreement_ids, proposals=proposals)


class NewsRepository:
    def __init__(self, session: Session):
        self.s = session

    def add(self, doc: NewsDocument) -> None:
        try:
            self._add(doc)
        except IntegrityError:  # a concurrent ingest of the same text committed first
            raise Conflict(f"document {doc.id[:12]} was stored meanwhile") from None

    def _add(self, doc: NewsDocument) -> None:
        self.s.execute(insert(t.news_document).values(
            id=doc.id, filename=doc.filename, format=doc.format, encoding=doc.encoding, published=doc.published,
            published_from=doc.published_from, language=doc.language, warnings=doc.warnings, text=doc.text,
            extraction=doc.extraction, status=doc.status, ingested_at=doc.ingested_at, ingested_by=doc.ingested_by))
        if doc.proposals:
            self.s.execute(insert(t.news_proposal), [
                {"document_id": doc.id, "agreement_no": p.agreement_no, "position": p.position, "field": p.field,
                 "value": p.value, "evidence": p.evidence, "note": p.note, "status": "pending"}
                for p in doc.proposals])

    def ids_starting(self, prefix: str) -> list[str]:
        # startswith(autoescape): % and _ in the prefix match themselves, not any text
        rows = self.s.execute(select(t.news_document.c.id).where(t.news_document.c.id.startswith(prefix, autoescape=True))
                              .limit(3)).scalars()
        return list(rows)

    def get(self, doc_id: str, *, with_text: bool = True) -> NewsDocument | None:
        r = self.s.execute(select(t.news_document).where(t.news_document.c.id == doc_id)).first()
        if r is None:
            return None
        rows = self.s.execute(select(t.news_proposal).where(t.news_proposal.c.document_id == doc_id)
                              .order_by(t.news_proposal.c.agreement_no, t.news_proposal.c.position)).all()
        return _document(r, [_proposal(p) for p in rows])

    def all(self) -> list[NewsDocument]:
        docs = self.s.execute(select(t.news_document).order_by(t.news_document.c.ingested_at,
                                                               t.news_document.c.id)).all()
        rows = self.s.execute(select(t.news_proposal).order_by(t.news_proposal.c.id)).all()
        by_doc: dict[str, list[Proposal]] = {}
        for p in rows:
            by_doc.setdefault(p.document_id, []).append(_proposal(p))
        return [_document(r, by_doc.get(r.id, [])) for r in docs]

    def proposal(self, proposal_id: int) -> Proposal | None:
        r = self.s.execute(select(t.news_proposal).where(t.news_proposal.c.id == proposal_id)).first()
        return _proposal(r) if r else None

    def save_review(self, p: Proposal) -> None:
        self.s.execute(update(t.news_proposal).where(t.news_proposal.c.id == p.id).values(
            status=p.status, reviewed_value=p.reviewed_value, reviewer=p.reviewer, reviewed_at=p.reviewed_at))

    def record_agreements(self, doc_id: str, agreement_ids: dict[str, str]) -> None:
        self.s.execute(update(t.news_document).where(t.news_document.c.id == doc_id).values(
            agreement_ids=agreement_ids))

    def mark_committed(self, doc_id: str, actor: str, at: datetime, agreement_ids: dict[str, str]) -> None:
        self.s.execute(update(t.news_document).where(t.news_document.c.id == doc_id).values(
            status="committed", committed_by=actor, committed_at=at, agreement_ids=agreement_ids))
