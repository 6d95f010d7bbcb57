"""The portal's use cases on both backends: self-registration and the officer's confirmation, the
one-time password reset link, notices and their e-mails written with the event, the dispatcher
against a real (local) SMTP server, and the rent reminders."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from urllib.parse import unquote

import pytest

from maadan.auth import service as auth
from maadan.auth.model import AuthError, Forbidden
from maadan.cadastre import service as cadastre
from maadan.errors import Conflict, InvalidInput, NotFound
from maadan.portal import service as portal
from maadan.portal.model import (
    MAX_ATTEMPTS,
    RESET_LINKS_PER_ACCOUNT,
    RESET_PER_CLIENT,
    RESET_PER_IDENTIFIER,
    RESET_WINDOW,
    TooManyResetRequests,
)

from .conftest import CLEAN, PASSWORD, propose_holders

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)  # a Monday, well before today


def register(web, name: str = "new.applicant", org: str = "rdmc", email: str = "new@example.org"):
    return portal.register(web.uow(True), name, PASSWORD, email, organisation_id=org)


def applicant_with_email(web, name: str, org: str, email: str, opt_out: bool = False):
    user = web.user(name, "applicant", org)
    portal.set_preferences(web.uow(True), user, email, opt_out)
    return user


def outbox(web):
    return portal.outbox(web.uow())


def to_grant(web, number: int, start: datetime):
    for i, action in enumerate(("accept", "review", "offer", "grant")):
        cadastre.decide(web.uow(True), "PK-BA", number, action, "user:officer", now=start + timedelta(days=2, hours=i))


def test_registration_waits_for_an_officer_before_filing(web):
    user, profile = register(web)
    assert user.role == "applicant" and user.organisation_id == "rdmc" and not profile.organisation_confirmed
    with pytest.raises(Forbidden) as err:
        portal.may_file(web.uow(), user)
    assert "waiting for an officer's confirmation" in err.value.message
    assert [u.username for u, _ in portal.pending_links(web.uow())] == ["new.applicant"]
    portal.confirm_link(web.uow(True), "new.applicant", "user:officer")
    portal.may_file(web.uow(), user)  # no error now
    assert portal.pending_links(web.uow()) == []
    with pytest.raises(NotFound):  # confirmed already: nothing waits
        portal.confirm_link(web.uow(True), "new.applicant", "user:officer")
    officer = web.user("officer.x", "officer")
    portal.may_file(web.uow(), officer)  # officers and admin-made accounts file without confirmation


def test_registration_bad_input_names_the_field(web):
    cases = [
        (dict(organisation_id="no-such-org"), "organisation", "not in the directory"),
        (dict(organisation_id="rdmc", proposed_organisation="Kohistan Copper"), "organisation", "not both"),
        (dict(), "organisation", "choose your organisation"),
        (dict(proposed_organisation="Barrick Gold"), "proposed_organisation", "already in the directory"),
    ]
    for kwargs, field, words in cases:
        with pytest.raises(InvalidInput) as err:
            portal.register(web.uow(True), "someone.new", PASSWORD, "a@example.org", **kwargs)
        assert err.value.details["field"] == field and words in err.value.message, kwargs
    with pytest.raises(InvalidInput) as err:
        portal.register(web.uow(True), "someone.new", PASSWORD, "not an address", organisation_id="rdmc")
    assert err.value.details["field"] == "email"
    register(web, "taken.name")
    with pytest.raises(Conflict):
        register(web, "taken.name")
    user, profile = portal.register(web.uow(True), "proposer", PASSWORD, "p@example.org",
                                    proposed_organisation="Kohistan Copper (Pvt) Ltd")
    assert user.organisation_id == "kohistan-copper-pvt-ltd" and profile.proposed_organisation == "Kohistan Copper (Pvt) Ltd"


def _reset_token(web, address: str) -> str:
    mail = [m for m in outbox(web) if m.address == address and m.kind == "password-reset"][0]
    return unquote(re.search(r"token=([^&\s]+)", mail.link).group(1))


def test_password_reset_link_is_single_use_expiring_and_hashed(web):
    register(web, "forgetful", email="forgetful@example.org")
    portal.request_reset(web.uow(True), "nobody-here", now=T0)  # unknown: nothing happens, no error
    portal.request_reset(web.uow(True), "ghost@example.org", now=T0)
    assert outbox(web) == []
    portal.request_reset(web.uow(True), "Forgetful@example.org", now=datetime.now(timezone.utc))  # by address
    token = _reset_token(web, "forgetful@example.org")
    with web.engine.connect() as c:  # stored as its SHA-256 only
        stored = [r[0] for r in c.exec_driver_sql("SELECT token_hash FROM auth_token WHERE kind = 'reset'")]
    assert stored == [auth.token_hash(token)] and token not in stored
    with pytest.raises(InvalidInput):  # the password policy still holds
        portal.reset_password(web.uow(True), token, "short")
    portal.reset_password(web.uow(True), token, "a brand new passphrase")
    assert auth.authenticate(web.uow(True), "forgetful", "a brand new passphrase", None).username == "forgetful"
    with pytest.raises(AuthError) as err:  # used once: never again
        portal.reset_password(web.uow(True), token, "yet another passphrase")
    assert err.value.message == portal.EXPIRED
    portal.request_reset(web.uow(True), "forgetful", now=T0)
    old = [m for m in outbox(web) if m.created_at == T0][0]
    late = unquote(re.search(r"token=([^&\s]+)", old.link).group(1))
    with pytest.raises(AuthError):  # an hour and more later
        portal.reset_password(web.uow(True), late, "a brand new passphrase 2", now=T0 + timedelta(hours=1, seconds=1))
    with pytest.raises(AuthError):
        portal.reset_password(web.uow(True), "forged-token", "a brand new passphrase 2")


def test_decisions_reach_the_inbox_and_email_unless_opted_out(web):
    applicant_with_email(web, "kept.informed", "chagai-minerals", "informed@example.org")
    applicant_with_email(web, "no.mail", "chagai-minerals", "quiet@example.org", opt_out=True)
    web.user("no.address", "applicant", "chagai-minerals")
    app = web.apply(now=T0)
    cadastre.decide(web.uow(True), "PK-BA", app.number, "accept", "user:officer", now=T0 + timedelta(hours=1))
    notes = cadastre.notices(web.uow(), organisation="chagai-minerals")
    assert notes[-1].kind == "decision-accept" and "was accepted" in notes[-1].message
    mails = [m for m in outbox(web) if m.notice_id == notes[-1].id]
    assert [m.address for m in mails] == ["informed@example.org"]
    assert mails[0].link == f"/cadastre/applications/PK-BA/{app.number}" and app.ref in mails[0].subject
    before = len(outbox(web))
    with pytest.raises(Conflict):  # an illegal move writes nothing: no notice, no mail
        cadastre.decide(web.uow(True), "PK-BA", app.number, "grant", "user:officer", now=T0 + timedelta(hours=2))
    assert len(cadastre.notices(web.uow(), organisation="chagai-minerals")) == len(notes) and len(outbox(web)) == before
    cadastre.decide(web.uow(True), "PK-BA", app.number, "withdraw", "user:officer", now=T0 + timedelta(hours=2))
    assert cadastre.notices(web.uow(), organisation="chagai-minerals")[-1].kind == "decision-withdraw"
    assert len(outbox(web)) == before + 1


def test_dispatcher_sends_once_and_retries_after_a_failure(web, smtp):
    inbox, port = smtp
    applicant_with_email(web, "mailed", "chagai-minerals", "mailed@example.org")
    app = web.apply(now=T0)
    cadastre.decide(web.uow(True), "PK-BA", app.number, "accept", "user:officer", now=T0 + timedelta(hours=1))
    sender = portal.SmtpSender("127.0.0.1", port)
    inbox.refuse = True  # the server fails: the register write stands, the mail waits
    now = datetime.now(timezone.utc)
    report = portal.dispatch(web.uow(True), sender, sender_address="cadastre@example.gov.pk",
                             base_url="https://cadastre.example.gov.pk", now=now)
    assert (report.sent, report.failed) == (0, 1) and "451" in report.errors[0]
    with web.uow() as u:
        assert u.cadastre.application("PK-BA", app.number).state == "accepted"
    [mail] = outbox(web)
    assert mail.sent_at is None and mail.attempts == 1 and "451" in mail.last_error
    again = portal.dispatch(web.uow(True), sender, sender_address="cadastre@example.gov.pk",
                            base_url="https://cadastre.example.gov.pk", now=now)
    assert (again.sent, again.failed) == (0, 0)  # waits for its next attempt
    inbox.refuse = False
    later = now + timedelta(minutes=5)
    report = portal.dispatch(web.uow(True), sender, sender_address="cadastre@example.gov.pk",
                             base_url="https://cadastre.example.gov.pk", now=later)
    assert (report.sent, report.failed) == (1, 0)
    [msg] = inbox.to("mailed@example.org")
    assert msg["From"] == "cadastre@example.gov.pk" and app.ref in msg["Subject"]
    assert msg["Message-ID"] == f"<maadan-mail-{mail.id}@example.gov.pk>"
    body = msg.get_payload(decode=True).decode()
    assert f"https://cadastre.example.gov.pk/cadastre/applications/PK-BA/{app.number}" in body and "was accepted" in body
    assert portal.dispatch(web.uow(True), sender, sender_address="cadastre@example.gov.pk", base_url="https://x",
                           now=later + timedelta(hours=1)).sent == 0  # sent once, never again
    assert len(inbox.messages) == 1 and outbox(web)[0].state == "sent"


def test_a_mail_server_that_never_answers_is_given_up_after_max_attempts(web):
    applicant_with_email(web, "unlucky", "chagai-minerals", "unlucky@example.org")
    app = web.apply(now=T0)
    cadastre.decide(web.uow(True), "PK-BA", app.number, "accept", "user:officer", now=T0 + timedelta(hours=1))
    from .smtp_server import free_port

    sender = portal.SmtpSender("127.0.0.1", free_port(), timeout=2)  # nothing listens there
    now = datetime.now(timezone.utc)
    for i in range(MAX_ATTEMPTS + 2):
        portal.dispatch(web.uow(True), sender, sender_address="c@example.org", base_url="http://x",
                        now=now + timedelta(days=i))
    [mail] = outbox(web)
    assert mail.attempts == MAX_ATTEMPTS and mail.state == "given up"


def test_rent_reminders_once_per_invoice_and_default_before_revocation(web):
    applicant_with_email(web, "holder", "chagai-minerals", "holder@example.org")
    app = web.apply(now=T0)
    to_grant(web, app.number, T0)
    with web.uow() as u:
        title = [t for t in u.cadastre.titles("PK-BA") if t.application_number == app.number][0]
        [rent] = [i for i in u.cadastre.invoices(title_number=title.number) if i.kind == "rent"]
    sent = cadastre.send_reminders(web.uow(True), today=rent.due_on, now=T0 + timedelta(days=3))
    assert [n.kind for n in sent] == ["rent-due"] and title.number in sent[0].message
    assert cadastre.send_reminders(web.uow(True), today=rent.due_on) == []  # once per invoice
    late = rent.due_on + timedelta(days=400)
    sent = cadastre.send_reminders(web.uow(True), today=late, within_days=0)
    assert [n.kind for n in sent] == ["default"] and "may be revoked" in sent[0].message
    kinds = [m.kind for m in outbox(web) if m.address == "holder@example.org"]
    assert kinds.count("rent-due") == 1 and kinds.count("default") == 1


def test_password_reset_requests_are_rate_limited_per_client_and_identifier(web):
    """Past a client's or an identifier's budget the answer is 429, the same for an account that
    exists and one that does not; an account gets at most RESET_LINKS_PER_ACCOUNT links a window,
    silently, and the budget comes back after the window."""
    register(web, "limited", email="limited@example.org")
    for i in range(RESET_PER_IDENTIFIER):  # from several clients: the identifier's own budget
        portal.request_reset(web.uow(True), "limited", now=T0 + timedelta(minutes=i), client=f"10.0.1.{i}")
        portal.request_reset(web.uow(True), "nobody.here", now=T0 + timedelta(minutes=i), client=f"10.0.2.{i}")
    refusals = []
    for who in ("limited", "nobody.here"):
        with pytest.raises(TooManyResetRequests) as err:
            portal.request_reset(web.uow(True), who, now=T0 + timedelta(minutes=10), client="10.0.3.1")
        refusals.append((err.value.status, err.value.message, err.value.retry_after_s))
    assert refusals[0] == refusals[1] and refusals[0][0] == 429  # existence is not told
    mails = [m for m in outbox(web) if m.kind == "password-reset"]
    assert len(mails) == RESET_LINKS_PER_ACCOUNT and {m.address for m in mails} == {"limited@example.org"}
    for i in range(RESET_PER_CLIENT):  # one client, many identifiers
        portal.request_reset(web.uow(True), f"someone{i}", now=T0 + timedelta(minutes=20), client="10.9.9.9")
    with pytest.raises(TooManyResetRequests):
        portal.request_reset(web.uow(True), "someone.else", now=T0 + timedelta(minutes=21), client="10.9.9.9")
    later = T0 + RESET_WINDOW + timedelta(minutes=21)  # the window passed: both budgets are back
    portal.request_reset(web.uow(True), "limited", now=later, client="10.9.9.9")
    assert len([m for m in outbox(web) if m.kind == "password-reset"]) == RESET_LINKS_PER_ACCOUNT + 1


def test_a_proposed_organisation_waits_for_an_officer_and_a_grant_waits_for_it(web):
    """Registering for a new organisation and naming a holder not in the directory each propose it:
    not in the directory, not public; the workbench warns and the grant is refused until an officer
    confirms it (it joins the directory) or merges it into one listed (its accounts follow)."""
    from maadan.cadastre import workbench
    from maadan.cadastre.model import Holder

    portal.register(web.uow(True), "kohistan.lead", PASSWORD, "k@example.org",
                    proposed_organisation="Kohistan Copper (Pvt) Ltd")
    holders = [Holder("Reko Diq Mining Company (Pvt) Ltd", 60.0, "PK", "private"),  # in the directory
               Holder("Indus Ore Partners", 40.0, "PK", "private")]
    assert propose_holders(web.uow(True), holders, "user:filer", now=T0) == ["indus-ore-partners"]
    assert propose_holders(web.uow(True), holders, "user:filer", now=T0) == []  # not twice
    pending = {p.id: p for p in portal.pending_proposals(web.uow())}
    assert set(pending) >= {"kohistan-copper-pvt-ltd", "indus-ore-partners"}
    assert pending["indus-ore-partners"].origin == "holder in a filing by user:filer"
    assert pending["kohistan-copper-pvt-ltd"].proposed_by == "user:kohistan.lead"
    directory = dict(portal.directory(web.uow()))
    assert "kohistan-copper-pvt-ltd" not in directory and "indus-ore-partners" not in directory  # not public
    inp = cadastre.ApplicationInput(jurisdiction="PK-BA", title_type="EL", minerals=("copper",), holders=tuple(holders),
                                    area=cadastre.AreaInput(geojson=CLEAN), applicant_org="rdmc")
    app = cadastre.apply(web.uow(True), inp, actor="user:filer", now=T0).application
    for i, action in enumerate(("accept", "review", "offer")):
        cadastre.decide(web.uow(True), "PK-BA", app.number, action, "user:officer", now=T0 + timedelta(days=2, hours=i))
    page = workbench.application_page(web.uow(), web.user("officer.view", "officer"), "PK-BA", app.number)
    assert any("'Indus Ore Partners' is a proposed organisation" in w for w in page.warnings["grant"])
    with pytest.raises(Conflict) as refused:
        cadastre.decide(web.uow(True), "PK-BA", app.number, "grant", "user:officer", now=T0 + timedelta(days=3))
    assert "holder 'Indus Ore Partners' is a proposed organisation an officer has not confirmed" in refused.value.message
    with web.uow() as u:
        assert u.cadastre.application("PK-BA", app.number).state == "offered"  # nothing written
    with pytest.raises(InvalidInput):  # merging needs an organisation of the directory
        portal.decide_proposal(web.uow(True), "indus-ore-partners", "user:officer", into="nowhere")
    done = portal.decide_proposal(web.uow(True), "indus-ore-partners", "user:officer", now=T0 + timedelta(days=3))
    assert done.state == "confirmed" and "indus-ore-partners" in dict(portal.directory(web.uow()))
    [org] = [o for o in _orgs(web) if o.id == "indus-ore-partners"]
    assert org.name == "Indus Ore Partners" and "confirmed by user:officer" in org.source
    with pytest.raises(Conflict):  # decided once
        portal.decide_proposal(web.uow(True), "indus-ore-partners", "user:officer")
    _app, title = cadastre.decide(web.uow(True), "PK-BA", app.number, "grant", "user:officer",
                                  now=T0 + timedelta(days=3, hours=1))
    assert title is not None
    merged = portal.decide_proposal(web.uow(True), "kohistan-copper-pvt-ltd", "user:officer", into="rdmc")
    assert merged.state == "merged" and merged.merged_into == "rdmc"
    with web.uow() as u:
        assert u.auth.user("kohistan.lead").organisation_id == "rdmc"  # the account follows the merge
    assert "kohistan-copper-pvt-ltd" not in dict(portal.directory(web.uow()))
    assert portal.pending_proposals(web.uow()) == []


def _orgs(web):
    with web.uow() as u:
        return u.organisations.all()
