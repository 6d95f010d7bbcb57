"""News texts over HTTP (officers and admins): upload an article, read its proposals with their
evidence, review them, commit the reviewed agreements to the registry. Thin adapter over
news/service.py; the CLI's `maadan ingest news` and `maadan news ...` do the same."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Path, Response, UploadFile
from pydantic import BaseModel, ConfigDict, Field

from maadan.agreements.service import add_or_corroborate, add_status_change
from maadan.api.schemas import ApiRoute, Instant, Out, Paged
from maadan.http.client_limits import RESPONSES as LIMIT_RESPONSES
from maadan.http.client_limits import limited
from maadan.http.deps import Page, UoW, WriteUoW
from maadan.http.security import csrf_protect, require_role
from maadan.auth.model import User
from maadan.http.uploads import client_filename
from maadan.news import service
from maadan.news import views
from maadan.news.views import document_json, proposal_json

router = APIRouter(prefix="/api", tags=["news"], route_class=ApiRoute)
Officer = Annotated[User, Depends(require_role("officer"))]
CSRF = [Depends(csrf_protect)]
DocumentId = Annotated[str, Path(min_length=6, max_length=64, description="Document id or a prefix of 6+ characters")]
ProposalId = Annotated[int, Path(ge=1, le=2_147_483_647)]


class Review(BaseModel):
    model_config = ConfigDict(extra="forbid")
    decision: Literal["accept", "edit", "reject"]
    value: Any = Field(None, description="The new value, only with edit: text, or an object for parties, "
                                         "amounts and sources (see docs/news.md)")


class ProposalOut(Out):
    id: int
    field: str
    value: Any
    evidence: Any
    note: str | None
    status: str = Field(description="pending, accepted, edited or rejected")
    reviewed_value: Any
    reviewer: str | None = Field(description="user:NAME or cli:NAME")
    reviewed_at: Instant | None


class ProposedAgreementOut(Out):
    no: int
    fields: list[ProposalOut]


class DocumentRowOut(Out):
    id: str
    filename: str
    published: str | None
    status: str
    language: str | None
    ingested_at: Instant
    counts: dict[str, int]
    agreement_ids: dict[str, str] | None = Field(description="Proposed agreement number -> registry id, once committed")


class DocumentOut(DocumentRowOut):
    """A document as read: its text, warnings, mentions and the proposed agreements with evidence."""

    created: bool | None = Field(None, description="On upload: false when the same text was read before")
    format: str
    encoding: str | None
    published_from: str | None
    warnings: list[str]
    ingested_by: str
    committed_at: Instant | None
    committed_by: str | None
    agreements: list[ProposedAgreementOut]
    mentions: list[Any]
    projects: list[Any]
    text: str | None = None


class CommitOut(Out):
    document: str
    agreements: list[str] = Field(description="Agreement ids added, corroborated or given a status change")


@router.post("/news", dependencies=[*CSRF, Depends(limited("compute"))],
             summary="Read a news text into proposals (officers and admins)",
             responses={201: {"description": "Read and stored"},
                        200: {"description": "The same text was read before: nothing new was created"},
                        **LIMIT_RESPONSES})
def upload(user: Officer, uow: WriteUoW, response: Response,
           file: Annotated[UploadFile, File(description="The article: plain text or HTML, at most 5 MB")],
           published: Annotated[str | None, Form(max_length=40, description="Publication date, YYYY-MM-DD "
                                                 "(else read from the HTML or the dateline)")] = None) -> DocumentOut:
    report = service.ingest_news(uow, file.file.read(), client_filename(file), service.published_date(published),
                                 actor=user.actor)
    response.status_code = 201 if report.created else 200
    response.headers["Location"] = f"/api/news/{report.document.id}"
    return document_json(report.document, created=report.created, text=True)


@router.get("/news", summary="News documents read so far, with their review counts (officers and admins)")
def documents(_: Officer, uow: UoW, page: Page) -> Paged[DocumentRowOut]:
    return page.page([views.document_row(d) for d in service.list_documents(uow)])


@router.get("/news/{document_id}", summary="One document: its text, mentions and proposals with evidence")
def document(document_id: DocumentId, _: Officer, uow: UoW) -> DocumentOut:
    return document_json(service.show_document(uow, document_id), text=True)


@router.post("/news/proposals/{proposal_id}/review", dependencies=CSRF,
             summary="Accept, edit (with a value) or reject one proposal (officers and admins)")
def review(proposal_id: ProposalId, body: Review, user: Officer, uow: WriteUoW) -> ProposalOut:
    return proposal_json(service.review_proposal(uow, proposal_id, body.decision, body.value, reviewer=user.actor))


@router.post("/news/{document_id}/commit", dependencies=CSRF,
             summary="Add the reviewed agreements to the registry; 409 while any proposal is pending")
def commit(document_id: DocumentId, user: Officer, uow: WriteUoW) -> CommitOut:
    ids = service.commit_document(uow, document_id, actor=user.actor, add_agreement=add_or_corroborate,
                                add_status_change=add_status_change)
    return {"document": service.show_document(uow, document_id).id, "agreements": ids}
