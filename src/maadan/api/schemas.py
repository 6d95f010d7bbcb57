"""Request bodies, parsed and validated once with errors that name the field; and what every
response body shares: `Out` (a documented body; fields not named here may follow) and `Paged[X]`."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Generic, Literal, TypeVar

from fastapi import Response
from fastapi.datastructures import Default, DefaultPlaceholder
from fastapi.dependencies.utils import get_typed_signature
from fastapi.exceptions import ResponseValidationError
from fastapi.routing import APIRoute
from fastapi.utils import is_body_allowed_for_status_code
from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, TypeAdapter, ValidationError

from maadan.cadastre.audit import Document
from maadan.cadastre.model import HOLDER_KINDS, Holder
from maadan.cadastre.service import AreaInput

Sha256 = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the document, hex")


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Out(BaseModel):
    """A response body. The fields named are always there; a body may carry more (an open schema), so
    that a field added to a view reaches the API without a change here."""

    model_config = ConfigDict(extra="allow")


T = TypeVar("T")


class ApiRoute(APIRoute):
    """Every REST route: a body carries the fields its view gave, not the unset optional ones as null;
    and a plain `def` route that answers with a body validated against its response model is answered
    in one trip to the thread pool, not two (see `_answered_in_one_trip`)."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any):
        kwargs["response_model_exclude_unset"] = True
        wrapped = getattr(endpoint, "answers_encoded", False)  # a route copied by include_router: wrapped once
        if not wrapped and _runs_in_the_pool(endpoint) and isinstance(kwargs.get("response_class", Default(None)),
                                                                      DefaultPlaceholder):
            endpoint = _answered_in_one_trip(self, endpoint)
        super().__init__(path, endpoint, **kwargs)

    @functools.cached_property
    def answer_adapter(self) -> TypeAdapter[Any] | None:
        """The response model's validator and encoder, built on the first answer (not at import)."""
        return TypeAdapter(self.response_model) if self.response_field is not None else None


def _runs_in_the_pool(endpoint: Callable[..., Any]) -> bool:
    return inspect.isfunction(endpoint) and not (inspect.iscoroutinefunction(endpoint) or inspect.isgeneratorfunction(
        endpoint) or inspect.isasyncgenfunction(endpoint))


_SUB_RESPONSE = "maadan_sub_response"


