"""The portal's account pages through HTTP on both backends: registering, the officer's
confirmation, filing refused until then, the reset link by e-mail (once, no enumeration), and the
e-mail preferences."""

from __future__ import annotations

import re
from html import unescape

from maadan.portal import service as portal

from .conftest import CLEAN, PASSWORD, propose_holders, login_form

FORM_TOKEN = re.compile(r'name="csrf_token" value="([^"]*)"')


def public_form(client, path: str, **fields: str) -> dict[str, str]:
    match = FORM_TOKEN.search(client.get(path).text)
    assert match and match.group(1), f"no CSRF token on {path}"
    return {"csrf_token": match.group(1), **fields}


def register(client, **fields: str):
    values = {"username": "kohistan.lead", "email": "lead@example.org", "password": PASSWORD, "password2": PASSWORD,
              "organisation": "rdmc", "proposed_organisation": ""} | fields
    return client.post("/login/register", data=public_form(client, "/login/register", **values))


def filing(web):
    return {"jurisdiction": "PK-BA", "title_type": "EL", "minerals": ["copper"],
            "holders": [{"name": "Reko Diq Mining Company (Pvt) Ltd", "share_pct": 100, "country": "PK", "kind": "private"}],
            "area": {"geojson": CLEAN}}


def test_register_confirm_then_file(web):
    page = web.client.get("/login")
    assert 'href="/login/register"' in page.text and 'href="/login/forgot"' in page.text
    bad = register(web.client, email="nope", username="bad.one")
    assert bad.status_code == 422 and "is not an e-mail address" in bad.text
    assert re.search(r'id="email"[^>]*aria-invalid="true"', bad.text)
    assert register(web.client, password2="something else").status_code == 422
    assert register(web.client, csrf_token="forged").status_code in (403, 422)
    done = register(web.client)
    assert done.status_code == 200 and 'id="registered"' in done.text
    web.login("kohistan.lead")
    account = web.client.get("/account")
    assert "waiting for an officer" in account.text
    refused = web.client.post("/api/cadastre/applications", json=filing(web), headers={"X-CSRF-Token": web.csrf()})
    assert refused.status_code == 403 and "waiting for an officer's confirmation" in refused.json()["message"]
    web.client.cookies.clear()
    web.user("officer.c", "officer")
    web.login("officer.c")
    listed = web.client.get("/cadastre/accounts")
    assert listed.status_code == 200 and 'id="account-kohistan.lead"' in listed.text
    assert web.client.post("/cadastre/accounts/kohistan.lead", data={"action": "confirm"}).status_code == 403  # no CSRF
    ok = web.client.post("/cadastre/accounts/kohistan.lead", data={"action": "confirm", "csrf_token": web.csrf()},
                         follow_redirects=False)
    assert ok.status_code == 303
    again = web.client.post("/cadastre/accounts/kohistan.lead", data={"action": "confirm", "csrf_token": web.csrf()})
    assert again.status_code == 404 and "awaiting confirmation" in again.text
    web.client.cookies.clear()
    web.login("kohistan.lead")
    filed = web.client.post("/api/cadastre/applications", json=filing(web), headers={"X-CSRF-Token": web.csrf()})
    assert filed.status_code == 201, filed.text


def test_applicants_page_is_for_officers(web):
    assert web.client.get("/cadastre/accounts", follow_redirects=False).status_code == 303
    web.user("applicant.p", "applicant", "rdmc")
    web.login("applicant.p")
    assert web.client.get("/cadastre/accounts").status_code == 403


def test_password_reset_by_email_link_once(web):
    register(web.client, username="resetter", email="resetter@example.org")
    unknown = web.client.post("/login/forgot", data=public_form(web.client, "/login/forgot", who="nobody@example.org"))
    known = web.client.post("/login/forgot", data=public_form(web.client, "/login/forgot", who="resetter"))
    assert unknown.status_code == known.status_code == 200
    same = lambda r: re.search(r'id="reset-sent">([^<]*)<', r.text).group(1)  # noqa: E731
    assert same(unknown) == same(known)  # no account enumeration
    [mail] = [m for m in portal.outbox(web.uow()) if m.kind == "password-reset"]
    assert mail.address == "resetter@example.org"
    page = web.client.get(mail.link)
    assert page.status_code == 200 and page.headers["referrer-policy"] == "no-referrer"
    token = re.search(r'name="token" value="([^"]*)"', page.text).group(1)
    fields = public_form(web.client, mail.link, token=unescape(token), password="the new passphrase here",
                         password2="the new passphrase here")
    assert web.client.post("/login/reset", data=fields).status_code == 200
    reused = web.client.post("/login/reset", data=fields)
    assert reused.status_code == 400 and "expired or was already used" in reused.text
    signed = web.client.post("/login", data=login_form(web.client, username="resetter",
                                                        password="the new passphrase here"), follow_redirects=False)
    assert signed.status_code == 303
    assert web.client.get("/login/reset").status_code == 200  # no token: a page saying so, not an error


