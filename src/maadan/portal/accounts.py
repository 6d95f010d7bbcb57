"""Self-registration as an applicant of an organisation, the officer's confirmation of that link
(required before the first filing), and each account's e-mail preferences."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone

from maadan.auth import passwords
from maadan.auth.model import Forbidden, User, normalise_username
from maadan.errors import Conflict, InvalidInput, NotFound
from maadan.organisations.model import slug
from maadan.portal.model import Profile, check_email
from maadan.portal.proposals import ids_by_name, propose, proposal_id
from maadan.unit_of_work import AbstractUnitOfWork


def _now(now: datetime | None) -> datetime:
    return (now or datetime.now(timezone.utc)).astimezone(timezone.utc)


def register(uow: AbstractUnitOfWork, username: str, password: str, email: str, *,
             organisation_id: str | None = None, proposed_organisation: str | None = None,
             now: datetime | None = None) -> tuple[User, Profile]:
    """A new applicant account of an organisation in the directory (or of a new one it proposes),
    waiting for an officer to confirm the link before it may file. InvalidInput names the field."""
    now = _now(now)
    name = normalise_username(username)
    address = check_email(email, required=True)
    org = (organisation_id or "").strip()
    proposed = " ".join((proposed_organisation or "").split())
    if bool(org) == bool(proposed):
        raise InvalidInput("organisation: choose your organisation from the directory, or propose a new one "
                           "(not both)", details={"field": "organisation"})
    if proposed and not 3 <= len(proposed) <= 200:
        raise InvalidInput("new organisation: give its full name (3 to 200 characters)",
                           details={"field": "proposed_organisation"})
    passwords.check_policy(password, name)
    password_hash = passwords.hash_password(password)  # slow: before the write transaction
    with uow:
        directory = {o.id: o for o in uow.organisations.all()}
        if org and org not in directory:
            raise InvalidInput(f"organisation {org[:80]!r} is not in the directory; choose one listed, or "
                               "propose a new one", details={"field": "organisation"})
        if proposed:
            org = proposal_id(proposed)
            same = directory.get(org) or next((o for o in directory.values() if slug(o.name) == org), None)
            if same is not None:
                raise InvalidInput(f"{same.name!r} is already in the directory; choose it from the list",
                                   details={"field": "proposed_organisation"})
        if uow.auth.user(name) is not None:
            raise Conflict(f"username {name!r} is taken", details={"field": "username"})
        if proposed:  # into the list of proposals, for an officer to confirm or merge (not public)
            propose(uow, proposed, f"user:{name}", f"registration of {name}", now)
        user = uow.auth.add_user(name, password_hash, "applicant", org, now)
        profile = Profile(user_id=user.id, email=address, organisation_confirmed=False,
                          proposed_organisation=proposed or None, registered_at=now)
        uow.portal.save_profile(profile)
        uow.commit()
    return user, profile


def profile(uow: AbstractUnitOfWork, user: User) -> Profile:
    with uow:
        return uow.portal.profile(user.id) or Profile(user_id=user.id)


def set_preferences(uow: AbstractUnitOfWork, user: User, email: str | None, email_opt_out: bool) -> Profile:
    """Change the account's e-mail address and whether it gets e-mail (the in-app inbox stays)."""
    address = check_email(email)
    with uow:
        current = uow.portal.profile(user.id) or Profile(user_id=user.id)
        updated = replace(current, email=address, email_opt_out=bool(email_opt_out))
        uow.portal.save_profile(updated)
        uow.commit()
    return updated


def pending_links(uow: AbstractUnitOfWork) -> list[tuple[User, Profile]]:
    """Applicant accounts whose link to their organisation waits for an officer, oldest first."""
    with uow:
        return uow.portal.unconfirmed()


