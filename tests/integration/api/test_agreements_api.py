"""The agreements and partners APIs on every backend: paging, filters, roles, conflicts, errors."""

from __future__ import annotations

import pytest

from tests.conftest import bundled_agreement_ids

SEEDED = len(bundled_agreement_ids())

NEW = {"title": "Antimony offtake", "kind": "offtake", "signed": "2025-12-01", "minerals": ["antimony"],
       "parties": [{"name": "US Strategic Metals", "organisation_id": "ussm", "role": "offtaker"}],
       "amount": 2_000_000, "currency": "USD", "amount_basis": "reported",
       "sources": [{"publisher": "Example", "url": "https://example.org/a", "evidence": "an offtake"}]}


@pytest.fixture
def writer(role_client):
    return role_client


def test_list_pages_with_totals_and_filters(read_client):
    r = read_client.get("/api/agreements", params={"limit": 5, "offset": 5})
    body = r.json()
    assert r.status_code == 200 and body["total"] == SEEDED and body["count"] == 5 and body["offset"] == 5
    first = read_client.get("/api/agreements", params={"limit": 5}).json()["items"]
    assert {a["id"] for a in first}.isdisjoint(a["id"] for a in body["items"])
    mous = read_client.get("/api/agreements", params={"kind": "mou", "country": "US"}).json()
    assert [a["id"] for a in mous["items"]] == ["2025-09-08-ussm-fwo-mou"] and mous["total"] == 1
    reko = read_client.get("/api/agreements", params={"project": "reko-diq", "year": 2025}).json()
    assert reko["total"] == 6
    tl = read_client.get("/api/agreements/timeline", params={"party": "EXIM"}).json()
    assert [t["date"] for t in tl["items"]] == ["2025-11-23"]


def test_one_agreement_and_errors(read_client):
    a = read_client.get("/api/agreements/2025-12-10-exim-reko-diq-loan-approved").json()  # merged: leads on
    assert a["id"] == "2025-11-23-us-exim-reko-diq-loan" and a["amount"] == 1_250_000_000
    assert a["status"] == "deferred" and a["status_as_of"] == "2026-03-26" and a["date"] == "2025-11-23"
    assert [h["status"] for h in a["history"]] == ["announced", "approved", "deferred"]
    assert len(a["readings"]) == 5 and a["organisation_names"]["us-exim"].startswith("Export-Import Bank")
    amount = next(c for c in a["claims"] if c["claim"] == "amount")
    assert amount["sourced"] and all(s["url"] and s["evidence"] for s in amount["sources"])
    r = read_client.get("/api/agreements/no-such-thing")
    assert r.status_code == 404 and r.json()["error"] == "not_found"
    r = read_client.get("/api/agreements", params={"kind": "treaty"})
    assert r.status_code == 422 and "kind" in r.json()["message"]
    r = read_client.get("/api/agreements", params={"year": "soon"})
    assert r.status_code == 422
    r = read_client.get("/api/agreements", params={"mineral": "antimny"})
    assert r.status_code == 404 and r.json()["details"]["suggestions"][0] == "antimony"


def test_writes_need_an_officer_or_admin(writer):
    assert writer.post("/api/agreements", json=NEW).status_code == 401
    assert writer.post("/api/agreements", json=NEW, headers=writer.token("applicant.a")).status_code == 403
    assert writer.patch("/api/agreements/2025-09-08-ussm-fwo-mou", json={"status": "closed"},
                        headers=writer.token("applicant.a")).status_code == 403
    r = writer.post("/api/agreements", json=NEW, headers=writer.token("officer.a"))
    assert r.status_code == 201, r.text
    assert r.headers["location"] == "/api/agreements/2025-12-01-antimony-offtake"
    assert r.json()["sources"][0]["evidence"] == "an offtake"
    r = writer.post("/api/agreements", json=NEW, headers=writer.token("admin.a"))
    assert r.status_code == 409 and r.json()["error"] == "conflict"
    assert writer.get("/api/agreements").json()["total"] == SEEDED + 1


