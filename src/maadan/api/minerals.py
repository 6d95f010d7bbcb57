"""Minerals: the critical lists side by side and one mineral's facts, each figure with its source."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import Field

from maadan.api.schemas import ApiRoute, Listing, Out, Paged
from maadan.http.deps import Page, UoW
from maadan.minerals.service import list_minerals, mineral_facts
from maadan.serialize import to_jsonable

router = APIRouter(prefix="/api", tags=["minerals"], route_class=ApiRoute)
ListId = Literal["usgs-2022", "usgs-2025", "doe-2023", "eu-2023"]


class CriticalListOut(Out):
    id: str
    name: str
    entries: int = Field(description="Minerals in the bundle on this list")


class ListEntryOut(Out):
    listed_name: str | None
    strategic: bool | None
    added_on: str | None
    source: str | None


class MineralRowOut(Out):
    id: str
    name: str
    kind: str
    group: str | None
    lists: dict[str, ListEntryOut] = Field(description="List id -> the mineral's entry on it")


class MineralFactsOut(Out):
    """Every fact on one mineral: its lists, world production and reserves, US import reliance and
    sources, each figure with its source (docs/data-sources.md)."""

    mineral: dict[str, Any]
    sources: Any


@router.get("/lists", summary="The critical-mineral lists with their citations")
def lists(uow: UoW) -> Listing[CriticalListOut]:
    listing = list_minerals(uow)
    return {"items": [{**to_jsonable(cl), "entries": sum(1 for m in listing.minerals if cl.id in m.entries)}
                      for cl in listing.lists]}


@router.get("/minerals", summary="Minerals on any critical list (or one list), with the lists they are on")
def minerals(uow: UoW, page: Page, list: Annotated[ListId | None, Query(description="Only this list")] = None,
             sort: Annotated[Literal["name", "id", "lists"], Query()] = "name") -> Paged[MineralRowOut]:
    listing = list_minerals(uow, list)
    rows = [{"id": m.mineral.id, "name": m.mineral.name, "kind": m.mineral.kind, "group": m.mineral.group_id,
             "lists": {lid: {"listed_name": e.listed_name, "strategic": e.strategic,
                             "added_on": e.added_on.isoformat() if e.added_on else None, "source": e.source}
                       for lid, e in m.entries.items()}} for m in listing.minerals]
    key = {"name": lambda r: r["name"].lower(), "id": lambda r: r["id"], "lists": lambda r: (-len(r["lists"]), r["name"])}
    rows.sort(key=key[sort])
    return page.page(rows)


@router.get("/minerals/{name}", summary="Every fact on one mineral (name, alias or symbol)")
def mineral(name: str, uow: UoW, edition: Annotated[str | None, Query(max_length=40)] = None) -> MineralFactsOut:
    facts = mineral_facts(uow, name, edition)
    data = to_jsonable(facts)
    data["sources"] = facts.sources
    return data
