"""What of a request runs in the thread pool (issue 12: checks that stay fast). FastAPI runs every
plain `def` dependency and endpoint there, and each hop there and back costs the request two thread
switches: a sequential check took 5.2-5.5 ms in process with five hops and 3.9-4.4 ms with two. The
shared dependencies (units of work, paging, the caller's identity, the per-client limits) are
coroutines that do no I/O on the event loop; identifying a Bearer token or a session still reads
the database, in the pool. These tests count the hops, so that a new plain `def` dependency shows.
Since round 20 the check and a title by number take no trip at all on the embedded store once the
warm-up is done (http/on_the_loop.py), and at most one otherwise; since round 21 both are coroutines
that, on PostgreSQL, await what they must read on the loop (store/loop_reads.py) and take no trip
when this worker already holds the rest (the spatial index at the stored version, the title's body);
since round 22 so they do on SQLite, through sqlite3 connections of their own, warm-up or not."""

from __future__ import annotations

import time

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


def warmed(client) -> None:
    """Wait for the app's warm-up (the spatial index, then the map's tiles) to end."""
    deadline = time.monotonic() + 120
    while getattr(client.app.state, "warm_up", None) != "done":
        assert time.monotonic() < deadline, "the warm-up did not end in 120 s"
        time.sleep(0.05)
    assert client.app.state.spatial_index == "warm"


def check(client, headers=None):
    r = client.post("/api/cadastre/check", json={"title_type": "EL", "area": {"geojson": AREA}}, headers=headers)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/json"
    assert r.json()["rules_version"] and isinstance(r.json()["conflicts"], list)
    return r


def test_a_public_check_runs_on_the_loop_when_its_index_is_current_and_in_one_trip_otherwise(role_client, hops,
                                                                                             seeded_copy):
    from maadan.cadastre import service
    from maadan.cadastre.caches import CACHES
    from maadan.store.uow import UnitOfWork

    read_client, seeded_db = role_client, seeded_copy
    with_titles(read_client)
    hops.clear()
    on_the_loop = check(read_client)
    # The spatial version read on the loop (store/loop_reads.py), and the worker's index is at it
    # (the warm-up built it), so the check reads nothing more.
    assert hops == [], hops
    read_client.app.state.spatial_index = "warming"  # as before the warm-up has built the index
    warming = check(read_client)
    assert hops == [], hops  # still none: the index at the stored version is all it needs
    assert warming.content == on_the_loop.content
    assert without_id(warming.headers) == without_id(on_the_loop.headers)
    hops.clear()
    with_minerals = read_client.post("/api/cadastre/check", json={"title_type": "EL", "area": {"geojson": AREA},
                                                                  "minerals": ["copper"]})
    assert with_minerals.status_code == 200 and with_minerals.json()["conflicts"] == on_the_loop.json()["conflicts"]
    assert hops == ["_checked"], hops  # mineral names are read from the store: in the pool (either store, warming)
    hops.clear()
    read_client.app.state.spatial_index = "warm"
    with UnitOfWork(read_client.app.state.engine) as uow:
        before = uow.cadastre.spatial_version("PK-BA")
    service.load_demo_cadastre(UnitOfWork(read_client.app.state.engine, write=True), 20, 6, "test")  # moves it
    moved = check(read_client)
    assert hops == ([] if seeded_db.backend == "sqlite" else ["_checked"]), hops  # PostgreSQL: caught up in the pool
    with UnitOfWork(read_client.app.state.engine) as uow:
        after = uow.cadastre.spatial_version("PK-BA")
        assert after > before and CACHES.indexes[(uow.key, "PK-BA")].version == after
    assert moved.json()["rules_version"] == on_the_loop.json()["rules_version"]


def without_id(headers) -> dict[str, str]:
    return {k: v for k, v in headers.items() if k != "x-request-id"}


def with_titles(client) -> None:
    """Demo titles, so that the jurisdiction's spatial version is past 0 (at 0 no index is kept:
    cadastre/caches.py); then, after the warm-up, one check that brings the index to that version."""
    from maadan.cadastre import service
    from maadan.store.uow import UnitOfWork

    service.load_demo_cadastre(UnitOfWork(client.app.state.engine, write=True), 20, 5, "test")
    warmed(client)
    check(client)


def test_a_signed_in_check_also_hops_to_read_the_token(role_client, hops, seeded_copy):
    headers = role_client.token("officer.a")
    with_titles(role_client)
    hops.clear()
    check(role_client, headers)
    assert hops == ["client_key"], hops
    # the limits name the account, which is looked up by its token