def test_account_email_preferences(web):
    web.user("prefs", "applicant", "rdmc")
    web.login("prefs")
    bad = web.client.post("/account", data={"email": "not-an-address", "csrf_token": web.csrf()})
    assert bad.status_code == 422 and "is not an e-mail address" in bad.text
    ok = web.client.post("/account", data={"email": "prefs@example.org", "email_opt_out": "on", "csrf_token": web.csrf()},
                         follow_redirects=False)
    assert ok.status_code == 303
    page = web.client.get("/account?saved=1")
    assert 'value="prefs@example.org"' in page.text and re.search(r'id="email_opt_out" checked', page.text)


def test_holders_named_as_in_the_directory_carry_its_id(web):
    """A holder typed with a directory organisation's name is linked to it (its page lists the title);
    the applicant's own organisation must be among the holders."""
    web.user("ussm.api", "applicant", "ussm")
    web.login("ussm.api")
    body = {"jurisdiction": "PK-BA", "title_type": "EL", "minerals": ["copper"], "area": {"geojson": CLEAN},
            "holders": [{"name": "Chagai Minerals (Pvt) Ltd", "share_pct": 100, "country": "PK"}]}
    missing = web.client.post("/api/cadastre/applications", json=body, headers={"X-CSRF-Token": web.csrf()})
    assert missing.status_code == 422 and "US Strategic Metals, must be among the holders" in missing.json()["message"]
    unknown = body | {"holders": [{"name": "X", "share_pct": 100, "organisation_id": "no-such-org"}]}
    bad = web.client.post("/api/cadastre/applications", json=unknown, headers={"X-CSRF-Token": web.csrf()})
    assert bad.status_code == 422 and "holders[1]" in bad.json()["message"]
    ok = body | {"holders": [{"name": "us strategic metals", "share_pct": 60, "country": "US"},
                             {"name": "Chagai Minerals (Pvt) Ltd", "share_pct": 40, "country": "PK"}]}
    filed = web.client.post("/api/cadastre/applications", json=ok, headers={"X-CSRF-Token": web.csrf()})
    assert filed.status_code == 201, filed.text
    assert [h["organisation_id"] for h in filed.json()["holders"]] == ["ussm", None]


def test_password_reset_requests_past_the_budget_get_a_429_page(web, monkeypatch):
    from maadan.portal import reset

    monkeypatch.setattr(reset, "RESET_PER_CLIENT", 2)  # this client's budget, made small
    register(web.client, username="hurried", email="hurried@example.org")
    for who in ("hurried", "nobody@example.org"):
        assert web.client.post("/login/forgot", data=public_form(web.client, "/login/forgot", who=who)).status_code == 200
    answers = [web.client.post("/login/forgot", data=public_form(web.client, "/login/forgot", who=who))
               for who in ("hurried", "nobody@example.org")]
    for page in answers:
        assert page.status_code == 429 and page.headers["content-type"].startswith("text/html")
        assert int(page.headers["retry-after"]) > 0 and "Too many requests for a reset link" in page.text
    said = [re.search(r'role="alert"[^>]*>(.*?)<', p.text, re.S) for p in answers]
    assert said[0] and said[1] and said[0].group(1) == said[1].group(1)  # the same whether the account exists


def test_officer_confirms_or_merges_proposed_organisations_on_the_web(web):
    register(web.client, username="newco.lead", email="newco@example.org", organisation="",
             proposed_organisation="Thar Lithium Ventures")
    filer = web.user("filer.p", "applicant", "rdmc")
    propose_holders(web.uow(True), [filing_holder("Gilgit Gems Cooperative")], filer.actor)
    assert web.client.get("/organisations/thar-lithium-ventures").status_code == 404  # not public
    web.user("officer.o", "officer")
    web.login("officer.o")
    page = web.client.get("/cadastre/accounts")
    assert 'id="proposal-thar-lithium-ventures"' in page.text and 'id="proposal-gilgit-gems-cooperative"' in page.text
    assert "registration of newco.lead" in page.text
    bad = web.client.post("/cadastre/proposals/gilgit-gems-cooperative", data={"action": "merge", "csrf_token": web.csrf()})
    assert bad.status_code == 422 and "into:" in bad.text
    ok = web.client.post("/cadastre/proposals/gilgit-gems-cooperative", data={"action": "confirm", "csrf_token": web.csrf()},
                         follow_redirects=False)
    assert ok.status_code == 303
    assert web.client.get("/organisations/gilgit-gems-cooperative").status_code == 200  # in the directory now
    merged = web.client.post("/cadastre/proposals/thar-lithium-ventures",
                             data={"action": "merge", "into": "rdmc", "csrf_token": web.csrf()}, follow_redirects=False)
    assert merged.status_code == 303
    again = web.client.post("/cadastre/proposals/thar-lithium-ventures", data={"action": "confirm", "csrf_token": web.csrf()})
    assert again.status_code == 409 and "already merged" in again.text
    assert 'id="no-proposals"' in web.client.get("/cadastre/accounts").text
    assert web.client.post("/cadastre/proposals/x", data={"action": "confirm"}).status_code == 403  # no CSRF


def filing_holder(name: str):
    from maadan.cadastre.model import Holder

    return Holder(name, 100.0, "PK", "private")
