"""Reading a whole register a page at a time: titles by id, applications by jurisdiction and number,
so that a million of them never sit in memory at once (the operator's export, the public's downloads)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from maadan.cadastre.model import Application, Title
from maadan.unit_of_work import AbstractUnitOfWork


def title_pages(uow: AbstractUnitOfWork, jurisdiction: str | None, page: int) -> Iterator[list[Title]]:
    """The jurisdiction's titles (all jurisdictions' when None) in id order, `page` at a time, each
    page read by key after the last id of the one before (an offset would make the store count past
    every earlier row). `uow` is open; no page is empty."""
    after = None
    while True:
        part = uow.cadastre.titles(jurisdiction, limit=page, after_id=after)
        if part:
            yield part
        if len(part) < page:
            return
        after = part[-1].id


def application_pages(uow: AbstractUnitOfWork, jurisdiction: str | None, states: Iterable[str] | None,
                      page: int) -> Iterator[list[Application]]:
    """The jurisdiction's applications in `states` (every state when None) by jurisdiction and
    number, `page` at a time: their keys read first, then each page by its numbers. `uow` is open;
    no page is empty."""
    states = None if states is None else list(states)
    keys = uow.cadastre.application_keys(jurisdiction, states)
    for start in range(0, len(keys), page):
        chunk = keys[start:start + page]
        wanted = set(chunk)  # the numbers of another jurisdiction's applications are not theirs
        part = [a for a in uow.cadastre.applications(jurisdiction, states, numbers=[n for _, n in chunk])
                if (a.jurisdiction, a.number) in wanted]
        if part:
            yield part
