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

reset_request = Table(
    "password_reset_request",
    metadata,
    # Every request for a password-reset link, counted to rate-limit them per identifier typed (the
    # username or address, lower-cased, whether or not an account has it) and per client address.
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("who", String(254), nullable=False),
    Column("client", String(64), nullable=True),
)
Index("ix_password_reset_request_who", reset_request.c.who, reset_request.c.at)
Index("ix_password_reset_request_client", reset_request.c.client, reset_request.c.at)

service_lease = Table(
    "service_lease",
    metadata,
    # A named lease one process holds at a time across every worker and host on this database (the
    # background e-mail dispatcher): taken when free or expired, renewed by its holder.
    Column("name", String(60), primary_key=True),
    Column("holder", String(120), nullable=False),
    Column("until", DateTime(timezone=True), nullable=False),
)

organisation_proposal = Table(
    "organisation_proposal",
    metadata,
    # A new organisation proposed by an applicant (registering, or naming a holder not in the
    # directory). Not in the directory, nor public, until an officer confirms it (it then joins the
    # directory under this id) or merges it into an organisation already there.
    Column("id", String(80), primary_key=True),  # the slug of its name
    Column("name", String(200), nullable=False),
    Column("origin", String(200), nullable=False),  # "registration of NAME", "holder in a filing by NAME"
    Column("proposed_by", String(120), nullable=False),
    Column("proposed_at", DateTime(timezone=True), nullable=False),
    Column("state", String(12), nullable=False),  # proposed | confirmed | merged
    Column("decided_by", String(120), nullable=True),
    Column("decided_at", DateTime(timezone=True), nullable=True),
    Column("merged_into", String(80), nullable=True),
)
