"""`maadan mail ...`: the e-mail outbox and its dispatcher, and the rent reminders; `maadan accounts
...`: applicant accounts waiting for an officer to confirm their organisation."""

from __future__ import annotations

import time
from datetime import date

import typer
from rich.table import Table

from maadan.cadastre import service as cadastre
from maadan.cli import common
from maadan.errors import ConfigError
from maadan.portal import service as portal

app = typer.Typer(help="E-mail to applicants: the outbox, its dispatcher and rent reminders.", no_args_is_help=True)
accounts_app = typer.Typer(help="Applicant accounts awaiting confirmation of their organisation.",
                           no_args_is_help=True)


def sender_from_settings():
    s = common.get().settings
    if not s.smtp_host:
        raise ConfigError("MAADAN_SMTP_HOST is not set: the e-mails stay in the outbox until a mail server is configured")
    return portal.SmtpSender(s.smtp_host, s.smtp_port, s.smtp_user, s.smtp_password, s.smtp_tls)


@app.command("dispatch")
def dispatch(every: float = typer.Option(0, "--every", min=0, help="Keep running, sending every N seconds (0: once)."),
             limit: int = typer.Option(100, "--limit", min=1, max=10_000, help="At most this many e-mails a round."),
             json_out: bool = common.JSON) -> None:
    """Send the e-mails waiting in the outbox through MAADAN_SMTP_HOST; failures are retried later."""
    c = common.get()
    sender = sender_from_settings()
    base = c.settings.public_base_url or f"http://{c.settings.host}:{c.settings.port}"
    while True:
        report = portal.dispatch(c.uow(write=True), sender, sender_address=c.settings.smtp_from, base_url=base,
                                 limit=limit)
        if json_out:
            common.print_json({"sent": report.sent, "failed": report.failed, "errors": report.errors})
        else:
            c.err.print(f"Sent {report.sent} e-mail(s); {report.failed} failed.", markup=False)
            for e in report.errors:
                c.err.print(f"  {e}", markup=False)
        if not every:
            return
        time.sleep(every)


@app.command("outbox")
def outbox(pending: bool = typer.Option(False, "--pending", help="Only e-mails not sent yet."),
           limit: int = typer.Option(50, "--limit", min=1, max=10_000), json_out: bool = common.JSON) -> None:
    """The outbox, newest first: to whom, what, and whether it was sent."""
    c = common.get()
    mails = portal.outbox(c.uow(), pending_only=pending, limit=limit)
    if json_out:
        common.print_json([{"id": m.id, "to": m.address, "subject": m.subject, "kind": m.kind, "state": m.state,
                            "created_at": m.created_at, "sent_at": m.sent_at, "attempts": m.attempts,
                            "last_error": m.last_error} for m in mails])
        return
    table = Table("id", "to", "subject", "state", "attempts", "last error")
    for m in mails:
        table.add_row(str(m.id), m.address, m.subject, m.state, str(m.attempts), m.last_error or "")
    c.out.print(table)


@app.command("remind")
def remind(within: int = typer.Option(30, "--within", min=0, max=3650, help="Rent due within this many days."),
           today: str = typer.Option(None, "--today", help="The day to judge from (YYYY-MM-DD; default today)."),
           json_out: bool = common.JSON) -> None:
    """Notices (inbox and e-mail) for rent falling due and rent in default, once per invoice."""
    c = common.get()
    day = date.fromisoformat(today) if today else None
    sent = cadastre.send_reminders(c.uow(write=True), within_days=within, today=day)
    if json_out:
        common.print_json([{"kind": n.kind, "to": n.recipient_org, "message": n.message} for n in sent])
        return
    c.err.print(f"Sent {len(sent)} reminder(s).", markup=False)


@accounts_app.command("pending")
def pending(json_out: bool = common.JSON) -> None:
    """Self-registered applicants whose link to an organisation waits for confirmation."""
    c = common.get()
    rows = portal.pending_links(c.uow())
    if json_out:
        common.print_json([{"username": u.username, "organisation_id": u.organisation_id,
                            "proposed_organisation": p.proposed_organisation, "email": p.email,
                            "registered_at": p.registered_at} for u, p in rows])
        return
    table = Table("username", "organisation", "proposed new organisation", "e-mail", "registered")
    for u, p in rows:
        table.add_row(u.username, u.organisation_id or "", p.proposed_organisation or "", p.email or "",
                      str(p.registered_at or ""))
    c.out.print(table)


@accounts_app.command("confirm")
def confirm(username: str = typer.Argument(...), refuse: bool = typer.Option(False, "--refuse",
            help="Refuse the link instead (the account is disabled)."), actor: str = common.ACTOR) -> None:
    """Confirm an applicant's link to its organisation, so that it may file."""
    c = common.get()
    portal.confirm_link(c.uow(write=True), username, common.actor(actor), confirm=not refuse)
    c.err.print(f"{'Refused' if refuse else 'Confirmed'} {username}.", markup=False)


@accounts_app.command("organisations")
def organisations(json_out: bool = common.JSON) -> None:
    """Organisations applicants proposed (registering, or naming a holder not in the directory),
    waiting for an officer to confirm or merge them."""
    c = common.get()
    rows = portal.pending_proposals(c.uow())
    if json_out:
        common.print_json([{"id": p.id, "name": p.name, "origin": p.origin, "proposed_by": p.proposed_by,
                            "proposed_at": p.proposed_at} for p in rows])
        return
    table = Table("id", "name", "proposed by", "origin", "proposed at")
    for p in rows:
        table.add_row(p.id, p.name, p.proposed_by, p.origin, str(p.proposed_at))
    c.out.print(table)


@accounts_app.command("confirm-organisation")
def confirm_organisation(proposal_id: str = typer.Argument(..., help="The proposal's id (`maadan accounts organisations`)."),
                         into: str = typer.Option(None, "--into", help="Merge it into this organisation of the "
                                                  "directory instead of adding it."),
                         actor: str = common.ACTOR) -> None:
    """Confirm a proposed organisation (it joins the directory) or, with --into, merge it into one listed."""
    c = common.get()
    done = portal.decide_proposal(c.uow(write=True), proposal_id, common.actor(actor), into=into)
    c.err.print(f"Merged {done.name} into {done.merged_into}." if done.merged_into
                else f"Confirmed {done.name}: in the directory as {done.id}.", markup=False)


GROUPS = {"mail": app, "accounts": accounts_app}
