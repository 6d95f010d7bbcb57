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

DAYS_AGO = datetime.now(timezone.utc) - timedelta(days=10)


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
