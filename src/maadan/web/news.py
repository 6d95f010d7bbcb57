"""Web pages for reading news texts (officers and admins): the documents with an upload form, and one
document with its text (evidence marked), its proposed fields to accept, edit or reject, and the commit
button. Thin adapters over news/service.py, like the REST routes in api/news.py. A refused review or
commit shows the document again with the message; any other error is the error page."""

from __future__ import annotations

import json
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Path as PathParam, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from maadan.agreements.service import add_or_corroborate, add_status_change
from maadan.auth.model import User
from maadan.errors import MaadanError
from maadan.http.client_limits import limited
from maadan.http.deps import UoW, WriteUoW
from maadan.http.errors import PAGE_TAG
from maadan.http.security import csrf_protect, require_role
from maadan.http.uploads import client_filename
from maadan.news import service
from maadan.news.views import parse_value
from maadan.news.review import NewsDocument, Proposal
from maadan.web.templating import NavLink, render

router = APIRouter(include_in_schema=False, tags=[PAGE_TAG])
NAV = (NavLink(110, "/news", "News", ("officer",)),)
CSRF = [Depends(csrf_protect)]
Officer = Annotated[User, Depends(require_role("officer"))]
DocumentId = Annotated[str, PathParam(max_length=64)]


UNMARKED = ("source",)  # its evidence is the whole sentence, quoted in the table; marking it would hide the rest


def segments(text: str, proposals: list[Proposal]) -> list[tuple[str, list[str]]]:
    """The text cut wherever the set of fields it is evidence for changes: (piece, fields); [] means
    plain text. Every character is shown once, whatever the overlaps."""
    spans = [(int(e.get("start", 0)), int(e.get("end", 0)), p.field)
             for p in proposals if p.field not in UNMARKED for e in (p.evidence or [])]
    spans = [(a, b, f) for a, b, f in spans if 0 <= a < b <= len(text)]
    cuts = sorted({0, len(text)} | {a for a, _, _ in spans} | {b for _, b, _ in spans})
    out: list[tuple[str, list[str]]] = []
    for a, b in zip(cuts, cuts[1:]):
        fields = sorted({f for s, e, f in spans if s <= a and b <= e})
        if out and out[-1][1] == fields:
            out[-1] = (out[-1][0] + text[a:b], fields)
        else:
            out.append((text[a:b], fields))
    return out


def shown(value: Any) -> str:
    """A proposed value as the reviewer reads it; objects as JSON, None as 'unresolved'."""
    if value is None:
        return "unresolved"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def editable(value: Any) -> str:
    """The value to put in the edit box: JSON for objects and numbers, plain text for text."""
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _list(request: Request, uow: UoW, status: int = 200, error: str | None = None) -> Response:
    docs = service.list_documents(uow)
    return render(request, "news.html", {"docs": docs, "error": error}, status_code=status)


@router.get("/news")
def news_page(request: Request, _: Officer, uow: UoW) -> Response:
    return _list(request, uow)


@router.post("/news", dependencies=[*CSRF, Depends(limited("compute"))])
def news_upload(request: Request, user: Officer, uow: WriteUoW, read: UoW, file: Annotated[UploadFile, File()],
                published: Annotated[str, Form(max_length=40)] = "") -> Response:
    try:  # the list again with what was wrong with the file
        report = service.ingest_news(uow, file.file.read(), client_filename(file), service.published_date(published),
                                     actor=user.actor)
    except MaadanError as exc:
        return _list(request, read, status=exc.status, error=exc.message)
    seen = "" if report.created else "?seen=1"
    return RedirectResponse(f"/news/{quote(report.document.id)}{seen}", status_code=303)


def _document(request: Request, doc: NewsDocument, status: int = 200, error: str | None = None,
              seen: bool = False) -> Response:
    agreements: dict[int, list[Proposal]] = {}
    for p in doc.proposals:
        agreements.setdefault(p.agreement_no, []).append(p)
    return render(request, "news_document.html", {
        "doc": doc, "agreements": sorted(agreements.items()), "segments": segments(doc.text, doc.proposals),
        "counts": doc.counts(), "error": error, "seen": seen, "shown": shown, "editable": editable},
        status_code=status)


@router.get("/news/{document_id}")
def news_document(request: Request, document_id: DocumentId, _: Officer, uow: UoW, seen: str | None = None) -> Response:
    return _document(request, service.show_document(uow, document_id), seen=bool(seen))


def _after(request: Request, uow: UoW, document_id: str, exc: MaadanError) -> Response:
    """The document page again with the refusal (the error itself when the document is unknown)."""
    try:
        doc = service.show_document(uow, document_id)
    except MaadanError:
        raise exc from None
    return _document(request, doc, status=exc.status, error=exc.message)


@router.post("/news/{document_id}/proposals/{proposal_id}", dependencies=CSRF)
def news_review(request: Request, document_id: DocumentId, user: Officer, uow: WriteUoW, read: UoW,
                proposal_id: Annotated[int, PathParam(ge=1, le=2_147_483_647)],
                decision: Annotated[str, Form(max_length=20)], value: Annotated[str, Form(max_length=4000)] = "") -> Response:
    try:
        p = service.review_proposal(uow, proposal_id, decision, parse_value(value) if decision == "edit" else None,
                                    reviewer=user.actor)
    except MaadanError as exc:
        return _after(request, read, document_id, exc)
    return RedirectResponse(f"/news/{quote(p.document_id)}#p-{p.id}", status_code=303)


@router.post("/news/{document_id}/accept-all", dependencies=CSRF)
def news_accept_all(request: Request, document_id: DocumentId, user: Officer, uow: WriteUoW, read: UoW) -> Response:
    """Accept every pending proposal of the document (all saved or none)."""
    try:
        doc = service.show_document(read, document_id)
        pending = [p.id for p in doc.proposals if p.status == "pending"]
        if pending:
            service.review_proposals(uow, pending, "accept", reviewer=user.actor)
    except MaadanError as exc:
        return _after(request, read, document_id, exc)
    return RedirectResponse(f"/news/{quote(doc.id)}#commit", status_code=303)


@router.post("/news/{document_id}/commit", dependencies=CSRF)
def news_commit(request: Request, document_id: DocumentId, user: Officer, uow: WriteUoW, read: UoW) -> Response:
    try:
        service.commit_document(uow, document_id, actor=user.actor, add_agreement=add_or_corroborate,
                                add_status_change=add_status_change)
        doc = service.show_document(read, document_id)
    except MaadanError as exc:
        return _after(request, read, document_id, exc)
    return RedirectResponse(f"/news/{quote(doc.id)}#commit", status_code=303)