def test_a_title_by_number_and_the_bare_endpoint_run_on_the_loop(role_client, hops, seeded_copy):
    """A title by number is a coroutine. On PostgreSQL a body built before is sent, or a 304 given,
    without a trip (the register's sequence awaited on the loop: store/loop_reads.py), and a body
    not yet built takes one trip, as before; on SQLite after the warm-up, none at all."""
    from maadan.cadastre import service
    from maadan.store.uow import UnitOfWork

    number = service.load_demo_cadastre(UnitOfWork(role_client.app.state.engine, write=True), 3, 5, "test")[0].number
    warmed(role_client)
    hops.clear()
    r = role_client.get(f"/api/cadastre/titles/{number}")
    assert r.status_code == 200 and r.json()["number"] == number, r.text
    build = [] if seeded_copy.backend == "sqlite" else ["_title"]
    assert hops == build, hops
    hops.clear()
    again = role_client.get(f"/api/cadastre/titles/{number}")
    assert again.content == r.content and again.headers["etag"] == r.headers["etag"] and hops == [], hops
    unchanged = role_client.get(f"/api/cadastre/titles/{number}", headers={"If-None-Match": r.headers["etag"]})
    assert unchanged.status_code == 304 and hops == [], hops
    assert role_client.get("/api/cadastre/titles/SYN-NO/SUCH/1").status_code == 404 and hops == build, hops
    hops.clear()
    service.load_demo_cadastre(UnitOfWork(role_client.app.state.engine, write=True), 3, 5, "test")  # again: the register moves
    moved = role_client.get(f"/api/cadastre/titles/{number}")
    assert moved.status_code == 200 and moved.json()["number"] == number, moved.text
    assert moved.headers["etag"] != r.headers["etag"]
    assert hops == build, hops  # built again at the new sequence, in one trip on PostgreSQL
    hops.clear()
    assert role_client.get("/api/ping").json() == {"status": "ok"} and hops == [], hops


def test_a_signed_in_title_reads_the_token_in_the_pool(role_client, hops, seeded_copy):
    from maadan.cadastre import service
    from maadan.store.uow import UnitOfWork

    number = service.load_demo_cadastre(UnitOfWork(role_client.app.state.engine, write=True), 3, 5, "test")[0].number
    headers = role_client.token("officer.a")
    warmed(role_client)
    public = role_client.get(f"/api/cadastre/titles/{number}")
    hops.clear()
    signed_in = role_client.get(f"/api/cadastre/titles/{number}", headers=headers)
    assert signed_in.status_code == 200 and signed_in.content == public.content
    assert signed_in.headers["etag"] != public.headers["etag"]  # the viewer is part of the tag
    assert hops == ([] if seeded_copy.backend == "sqlite" else ["identify"]), hops  # SQLite: read on the loop


@pytest.mark.parametrize("path", ["/api/cadastre/titles?limit=5", "/api/minerals?limit=5"])
def test_a_public_page_with_paging_and_a_unit_of_work_hops_once(read_client, hops, path):
    r = read_client.get(path)
    assert r.status_code == 200, r.text
    assert hops == ["_run_sync_endpoint"], hops


def test_an_unchanged_ogc_page_or_feature_is_a_304_without_a_trip(role_client, hops, seeded_copy):
    """OGC items and one feature are coroutines: the tag (the register's sequence, the viewer) is read
    on the event loop, so a 304 takes no trip to the thread pool; a page or a feature is built in
    one trip, a large page being more than the loop should hold. A signed-in viewer's token is
    looked up in the pool on PostgreSQL, on the loop on SQLite after the warm-up."""
    from maadan.cadastre import service
    from maadan.store.uow import UnitOfWork

    number = service.load_demo_cadastre(UnitOfWork(role_client.app.state.engine, write=True), 3, 5, "test")[0].number
    officer = role_client.token("officer.a")
    warmed(role_client)
    feature = f"/ogc/collections/titles/items/{number.replace('/', '~')}"
    for url in ("/ogc/collections/titles/items?limit=2&bbox=60,24,70,32", feature):
        hops.clear()
        page = role_client.get(url)
        assert page.status_code == 200 and page.headers["etag"], page.text
        assert len(hops) == 1 and hops[0] in ("_items_page", "_feature"), hops
        hops.clear()
        unchanged = role_client.get(url, headers={"If-None-Match": page.headers["etag"]})
        assert unchanged.status_code == 304 and unchanged.headers["etag"] == page.headers["etag"]
        assert hops == [], hops
        signed_in = role_client.get(url, headers={**officer, "If-None-Match": page.headers["etag"]})
        # the viewer is part of the tag: the officer's differs from the public's
        assert signed_in.status_code == 200 and signed_in.headers["etag"] != page.headers["etag"]
        hops.clear()
        again = role_client.get(url, headers={**officer, "If-None-Match": signed_in.headers["etag"]})
        assert again.status_code == 304 and hops == ([] if seeded_copy.backend == "sqlite" else ["identify"]), hops
    assert role_client.get("/ogc/collections/titles/items/SYN-NO-SUCH").status_code == 404
    assert role_client.get("/ogc/collections/nothing/items").status_code == 404
    assert role_client.get("/ogc/collections/titles/items?limit=x").status_code == 400
