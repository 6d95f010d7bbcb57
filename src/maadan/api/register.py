"""The register of changes over HTTP, for anyone: signed checkpoints, the public key, inclusion
and consistency proofs, a check of a checkpoint someone kept, and the public export. Nothing
here signs: the signing key stays with `maadan audit checkpoint`."""

from __future__ import annotations

import threading
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import PlainTextResponse, StreamingResponse
from pydantic import Field

from maadan.api.schemas import ApiRoute, Instant, Out, Paged
from maadan.audit import service
from maadan.errors import MaadanError, NotFound
from maadan.http.deps import Page, UoW
from maadan.serialize import to_jsonable

router = APIRouter(prefix="/api/register", tags=["register"], route_class=ApiRoute)
TEXT = "text/plain; charset=utf-8"
Size = Annotated[int, Query(ge=0, le=2**53, description="A tree size: the number of events it covers")]
Hex = Annotated[str, Field(pattern=r"^[0-9a-f]*$", description="Hex")]


class CheckpointOut(Out):
    """A checkpoint the authority signed and kept; `note` is the signed text exactly as served."""

    id: int
    tree_size: int = Field(description="Events the tree covers")
    root_hash: Hex
    signed_at: Instant
    origin: str = Field(description="The register's name (the checkpoint's first line)")
    key_id: str = Field(description="The signing key's id (4 bytes, hex)")
    note: str = Field(description="The signed checkpoint (C2SP signed note)")


class InclusionProofOut(Out):
    """Event `seq` (leaf index seq - 1) is in the tree of `tree_size` events whose root is `root_hash`."""

    seq: int
    leaf_index: int
    tree_size: int
    leaf: str = Field(description="The event's public leaf (one line of canonical JSON)")
    leaf_hash: Hex
    proof: list[Hex] = Field(description="RFC 9162 inclusion proof, the sibling nearest the leaf first")
    root_hash: Hex
    checkpoint: str | None = Field(default=None, description="The signed checkpoint of this tree size, if any")


class ConsistencyProofOut(Out):
    """The tree of `first` events is a prefix of the tree of `second` events."""

    first: int
    second: int
    first_root: Hex
    second_root: Hex
    proof: list[Hex] = Field(description="RFC 9162 consistency proof")
    first_checkpoint: str | None = None
    second_checkpoint: str | None = None


class KeptCheckpointOut(Out):
    tree_size: int
    root_hash: Hex
    signed_at: str | None
    key_id: str


class CheckpointCheckOut(Out):
    """Does the register extend the checkpoint sent? With a consistency proof when it does."""

    ok: bool
    tree_size: int = Field(description="Events in the register now")
    checkpoint: KeptCheckpointOut
    problem: str | None = Field(default=None, description="truncated, rewritten, fork... when not ok")
    reason: str | None = None
    consistency: ConsistencyProofOut | None = None


class PublicEventOut(Out):
    """An event as the public sees it: its leaf (private parts replaced by a salted commitment)."""

    v: int = Field(description="Leaf format version")
    seq: int
    at: str
    kind: str
    subject: str
    data: dict[str, Any] = Field(description="The public data; private fields are listed under `redacted`")
    reason: str | None
    documents: list[str] = Field(description="SHA-256 of each document")
    redacted: list[str] = Field(description="JSON Pointers of the private fields taken out")
    private: Hex = Field(description="Salted commitment to the private part (actor, document names, private fields)")
    leaf_hash: Hex


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
def checkpoints(uow: UoW, page: Page) -> Paged[CheckpointOut]:
    return page.read(lambda limit, offset: service.list_checkpoints(uow, limit, offset), to_jsonable)


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
                                                                                 "checkpoint")] = None) -> InclusionProofOut:
    return to_jsonable(service.inclusion_proof(uow, seq, tree_size))


@router.get("/proof/consistency", summary="Proof that a tree is a prefix of a newer one (RFC 9162)")
def consistency(uow: UoW, first: Size, second: Annotated[int | None, Query(ge=0, le=2**53)] = None) -> ConsistencyProofOut:
    return to_jsonable(service.consistency_proof(uow, first, second))


@router.get("/verify", summary="Does the register extend this checkpoint? The answer carries a consistency "
                               "proof to check offline (curl -G --data-urlencode checkpoint@FILE …)")
def verify(uow: UoW, checkpoint: Annotated[str, Query(max_length=16_384, description="A signed checkpoint, "
                                                      "exactly as kept (the whole file)")]) -> CheckpointCheckOut:
    return to_jsonable(service.check_checkpoint(uow, checkpoint))


@router.get("/events", summary="The register of changes as the public sees it (each event's leaf), oldest first")
def events(uow: UoW, page: Page) -> Paged[PublicEventOut]:
    return page.read(lambda limit, offset: service.public_events(uow, limit, offset))


class ExportBusy(MaadanError):
    status = 429
    code = "too_many_requests"

    def __init__(self) -> None:
        super().__init__("an export of the register is already being prepared by this server: try again in a "
                         "minute (an export re-hashes nothing but reads every event)")
        self.headers = {"Retry-After": "60"}


@router.get("/export", summary="The public export: a header line, then one leaf per event (JSON Lines); "
                               "one export at a time per server process (429 otherwise)",
            response_class=StreamingResponse,
            responses={200: {"content": {"application/x-ndjson": {"schema": {"type": "string"}}}},
                       429: {"description": "Another export is being prepared: retry after Retry-After"}})
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
