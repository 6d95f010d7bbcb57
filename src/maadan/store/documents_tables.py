"""Documents the authority issued (issue 16 item 3): each one's PDF and HTML exactly as issued, their
SHA-256 (also in the register's `document.issued` event) and the register event it documents."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Integer, LargeBinary, String, Table, UniqueConstraint

from maadan.store.schema import metadata

issued_document = Table(
    "issued_document",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("number", String(120), nullable=False),  # e.g. PK-BA/A7/receipt
    Column("kind", String(32), nullable=False),  # receipt | offer | refusal | certificate | invoice | ...
    Column("subject", String(160), nullable=False, index=True),  # as the register names it: "application PK-BA/A7"
    Column("jurisdiction", String(16), nullable=False),
    Column("source_seq", Integer, nullable=True),  # the register event it documents (none for an invoice)
    Column("issued_at", DateTime(timezone=True), nullable=False),
    Column("register_seq", Integer, nullable=False),  # its own `document.issued` event
    Column("pdf", LargeBinary, nullable=False),
    Column("html", LargeBinary, nullable=False),
    Column("pdf_sha256", String(64), nullable=False, index=True),
    Column("html_sha256", String(64), nullable=False, index=True),
    UniqueConstraint("number", name="uq_issued_document_number"),
)
