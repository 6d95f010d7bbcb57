"""Putting e-mails in the outbox, inside the caller's transaction: whatever writes the event writes
its e-mails too, so they are committed (or rolled back) with it. Sending is the dispatcher's job."""

from __future__ import annotations

from datetime import datetime

from maadan.portal.model import Mail, one_line
from maadan.unit_of_work import AbstractUnitOfWork


def enqueue(uow: AbstractUnitOfWork, *, address: str, subject: str, body: str, kind: str, now: datetime,
            user_id: int | None = None, link: str | None = None, notice_id: int | None = None) -> Mail:
    mail = Mail(id=None, user_id=user_id, address=address, subject=one_line(subject), body=body, kind=kind,
                created_at=now, next_attempt_at=now, link=link, notice_id=notice_id)
    mail.id = uow.portal.add_mail(mail)
    return mail


def enqueue_for_organisation(uow: AbstractUnitOfWork, organisation_id: str | None, *, subject: str, body: str,
                             kind: str, now: datetime, link: str | None = None,
                             notice_id: int | None = None) -> int:
    """One e-mail to each active, confirmed applicant account of the organisation that has an
    address and has not opted out. Returns how many were queued."""
    if not organisation_id:
        return 0
    n = 0
    for user_id, address in uow.portal.recipients(organisation_id):
        enqueue(uow, address=address, subject=subject, body=body, kind=kind, now=now, user_id=user_id, link=link,
                notice_id=notice_id)
        n += 1
    return n
