"""Public views show only public facts (issue 15): the home page's decisions are filtered like the API
(a refused or withdrawn application is not the public's), absolute links come from the configured
public address and never from the Host header, and a news id is matched as text, never as a LIKE
pattern. On every backend."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from maadan.api.app import create_app
from maadan.config import load_settings

from .security_site import ORG_A, ORG_B, make_site, square


@pytest.fixture
def site(seeded_copy):
    yield from make_site(seeded_copy.url)


def _decisions(html: str) -> str:
    start = html.find("decisions")
    return html[start:] if start >= 0 else html


def test_the_home_page_shows_only_the_decisions_the_viewer_may_see(site):
    refused = site.file(ORG_A, area=square(66.2, 28.3))
    withdrawn = site.file(ORG_B, "Acme Mining", square(66.9, 28.5))
    pending = site.file(ORG_A, area=square(67.1, 28.7))
    officer, applicant_b = site.bearer["officer.one"], site.bearer["applicant.b"]
    for action in ("accept", "review", "refuse"):
        r = site.client.post(f"/api/cadastre/applications/PK-BA/{refused.number}/decisions",
                             json={"action": action, "reason": "outside the rules"}, headers=officer)
        assert r.status_code == 200, r.text
    r = site.client.post(f"/api/cadastre/applications/PK-BA/{withdrawn.number}/decisions", json={"action": "withdraw"},
                         headers=applicant_b)
    assert r.status_code == 200, r.text

    def refs(client: TestClient) -> set[str]:
        html = client.get("/").text
        return {ref for ref in (refused.ref, withdrawn.ref, pending.ref) if ref in html}

    assert refs(TestClient(site.app)) == {pending.ref}  # the public: pending only, as the API shows
    for ref in (refused.ref, withdrawn.ref):
        number = ref.rpartition("/A")[2]
        assert site.client.get(f"/api/cadastre/applications/PK-BA/{number}").status_code == 404
    officer_web, _ = site.cookie_client("officer.one")
    assert refs(officer_web) == {refused.ref, withdrawn.ref, pending.ref}
    b_web, _ = site.cookie_client("applicant.b")
    assert refs(b_web) == {withdrawn.ref, pending.ref}  # its own, and what is public
    a_web, _ = site.cookie_client("applicant.a")
    assert refs(a_web) == {refused.ref, pending.ref}


def _links(body: dict) -> list[str]:
    out = [ln["href"] for ln in body.get("links", [])]
    for c in body.get("collections", []):
        out += [ln["href"] for ln in c.get("links", [])]
    return out


@pytest.mark.parametrize("path", ["/ogc", "/ogc/collections", "/ogc/collections/titles",
                                  "/ogc/collections/titles/items?limit=2"])
def test_ogc_links_never_come_from_the_host_header(seeded_db, path):
    app = create_app(load_settings({"MAADAN_DATABASE_URL": seeded_db.url}))
    with TestClient(app) as client:
        for host in ("evil.example", "evil.example:443", "127.0.0.1:8000@evil.example"):
            body = client.get(path, headers={"Host": host, "X-Forwarded-Host": "evil.example"}).json()
            links = _links(body)
            assert links and not any("evil" in href for href in links), links
            assert all(href.startswith("http://testserver/") for href in links), links  # the server's own address
    configured = create_app(load_settings({"MAADAN_DATABASE_URL": seeded_db.url,
                                           "MAADAN_PUBLIC_BASE_URL": "https://cadastre.example.gov.pk/maadan/"}))
    with TestClient(configured) as client:
        links = _links(client.get(path, headers={"Host": "evil.example"}).json())
        assert links and all(href.startswith("https://cadastre.example.gov.pk/maadan/") for href in links), links


def test_the_public_base_url_setting_is_checked():
    from maadan.errors import ConfigError

    for bad in ("cadastre.example.gov.pk", "ftp://x.example", "https://x.example/?a=1", "https://u:p@x.example",
                "https://x.example:99999", "https://x.example/#top"):
        with pytest.raises(ConfigError, match="MAADAN_PUBLIC_BASE_URL"):
            load_settings({"MAADAN_PUBLIC_BASE_URL": bad})
    assert load_settings({"MAADAN_PUBLIC_BASE_URL": "https://x.example/"}).public_base_url == "https://x.example"


def test_a_news_id_is_text_not_a_like_pattern(role_client):
    officer = role_client.token("officer.a")
    r = role_client.post("/api/news", headers=officer, files={"file": ("a.txt", (
        "ISLAMABAD, 4 March 2026: Frontier Works Organisation signed a memorandum of understanding with "
        "Kestrel Graphite Company to explore graphite in Chagai.\n").encode(), "text/plain")},
        data={"published": "2026-03-04"})
    assert r.status_code == 201, r.text
    doc_id = r.json()["id"]
    assert role_client.get(f"/api/news/{doc_id[:8]}", headers=officer).status_code == 200  # a real prefix
    for pattern in ("%25%25%25%25%25%25", "______", "%25_%25_%25_", doc_id[:5] + "_", doc_id[:5] + "%25",
                    "%5C%25%25%25%25%25"):
        r = role_client.get(f"/api/news/{pattern}", headers=officer)
        assert r.status_code == 404 and r.json()["error"] == "not_found", (pattern, r.text)
