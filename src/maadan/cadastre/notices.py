"""Notices to applicants: promotions in the queue, competition, decisions and remainder offers.
Stored as data (one row each) so that an inbox or e-mail can be built over them; listed in
`maadan cadastre due` until read."""

from __future__ import annotations

from datetime import datetime, timezone

from maadan.cadastre.queue_model import Notice
from maadan.errors import NotFound
from maadan.portal.outbox import enqueue_for_organisation
from maadan.unit_of_work import AbstractUnitOfWork

# The e-mail subject of each kind of notice, by the start of its kind (others: the kind itself).
SUBJECTS = (("promoted", "moved up in the queue"), ("decision-offer", "an offer"), ("decision", "a decision"),
            ("competing", "a competition"), ("no-longer-competing", "a competition"),
            ("competition", "a competition decided"), ("remainder", "an offer of the remainder"),
            ("rent-due", "rent falling due"), ("default", "rent in default: the title may be revoked"))


def notify(uow: AbstractUnitOfWork, jurisdiction: str, kind: str, message: str, *, now: datetime,
           application_number: int | None = None, group_number: int | None = None,
           recipient_org: str | None = None, action_needed: bool = False, event_seq: int | None = None) -> Notice:
    """Store one notice inside the caller's transaction."""
    n = Notice(id=None, jurisdiction=jurisdiction, kind=kind, message=message, created_at=now,
               application_number=application_number, group_number=group_number, recipient_org=recipient_org,
               action_needed=action_needed, event_seq=event_seq)
    uow.priority.add_notice(n)
    # its e-mails, in the same transaction (sent by the dispatcher after the commit)
    about = n.subject if application_number or group_number else jurisdiction
    what = next((v for k, v in SUBJECTS if kind.startswith(k)), None) or kind.replace("-", " ")
    link = (f"/cadastre/applications/{jurisdiction}/{application_number}" if application_number
            else "/cadastre/notices")
    enqueue_for_organisation(uow, recipient_org, subject=f"Maadan: {what} ({about})", body=message, kind=kind,
                             now=now, link=link, notice_id=getattr(n, "id", None))
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
