"""Documents the authority issues, as PDF or HTML (issue 16 item 3), and the page where anyone
checks a copy against the SHA-256 the register recorded.

Addresses (the `portal` pages link them): /documents/<kind>/<key>.pdf|.html with kind one of
receipt, offer, refusal (key: application PK-BA/A7), certificate, default-notice (key: title
number), invoice (key: invoice id), payment (key: the register event of the payment)."""

from __future__ import annotations

import hashlib
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Path as PathParam, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from maadan.auth.model import User
from maadan.cadastre import documents
from maadan.errors import InvalidInput, NotFound
from maadan.http.deps import UoW, WriteUoW
from maadan.http.errors import PAGE_TAG
from maadan.http.security import CurrentUser, csrf_protect, require_role
from maadan.http.security_headers import DOCUMENT_POLICY
from maadan.web.templating import render

router = APIRouter(include_in_schema=False, tags=[PAGE_TAG])
Officer = Annotated[User, Depends(require_role("officer"))]
FORMATS = {"pdf": "application/pdf", "html": "text/html; charset=utf-8"}
MAX_COPY_BYTES = 20_000_000


def document_url(kind: str, key: str, fmt: str = "pdf") -> str:
    return f"/documents/{kind}/{key}.{fmt}"


@router.get("/documents/{kind}/{key:path}")
def document(kind: Annotated[str, PathParam(max_length=20)], key: Annotated[str, PathParam(max_length=120)],
             user: CurrentUser, uow: WriteUoW) -> Response:
    stem, dot, fmt = key.rpartition(".")
    if not dot or fmt not in FORMATS or kind not in documents.KINDS:
        raise NotFound("document", f"{kind}/{key}: give …/<key>.pdf or …/<key>.html")
    doc = documents.issue(uow, kind, stem, user.actor if user else "system", user)
    body = doc.pdf if fmt == "pdf" else doc.html
    name = doc.number.replace("/", "_") + "." + fmt
    headers = {"Content-Disposition": f'inline; filename="{name}"', "X-Document-SHA256": doc.pdf_sha256 if fmt == "pdf"
               else doc.html_sha256, "X-Register-Event": str(doc.register_seq), "Cache-Control": "private, no-cache"}
    if fmt == "html":
        headers["Content-Security-Policy"] = DOCUMENT_POLICY
    return Response(body, media_type=FORMATS[fmt], headers=headers)


@router.post("/cadastre/default-notice", dependencies=[Depends(csrf_protect)])
def give_default_notice(user: Officer, uow: WriteUoW, number: Annotated[str, Form(max_length=80)],
                        reason: Annotated[str, Form(max_length=4000)] = "",
                        days: Annotated[int, Form(ge=1, le=365)] = documents.DEFAULT_NOTICE_DAYS) -> Response:
    """The officer's notice of default on a title (the title page's form); answers with the notice."""
    documents.default_notice(uow, number, user.actor, reason, days)
    return RedirectResponse(document_url("default-notice", number, "html"), status_code=303)


def _check_page(request: Request, uow: UoW, sha256: str | None, status: int = 200, error: str | None = None,
                name: str | None = None) -> Response:
    found = None
    if sha256 and not error:
        try:
            found = documents.find_by_hash(uow, sha256)
        except InvalidInput as exc:
            error, status = exc.message, 422
    return render(request, "document_check.html", {"sha256": sha256 or "", "found": found, "error": error,
                                                   "file_name": name, "checked": bool(sha256) and not error},
                  status_code=status)


@router.get("/register/documents")
def check_document(request: Request, uow: UoW,
                   sha256: Annotated[str | None, Query(max_length=80)] = None) -> Response:
    return _check_page(request, uow, (sha256 or "").strip() or None)


@router.post("/register/documents", dependencies=[Depends(csrf_protect)])
async def check_document_file(request: Request, uow: UoW, upload: Annotated[UploadFile, File(alias="copy")]) -> Response:
    """Hash a copy someone holds (read, never stored) and look the hash up."""
    digest = hashlib.sha256()
    size = 0
    while chunk := await upload.read(1 << 16):
        size += len(chunk)
        if size > MAX_COPY_BYTES:
            return _check_page(request, uow, None, 413, f"the file is larger than {MAX_COPY_BYTES:,} bytes: "
                                                        "no document the authority issues is that large")
        digest.update(chunk)
    name = (upload.filename or "")[:200]
    return _check_page(request, uow, digest.hexdigest(), name=name)
