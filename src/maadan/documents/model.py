"""A document as plain data: a heading, labelled facts, tables, a map of an area, a QR code.
Templates build it; `maadan.documents.render` draws it as PDF and as HTML."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Union


@dataclass(frozen=True)
class Heading:
    text: str


@dataclass(frozen=True)
class Text:
    text: str
    small: bool = False


@dataclass(frozen=True)
class Facts:
    """Label: value lines (a receipt's number, the date received, the fee...)."""

    rows: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    caption: str = ""
    align_right: tuple[int, ...] = ()  # columns of numbers


@dataclass(frozen=True)
class AreaMap:
    """Polygons as rings of (lon, lat) in WGS 84, drawn to scale with a scale bar and north arrow."""

    polygons: tuple[tuple[tuple[tuple[float, float], ...], ...], ...]
    caption: str


@dataclass(frozen=True)
class QRCode:
    url: str
    caption: str


Block = Union[Heading, Text, Facts, Table, AreaMap, QRCode]


@dataclass(frozen=True)
class Paper:
    """One issued document. `number` is its reference (e.g. PK-BA/A7/receipt); `issued_at` is the
    time of the register event it documents (so the same event always gives the same bytes)."""

    kind: str
    number: str
    title: str
    authority: str
    issued_at: datetime
    timezone: str
    blocks: tuple[Block, ...] = field(default_factory=tuple)
    footer: str = ""


@dataclass(frozen=True)
class IssuedDocument:
    """A document as issued and kept: its bytes (when read with content) and their SHA-256, which
    the register's `document.issued` event (`register_seq`) also holds."""

    id: int | None
    number: str
    kind: str
    subject: str
    jurisdiction: str
    source_seq: int | None
    issued_at: datetime
    register_seq: int
    pdf_sha256: str
    html_sha256: str
    pdf: bytes | None = None
    html: bytes | None = None
