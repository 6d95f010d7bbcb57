"""The register of changes over HTTP, for anyone: signed checkpoints, the public key, inclusion
and consistency proofs, a check of a checkpoint someone kept, and the public export. Nothing
here signs: the signing key stays with `maadan audit checkpoint`."""

from __future__ import annotations

import threading
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import PlainTextResponse, StreamingResponse

from maadan.api.deps import Page, UoW
from maadan.audit import service
from maadan.errors import MaadanError, NotFound
from maadan.serialize import to_jsonable

router = APIRouter(prefix="/api/register", tags=["register"])
TEXT = "text/plain; charset=utf-8"
Size = Annotated[int, Query(ge=0, le=2**53, description="A tree size: the number of events it covers")]


def _note(text: str) -> PlainTextResponse:
    return PlainTextResponse(text, media_type=TEXT)


@router.get("/checkpoint", response_class=PlainTextResponse,
            summary="The latest signed checkpoint (C2SP checkpoint: name, tree size, root hash, time, signature)")
def latest_checkpoint(uow: UoW) -> PlainTextResponse:
    cp = service.latest_checkpoint(uow)
    if cp is None:
        raise NotFound("checkpoint", "latest: none has been signed yet (the authority runs `maadan audit checkpoint`)")
    return _note(cp.note)


@router.get("/checkpoints", summary="Every signed checkpoint, newest first")
def checkpoints(uow: UoW, page: Page) -> dict:
    items, total = service.list_checkpoints(uow, page.limit, page.offset)
    return page.page([to_jsonable(c) for c in items], total=total)


@router.get("/checkpoints/{checkpoint_id}", response_class=PlainTextResponse, summary="One signed checkpoint")
def checkpoint(checkpoint_id: Annotated[int, Path(ge=1, le=2_147_483_647)], uow: UoW) -> PlainTextResponse:
    return _note(service.get_checkpoint(uow, checkpoint_id).note)


@router.get("/public-key", response_class=PlainTextResponse,
            summary="The register's public key as a verifier key (<name>+<key id>+<base64 Ed25519 key>)")
def public_key(uow: UoW, key_id: Annotated[str | None, Query(pattern="^[0-9a-fA-F]{8}$",
                                                            description="An older key, by its id")] = None):
    return _note(service.public_key(uow, key_id) + "\n")


@router.get("/proof/inclusion", summary="Proof that an event is in the tree of a checkpoint (RFC 9162)")
def inclusion(uow: UoW, seq: Annotated[int, Query(ge=1, le=2**53, description="The event's number")],
              tree_size: Annotated[int | None, Query(ge=1, le=2**53, description="Default: the latest "
                                                                                 "checkpoint")] = None) -> dict:
    return to_jsonable(service.inclusion_proof(uow, seq, tree_size))


@router.get("/proof/consistency", summary="Proof that a tree is a prefix of a newer one (RFC 9162)")
def consistency(uow: UoW, first: Size, second: Annotated[int | None, Query(ge=0, le=2**53)] = None) -> dict:
    return to_jsonable(service.consistency_proof(uow, first, second))


@router.get("/verify", summary="Does the register extend this checkpoint? The answer carries a consistency "
                               "proof to check offline (curl -G --data-urlencode checkpoint@FILE …)")
def verify(uow: UoW, checkpoint: Annotated[str, Query(max_length=16_384, description="A signed checkpoint, "
                                                      "exactly as kept (the whole file)")]) -> dict:
    return to_jsonable(service.check_checkpoint(uow, checkpoint))


@router.get("/events", summary="The register of changes as the public sees it (each event's leaf), oldest first")
def events(uow: UoW, page: Page) -> dict:
    items, total = service.public_events(uow, page.limit, page.offset)
    return page.page(items, total=total)


class ExportBusy(MaadanError):
    status = 429
    code = "too_many_requests"

    def __init__(self) -> None:
        super().__init__("an export of the register is already being prepared by this server: try again in a "
                         "minute (an export re-hashes nothing but reads every event)")
        self.headers = {"Retry-After": "60"}


@router.get("/export", summary="The public export: a header line, then one leaf per event (JSON Lines); "
                               "one export at a time per server process (429 otherwise)",
            response_class=StreamingResponse)
def export(request: Request, uow: UoW,
           size: Annotated[int | None, Query(ge=0, le=2**53, description="Default: the latest checkpoint's size")] = None):
    n, cp = service.export_size(uow, size)
    gate = getattr(request.app.state, "register_export", None)
    if gate is None:
        gate = request.app.state.register_export = threading.BoundedSemaphore(1)
    if not gate.acquire(blocking=False):
        raise ExportBusy()

    def lines():
        try:
            yield from service.export_lines(uow, n, cp)
        finally:
            gate.release()

    return StreamingResponse(lines(), media_type="application/x-ndjson",
                             headers={"Content-Disposition": f'attachment; filename="register-{n}.jsonl"'})
