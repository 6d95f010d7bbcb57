"""The agreements registry, on the one `metadata` of store/schema.py. Partial dates ("2025", "2025-04", "2025-04-08") are kept as text, as the sources give them."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Float, ForeignKey, Index, Integer, String, Table, Text

from maadan.store.schema import metadata

agreement = Table(
    "agreement",
    metadata,
    Column("id", String(120), primary_key=True),
    Column("title", String(500), nullable=False),
    Column("kind", String(24), nullable=False),
    Column("binding", Boolean, nullable=True),  # null: unknown
    Column("announced", String(10), nullable=True),
    Column("signed", String(10), nullable=True),
    Column("effective", String(10), nullable=True),
    Column("expiry", String(10), nullable=True),
    Column("timeline_date", String(10), nullable=True),  # signed, else announced, else effective
    Column("status", String(16), nullable=True),
    Column("amount", Float, nullable=True),
    Column("currency", String(3), nullable=True),
    Column("amount_basis", String(16), nullable=True),
    Column("place", String(300), nullable=True),
    Column("confidence", String(8), nullable=True),
    Column("notes", Text, nullable=True),
    # {why, by, at, sources}: the record retracted as a whole (kept visible, left out of lists)
    Column("withdrawn", JSON(none_as_null=True), nullable=True),
    Column("origin", String(8), nullable=False),  # seed (bundled data) | user
    Column("created_by", String(120), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("updated_by", String(120), nullable=False),
    Column("updated_at", String(40), nullable=False),
)
Index("ix_agreement_timeline", agreement.c.timeline_date)

agreement_party = Table(
    "agreement_party",
    metadata,
    Column("agreement_id", String(120), ForeignKey("agreement.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, primary_key=True, autoincrement=False),
    Column("name", String(300), nullable=False),
    Column("organisation_id", String(80), nullable=True),  # an id of organisations.csv when known
    Column("role", String(32), nullable=False),
    Column("share", Float, nullable=True),
)
Index("ix_agreement_party_organisation", agreement_party.c.organisation_id)

agreement_source = Table(
    "agreement_source",
    metadata,
    Column("agreement_id", String(120), ForeignKey("agreement.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, primary_key=True, autoincrement=False),
    Column("publisher", String(300), nullable=False),
    Column("url", Text, nullable=True),
    Column("date", String(10), nullable=True),
    Column("evidence", Text, nullable=True),
    Column("supports", JSON, nullable=True),  # the claims this source supports (list of names)
)

agreement_link = Table(
    "agreement_link",
    metadata,
    # Countries, minerals, value-chain stages, projects and titles of an agreement, in order.
    Column("agreement_id", String(120), ForeignKey("agreement.id", ondelete="CASCADE"), primary_key=True),
    Column("kind", String(16), primary_key=True),  # country | mineral | stage | project | title | replaces
    Column("value", String(120), primary_key=True),
    Column("position", Integer, nullable=False),
)
Index("ix_agreement_link_value", agreement_link.c.kind, agreement_link.c.value)

agreement_reading = Table(
    "agreement_reading",
    metadata,
    Column("agreement_id", String(120), ForeignKey("agreement.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, primary_key=True, autoincrement=False),
    Column("field", String(100), nullable=False),
    Column("value", Text, nullable=False),
    Column("source", String(500), nullable=False),
    Column("note", Text, nullable=True),
    Column("url", Text, nullable=True),
    Column("date", String(10), nullable=True),
    Column("evidence", Text, nullable=True),
)

agreement_status = Table(
    "agreement_status",
    metadata,
    # The dated status history: one row per change, its sources kept as a JSON list.
    Column("agreement_id", String(120), ForeignKey("agreement.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, primary_key=True, autoincrement=False),
    Column("status", String(16), nullable=False),
    Column("date", String(10), nullable=False),
    Column("as_of", String(10), nullable=True),
    Column("note", Text, nullable=True),
    Column("sources", JSON, nullable=False),
)

agreement_correction = Table(
    "agreement_correction",
    metadata,
    # Corrections of claims, as published: which claim, old and new value, why, who, when, on what source.
    Column("agreement_id", String(120), ForeignKey("agreement.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, primary_key=True, autoincrement=False),
    Column("claim", String(200), nullable=False),
    Column("old", Text, nullable=True),
    Column("new", Text, nullable=True),
    Column("why", Text, nullable=False),
    Column("by", String(200), nullable=False),
    Column("at", String(40), nullable=False),
    Column("sources", JSON, nullable=False),
)
