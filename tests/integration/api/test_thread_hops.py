"""What of a request runs in the thread pool (issue 12: checks that stay fast). FastAPI runs every
plain `def` dependency and endpoint there, and each hop there and back costs the request two thread
switches: a sequential check took 5.2-5.5 ms in process with five hops and 3.9-4.4 ms with two. The
shared dependencies (units of work, paging, the caller's identity, the per-client limits) are
coroutines that do no I/O on the event loop; identifying a Bearer token or a session still reads
the database, in the pool. These tests count the hops, so that a new plain `def` dependency shows."""

from __future__ import annotations

import anyio.to_thread
import pytest

AREA = {"type": "Polygon", "coordinates": [[[64.0, 28.0], [64.02, 28.0], [64.02, 28.02], [64.0, 28.02], [64.0, 28.0]]]}


@pytest.fixture
def hops(monkeypatch) -> list[str]:
    """The names of the functions run in the thread pool from now on."""
    ran: list[str] = []
    real = anyio.to_thread.run_sync

    async def counted(func, *args, **kwargs):
        inner = getattr(func, "func", func)  # starlette wraps calls with arguments in a partial
        ran.append(getattr(inner, "__qualname__", repr(inner)))
        return await real(func, *args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counted)
    return ran


def test_a_public_check_hops_once_its_answer_validated_in_the_same_trip(read_client, hops):
    r = read_client.post("/api/cadastre/check", json={"title_type": "EL", "area": {"geojson": AREA}})
    assert r.status_code == 200, r.text
    # Its answer is validated against CheckOut and encoded in the endpoint's own trip (api/schemas.ApiRoute);
    # FastAPI alone would validate a dict in a second trip.
    assert hops == ["_run_sync_endpoint"], hops
    assert r.headers["content-type"] == "application/json"
    assert r.json()["rules_version"] and isinstance(r.json()["conflicts"], list)


def test_a_signed_in_check_also_hops_to_read_the_token(role_client, hops):
    headers = role_client.token("officer.a")
    hops.clear()
    r = role_client.post("/api/cadastre/check", json={"title_type": "EL", "area": {"geojson": AREA}}, headers=headers)
    assert r.status_code == 200, r.text
    assert len(hops) == 2, hops
    assert "client_key" in hops  # the limits name the account, which is looked up by its token


@pytest.mark.parametrize("path", ["/api/cadastre/titles?limit=5", "/api/minerals?limit=5"])
def test_a_public_page_with_paging_and_a_unit_of_work_hops_once(read_client, hops, path):
    r = read_client.get(path)
    assert r.status_code == 200, r.text
    assert hops == ["_run_sync_endpoint"], hops
