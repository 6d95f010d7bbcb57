"""News texts over HTTP (officers and admins): upload an article, read its proposals with their
evidence, review them, commit the reviewed agreements to the registry. Thin adapter over
news/service.py; the CLI's `maadan ingest news` and `maadan news ...` do the same."""

from __future__ import annotations

from datetime import date
from pathlib import PurePath
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Path, Response, UploadFile
from pydantic import BaseModel, ConfigDict, Field

from maadan.agreements.service import add_or_corroborate
from maadan.api.client_limits import RESPONSES as LIMIT_RESPONSES
from maadan.api.client_limits import limited
from maadan.api.deps import Page, UoW, WriteUoW
from maadan.api.security import csrf_protect, require_role
from maadan.auth.model import User
from maadan.errors import InvalidInput
from maadan.news import service
from maadan.news.export import document_json, proposal_json

router = APIRouter(prefix="/api", tags=["news"])
Officer = Annotated[User, Depends(require_role("officer"))]
CSRF = [Depends(csrf_protect)]
DocumentId = Annotated[str, Path(min_length=6, max_length=64, description="Document id or a prefix of 6+ characters")]
ProposalId = Annotated[int, Path(ge=1, le=2_147_483_647)]


def published_date(raw: str | None) -> date | None:
    """'2025-09-08' -> a date; empty -> None; anything else is refused naming the field."""
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(f"published: {raw[:40]!r} is not a date (YYYY-MM-DD)",
                           details={"field": "published"}) from None


def upload_name(file: UploadFile) -> str:
    """The uploaded file's own name, without any directory a client put in it."""
    name = PurePath((file.filename or "").replace("\\", "/")).name.strip()[:200]
    return name or "upload.txt"


def ingest_upload(uow, file: UploadFile, published: str | None, actor: str) -> service.IngestReport:
    """Read an uploaded article (the web form uses this too)."""
    day = published_date(published)
    return service.ingest_news(uow, file.file.read(), upload_name(file), day, actor=actor)


class Review(BaseModel):
    model_config = ConfigDict(extra="forbid")
    decision: Literal["accept", "edit", "reject"]
    value: Any = Field(None, description="The new value, only with edit: text, or an object for parties, "
                                         "amounts and sources (see docs/news.md)")


@router.post("/news", dependencies=[*CSRF, Depends(limited("compute"))],
             summary="Read a news text into proposals (officers and admins)",
             responses={201: {"description": "Read and stored"},
                        200: {"description": "The same text was read before: nothing new was created"},
                        **LIMIT_RESPONSES})
def upload(user: Officer, uow: WriteUoW, response: Response,
           file: Annotated[UploadFile, File(description="The article: plain text or HTML, at most 5 MB")],
           published: Annotated[str | None, Form(max_length=40, description="Publication date, YYYY-MM-DD "
                                                 "(else read from the HTML or the dateline)")] = None) -> dict:
    report = ingest_upload(uow, file, published, user.actor)
    response.status_code = 201 if report.created else 200
    response.headers["Location"] = f"/api/news/{report.document.id}"
    return document_json(report.document, created=report.created, text=True)


@router.get("/news", summary="News documents read so far, with their review counts (officers and admins)")
def documents(_: Officer, uow: UoW, page: Page) -> dict:
    return page.page([{"id": d.id, "filename": d.filename, "published": d.published, "status": d.status,
                       "language": d.language, "ingested_at": d.ingested_at, "counts": d.counts(),
                       "agreement_ids": d.agreement_ids} for d in service.list_documents(uow)])


@router.get("/news/{document_id}", summary="One document: its text, mentions and proposals with evidence")
def document(document_id: DocumentId, _: Officer, uow: UoW) -> dict:
    return document_json(service.show_document(uow, document_id), text=True)


@router.post("/news/proposals/{proposal_id}/review", dependencies=CSRF,
             summary="Accept, edit (with a value) or reject one proposal (officers and admins)")
def review(proposal_id: ProposalId, body: Review, user: Officer, uow: WriteUoW) -> dict:
    return proposal_json(service.review_proposal(uow, proposal_id, body.decision, body.value, reviewer=user.actor))


@router.post("/news/{document_id}/commit", dependencies=CSRF,
             summary="Add the reviewed agreements to the registry; 409 while any proposal is pending")
def commit(document_id: DocumentId, user: Officer, uow: WriteUoW) -> dict:
    ids = service.commit_document(uow, document_id, actor=user.actor, add_agreement=add_or_corroborate)
    return {"document": service.show_document(uow, document_id).id, "agreements": ids}
