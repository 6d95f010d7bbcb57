"""Persistence of account profiles, the e-mail outbox and reminders sent. No commits here."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from maadan.auth.model import User
from maadan.organisations.model import Proposal
from maadan.portal.model import Mail, Profile
from maadan.store import tables as core
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

    # --- password-reset requests ---------------------------------------------------------------
    def add_reset_request(self, who: str, client: str | None, at: datetime) -> None:
        self.s.execute(insert(t.reset_request).values(who=who[:254], client=client[:64] if client else None,
                                                      at=_utc(at)))

    def reset_requests(self, since: datetime, *, who: str | None = None, client: str | None = None) -> int:
        r = t.reset_request
        q = select(func.count()).select_from(r).where(r.c.at >= _utc(since))
        if who is not None:
            q = q.where(r.c.who == who)
        if client is not None:
            q = q.where(r.c.client == client)
        return int(self.s.execute(q).scalar_one())

    def reset_links(self, user_id: int, since: datetime, kind: str) -> int:
        """Reset tokens issued to an account since then (used or not)."""
        tok = a.auth_token
        return int(self.s.execute(select(func.count()).select_from(tok).where(
            tok.c.user_id == user_id, tok.c.kind == kind, tok.c.created_at >= _utc(since))).scalar_one())

    def prune_reset_requests(self, before: datetime) -> int:
        return self.s.execute(delete(t.reset_request).where(t.reset_request.c.at < _utc(before))).rowcount or 0

    # --- named leases --------------------------------------------------------------------------
    def take_lease(self, name: str, holder: str, now: datetime, until: datetime) -> bool:
        """Take or renew the lease: True when `holder` holds it until `until`."""
        lease = t.service_lease
        done = self.s.execute(update(lease).where(lease.c.name == name, or_(lease.c.holder == holder,
                                                                            lease.c.until < _utc(now)))
                              .values(holder=holder, until=_utc(until)))
        if done.rowcount:
            return True
        if self.s.execute(select(lease.c.name).where(lease.c.name == name)).first() is not None:
            return False  # another holder's lease runs
        try:
            with self.s.begin_nested():  # two first takers: one insert wins, the other is refused
                self.s.execute(insert(lease).values(name=name, holder=holder, until=_utc(until)))
        except IntegrityError:
            return False
        return True

    def release_lease(self, name: str, holder: str) -> None:
        lease = t.service_lease
        self.s.execute(delete(lease).where(lease.c.name == name, lease.c.holder == holder))

    # --- proposed organisations ----------------------------------------------------------------
    def proposal(self, proposal_id: str) -> Proposal | None:
        r = self.s.execute(select(t.organisation_proposal).where(t.organisation_proposal.c.id == proposal_id)).first()
        return _proposal(r) if r else None

    def proposals(self, state: str | None = None) -> list[Proposal]:
        q = select(t.organisation_proposal).order_by(t.organisation_proposal.c.proposed_at, t.organisation_proposal.c.id)
        if state:
            q = q.where(t.organisation_proposal.c.state == state)
        return [_proposal(r) for r in self.s.execute(q)]

    def pending_proposals(self) -> dict[str, str]:
        """{id: name} of the organisations proposed and not decided yet."""
        p = t.organisation_proposal
        return {r.id: r.name for r in self.s.execute(select(p.c.id, p.c.name).where(p.c.state == "proposed"))}

    def add_proposal(self, p: Proposal) -> None:
        self.s.execute(insert(t.organisation_proposal).values(
            id=p.id, name=p.name, origin=p.origin[:200], proposed_by=p.proposed_by[:120],
            proposed_at=_utc(p.proposed_at), state=p.state))

    def decide_proposal(self, p: Proposal) -> None:
        self.s.execute(update(t.organisation_proposal).where(t.organisation_proposal.c.id == p.id).values(
            state=p.state, decided_by=p.decided_by, decided_at=_utc(p.decided_at), merged_into=p.merged_into))

    def add_directory_organisation(self, org_id: str, name: str, kind: str, source: str) -> None:
        self.s.execute(insert(core.organisation).values(id=org_id, name=name, kind=kind, source=source))

    def move_members(self, from_id: str, to_id: str) -> int:
        """Accounts and applications of organisation `from_id` become `to_id`'s (a merge)."""
        n = self.s.execute(update(a.app_user).where(a.app_user.c.organisation_id == from_id)
                           .values(organisation_id=to_id)).rowcount or 0
        self.s.execute(update(core.application).where(core.application.c.applicant_org == from_id)
                       .values(applicant_org=to_id))
        return n


def _proposal(r) -> Proposal:
    return Proposal(id=r.id, name=r.name, origin=r.origin, proposed_by=r.proposed_by, proposed_at=_utc(r.proposed_at),
                    state=r.state, decided_by=r.decided_by, decided_at=_utc(r.decided_at), merged_into=r.merged_into)


REPOSITORIES = {"portal": PortalRepository}  # collected by store/uow.py
