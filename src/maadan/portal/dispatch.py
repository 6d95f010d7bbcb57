"""The dispatcher: sends the outbox's e-mails after their transaction committed, through a
configured SMTP server (MAADAN_SMTP_*). Each mail is claimed first (so two dispatchers never send
the same one), sent, then marked sent; a failure is recorded and retried later with a growing
wait, up to MAX_ATTEMPTS. A crash between sending and marking can send one mail twice, never lose
one; every mail carries a stable Message-ID so a mail client shows the repeat as one."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Protocol

from maadan.portal.model import CLAIM_FOR, MAX_ATTEMPTS, Mail, backoff
from maadan.unit_of_work import AbstractUnitOfWork


class Sender(Protocol):
    def send(self, message: EmailMessage) -> None: ...


@dataclass(frozen=True)
class SmtpSender:
    """smtplib to one server. tls: "none", "starttls" or "ssl"."""

    host: str
    port: int = 25
    username: str | None = None
    password: str | None = None
    tls: str = "none"
    timeout: float = 20.0

    def send(self, message: EmailMessage) -> None:
        context = ssl.create_default_context()
        if self.tls == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        else:
            client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        with client:
            if self.tls == "starttls":
                client.starttls(context=context)
            if self.username:
                client.login(self.username, self.password or "")
            client.send_message(message)


@dataclass
class DispatchReport:
    sent: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def message_for(mail: Mail, sender_address: str, base_url: str, domain: str = "maadan.local") -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender_address
    msg["To"] = mail.address
    msg["Subject"] = mail.subject
    msg["Date"] = formatdate(mail.created_at.timestamp(), usegmt=True)
    msg["Message-ID"] = f"<maadan-mail-{mail.id}@{domain}>" if mail.id else make_msgid(domain=domain)
    msg["Auto-Submitted"] = "auto-generated"
    text = mail.body
    if mail.link:
        text += f"\n\n{base_url.rstrip('/')}{mail.link}"
    text += ("\n\n--\nMaadan. You get this e-mail because of your account's applications; "
             f"choose whether you get e-mail at {base_url.rstrip('/')}/account (the inbox keeps every notice).")
    msg.set_content(text)
    return msg


def dispatch(uow: AbstractUnitOfWork, sender: Sender, *, sender_address: str, base_url: str,
             now: datetime | None = None, limit: int = 100) -> DispatchReport:
    """Send what is due in the outbox (oldest first, at most `limit`)."""
    now = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    report = DispatchReport()
    with uow:
        claimed = [m for m in uow.portal.due_mail(now, limit, MAX_ATTEMPTS)
                   if uow.portal.claim_mail(m.id, now, now + CLAIM_FOR)]
        uow.commit()
    domain = (sender_address.rpartition("@")[2] or "maadan.local").strip(">") or "maadan.local"
    for mail in claimed:
        try:
            sender.send(message_for(mail, sender_address, base_url, domain))
        except (OSError, smtplib.SMTPException) as exc:  # the server refused or could not be reached
            error = f"{type(exc).__name__}: {exc}"[:500]
            report.failed += 1
            report.errors.append(f"mail {mail.id} to {mail.address}: {error}")
            with uow:
                uow.portal.mail_failed(mail.id, error, now + backoff(mail.attempts + 1))
                uow.commit()
            continue
        with uow:
            uow.portal.mail_sent(mail.id, datetime.now(timezone.utc))
            uow.commit()
        report.sent += 1
    return report


DISPATCH_LEASE = "mail-dispatch"


def dispatch_as_leader(uow: AbstractUnitOfWork, sender: Sender, holder: str, lease_for: timedelta, *,
                       sender_address: str, base_url: str, now: datetime | None = None,
                       limit: int = 100) -> DispatchReport | None:
    """One round of the server's background dispatcher: take (or renew) the database lease
    DISPATCH_LEASE for `lease_for` and send what is due; None when another process holds the lease.
    Of all the workers and hosts on one database one dispatches at a time; should one die, another
    takes over when its lease ends. (Each mail is claimed too, so even two dispatchers, e.g. this and
    `maadan mail dispatch` from cron, never send one mail twice.)"""
    now = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    with uow:
        held = uow.portal.take_lease(DISPATCH_LEASE, holder[:120], now, now + lease_for)
        uow.commit()
    if not held:
        return None
    return dispatch(uow, sender, sender_address=sender_address, base_url=base_url, now=now, limit=limit)


def release_dispatch_lease(uow: AbstractUnitOfWork, holder: str) -> None:
    """Give the lease up (at shutdown), so another worker takes over at once."""
    with uow:
        uow.portal.release_lease(DISPATCH_LEASE, holder[:120])
        uow.commit()


def outbox(uow: AbstractUnitOfWork, *, user_id: int | None = None, pending_only: bool = False,
           limit: int = 200) -> list[Mail]:
    """The outbox, newest first (one account's, or all)."""
    with uow:
        return uow.portal.mails(user_id=user_id, pending_only=pending_only, limit=limit)
