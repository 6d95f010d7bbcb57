"""News documents and the field proposals read from them, on the one `metadata` of store/schema.py."""

from __future__ import annotations

from sqlalchemy import JSON, Column, DateTime, ForeignKey, Index, Integer, String, Table, Text

from maadan.store.schema import metadata

news_document = Table(
    "news_document",
    metadata,
    # SHA-256 of the cleaned text with whitespace runs collapsed: the same article twice is one row.
    Column("id", String(64), primary_key=True),
    Column("filename", String(255), nullable=False),
    Column("format", String(8), nullable=False),  # text | html
    Column("encoding", String(16), nullable=False),
    Column("published", String(10), nullable=True),  # YYYY-MM-DD
    Column("published_from", String(16), nullable=True),  # given | html meta | text
    Column("language", String(8), nullable=False),  # en | not-en
    Column("warnings", JSON, nullable=False),
    Column("text", Text, nullable=False),  # the cleaned text every offset refers to
    Column("extraction", JSON, nullable=False),  # mentions and project readings
    Column("status", String(12), nullable=False),  # in_review | committed
    Column("ingested_at", DateTime(timezone=True), nullable=False),
    Column("ingested_by", String(64), nullable=False),
    Column("committed_at", DateTime(timezone=True), nullable=True),
    Column("committed_by", String(64), nullable=True),
    Column("agreement_ids", JSON, nullable=True),
)

news_proposal = Table(
    "news_proposal",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("document_id", String(64), ForeignKey("news_document.id", ondelete="CASCADE"), nullable=False),
    Column("agreement_no", Integer, nullable=False),  # 1, 2... within the document
    Column("position", Integer, nullable=False),
    Column("field", String(16), nullable=False),
    Column("value", JSON, nullable=True),  # null = unresolved
    Column("evidence", JSON, nullable=False),  # [{text, start, end}]
    Column("note", Text, nullable=True),
    Column("status", String(10), nullable=False),  # pending | accepted | edited | rejected
    Column("reviewed_value", JSON, nullable=True),
    Column("reviewer", String(64), nullable=True),
    Column("reviewed_at", DateTime(timezone=True), nullable=True),
)
Index("ix_news_proposal_document", news_proposal.c.document_id, news_proposal.c.agreement_no)