def confirm_link(uow: AbstractUnitOfWork, username: str, actor: str, *, confirm: bool = True,
                 now: datetime | None = None) -> Profile:
    """An officer confirms (or, with confirm=False, refuses and disables) an applicant's link to
    its organisation."""
    now = _now(now)
    with uow:
        user = uow.auth.user((username or "").strip().lower())
        found = uow.portal.profile(user.id) if user else None
        if user is None or found is None or found.organisation_confirmed:
            raise NotFound("account awaiting confirmation", username)
        if confirm:
            updated = replace(found, organisation_confirmed=True, confirmed_by=actor, confirmed_at=now)
        else:
            updated = replace(found, confirmed_by=actor, confirmed_at=now)
            uow.auth.set_active(user.id, False)
            uow.auth.revoke_all(user.id)
        uow.portal.save_profile(updated)
        uow.commit()
    return updated


def may_file(uow: AbstractUnitOfWork, user: User) -> None:
    """Forbidden while an applicant's link to its organisation is not confirmed by an officer."""
    if user.role != "applicant":
        return
    with uow:
        found = uow.portal.profile(user.id)
    _may_file(user, found)


def _may_file(user: User, found) -> None:
    """`may_file` on the account's profile read already (`found`: None for an account without one,
    and for any account but an applicant's, which is never held back)."""
    if found is not None and not found.organisation_confirmed:
        raise Forbidden(f"your account's link to the organisation {user.organisation_id!r} is waiting for an "
                        "officer's confirmation; you can file once it is confirmed",
                        details={"organisation": user.organisation_id})


def directory(uow: AbstractUnitOfWork) -> list[tuple[str, str]]:
    """(id, name) of every organisation in the directory, by name: the choices of the forms."""
    with uow:
        return sorted(((o.id, o.name) for o in uow.organisations.all()), key=lambda p: p[1].lower())


def holders_for_filing(uow: AbstractUnitOfWork, user: User, holders) -> list:
    """The holders of a filing by `user`, each named as an organisation of the directory carrying
    its id (`with_directory_ids`), once `user` may file (`may_file`) and the holders pass
    `_check_holders`: the account and the directory read in one transaction."""
    with uow:  # ids and names only, not the directory's full records
        found = uow.portal.profile(user.id) if user.role == "applicant" else None
        rows = uow.organisations.names()
    _may_file(user, found)
    matched = _with_ids(rows, holders)
    _check_holders(rows, user, matched)
    return matched


def _check_holders(rows, user: User, holders) -> None:
    """Holders named by directory id must be in the directory; an applicant whose organisation is
    in the directory must be among the holders (by id or by the directory's name or alias)."""
    directory = {oid: (name, short or "", *aliases) for oid, name, short, aliases in rows}
    for i, h in enumerate(holders, 1):
        if h.organisation_id and h.organisation_id not in directory:
            raise InvalidInput(f"holders[{i}]: organisation {h.organisation_id[:80]!r} is not in the directory; leave its "
                               "id empty to propose a new organisation", details={"field": f"holders[{i}]"})
    own = directory.get(user.organisation_id or "") if user.role == "applicant" else None
    if own is None:
        return
    names = {n.strip().lower() for n in own if n and n.strip()}
    if not any(h.organisation_id == user.organisation_id or h.name.strip().lower() in names for h in holders):
        raise InvalidInput(f"holders: your organisation, {own[0]}, must be among the holders",
                           details={"field": "holders"})


def with_directory_ids(uow: AbstractUnitOfWork, holders) -> list:
    """The holders, each named exactly as an organisation of the directory (its name, short name or
    an alias, in any case) carrying that organisation's id, so that its page lists the title."""
    with uow:  # ids and names only, not the directory's full records
        rows = uow.organisations.names()
    return _with_ids(rows, holders)


def _with_ids(rows, holders) -> list:
    by_name = ids_by_name(sorted(rows, key=lambda o: o[1]))  # by name, as `all` lists them: the first wins
    return [h if h.organisation_id or h.name.strip().lower() not in by_name
            else replace(h, organisation_id=by_name[h.name.strip().lower()]) for h in holders]
