"""Competition groups, sealed bids and notices (issue 10), on the same `metadata` as every other
table (collected by store/schema.py)."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Date, DateTime, Float, Index, Integer, String, Table, Text, UniqueConstraint

from maadan.store.schema import metadata

competition_group = Table(
    "competition_group",
    metadata,
    # Overlapping pending applications received on the same local date (rule 10: simultaneous).
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("jurisdiction", String(16), nullable=False),
    Column("number", Integer, nullable=False),  # gapless per jurisdiction: PK-BA/G<number>
    Column("local_date", Date, nullable=False),  # the day its members were received, in `timezone`
    Column("timezone", String(64), nullable=False),
    Column("state", String(12), nullable=False),  # open | decided | merged | dissolved
    Column("members", JSON, nullable=False),  # application numbers: current while open, final once decided
    Column("formed_at", DateTime(timezone=True), nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False),  # members last changed (recording time)
    Column("closed_at", DateTime(timezone=True), nullable=True),
    Column("merged_into", Integer, nullable=True),
    Column("method", String(24), nullable=True),
    Column("outcome", JSON, nullable=True),  # the decision: ranking, results, seed, draw, bids, reasons
    Column("decided_by", String(120), nullable=True),
    UniqueConstraint("jurisdiction", "number"),
)
Index("ix_competition_group_state", competition_group.c.jurisdiction, competition_group.c.state)

competition_bid = Table(
    "competition_bid",
    metadata,
    # A sealed bid: the amount stays hidden until the deadline; the register holds its SHA-256 commitment.
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("jurisdiction", String(16), nullable=False),
    Column("group_number", Integer, nullable=False),
    Column("application_number", Integer, nullable=False),
    Column("amount", Float, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("salt", String(32), nullable=False),
    Column("commitment", String(64), nullable=False),
    Column("submitted_at", DateTime(timezone=True), nullable=False),
    Column("actor", String(120), nullable=False),
    UniqueConstraint("jurisdiction", "group_number", "application_number"),
)

notice = Table(
    "notice",
    metadata,
    # A message to an applicant (or the officers) about its application: promotion, competition, remainder.
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("jurisdiction", String(16), nullable=False),
    Column("application_number", Integer, nullable=True),
    Column("group_number", Integer, nullable=True),
    Column("recipient_org", String(80), nullable=True),  # the applicant's organisation; NULL: filed offline
    Column("kind", String(40), nullable=False),
    Column("message", Text, nullable=False),
    Column("action_needed", Boolean, nullable=False, default=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("event_seq", Integer, nullable=True),  # the register event it reports
    Column("read_at", DateTime(timezone=True), nullable=True),
    Column("read_by", String(120), nullable=True),
)
Index("ix_notice_recipient", notice.c.recipient_org, notice.c.read_at)
Index("ix_notice_application", notice.c.jurisdiction, notice.c.application_number)
