"""Reading a whole register a page at a time: titles by id, so that a million of them never sit in
memory at once (the operator's export, the public's downloads)."""

from __future__ import annotations

from collections.abc import Iterator

from maadan.cadastre.model import Title
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
