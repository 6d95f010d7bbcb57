"""The applicant's portal (issue 16): account profiles (e-mail, the choice to opt out of e-mail, the
officer's confirmation of an applicant's link to its organisation), the e-mail outbox written in the
same transaction as the notice it carries, and the reminders already sent (rent due, default)."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Index, Integer, String, Table, Text

from maadan.store.schema import metadata

account_profile = Table(
    "account_profile",
    metadata,
    # One row per account that has one; an account without a row (made by an admin) is confirmed
    # and has no e-mail address.
    Column("user_id", Integer, ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True),
    Column("email", String(254), nullable=True),
    Column("email_opt_out", Boolean, nullable=False, default=False),
    Column("organisation_confirmed", Boolean, nullable=False, default=True),
    Column("proposed_organisation", String(200), nullable=True),  # a new organisation's name, to confirm
    Column("confirmed_by", String(120), nullable=True),
    Column("confirmed_at", DateTime(timezone=True), nullable=True),
    Column("registered_at", DateTime(timezone=True), nullable=True),  # self-registered accounts
)
Index("ix_account_profile_email", account_profile.c.email)

mail_outbox = Table(
    "mail_outbox",
    metadata,
    # An e-mail to send, written in the transaction of the event it reports; a dispatcher sends it
    # after the commit, so a failing mail server never loses or repeats a register write.
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", Integer, ForeignKey("app_user.id", ondelete="CASCADE"), nullable=True),
    Column("address", String(254), nullable=False),
    Column("subject", String(300), nullable=False),
    Column("body", Text, nullable=False),
    Column("link", String(500), nullable=True),  # a path on the site; the dispatcher adds the base URL
    Column("kind", String(40), nullable=False),
    Column("notice_id", Integer, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("claimed_until", DateTime(timezone=True), nullable=True),  # a dispatcher is sending it
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", String(500), nullable=True),
    Column("sent_at", DateTime(timezone=True), nullable=True),
)
Index("ix_mail_outbox_pending", mail_outbox.c.sent_at, mail_outbox.c.next_attempt_at)

reminder_sent = Table(
    "reminder_sent",
    metadata,
    # A reminder (rent due, default before revocation) is sent once per invoice and kind.
    Column("key", String(120), primary_key=True),
    Column("sent_at", DateTime(timezone=True), nullable=False),
)
