"""Persistence of issued documents (`uow.documents`)."""

from __future__ import annotations

from datetime import timezone
from typing import Any

from sqlalchemy import func, insert, or_, select
from sqlalchemy.orm import Session

from maadan.documents.model import IssuedDocument
from maadan.store.documents_tables import issued_document as d

_META = [d.c.id, d.c.number, d.c.kind, d.c.subject, d.c.jurisdiction, d.c.source_seq, d.c.issued_at,
         d.c.register_seq, d.c.pdf_sha256, d.c.html_sha256]


def _doc(r: Any, content: bool) -> IssuedDocument:
    at = r.issued_at if r.issued_at.tzinfo else r.issued_at.replace(tzinfo=timezone.utc)
    return IssuedDocument(id=r.id, number=r.number, kind=r.kind, subject=r.subject, jurisdiction=r.jurisdiction,
                          source_seq=r.source_seq, issued_at=at, register_seq=r.register_seq,
                          pdf_sha256=r.pdf_sha256, html_sha256=r.html_sha256,
                          pdf=bytes(r.pdf) if content else None, html=bytes(r.html) if content else None)


class DocumentRepository:
    def __init__(self, session: Session):
        self.s = session

    def add(self, doc: IssuedDocument) -> int:
        return self.s.execute(insert(d).values(
            number=doc.number, kind=doc.kind, subject=doc.subject, jurisdiction=doc.jurisdiction,
            source_seq=doc.source_seq, issued_at=doc.issued_at, register_seq=doc.register_seq, pdf=doc.pdf,
            html=doc.html, pdf_sha256=doc.pdf_sha256, html_sha256=doc.html_sha256).returning(d.c.id)).scalar_one()

    def by_number(self, number: str, content: bool = True) -> IssuedDocument | None:
        cols = [*_META, d.c.pdf, d.c.html] if content else _META
        r = self.s.execute(select(*cols).where(d.c.number == number)).first()
        return _doc(r, content) if r else None

    def for_subjects(self, subjects: list[str]) -> list[IssuedDocument]:
        rows = self.s.execute(select(*_META).where(d.c.subject.in_(subjects)).order_by(d.c.id)).all()
        return [_doc(r, False) for r in rows]

    def by_hash(self, sha256: str) -> IssuedDocument | None:
        r = self.s.execute(select(*_META).where(or_(d.c.pdf_sha256 == sha256, d.c.html_sha256 == sha256))).first()
        return _doc(r, False) if r else None

    def count(self) -> int:
        return self.s.execute(select(func.count()).select_from(d)).scalar_one()


REPOSITORIES = {"documents": DocumentRepository}  # collected by store/uow.py
