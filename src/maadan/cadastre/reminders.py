"""Reminders to holders: rent falling due and rent in default (in arrears beyond the grace period,
so the title may be revoked), each a notice to the organisations of the title's holders and of
its applicant (inbox and e-mail), sent once per invoice and kind."""

from __future__ import annotations

from datetime import date, datetime, timezone

from maadan.cadastre.money import due
from maadan.cadastre.notices import notify
from maadan.cadastre.queue_model import Notice
from maadan.unit_of_work import AbstractUnitOfWork


def send_reminders(uow: AbstractUnitOfWork, *, within_days: int = 30, today: date | None = None,
                   now: datetime | None = None) -> list[Notice]:
    """Notices for rent due within `within_days` of `today` and for rent in default; returns those sent."""
    now = now or datetime.now(timezone.utc)
    today = today or now.date()
    items = [i for i in due(uow, within_days, today=today) if i.kind == "rent" and i.invoice_id is not None]
    sent: list[Notice] = []
    with uow:
        for item in items:
            kind = "default" if item.flag_revocation else "rent-due"
            key = f"{kind}:invoice:{item.invoice_id}"
            if uow.portal.reminded(key):
                continue
            title = uow.cadastre.title(item.ref)
            if title is None:
                continue
            orgs = {h.organisation_id for h in title.holders if h.organisation_id}
            app = (uow.cadastre.application(title.jurisdiction, title.application_number)
                   if title.application_number else None)
            if app is not None and app.applicant_org:
                orgs.add(app.applicant_org)
            amount = f"{item.amount:,.2f} {item.currency}" if item.amount is not None else "an unknown amount"
            if kind == "default":
                message = (f"Rent of {amount} on title {title.number} was due on {item.due_on.isoformat()} and is "
                           f"{item.overdue_days} days overdue, beyond the grace period: the title may be revoked. "
                           "Pay it, or tell the licensing office why not.")
            else:
                message = (f"Rent of {amount} on title {title.number} is due on {item.due_on.isoformat()}"
                           + (f" ({item.overdue_days} days overdue)." if item.overdue_days else "."))
            for org in sorted(orgs):
                sent.append(notify(uow, title.jurisdiction, kind, message, now=now,
                                   application_number=title.application_number, recipient_org=org,
                                   action_needed=True))
            uow.portal.add_reminder(key, now)
        uow.commit()
    return sent
