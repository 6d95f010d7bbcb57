"""Per-client limits on expensive requests (issue 15): eight clients running Monte Carlo slowed every
request to about 5 s and the OGC pages 3-6x. Now each client has a budget (429 with Retry-After
when spent), may run only a few at once, and the worker runs only so many of a kind at once (503
with Retry-After), while cheap pages are never held."""

from __future__ import annotations

import threading

import pytest
from fastapi.testclient import TestClient

from maadan.api.app import create_app
from maadan.api.client_limits import COSTS, PER_CLIENT_CONCURRENCY, ClientLimits, ServerBusy, TooManyRequests
from maadan.config import load_settings

from .security_site import CLEAN

PROXY = "127.0.0.1"


class Clock:
    def __init__(self):
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def app(seeded_db):
    app = create_app(load_settings({"MAADAN_DATABASE_URL": seeded_db.url, "MAADAN_TRUSTED_PROXIES": PROXY}))
    clock = Clock()
    app.state.client_limits.clock = clock
    app.state.clock_for_limits = clock
    yield app
    app.state.engine.dispose()  # no connection may stay open on the template database


def _mc(client: TestClient, address: str):
    return client.get("/api/analytics/montecarlo/reko-diq", params={"paths": 100},
                      headers={"X-Forwarded-For": address})


def test_a_client_that_spends_its_budget_waits_and_others_do_not(app):
    per_minute = app.state.settings.client_rate
    allowed = int(per_minute // COSTS["compute"])
    with TestClient(app, client=(PROXY, 5000)) as client:
        for _ in range(allowed):
            assert _mc(client, "198.51.100.1").status_code == 200
        r = _mc(client, "198.51.100.1")
        assert r.status_code == 429 and r.json()["error"] == "too_many_requests"
        wait = int(r.headers["retry-after"])
        assert 1 <= wait <= 60 and r.json()["details"]["retry_after_s"] == wait
        assert _mc(client, "198.51.100.2").status_code == 200  # another client
        assert client.get("/ogc/collections/titles/items", params={"limit": 5},
                          headers={"X-Forwarded-For": "198.51.100.1"}).status_code == 200  # cheap reads go on
        app.state.clock_for_limits.t += wait
        assert _mc(client, "198.51.100.1").status_code == 200  # refilled


def test_spatial_checks_and_uploads_are_limited_too(app):
    body = {"title_type": "EL", "area": {"geojson": CLEAN}}
    with TestClient(app, client=(PROXY, 5000)) as client:
        codes = [client.post("/api/cadastre/check", json=body, headers={"X-Forwarded-For": "198.51.100.9"}).status_code
                 for _ in range(app.state.settings.client_rate + 1)]
        assert codes[:-1] == [200] * app.state.settings.client_rate and codes[-1] == 429
        # the same budget covers the web's area upload (a spatial request) for that client
        assert client.post("/cadastre/upload-area", files={"file": ("a.geojson", b"{}")},
                           headers={"X-Forwarded-For": "198.51.100.9"}).status_code in (401, 429)


def test_a_signed_in_client_is_counted_by_account_not_address(seeded_copy):
    from maadan.auth import service as auth
    from maadan.store.uow import UnitOfWork

    app = create_app(load_settings({"MAADAN_DATABASE_URL": seeded_copy.url, "MAADAN_TRUSTED_PROXIES": PROXY}))
    user = auth.create_user(UnitOfWork(app.state.engine, write=True), "officer.limits", "a long enough passphrase",
                            "officer")
    token, _ = auth.issue_token(UnitOfWork(app.state.engine, write=True), user)
    bearer = {"Authorization": f"Bearer {token}"}
    allowed = int(app.state.settings.client_rate // COSTS["compute"])
    with TestClient(app, client=(PROXY, 5000)) as client:
        codes = [client.get("/api/analytics/montecarlo/reko-diq", params={"paths": 100},
                            headers=bearer | {"X-Forwarded-For": f"203.0.113.{i}"}).status_code
                 for i in range(allowed + 1)]  # a new address each time: the account's budget still runs out
        assert codes == [200] * allowed + [429]


def test_the_limited_routes_document_429_and_503(app):
    spec = app.openapi()
    for path, method in (("/api/analytics/montecarlo/{project}", "get"), ("/api/analytics/reports/{kind}/{name}", "get"),
                         ("/api/cadastre/check", "post"), ("/api/cadastre/applications", "post")):
        assert {"429", "503"} <= set(spec["paths"][path][method]["responses"]), path


def test_per_client_and_per_worker_concurrency():
    clock = Clock()
    limits = ClientLimits(per_minute=1000, concurrency=3, clock=clock)
    for _ in range(PER_CLIENT_CONCURRENCY):
        limits.acquire("a", "compute")
    with pytest.raises(TooManyRequests):  # the client's own slots are taken
        limits.acquire("a", "compute")
    limits.acquire("b", "compute")
    with pytest.raises(ServerBusy) as busy:  # the worker's slots for compute are taken
        limits.acquire("c", "compute")
    assert busy.value.status == 503 and busy.value.headers["Retry-After"]
    limits.acquire("c", "spatial")  # another kind has its own slots
    limits.release("a", "compute")
    limits.acquire("c", "compute")
    for client, kind in (("a", "compute"), ("b", "compute"), ("c", "compute"), ("c", "spatial")):
        limits.release(client, kind)
    assert limits._running == {"compute": 0, "spatial": 0}


def test_slots_are_given_back_when_the_request_fails(app):
    with TestClient(app, client=(PROXY, 5000)) as client:
        r = client.get("/api/analytics/montecarlo/no-such-project", headers={"X-Forwarded-For": "198.51.100.30"})
        assert r.status_code == 404
    assert app.state.client_limits._running["compute"] == 0
    assert all(b.running == 0 for b in app.state.client_limits._buckets.values())


def test_parallel_clients_get_503_not_a_pile_up(seeded_db):
    app = create_app(load_settings({"MAADAN_DATABASE_URL": seeded_db.url, "MAADAN_TRUSTED_PROXIES": PROXY,
                                    "MAADAN_EXPENSIVE_CONCURRENCY": "1"}))
    codes: list[int] = []
    start = threading.Barrier(4)
    with TestClient(app, client=(PROXY, 5000)) as client:
        def run(i: int) -> None:
            start.wait()
            codes.append(client.get("/api/analytics/montecarlo/reko-diq", params={"paths": 200_000},
                                    headers={"X-Forwarded-For": f"198.51.100.{40 + i}"}).status_code)

        threads = [threading.Thread(target=run, args=(i,)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert 200 in codes and 503 in codes and set(codes) <= {200, 503}, codes


def test_limits_can_be_switched_off(seeded_db):
    app = create_app(load_settings({"MAADAN_DATABASE_URL": seeded_db.url, "MAADAN_CLIENT_RATE": "0",
                                    "MAADAN_EXPENSIVE_CONCURRENCY": "0"}))
    with TestClient(app) as client:
        assert all(client.get("/api/analytics/montecarlo/reko-diq", params={"paths": 100}).status_code == 200
                   for _ in range(10))
