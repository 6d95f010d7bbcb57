"""Persistence of account profiles, the e-mail outbox and reminders sent. No commits here."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.orm import Session

from maadan.auth.model import User
from maadan.portal.model import Mail, Profile
from maadan.store import auth_tables as a
from maadan.store.auth_repository import AuthRepository
from maadan.store import portal_tables as t


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def _profile(r) -> Profile:
    return Profile(user_id=r.user_id, email=r.email, email_opt_out=bool(r.email_opt_out),
                   organisation_confirmed=bool(r.organisation_confirmed),
                   proposed_organisation=r.proposed_organisation, confirmed_by=r.confirmed_by,
                   confirmed_at=_utc(r.confirmed_at), registered_at=_utc(r.registered_at))


def _mail(r) -> Mail:
    return Mail(id=r.id, user_id=r.user_id, address=r.address, subject=r.subject, body=r.body, kind=r.kind,
                created_at=_utc(r.created_at), next_attempt_at=_utc(r.next_attempt_at), link=r.link,
                notice_id=r.notice_id, attempts=r.attempts, last_error=r.last_error, sent_at=_utc(r.sent_at),
                claimed_until=_utc(r.claimed_until))


class PortalRepository:
    def __init__(self, session: Session):
        self.s = session

    # --- profiles ------------------------------------------------------------------------------
    def profile(self, user_id: int) -> Profile | None:
        r = self.s.execute(select(t.account_profile).where(t.account_profile.c.user_id == user_id)).first()
        return _profile(r) if r else None

    def save_profile(self, p: Profile) -> None:
        values = {"email": p.email, "email_opt_out": p.email_opt_out,
                  "organisation_confirmed": p.organisation_confirmed, "proposed_organisation": p.proposed_organisation,
                  "confirmed_by": p.confirmed_by, "confirmed_at": _utc(p.confirmed_at),
                  "registered_at": _utc(p.registered_at)}
        done = self.s.execute(update(t.account_profile).where(t.account_profile.c.user_id == p.user_id).values(**values))
        if not done.rowcount:
            self.s.execute(insert(t.account_profile).values(user_id=p.user_id, **values))

    def user_by_email(self, email: str) -> User | None:
        user_id = self.s.execute(select(t.account_profile.c.user_id)
                                 .where(func.lower(t.account_profile.c.email) == email.lower())
                                 .order_by(t.account_profile.c.user_id).limit(1)).scalar()
        return AuthRepository(self.s).user_by_id(user_id) if user_id is not None else None

    def unconfirmed(self) -> list[tuple[User, Profile]]:
        q = (select(t.account_profile).join(a.app_user, t.account_profile.c.user_id == a.app_user.c.id)
             .where(t.account_profile.c.organisation_confirmed.is_(False), a.app_user.c.active.is_(True))
             .order_by(a.app_user.c.created_at, a.app_user.c.id))
        users = AuthRepository(self.s)
        return [(users.user_by_id(r.user_id), _profile(r)) for r in self.s.execute(q)]

    def recipients(self, organisation_id: str) -> list[tuple[int, str]]:
        """(user id, address) of the organisation's active, confirmed applicants who take e-mail."""
        p = t.account_profile
        q = (select(a.app_user.c.id, p.c.email).join(p, p.c.user_id == a.app_user.c.id)
             .where(a.app_user.c.organisation_id == organisation_id, a.app_user.c.active.is_(True),
                    a.app_user.c.role == "applicant", p.c.email.is_not(None), p.c.email_opt_out.is_(False),
                    p.c.organisation_confirmed.is_(True))
             .order_by(a.app_user.c.id))
        return [(r.id, r.email) for r in self.s.execute(q)]

    # --- the outbox ----------------------------------------------------------------------------
    def add_mail(self, m: Mail) -> int:
        return self.s.execute(insert(t.mail_outbox).values(
            user_id=m.user_id, address=m.address, subject=m.subject, body=m.body, link=m.link, kind=m.kind,
            notice_id=m.notice_id, created_at=_utc(m.created_at), next_attempt_at=_utc(m.next_attempt_at),
            attempts=m.attempts, last_error=m.last_error, sent_at=_utc(m.sent_at),
        ).returning(t.mail_outbox.c.id)).scalar_one()

    def mails(self, *, user_id: int | None = None, pending_only: bool = False, limit: int = 200) -> list[Mail]:
        q = select(t.mail_outbox).order_by(t.mail_outbox.c.id.desc()).limit(limit)
        if user_id is not None:
            q = q.where(t.mail_outbox.c.user_id == user_id)
        if pending_only:
            q = q.where(t.mail_outbox.c.sent_at.is_(None))
        return [_mail(r) for r in self.s.execute(q)]

    def due_mail(self, now: datetime, limit: int, max_attempts: int) -> list[Mail]:
        m = t.mail_outbox
        q = (select(m).where(m.c.sent_at.is_(None), m.c.attempts < max_attempts, m.c.next_attempt_at <= _utc(now),
                             or_(m.c.claimed_until.is_(None), m.c.claimed_until < _utc(now)))
             .order_by(m.c.id).limit(limit))
        return [_mail(r) for r in self.s.execute(q)]

    def claim_mail(self, mail_id: int, now: datetime, until: datetime) -> bool:
        m = t.mail_outbox
        done = self.s.execute(update(m).where(
            m.c.id == mail_id, m.c.sent_at.is_(None),
            or_(m.c.claimed_until.is_(None), m.c.claimed_until < _utc(now))).values(claimed_until=_utc(until)))
        return bool(done.rowcount)

    def mail_sent(self, mail_id: int, at: datetime) -> None:
        m = t.mail_outbox
        self.s.execute(update(m).where(m.c.id == mail_id).values(sent_at=_utc(at), claimed_until=None,
                                                                 attempts=m.c.attempts + 1, last_error=None))

    def mail_failed(self, mail_id: int, error: str, next_at: datetime) -> None:
        m = t.mail_outbox
        self.s.execute(update(m).where(m.c.id == mail_id).values(
            claimed_until=None, attempts=m.c.attempts + 1, last_error=error[:500], next_attempt_at=_utc(next_at)))

    # --- reminders -----------------------------------------------------------------------------
    def reminded(self, key: str) -> bool:
        return self.s.execute(select(t.reminder_sent.c.key).where(t.reminder_sent.c.key == key)).first() is not None

    def add_reminder(self, key: str, at: datetime) -> None:
        self.s.execute(insert(t.reminder_sent).values(key=key[:120], sent_at=_utc(at)))


REPOSITORIES = {"portal": PortalRepository}  # collected by store/uow.py
