"""SQLAlchemy Core tables of the knowledge base and the cadastre. Each `*tables.py` module of the
store puts its tables on the one `metadata` of store/schema.py; none imports another."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    LargeBinary,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

from maadan.store.schema import metadata

# --- minerals and critical lists -------------------------------------------------------------

mineral = Table(
    "mineral",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("group_id", String(64), ForeignKey("mineral.id"), nullable=True),
    Column("symbol", String(8), nullable=True),
    Column("source", Text, nullable=False),
)

mineral_alias = Table(
    "mineral_alias",
    metadata,
    Column("alias", String(200), primary_key=True),  # normalised (lower case, single spaces)
    Column("mineral_id", String(64), ForeignKey("mineral.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(16), nullable=False),  # name | alias | symbol | usgs-label
)

critical_list = Table(
    "critical_list",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("name", String(300), nullable=False),
    Column("authority", String(200), nullable=False),
    Column("jurisdiction", String(8), nullable=False),
    Column("published_on", Date, nullable=False),
    Column("citation", Text, nullable=False),
    Column("official_count", Integer, nullable=False),
    Column("note", Text, nullable=True),
    Column("source", Text, nullable=False),
)

list_entry = Table(
    "list_entry",
    metadata,
    Column("list_id", String(32), ForeignKey("critical_list.id", ondelete="CASCADE"), primary_key=True),
    Column("mineral_id", String(64), ForeignKey("mineral.id"), primary_key=True),
    Column("listed_name", String(300), nullable=False),
    Column("status", String(200), nullable=False),
    Column("strategic", Boolean, nullable=False, default=False),
    Column("added_on", Date, nullable=True),  # set for later amendments to a list
    Column("note", Text, nullable=True),
    Column("source", Text, nullable=False),
)

# --- USGS statistics ---------------------------------------------------------------------------

world_statistic = Table(
    "world_statistic",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("edition", String(32), nullable=False),  # e.g. "MCS 2025"
    Column("usgs_label", String(120), nullable=False),
    Column("mineral_id", String(64), ForeignKey("mineral.id"), nullable=False),
    Column("series", String(300), nullable=False),  # USGS TYPE, e.g. "Mine production, recoverable copper content"
    Column("country", String(120), nullable=False),
    Column("country_kind", String(16), nullable=False),  # country | other | world
    Column("metric", String(16), nullable=False),  # production | capacity | reserves
    Column("year", Integer, nullable=False),
    Column("value", Float, nullable=True),
    Column("qualifier", String(2), nullable=True),  # ">" or "<" for bounds
    Column("status", String(16), nullable=False),  # reported | estimated | withheld | no-data | not-available
    Column("unit", String(60), nullable=False),
    Column("note", Text, nullable=True),
    Column("source", Text, nullable=False),
    UniqueConstraint("edition", "usgs_label", "series", "country", "metric", "year"),
)
Index("ix_world_statistic_mineral", world_statistic.c.mineral_id, world_statistic.c.metric, world_statistic.c.year)

import_reliance = Table(
    "import_reliance",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("mineral_id", String(64), ForeignKey("mineral.id"), nullable=False),
    Column("edition", String(32), nullable=False),
    Column("year", Integer, nullable=False),
    Column("basis", String(200), nullable=False),
    Column("value", Float, nullable=True),
    Column("qualifier", String(2), nullable=True),
    Column("status", String(16), nullable=False),  # reported | estimated | net-exporter | not-available | withheld
    Column("note", Text, nullable=True),
    Column("source", Text, nullable=False),
    UniqueConstraint("mineral_id", "edition", "year", "basis"),
)

import_source = Table(
    "import_source",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("mineral_id", String(64), ForeignKey("mineral.id"), nullable=False),
    Column("edition", String(32), nullable=False),
    Column("period", String(16), nullable=False),
    Column("category", String(200), nullable=False),
    Column("rank", Integer, nullable=False),
    Column("country", String(120), nullable=False),
    Column("share_pct", Float, nullable=True),
    Column("note", Text, nullable=True),
    Column("source", Text, nullable=False),
    UniqueConstraint("mineral_id", "edition", "period", "category", "rank"),
)

# --- organisations -----------------------------------------------------------------------------

organisation = Table(
    "organisation",
    metadata,
    Column("id", String(80), primary_key=True),
    Column("name", String(300), nullable=False),
    Column("short_name", String(80), nullable=True),
    Column("country", String(2), nullable=True),
    Column("kind", String(32), nullable=False),
    Column("parent_id", String(80), ForeignKey("organisation.id"), nullable=True),
    Column("note", Text, nullable=True),
    Column("source", Text, nullable=False),
    # The partner profile (empty when unknown), cited by profile_source.
    Column("capabilities", JSON, nullable=True),
    Column("minerals", JSON, nullable=True),
    Column("regions", JSON, nullable=True),
    Column("ownership", String(16), nullable=True),  # state | private | listed; null: unknown
    Column("profile_source", Text, nullable=True),
    Column("claims", JSON, nullable=True),  # {claim: [source]}: the sources of its name, parent, profile ...
    Column("corrections", JSON, nullable=True),
)

organisation_alias = Table(
    "organisation_alias",
    metadata,
    Column("alias", String(300), primary_key=True),
    Column("organisation_id", String(80), ForeignKey("organisation.id", ondelete="CASCADE"), nullable=False),
)

# --- deposits and projects ---------------------------------------------------------------------

project = Table(
    "project",
    metadata,
    Column("id", String(80), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("full_name", String(400), nullable=False),
    Column("kind", String(16), nullable=False),  # project | deposit
    Column("country", String(2), nullable=False),
    Column("province", String(80), nullable=True),
    Column("district", String(200), nullable=True),
    Column("deposit_type", Text, nullable=True),
    Column("status", String(32), nullable=False),
    Column("status_note", Text, nullable=True),
    Column("operator_id", String(80), ForeignKey("organisation.id"), nullable=True),
    Column("lat", Float, nullable=True),  # preferred location, when any is known
    Column("lon", Float, nullable=True),
    Column("location_note", Text, nullable=True),
    Column("ownership_incomplete", Boolean, nullable=False, default=False),
    Column("ownership_note", Text, nullable=True),
    Column("notes", Text, nullable=True),
    Column("sources", JSON, nullable=False),
    # Sources of the record's own claims {claim: [source]} and the status "as of"; corrections as published.
    Column("claims", JSON, nullable=True),
    Column("corrections", JSON, nullable=True),
)

project_alias = Table(
    "project_alias",
    metadata,
    Column("alias", String(300), primary_key=True),
    Column("project_id", String(80), ForeignKey("project.id", ondelete="CASCADE"), nullable=False),
)

project_commodity = Table(
    "project_commodity",
    metadata,
    Column("project_id", String(80), ForeignKey("project.id", ondelete="CASCADE"), primary_key=True),
    Column("mineral_id", String(64), ForeignKey("mineral.id"), primary_key=True),
    Column("role", String(16), nullable=False),  # main | byproduct
    Column("position", Integer, nullable=False),
)

project_location = Table(
    "project_location",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("project_id", String(80), ForeignKey("project.id", ondelete="CASCADE"), nullable=False),
    Column("lat", Float, nullable=False),  # the point, the circle's centre or the box's middle
    Column("lon", Float, nullable=False),
    Column("preferred", Boolean, nullable=False, default=False),
    Column("note", Text, nullable=True),
    Column("source", Text, nullable=False),  # the sources' labels; `sources` holds them in full
    Column("kind", String(8), nullable=False, server_default="point"),  # point | box | circle
    Column("south", Float, nullable=True),
    Column("west", Float, nullable=True),
    Column("north", Float, nullable=True),
    Column("east", Float, nullable=True),
    Column("radius_km", Float, nullable=True),
    Column("confidence", String(8), nullable=True),
    Column("derived", Boolean, nullable=True),
    Column("label", String(200), nullable=True),
    Column("sources", JSON, nullable=True),
)

project_holding = Table(
    "project_holding",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("project_id", String(80), ForeignKey("project.id", ondelete="CASCADE"), nullable=False),
    Column("reading", Integer, nullable=False),  # several readings when sources conflict
    Column("basis", String(32), nullable=False),
    Column("organisation_id", String(80), ForeignKey("organisation.id"), nullable=True),
    Column("label", String(200), nullable=True),  # a holder that is no organisation (e.g. a CSR fund)
    Column("share_pct", Float, nullable=True),
    Column("via_id", String(80), ForeignKey("organisation.id"), nullable=True),
    Column("note", Text, nullable=True),
    Column("reading_note", Text, nullable=True),
    Column("source", Text, nullable=False),
    Column("sources", JSON, nullable=True),  # the reading's sources in full
)

project_fact = Table(
    "project_fact",
    metadata,
    # Resources, production, phases, capex and key dates: one row each, its fields kept as
    # JSON because their shape differs by kind; each row carries its own source.
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("project_id", String(80), ForeignKey("project.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(16), nullable=False),  # resource | production | phase | capex | event | life-of-mine
    Column("position", Integer, nullable=False),
    Column("data", JSON, nullable=False),
    Column("source", Text, nullable=False),
    Column("sources", JSON, nullable=True),
    Column("as_of", String(10), nullable=True),
    Column("reading", String(80), nullable=True),  # a group of facts sources give differently
    Column("preferred", Boolean, nullable=True),
)

# --- cadastre ----------------------------------------------------------------------------------
# Geometries are stored as WKB in lon/lat WGS 84 with their bounding box, so both stores share
# one schema; spatial checks run on an in-memory STRtree (see cadastre/spatial_index.py).

cadastre_counter = Table(
    "cadastre_counter",
    metadata,
    # One row per jurisdiction: locked while an application is numbered, so numbers are gapless
    # and priority is decided one filing at a time.
    Column("jurisdiction", String(16), primary_key=True),
    Column("last_application", Integer, nullable=False, default=0),
    Column("spatial_version", BigInteger, nullable=False, default=0),
)


# What each spatial version changed: the keys (kind, ref) whose ground was added, removed or
# moved, so a process holding an index at version v reads the rows after v and re-reads just those
# items instead of rebuilding (cadastre/caches.py). Kind "*" means "everything" (a bulk load).
# The box (lon/lat) holds the feature's envelope before and after the change, so a tile cache
# drops just the tiles it meets (ogc/tiles.py); empty for "*" and for rows written before 0022.
cadastre_spatial_change = Table(
    "cadastre_spatial_change",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("jurisdiction", String(16), nullable=False),
    Column("version", BigInteger, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("ref", String(300), nullable=False),
    Column("minx", Float, nullable=True),
    Column("miny", Float, nullable=True),
    Column("maxx", Float, nullable=True),
    Column("maxy", Float, nullable=True),
    Index("ix_cadastre_spatial_change_version", "jurisdiction", "version"),
)


def _geometry_columns() -> list[Column]:
    return [
        Column("geometry", LargeBinary, nullable=False),
        Column("area_km2", Float, nullable=False),
        Column("minx", Float, nullable=False),
        Column("miny", Float, nullable=False),
        Column("maxx", Float, nullable=False),
        Column("maxy", Float, nullable=False),
        # The geometry is its envelope (cadastre.geometry.rectangles): a graticular block, which
        # PostGIS's tiles draw, and a page in a bbox takes across the box's edge, by the envelope
        # alone, without parsing the shape (store/tiles_repository.py, bbox_index.py).
        Column("rectangle", Boolean, nullable=False, server_default=false()),
    ]


application = Table(
    "application",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("jurisdiction", String(16), nullable=False),
    Column("number", Integer, nullable=False),
    Column("title_type", String(16), nullable=False),
    Column("rules_version", String(32), nullable=False),
    Column("minerals", JSON, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("state", String(24), nullable=False),
    Column("priority", String(16), nullable=False),
    Column("fee_amount", Float, nullable=True),
    Column("fee_currency", String(3), nullable=True),
    Column("fee_verified", Boolean, nullable=False, default=False),
    Column("conflicts", JSON, nullable=False),
    Column("applicant_org", String(80), nullable=True),
    Column("synthetic", Boolean, nullable=False, default=False),
    Column("rules_basis", JSON, nullable=True),  # the rule version applied and why, at receipt
    *_geometry_columns(),
    # Queue state derived under the jurisdiction lock (cadastre/queue.py); see store/priority_tables.py.
    Column("competition_group", Integer, nullable=True),
    Column("waits_on", JSON, nullable=True),
    Column("converts_title", String(40), nullable=True),
    UniqueConstraint("jurisdiction", "number"),
)
Index("ix_application_state", application.c.jurisdiction, application.c.state)

title = Table(
    "title",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("jurisdiction", String(16), nullable=False),
    Column("number", String(40), nullable=False, unique=True),
    Column("title_type", String(16), nullable=False),
    Column("rules_version", String(32), nullable=False),
    Column("minerals", JSON, nullable=False),
    Column("application_number", Integer, nullable=True),
    Column("granted_on", Date, nullable=False),
    Column("expires_on", Date, nullable=True),
    Column("state", String(16), nullable=False),
    Column("renewals", Integer, nullable=False, default=0),
    Column("synthetic", Boolean, nullable=False, default=False),
    Column("rules_basis", JSON, nullable=True),  # the application's, carried at grant
    *_geometry_columns(),
)
Index("ix_title_state", title.c.jurisdiction, title.c.state)
Index("ix_title_bbox", title.c.minx, title.c.maxx, title.c.miny, title.c.maxy)

holder = Table(
    "holder",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("application_id", Integer, ForeignKey("application.id", ondelete="CASCADE"), nullable=True),
    Column("title_id", Integer, ForeignKey("title.id", ondelete="CASCADE"), nullable=True),
    Column("position", Integer, nullable=False),
    Column("name", String(300), nullable=False),
    Column("organisation_id", String(80), nullable=True),
    Column("country", String(2), nullable=True),
    Column("kind", String(16), nullable=False),
    Column("body_corporate", Boolean, nullable=False, default=True),
    Column("share_pct", Float, nullable=False),
    Column("beneficial_owners", JSON, nullable=False),
    Column("shareholders", JSON, nullable=True),  # [[name, pct], ...] disclosed; NULL: not disclosed
    Column("local_to", JSON, nullable=True),  # zone codes the holder declares itself local to
)
Index("ix_holder_title", holder.c.title_id)
Index("ix_holder_application", holder.c.application_id)
Index("ix_holder_organisation", holder.c.organisation_id)  # an organisation's titles (/cadastre/mine)
Index("ix_title_application", title.c.jurisdiction, title.c.application_number)  # the title granted from an application
Index("ix_title_width", title.c.maxx - title.c.minx)  # the widest title: bounds the bbox search (ground_rows)
Index("ix_title_expiry", title.c.state, title.c.expires_on)  # titles in a state expiring by a day (what is due)

reserved_area = Table(
    "reserved_area",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("jurisdiction", String(16), nullable=False),
    Column("name", String(300), nullable=False),
    Column("kind", String(40), nullable=False),  # protected-area | no-go | reserved
    Column("source", Text, nullable=False),
    Column("synthetic", Boolean, nullable=False, default=False),
    *_geometry_columns(),
    UniqueConstraint("jurisdiction", "name"),
)

invoice = Table(
    "invoice",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("jurisdiction", String(16), nullable=False),
    Column("title_number", String(40), nullable=True),
    Column("application_number", Integer, nullable=True),
    Column("kind", String(24), nullable=False),
    Column("period", String(16), nullable=False),
    Column("due_on", Date, nullable=False),
    Column("amount", Float, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("verified", Boolean, nullable=False),
    Column("paid", Float, nullable=False, default=0.0),
    UniqueConstraint("jurisdiction", "title_number", "application_number", "kind", "period"),
)
# A title's invoices, in order (its page, and whether a year's rent is invoiced already: the rent run
# asks once a title); the outstanding ones by due date (what is due: most invoices of a register
# with its history are paid, and this index holds only the others). Both stores index a part.
Index("ix_invoice_title", invoice.c.title_number, invoice.c.due_on)
Index("ix_invoice_outstanding", invoice.c.due_on, sqlite_where=invoice.c.paid < invoice.c.amount,
      postgresql_where=invoice.c.paid < invoice.c.amount)

payment = Table(
    "payment",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("invoice_id", Integer, ForeignKey("invoice.id"), nullable=False),
    Column("amount", Float, nullable=False),
    Column("paid_on", Date, nullable=False),
    Column("reference", String(120), nullable=False),
    Column("actor", String(120), nullable=False),
)

obligation = Table(
    "obligation",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("title_number", String(40), nullable=False),
    Column("code", String(40), nullable=False),
    Column("description", Text, nullable=False),
    Column("due_on", Date, nullable=False),
    Column("legal_basis", Text, nullable=False),
    Column("verified", Boolean, nullable=False),
    Column("met_on", Date, nullable=True),
)
Index("ix_obligation_title", obligation.c.title_number, obligation.c.due_on)
Index("ix_obligation_open", obligation.c.due_on, sqlite_where=obligation.c.met_on.is_(None),
      postgresql_where=obligation.c.met_on.is_(None))

audit_event = Table(
    "audit_event",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("at", String(40), nullable=False),
    Column("actor", String(120), nullable=False),
    Column("kind", String(60), nullable=False),
    Column("subject", String(120), nullable=False),
    Column("data", JSON, nullable=False),
    Column("documents", JSON, nullable=False),
    Column("reason", Text, nullable=True),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Column("salt", String(64), nullable=False),  # hex; hides the private part behind the leaf's commitment
    Column("leaf_hash", String(64), nullable=False),  # hex SHA-256(0x00 || leaf): level 0 of the Merkle tree
)
Index("ix_audit_event_subject", audit_event.c.subject, audit_event.c.seq)  # one record's history, in order

# Roots of perfect subtrees at levels 8, 16, 24...: index i at level L covers events i*2^L+1 .. (i+1)*2^L.
audit_node = Table(
    "audit_node",
    metadata,
    Column("level", Integer, primary_key=True, autoincrement=False),
    Column("idx", BigInteger, primary_key=True, autoincrement=False),
    Column("hash", String(64), nullable=False),
)

register_checkpoint = Table(
    "register_checkpoint",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tree_size", BigInteger, nullable=False),
    Column("root_hash", String(64), nullable=False),
    Column("signed_at", DateTime(timezone=True), nullable=False),
    Column("origin", String(200), nullable=False),
    Column("key_id", String(8), nullable=False),
    Column("note", Text, nullable=False),  # the signed note exactly as served
)
Index("ix_register_checkpoint_signed_at", register_checkpoint.c.signed_at)
Index("ix_register_checkpoint_tree_size", register_checkpoint.c.tree_size)

register_key = Table(
    "register_key",
    metadata,
    Column("vkey", String(300), primary_key=True),  # <name>+<key id>+<base64 key>
    Column("key_id", String(8), nullable=False),
    Column("first_used", DateTime(timezone=True), nullable=False),
)

# --- bookkeeping -------------------------------------------------------------------------------

dataset_load = Table(
    "dataset_load",
    metadata,
    Column("dataset", String(80), primary_key=True),  # e.g. "reference", "usgs-mcs:MCS 2025"
    Column("checksum", String(64), nullable=False),
    Column("loaded_at", String(40), nullable=False),
    Column("rows", Integer, nullable=False),
)

