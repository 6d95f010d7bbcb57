"""Notices to applicants: promotions in the queue, competition, decisions and remainder offers.
Stored as data (one row each) so that an inbox or e-mail can be built over them; listed in
`maadan cadastre due` until read."""

from __future__ import annotations

from datetime import datetime, timezone

from maadan.cadastre.queue_model import Notice
from maadan.errors import NotFound
from maadan.unit_of_work import AbstractUnitOfWork


def notify(uow: AbstractUnitOfWork, jurisdiction: str, kind: str, message: str, *, now: datetime,
           application_number: int | None = None, group_number: int | None = None,
           recipient_org: str | None = None, action_needed: bool = False, event_seq: int | None = None) -> Notice:
    """Store one notice inside the caller's transaction."""
    n = Notice(id=None, jurisdiction=jurisdiction, kind=kind, message=message, created_at=now,
               application_number=application_number, group_number=group_number, recipient_org=recipient_org,
               action_needed=action_needed, event_seq=event_seq)
    uow.priority.add_notice(n)
    return n


def notices(uow: AbstractUnitOfWork, *, organisation: str | None = None, jurisdiction: str | None = None,
            unread_only: bool = False, application_number: int | None = None) -> list[Notice]:
    """Notices, oldest first: one organisation's (an applicant's), or all (officers)."""
    with uow:
        return uow.priority.notices(jurisdiction=jurisdiction, recipient_org=organisation, unread_only=unread_only,
                                    application_number=application_number)


def mark_read(uow: AbstractUnitOfWork, notice_id: int, actor: str, *, organisation: str | None = None,
              now: datetime | None = None) -> Notice:
    """Mark a notice read. With `organisation`, only that organisation's notices can be marked
    (another's is reported as unknown, so ids of other applicants' notices are not revealed)."""
    now = now or datetime.now(timezone.utc)
    with uow:
        found = uow.priority.notices(notice_id=notice_id)
        if not found or (organisation is not None and found[0].recipient_org != organisation):
            raise NotFound("notice", str(notice_id))
        n = found[0]
        if n.read_at is None:
            uow.priority.mark_read(notice_id, now, actor)
            uow.commit()
            n.read_at, n.read_by = now, actor
    return n
