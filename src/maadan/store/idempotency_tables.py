"""Idempotency keys of REST writes (issue 18): each key a client sent with a write that committed, stored in
the write's own transaction together with the answer it got, so that a retry gets that answer again."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, Integer, LargeBinary, String, Table

from maadan.store.schema import metadata

idempotency_key = Table(
    "idempotency_key",
    metadata,
    # SHA-256 of the credential the request carried (Bearer token, session cookie) or of "public":
    # keys are the client's own, two clients may use the same key without meeting.
    Column("owner", String(64), primary_key=True),
    Column("key", String(255), primary_key=True),
    # SHA-256 of method, path, query, content type and body: the same key with another request is a 409.
    Column("fingerprint", String(64), nullable=False),
    Column("method", String(8), nullable=False),
    Column("path", String(2048), nullable=False),
    Column("status", Integer, nullable=True),  # the answer; null only inside the write's transaction
    Column("headers", LargeBinary, nullable=True),  # JSON {"headers": [[name, value], ...], "route": template}
    Column("body", LargeBinary, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)
Index("ix_idempotency_key_expires_at", idempotency_key.c.expires_at)
