"""Competition groups, decisions, sealed bids, remainders and notices over REST: who may do what,
what the public sees, and clear 4xx answers with nothing written."""

import json
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from maadan.cadastre import service
from maadan.cadastre.caches import CACHES
from maadan.cadastre.model import Holder
from maadan.cadastre.rules import CompetitionRule
from maadan.store.uow import UnitOfWork
from tests.integration.cadastre.conftest import square

# 11:00 in Quetta ten days ago: filings minutes apart fall on one local day whatever the hour the tests run.
DAYS_AGO = (datetime.now(timezone.utc) - timedelta(days=10)).replace(hour=6, minute=0, second=0, microsecond=0)


def _file(client, x: float, minutes: int, org: str | None, name: str):
    engine = client.app.state.engine
    inp = service.ApplicationInput(jurisdiction="PK-BA", title_type="EL", minerals=("copper",),
                                   holders=(Holder(name, 100, "PK"),), applicant_org=org,
                                   area=service.AreaInput(geojson=json.dumps(square(x, 28.8))))
    return service.apply(UnitOfWork(engine, write=True), inp, "t", now=DAYS_AGO + timedelta(minutes=minutes)).application


def _events(client) -> int:
    with UnitOfWork(client.app.state.engine) as u:
        return u.cadastre.count_events()


@pytest.fixture
def group(role_client):
    _file(role_client, 64.0, 0, "ussm", "US Strategic Metals")
    _file(role_client, 64.05, 5, "other-org", "Other Minerals Ltd")
    return role_client


def test_the_public_sees_groups_and_every_member_competing(group):
    c = group
    listed = c.get("/api/cadastre/competitions").json()
    assert listed["total"] == 1
    g = listed["items"][0]
    assert g["ref"] == "PK-BA/G1" and [m["ref"] for m in g["members"]] == ["PK-BA/A1", "PK-BA/A2"]
    assert "applicant_org" not in g["members"][0] and g["method"]["method"] == "officer-decision"
    assert g["method"]["verified"] is False and g["seed"] is not None
    first = c.get("/api/cadastre/applications/PK-BA/1").json()
    assert first["priority"] == "competing" and first["competition_group"] == "PK-BA/G1"
    assert first["competing_with"] == ["PK-BA/A2"]
    assert c.get("/api/cadastre/competitions/PK-BA/99").status_code == 404
    assert c.get("/api/cadastre/competitions/pk-ba%2F..%2F/1").status_code in (404, 422)
    assert c.get("/api/cadastre/competitions?state=bogus").status_code == 422


def test_only_officers_decide_with_reasons_and_only_once(group):
    c = group
    url = "/api/cadastre/competitions/PK-BA/1/decision"
    before = _events(c)
    assert c.post(url, json={"winner": 1, "reason": "r"}).status_code == 401
    assert c.post(url, json={"winner": 1, "reason": "r"}, headers=c.token("applicant.a")).status_code == 403
    officer = c.token("officer.a")
    r = c.post(url, json={"winner": 1}, headers=officer)
    assert r.status_code == 422 and "reasons" in r.json()["message"]
    r = c.post(url, json={"winner": 9, "reason": "r"}, headers=officer)
    assert r.status_code == 422 and "not a member" in r.json()["message"]
    assert c.post(url, json={"winner": 1, "reason": "r", "extra": 1}, headers=officer).status_code == 422
    assert _events(c) == before
    r = c.post(url, json={"winner": 1, "reason": "the earlier work programme is complete"}, headers=officer)
    assert r.status_code == 200, r.text
    d = r.json()["decision"]
    assert d["winner"] == 1 and d["decided_by"] == "user:officer.a" and d["results"][1]["result"] == "refused"
    r = c.post(url, json={"winner": 2, "reason": "again"}, headers=officer)
    assert r.status_code == 409 and "already decided" in r.json()["message"]
    assert c.get("/api/cadastre/applications/PK-BA/2", headers=officer).json()["state"] == "refused"


def test_notices_go_to_the_applicants_organisation(group):
    c = group
    c.post("/api/cadastre/competitions/PK-BA/1/decision", json={"winner": 2, "reason": "a better programme"},
           headers=c.token("officer.a"))
    mine = c.get("/api/cadastre/notices", headers=c.token("applicant.a")).json()["items"]
    assert mine and all(n["recipient_org"] == "ussm" for n in mine)
    assert mine[-1]["kind"] == "competition-refused" and mine[-1]["application"] == "PK-BA/A1"
    every = c.get("/api/cadastre/notices", headers=c.token("officer.a")).json()["items"]
    theirs = [n for n in every if n["recipient_org"] == "other-org"]
    assert theirs and len(every) > len(mine)
    assert c.get("/api/cadastre/notices").status_code == 401
    r = c.post(f"/api/cadastre/notices/{theirs[0]['id']}/read", headers=c.token("applicant.a"))
    assert r.status_code == 404
    r = c.post(f"/api/cadastre/notices/{mine[-1]['id']}/read", headers=c.token("applicant.a"))
    assert r.status_code == 200 and r.json()["read_at"]
    unread = c.get("/api/cadastre/notices?unread=true", headers=c.token("applicant.a")).json()["items"]
    assert mine[-1]["id"] not in [n["id"] for n in unread]