def _answered_in_one_trip(route: ApiRoute, endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """`endpoint` answering with its body already validated and encoded. FastAPI runs a plain `def`
    endpoint in the thread pool and then, for an answer that is not a `Response`, goes back to the
    pool to validate it against the response model: two trips, each two thread switches under the
    GIL. This does both in the endpoint's own trip, as FastAPI would (by alias, unset fields left
    out; the route's status code, or the one the endpoint or a dependency set on the injected
    `Response`, with the headers they set). An answer that is a `Response` passes as it is."""
    own = next((p.name for p in get_typed_signature(endpoint).parameters.values()  # FastAPI injects it once
                if inspect.isclass(p.annotation) and issubclass(p.annotation, Response)), None)

    @functools.wraps(endpoint)
    def answered(**values: Any) -> Any:
        sub = values[own] if own else values.pop(_SUB_RESPONSE)
        answer = endpoint(**values)
        adapter = route.answer_adapter
        if adapter is None or isinstance(answer, Response):
            return answer
        try:
            value = adapter.validate_python(answer, from_attributes=True)
        except ValidationError as e:  # the view broke the documented body: FastAPI's own error for it
            raise ResponseValidationError(e.errors(), body=answer) from None
        status = sub.status_code or route.status_code or 200
        body = b""
        if is_body_allowed_for_status_code(status):
            body = adapter.dump_json(value, include=route.response_model_include, exclude=route.response_model_exclude,
                                     by_alias=route.response_model_by_alias, exclude_unset=True,
                                     exclude_defaults=route.response_model_exclude_defaults,
                                     exclude_none=route.response_model_exclude_none)
        response = Response(body, status_code=status, media_type="application/json")
        response.headers.raw.extend(sub.headers.raw)
        return response

    declared = inspect.signature(endpoint)  # as written (FastAPI resolves its annotations itself)
    parameters = list(declared.parameters.values())
    if own is None:
        parameters.append(inspect.Parameter(_SUB_RESPONSE, inspect.Parameter.KEYWORD_ONLY, annotation=Response))
    answered.__signature__ = declared.replace(parameters=parameters)  # type: ignore[attr-defined]
    answered.answers_encoded = True  # type: ignore[attr-defined]
    return answered


class Paged(Out, Generic[T]):
    """One page of a list: `items` from `offset`, at most `limit` of `total`."""

    total: int = Field(description="Items matching, on every page")
    limit: int
    offset: int
    count: int = Field(description="Items on this page")
    items: list[T]


class Listing(Out, Generic[T]):
    """A short list, whole."""

    items: list[T]


class SourceOut(Out):
    """A page that supports a claim: who published it, where, when, and the words that support it."""

    publisher: str
    url: str | None = None
    date: str | None = Field(default=None, description="Publication date (partial dates allowed: 2025, 2025-04)")
    evidence: str | None = Field(default=None, description="A short quote from the page")


class ClaimOut(Out):
    """One statement of a record with the sources beside it; `sourced` false when none supports it."""

    claim: str = Field(description="The claim's key, e.g. status, operator, ownership[0]")
    label: str
    value: str
    as_of: str | None = None
    sourced: bool
    sources: list[SourceOut]


class CorrectionOut(Out):
    """A recorded change to a claim: who, when, why, the old and the new value, and its sources."""

    claim: str
    old: str | None = None
    new: str | None = None
    why: str
    by: str
    at: str
    sources: list[SourceOut]


Geometry = dict[str, Any]  # GeoJSON geometry, WGS 84 lon/lat
# An instant, written as Python's isoformat does (UTC offset "+00:00"), as the API always has.
Instant = Annotated[datetime, PlainSerializer(lambda d: d.isoformat(), return_type=str, when_used="json")]


class ShareholderIn(_In):
    name: str = Field(min_length=1, max_length=300)
    share_pct: float = Field(description="Share in percent")


class HolderIn(_In):
    name: str = Field(min_length=1, max_length=300)
    share_pct: float = Field(description="Share in percent; all holders sum to 100")
    country: str | None = Field(default=None, pattern=r"^[A-Za-z]{2}$")
    kind: Literal[HOLDER_KINDS] = "private"  # type: ignore[valid-type]
    organisation_id: str | None = Field(default=None, max_length=80,
                                        description="The holder's id in the organisations directory, when it is there")
    body_corporate: bool = True
    beneficial_owners: list[str] = Field(default_factory=list, max_length=50)
    shareholders: list[ShareholderIn] | None = Field(
        default=None, max_length=200,
        description="A body corporate's shareholders (where a rule asks for those above a threshold; [] says none)")
    local_to: list[str] | None = Field(default=None, max_length=20,
                                       description="Zones the holder is local to, e.g. PK-KP-MD (locals-only rules)")

    def domain(self) -> Holder:
        return Holder(name=self.name, share_pct=self.share_pct, country=self.country.upper() if self.country else None,
                      kind=self.kind, organisation_id=self.organisation_id or None, body_corporate=self.body_corporate,
                      beneficial_owners=tuple(self.beneficial_owners),
                      shareholders=None if self.shareholders is None else
                      tuple((s.name, s.share_pct) for s in self.shareholders),
                      local_to=None if self.local_to is None else tuple(self.local_to))


class AreaIn(_In):
    geojson: dict[str, Any] | None = Field(default=None, description="GeoJSON Polygon/MultiPolygon, Feature or FeatureCollection")
    crs: str | None = Field(default=None, max_length=80, description="EPSG:4326 (default), EPSG:32641/32642/32643")
    cells: list[str] | None = Field(default=None, max_length=100_000, description="Grid cell ids instead of a polygon")

    def domain(self) -> AreaInput:
        return AreaInput(geojson=self.geojson, crs=self.crs, cells=tuple(self.cells) if self.cells else None)


class CheckIn(_In):
    jurisdiction: str = Field(default="PK-BA", min_length=2, max_length=16)
    title_type: str = Field(min_length=1, max_length=16)
    area: AreaIn
    holders: list[HolderIn] | None = Field(default=None, max_length=50)
    minerals: list[str] | None = Field(default=None, max_length=30, description="Checked against mineral restrictions")
    declarations: list[str] = Field(default_factory=list, max_length=10, description=(
        "Exceptions claimed, by the code a rule names (e.g. bona-fide-industrial-user); the officer verifies them"))


class ApplyIn(CheckIn):
    minerals: list[str] = Field(min_length=1, max_length=30)
    holders: list[HolderIn] = Field(min_length=1, max_length=50)
    converts: str | None = Field(default=None, min_length=1, max_length=60,
                                 description="The holders' active title this application converts (security of tenure)")


class DocumentIn(_In):
    name: str = Field(min_length=1, max_length=300)
    sha256: str = Sha256

    def domain(self) -> Document:
        return Document(self.name, self.sha256)


class DecisionIn(_In):
    action: Literal["accept", "reject-incomplete", "review", "offer", "grant", "refuse", "withdraw"]
    reason: str | None = Field(default=None, max_length=4000)
    documents: list[DocumentIn] = Field(default_factory=list, max_length=50)


class TitleActionIn(_In):
    number: str = Field(min_length=1, max_length=60)
    action: Literal["renew", "transfer", "relinquish", "surrender", "expire", "revoke"]
    reason: str | None = Field(default=None, max_length=4000)
    documents: list[DocumentIn] = Field(default_factory=list, max_length=50)
    holders: list[HolderIn] | None = Field(default=None, max_length=50)
    area: AreaIn | None = None


class PaymentIn(_In):
    invoice_id: int = Field(ge=1, le=2_147_483_647)
    amount: float = Field(gt=0, le=1e13)
    reference: str = Field(min_length=1, max_length=120)


class CompetitionDecisionIn(_In):
    """An officer's decision names the winner (or ranks every member, winner first) with written
    reasons; a ballot or sealed bids take neither."""

    winner: int | None = Field(default=None, ge=1, le=2_147_483_647, description="Winning application number")
    order: list[int] | None = Field(default=None, max_length=10_000, description="Every member ranked, winner first")
    reason: str | None = Field(default=None, max_length=4000)
    documents: list[DocumentIn] = Field(default_factory=list, max_length=50)


class BidIn(_In):
    application: int = Field(ge=1, le=2_147_483_647, description="The bidding member's application number")
    amount: float = Field(gt=0, le=1e13)
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")


class RemainderIn(_In):
    application: int = Field(ge=1, le=2_147_483_647)
    answer: Literal["accept", "decline"]
