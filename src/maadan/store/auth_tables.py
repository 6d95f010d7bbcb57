"""Accounts, tokens and sign-in attempts, on the one `metadata` of store/schema.py."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Index, Integer, String, Table

from maadan.store.schema import metadata

app_user = Table(
    "app_user",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False, unique=True),  # normalised: lower case
    Column("password_hash", String(255), nullable=False),  # Argon2id, PHC string
    Column("role", String(16), nullable=False),  # applicant | officer | admin
    Column("organisation_id", String(80), nullable=True),  # required for applicants
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

auth_token = Table(
    "auth_token",
    metadata,
    # Only the SHA-256 of a token is stored: a copy of this table lets nobody sign in.
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("app_user.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(8), nullable=False),  # api | session
    Column("csrf_token", String(64), nullable=True),  # sessions only
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("revoked", Boolean, nullable=False, default=False),
)
Index("ix_auth_token_user", auth_token.c.user_id)

login_attempt = Table(
    "login_attempt",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(200), nullable=False),  # as typed (normalised), known or not
    Column("client", String(64), nullable=True),  # client address
    Column("at", DateTime(timezone=True), nullable=False),
    Column("success", Boolean, nullable=False),
)
Index("ix_login_attempt_username", login_attempt.c.username, login_attempt.c.at)
Index("ix_login_attempt_client", login_attempt.c.client, login_attempt.c.at)