def test_sealed_bids_and_remainders(role_client, monkeypatch):
    rs = CACHES.rules()
    rule = CompetitionRule(method="sealed-bids", losers="remainder", legal_basis="test", verified=False, bid_days=30)
    monkeypatch.setattr(CACHES, "rulesets", [replace(r, competition={"*": rule}) if r.jurisdiction == "PK-BA" else r
                                             for r in rs])
    c = role_client
    _file(c, 64.0, 0, "ussm", "US Strategic Metals")
    _file(c, 64.05, 5, "other-org", "Other Minerals Ltd")
    url = "/api/cadastre/competitions/PK-BA/1"
    applicant = c.token("applicant.a")
    r = c.post(f"{url}/bids", json={"application": 2, "amount": 10}, headers=applicant)
    assert r.status_code == 403  # not its organisation's application
    r = c.post(f"{url}/bids", json={"application": 1, "amount": -10}, headers=applicant)
    assert r.status_code == 422
    r = c.post(f"{url}/bids", json={"application": 1, "amount": 1_000_000}, headers=applicant)
    assert r.status_code == 201 and len(r.json()["commitment"]) == 64
    assert c.post(f"{url}/bids", json={"application": 1, "amount": 2_000_000}, headers=applicant).status_code == 409
    shown = c.get(url).json()
    assert shown["bids"]["received"] == 1 and "1000000" not in json.dumps(shown)
    r = c.post(f"{url}/decision", json={}, headers=c.token("officer.a"))
    assert r.status_code == 409 and "sealed until" in r.json()["message"]
    # Remainders: nothing to answer yet.
    r = c.post(f"{url}/remainder", json={"application": 1, "answer": "accept"}, headers=applicant)
    assert r.status_code == 409


def _use_rule(monkeypatch, **rule):
    rs = CACHES.rules()
    crule = CompetitionRule(legal_basis="test rule", verified=False, **rule)
    monkeypatch.setattr(CACHES, "rulesets", [replace(r, competition={"*": crule}) if r.jurisdiction == "PK-BA" else r
                                             for r in rs])


def _file_at(client, x: float, when: datetime, org: str | None, name: str, **extra):
    inp = service.ApplicationInput(jurisdiction="PK-BA", title_type=extra.pop("kind", "EL"), minerals=("copper",),
                                   holders=(Holder(name, 100, "PK"),), applicant_org=org,
                                   area=service.AreaInput(geojson=json.dumps(square(x, 28.8, extra.pop("size", 0.1)))),
                                   **extra)
    return service.apply(UnitOfWork(client.app.state.engine, write=True), inp, "t", now=when).application


def test_a_ballot_before_its_seed_exists_is_409_and_writes_nothing(role_client, monkeypatch):
    _use_rule(monkeypatch, method="ballot", losers="refused")
    c = role_client
    yesterday = datetime.now(timezone.utc) - timedelta(days=1)  # the group's day is over; the day after is not
    _file_at(c, 64.0, yesterday, "ussm", "US Strategic Metals")
    _file_at(c, 64.05, yesterday + timedelta(seconds=1), "other-org", "Other Minerals Ltd")
    shown = c.get("/api/cadastre/competitions/PK-BA/1").json()
    assert shown["method"]["method"] == "ballot" and shown["seed"] is None
    before = _events(c)
    r = c.post("/api/cadastre/competitions/PK-BA/1/decision", json={}, headers=c.token("officer.a"))
    assert r.status_code == 409 and "does not exist yet" in r.json()["message"]
    assert _events(c) == before and c.get("/api/cadastre/competitions/PK-BA/1").json()["state"] == "open"