def test_invalid_drafts_and_edits_change_nothing(writer):
    officer = writer.token("officer.a")
    bad = NEW | {"amount": 5, "currency": None}
    r = writer.post("/api/agreements", json=bad, headers=officer)
    assert r.status_code == 422 and r.json()["message"] == "currency: is required when an amount is given"
    r = writer.post("/api/agreements", json=NEW | {"colour": "red"}, headers=officer)
    assert r.status_code == 422 and "colour" in r.json()["message"]
    r = writer.post("/api/agreements", json=[NEW], headers=officer)
    assert r.status_code == 422
    r = writer.patch("/api/agreements/2025-09-08-ussm-fwo-mou", json={"effective": "2025-08"}, headers=officer)
    assert r.status_code == 422 and r.json()["message"] == "effective: 2025-08 is before signed 2025-09-08"
    r = writer.patch("/api/agreements/2025-03-29-ogdcl-pmdc-antimony-jv",
                     json={"parties": [{"name": "A", "share": 80}, {"name": "B", "share": 30}]}, headers=officer)
    assert r.status_code == 422 and "shares sum to 110" in r.json()["message"]
    r = writer.patch("/api/agreements/2025-09-08-ussm-fwo-mou", json={"status": "closed", "confidence": "medium"},
                     headers=officer)
    assert r.status_code == 422 and "a sourced claim is corrected, not overwritten" in r.json()["message"]
    correction = {"why": "completed", "sources": [{"publisher": "Wire", "url": "https://wire.example/1",
                                                   "date": "2025-10-31", "evidence": "completed"}]}
    r = writer.patch("/api/agreements/2025-09-08-ussm-fwo-mou", json={"status": "closed", "confidence": "medium",
                                                                      "correction": correction}, headers=officer)
    assert r.status_code == 200 and r.json()["status"] == "closed" and r.json()["confidence"] == "medium"
    assert writer.patch("/api/agreements/nope", json={}, headers=officer).status_code == 404
    jv = writer.get("/api/agreements/2025-03-29-ogdcl-pmdc-antimony-jv").json()
    assert [p["share"] for p in jv["parties"]] == [50, 50]
    assert writer.get("/api/agreements").json()["total"] == SEEDED


def test_status_history_over_the_api(writer):
    exim = "2025-11-23-us-exim-reko-diq-loan"
    change = {"status": "closed", "date": "2026-11-30", "sources": [
        {"publisher": "Wire", "url": "https://wire.example/close", "date": "2026-11-30", "evidence": "closed"}]}
    assert writer.post(f"/api/agreements/{exim}/history", json=change).status_code == 401
    officer = writer.token("officer.a")
    r = writer.post(f"/api/agreements/{exim}/history", json=change | {"date": "soon"}, headers=officer)
    assert r.status_code == 422 and r.json()["message"].startswith("change.date:")
    r = writer.post(f"/api/agreements/{exim}/history", json=change, headers=officer)
    assert r.status_code == 200 and r.json()["status"] == "closed" and r.json()["status_as_of"] == "2026-11-30"
    r = writer.patch(f"/api/agreements/{exim}", json={"amount": 1.3e9}, headers=officer)
    assert r.status_code == 422 and "a sourced claim is corrected, not overwritten" in r.json()["message"]
    r = writer.patch(f"/api/agreements/{exim}", json={"amount": 1.3e9, "correction": {
        "why": "fact sheet", "sources": change["sources"]}}, headers=officer)
    assert r.status_code == 200 and r.json()["corrections"][-1]["by"] == "user:officer.a"
    stale = writer.get("/api/agreements/stale", params={"older_than": 30}).json()
    assert stale["older_than_days"] == 30 and exim not in [x["id"] for x in stale["items"]]
    assert writer.get("/api/agreements/stale", params={"older_than": -1}).status_code == 422
    assert writer.get("/api/agreements/stale").json()["older_than_days"] == 180


def test_partners_api(read_client):
    r = read_client.get("/api/partners", params={"capability": "logistics"}).json()
    assert r["total"] == 2 and {p["id"] for p in r["items"]} == {"nlc", "mota-engil"}
    m = read_client.get("/api/partners/match", params={"for": "US Strategic Metals", "mineral": "antimony",
                                                       "region": "Balochistan", "limit": 3}).json()
    assert m["count"] == 3 and m["items"][0]["id"] == "fwo" and m["items"][0]["rank"] == 1
    assert all(x["reasons"] and all({"factor", "points", "text"} <= set(r) for r in x["reasons"]) for x in m["items"])
    r = read_client.get("/api/partners/match", params={"for": "Nobody Ltd"})
    assert r.status_code == 404
    assert read_client.get("/api/partners/match").status_code == 422
    fwo = read_client.get("/api/partners/fwo").json()
    assert "2025-09-08-ussm-fwo-mou" in fwo["agreements"] and fwo["ownership"] == "unknown"
    assert read_client.get("/api/partners", params={"capability": "magic"}).status_code == 422
