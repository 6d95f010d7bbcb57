"""New organisations proposed by applicants (issue 16): registering for an organisation not in the
directory, or naming a holder that is not in it, proposes it. A proposal is not in the directory
and not public; an officer confirms it (it joins the directory under its id, with a source line
saying who proposed and who confirmed it) or merges it into an organisation already there (the
accounts and applications of the proposal become that organisation's). Until then a grant of an
application with that holder is refused (cadastre.applications) and the workbench warns."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone

from maadan.errors import Conflict, InvalidInput, NotFound
from maadan.organisations.model import Proposal, slug
from maadan.unit_of_work import AbstractUnitOfWork


def _now(now: datetime | None) -> datetime:
    return (now or datetime.now(timezone.utc)).astimezone(timezone.utc)


def ids_by_name(rows) -> dict[str, str]:
    """Every name, short name and alias of the directory ((id, name, short name, aliases) rows),
    stripped and lower-cased -> organisation id; a name two organisations share is the first row's."""
    out: dict[str, str] = {}
    for oid, name, short, aliases in rows:
        for n in (name, short or "", *aliases):
            if n and n.strip():
                out.setdefault(n.strip().lower(), oid)
    return out


def proposal_id(name: str) -> str:
    """The id a proposed organisation of this name gets (and the directory would know it by)."""
    return slug(name) or "proposed"


def propose(uow: AbstractUnitOfWork, name: str, actor: str, origin: str, now: datetime) -> str | None:
    """Record a proposal inside the caller's transaction (no commit); its id, or None when the name
    was already proposed (the first proposal stands, never proposed twice)."""
    pid = proposal_id(name)
    if uow.portal.proposal(pid) is not None:
        return None
    uow.portal.add_proposal(Proposal(pid, " ".join(name.split())[:200], origin, actor, now))
    return pid


def propose_unknown_holders(uow: AbstractUnitOfWork, holders, actor: str, now: datetime | None = None) -> list[str]:
    """Propose each holder that is neither in the directory (by id, name, short name or alias) nor
    an organisation already proposed or decided; the ids proposed. Inside the caller's transaction
    (no commit): a filing proposes its holders in its own transaction, so a refused filing proposes
    nothing and an accepted one never lacks its proposals."""
    now = _now(now)
    rows = uow.organisations.names()  # ids and names only: this runs inside a filing's write lock
    ids, names = {r[0] for r in rows}, ids_by_name(rows)
    new = []
    for h in holders:
        if (h.organisation_id and h.organisation_id in ids) or h.name.strip().lower() in names:
            continue
        if proposal_id(h.name) in ids:
            continue
        pid = propose(uow, h.name, actor, f"holder in a filing by {actor}", now)
        if pid is not None:
            new.append(pid)
    return new


def pending(uow: AbstractUnitOfWork) -> list[Proposal]:
    """Proposals waiting for an officer, oldest first."""
    with uow:
        return uow.portal.proposals("proposed")


def decide(uow: AbstractUnitOfWork, proposal_id: str, actor: str, *, into: str | None = None,
           kind: str = "company", now: datetime | None = None) -> Proposal:
    """Confirm a proposal (into=None: it joins the directory) or merge it into the directory's
    organisation `into`. NotFound for an unknown proposal, Conflict for one already decided."""
    now = _now(now)
    with uow:
        found = uow.portal.proposal((proposal_id or "").strip())
        if found is None:
            raise NotFound("proposed organisation", proposal_id)
        if found.state != "proposed":
            raise Conflict(f"{found.name!r} was already {found.state}"
                           + (f" into {found.merged_into!r}" if found.merged_into else ""))
        directory = {o.id: o for o in uow.organisations.all()}
        if into is not None:
            if into not in directory:
                raise InvalidInput(f"into: {into[:80]!r} is not an organisation of the directory",
                                   details={"field": "into"})
            decided = replace(found, state="merged", merged_into=into, decided_by=actor, decided_at=now)
            uow.portal.move_members(found.id, into)
        else:
            if found.id in directory:
                raise Conflict(f"the directory already has {directory[found.id].name!r} under the id {found.id!r}; "
                               "merge the proposal into it")
            decided = replace(found, state="confirmed", decided_by=actor, decided_at=now)
            uow.portal.add_directory_organisation(
                found.id, found.name, kind,
                f"Proposed on {found.proposed_at:%Y-%m-%d} by {found.proposed_by} ({found.origin}); confirmed by "
                f"{actor} on {now:%Y-%m-%d}. Details as the applicant gave them, not checked against a company register.")
        uow.portal.decide_proposal(decided)
        uow.commit()
    return decided