def test_a_bid_after_the_deadline_is_409_and_writes_nothing(role_client, monkeypatch):
    _use_rule(monkeypatch, method="sealed-bids", losers="refused", bid_days=2)
    c = role_client
    _file_at(c, 64.0, DAYS_AGO, "ussm", "US Strategic Metals")
    _file_at(c, 64.05, DAYS_AGO + timedelta(minutes=1), "other-org", "Other Minerals Ltd")
    before = _events(c)
    r = c.post("/api/cadastre/competitions/PK-BA/1/bids", json={"application": 1, "amount": 1_000_000},
               headers=c.token("applicant.a"))
    assert r.status_code == 409 and "too late" in r.json()["message"] and r.json()["details"]["deadline"]
    assert _events(c) == before
    assert c.get("/api/cadastre/competitions/PK-BA/1").json()["bids"]["received"] == 0


def test_a_decided_groups_refused_members_keep_only_their_numbers_for_the_public(group):
    c = group
    c.post("/api/cadastre/competitions/PK-BA/1/decision", json={"winner": 2, "reason": "a better programme"},
           headers=c.token("officer.a"))
    public = c.get("/api/cadastre/competitions/PK-BA/1").json()
    loser, winner = public["members"]
    assert loser == {"ref": "PK-BA/A1", "number": 1, "withheld": True}  # refused: no longer public
    assert winner["applicants"] == ["Other Minerals Ltd"] and "applicant_org" not in winner
    assert public["decision"]["ranking"] == [2, 1]  # the decision itself stays public
    own = c.get("/api/cadastre/competitions/PK-BA/1", headers=c.token("applicant.a")).json()
    assert own["members"][0]["applicants"] == ["US Strategic Metals"] and own["members"][0]["applicant_org"] == "ussm"
    officer = c.get("/api/cadastre/competitions/PK-BA/1", headers=c.token("officer.a")).json()
    assert all("applicant_org" in m for m in officer["members"])


def test_conversions_over_rest_only_by_the_holder_inside_an_active_parent(role_client):
    c = role_client
    el = _file_at(c, 64.0, DAYS_AGO, "ussm", "US Strategic Metals")
    for action in ("accept", "review", "offer", "grant"):
        _, title = service.decide(UnitOfWork(c.app.state.engine, write=True), "PK-BA", el.number, action, "officer",
                                  now=DAYS_AGO + timedelta(days=1))
    applicant, officer = c.token("applicant.a"), c.token("officer.a")

    def body(holder: str, x: float, size: float = 0.04) -> dict:
        return {"jurisdiction": "PK-BA", "title_type": "ML", "minerals": ["copper"], "converts": title.number,
                "holders": [{"name": holder, "share_pct": 100, "country": "PK"}],
                "area": {"geojson": square(x, 28.82, size)}}

    before = _events(c)
    r = c.post("/api/cadastre/applications", json=body("Stranger Mining Ltd", 64.02), headers=officer)
    assert r.status_code == 409 and title.number in r.json()["message"] and "only the holders" in r.json()["message"]
    stranger = dict(body("Stranger Mining Ltd", 64.02), converts=None)
    r = c.post("/api/cadastre/applications", json=stranger, headers=officer)
    assert r.status_code == 409 and "only its holders" in r.json()["message"]
    r = c.post("/api/cadastre/applications", json=body("US Strategic Metals", 64.08), headers=applicant)
    assert r.status_code == 422 and "outside" in r.json()["message"]
    r = c.post("/api/cadastre/applications", json=dict(body("US Strategic Metals", 64.02), converts="PK-BA/EL/1999/0042"),
               headers=applicant)
    assert r.status_code == 404
    assert _events(c) == before
    r = c.post("/api/cadastre/applications", json=body("US Strategic Metals", 64.02), headers=applicant)
    assert r.status_code == 201, r.text
    assert r.json()["converts"] == title.number and r.json()["priority"] == "clear"


def test_conversion_from_an_expired_parent_is_409_over_rest(role_client):
    c = role_client
    el = _file_at(c, 64.0, DAYS_AGO, "ussm", "US Strategic Metals")
    for action in ("accept", "review", "offer", "grant"):
        _, title = service.decide(UnitOfWork(c.app.state.engine, write=True), "PK-BA", el.number, action, "officer",
                                  now=DAYS_AGO + timedelta(days=1))
    service.title_action(UnitOfWork(c.app.state.engine, write=True), title.number, "expire", "officer",
                         now=DAYS_AGO + timedelta(days=2))
    before = _events(c)
    r = c.post("/api/cadastre/applications", headers=c.token("applicant.a"), json={
        "jurisdiction": "PK-BA", "title_type": "ML", "minerals": ["copper"], "converts": title.number,
        "holders": [{"name": "US Strategic Metals", "share_pct": 100, "country": "PK"}],
        "area": {"geojson": square(64.02, 28.82, 0.04)}})
    assert r.status_code == 409 and "expired" in r.json()["message"]
    assert _events(c) == before
