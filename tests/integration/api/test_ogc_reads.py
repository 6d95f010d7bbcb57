"""The OGC items pages read through the envelope index (store/bbox_index.py, migration 0015):
every page equals the one built the slow way (all titles, an exact shapely test, id order, the
one title view of cadastre/views.py), and the index follows writes (issue 12 item 4)."""

from __future__ import annotations

import json
from datetime import date

import pytest
import shapely
import shapely.geometry
from fastapi.testclient import TestClient

from maadan.audit.service import record
from maadan.cadastre import views
from maadan.cadastre.model import Holder, Title
from maadan.config import load_settings
from maadan.ogc.collections import properties
from maadan.ogc.features import encode_id
from maadan.store.database import create_db_engine
from maadan.store.uow import UnitOfWork
from tests.conftest import Database
from tests.integration.api.test_ogc import all_titles, client, expected_in_bbox, get, ogc_app, ogc_db  # noqa: F401


def reference_feature(t: Title) -> dict:
    return {"type": "Feature", "id": encode_id(t.number), "geometry": json.loads(shapely.to_geojson(t.geometry)),
            "properties": json.loads(json.dumps(properties(views.title_view(t))))}


@pytest.mark.parametrize("bbox", [
    (62.0, 28.5, 63.0, 29.3), (61.0, 25.0, 67.0, 30.0), (66.5, 27.0, 66.55, 27.05), (62.0, 26.0, 66.55, 27.05),
    (66.6, 27.0, 66.8, 27.3), (62.5, 28.0, 62.5, 29.0), (64.0, 27.5, 64.0, 27.5), (0.0, 0.0, 1.0, 1.0),
])
@pytest.mark.parametrize("limit,offset", [(100, 0), (3, 0), (3, 2), (7, 5), (2, 1000)])
def test_page_equals_the_slow_way(client, all_titles, bbox, limit, offset):  # noqa: F811
    want_numbers = expected_in_bbox(all_titles, bbox)
    want = [reference_feature(t) for t in sorted(all_titles, key=lambda t: t.id) if t.number in want_numbers]
    body = get(client, "/ogc/collections/titles/items", bbox=",".join(map(str, bbox)), limit=str(limit),
               offset=str(offset)).json()
    assert body["numberMatched"] == len(want)
    assert body["features"] == want[offset:offset + limit]
    assert body["numberReturned"] == len(want[offset:offset + limit])
    assert ("next" in {ln["rel"] for ln in body["links"]}) == (offset + limit < len(want))


def test_bbox_with_datetime_equals_the_slow_way(client, all_titles):  # noqa: F811
    bbox = (61.0, 25.0, 67.0, 30.0)
    inside = expected_in_bbox(all_titles, bbox)
    want = [reference_feature(t) for t in sorted(all_titles, key=lambda t: t.id)
            if t.number in inside and t.granted_on <= date(2015, 1, 1)]
    body = get(client, "/ogc/collections/titles/items", bbox=",".join(map(str, bbox)), datetime="../2015-01-01",
               limit="1000").json()
    assert body["features"] == want and body["numberMatched"] == len(want)


@pytest.fixture
def writable(seeded_db, tmp_path):
    db = Database(seeded_db.backend, tmp_path, template=seeded_db)
    yield db
    db.close()


def numbers_in(c: TestClient, bbox: str) -> set[str]:
    return {f["properties"]["number"] for f in get(c, "/ogc/collections/titles/items", bbox=bbox).json()["features"]}


def test_the_envelope_index_follows_writes(writable):
    """A title added, moved and removed is found where it is, and only there."""
    engine = create_db_engine(load_settings({"MAADAN_DATABASE_URL": writable.url}))
    title = Title(id=None, jurisdiction="PK-BA", number="PK-BA/EL/2020/0042", title_type="EL", rules_version="test",
                  holders=[Holder("Moving Minerals (Pvt) Ltd", 100.0, "PK")], geometry=shapely.box(68.0, 25.0, 68.1, 25.1),
                  area_km2=100.0, granted_on=date(2020, 1, 1), expires_on=None, state="active", minerals=["copper"])
    app = ogc_app(writable.url)
    try:
        with TestClient(app) as c:
            assert numbers_in(c, "68.05,25.05,68.06,25.06") == set()
            get(c, "/ogc/collections/titles/items", bbox="61,24,70,30", limit="1000")  # every feature cached
            with UnitOfWork(engine, write=True) as uow:
                uow.cadastre.add_title(title)
                record(uow, "cli:test", "title.granted", title.number)
                uow.commit()
            assert numbers_in(c, "68.05,25.05,68.06,25.06") == {title.number}
            title.geometry = shapely.box(69.0, 26.0, 69.1, 26.1)
            title.holders = [Holder("New Holder Ltd", 100.0, "PK")]
            with UnitOfWork(engine, write=True) as uow:
                uow.cadastre.update_title(title)
                record(uow, "cli:test", "title.transferred", title.number)  # as every use case does
                uow.commit()
            assert numbers_in(c, "68.05,25.05,68.06,25.06") == set()
            assert numbers_in(c, "69.0,26.0,69.01,26.01") == {title.number}
            # the features cached per register sequence were dropped when it moved: the new holder and area
            f = get(c, "/ogc/collections/titles/items", bbox="68.9,25.9,69.2,26.2").json()["features"]
            assert [h["name"] for h in f[0]["properties"]["holders"]] == ["New Holder Ltd"]
            assert shapely.equals(shapely.geometry.shape(f[0]["geometry"]), title.geometry)
            with engine.begin() as conn:
                conn.exec_driver_sql("DELETE FROM holder WHERE title_id = (SELECT id FROM title "
                                     "WHERE number = 'PK-BA/EL/2020/0042')")
                conn.exec_driver_sql("DELETE FROM title WHERE number = 'PK-BA/EL/2020/0042'")
            assert numbers_in(c, "69.0,26.0,69.01,26.01") == set()
    finally:
        app.state.engine.dispose()
        engine.dispose()


def test_one_title_with_its_dues_in_one_read(writable):
    """The title route's one read (one statement on PostgreSQL) gives what the three reads give:
    holders in order, obligations and invoices by due date (ties by id), floats as floats."""
    from maadan.cadastre.model import Invoice, Obligation

    engine = create_db_engine(load_settings({"MAADAN_DATABASE_URL": writable.url}))
    number = "PK-BA/ML/2021/0003"
    try:
        with UnitOfWork(engine, write=True) as uow:
            uow.cadastre.add_title(Title(
                id=None, jurisdiction="PK-BA", number=number, title_type="ML", rules_version="test",
                holders=[Holder("First (Pvt) Ltd", 60.0, "PK", beneficial_owners=("Owner A",)),
                         Holder("Second Ltd", 40.0, "US", "foreign", shareholders=(("X", 51.5),), local_to=("z1",))],
                geometry=shapely.box(68.0, 25.0, 68.1, 25.1), area_km2=100.0, granted_on=date(2021, 3, 1),
                expires_on=date(2046, 3, 1), state="active", minerals=["copper", "gold"]))
            for code in ("work-plan", "report", "bond"):
                uow.cadastre.add_obligation(Obligation(None, number, code, f"{code} due", date(2027, 1, 1), "rule 9",
                                                       code != "bond", date(2026, 12, 1) if code == "report" else None))
            for period, amount in (("2027", 1000.0), ("2026", 250.5)):
                uow.cadastre.add_invoice("PK-BA", Invoice(None, number, None, "rent", period,
                                                          date(int(period), 1, 1), amount, "PKR", True, 100.0))
            uow.commit()
        with UnitOfWork(engine) as uow:
            title, obligations, invoices = uow.cadastre.title_with_dues(number)
            want = (uow.cadastre.title(number), uow.cadastre.obligations(number),
                    uow.cadastre.invoices(title_number=number))
            assert uow.cadastre.title_with_dues("PK-BA/ML/2021/9999") is None
        assert (title, obligations, invoices) == want
        assert [o.code for o in obligations] == ["work-plan", "report", "bond"]  # one due date: by id
        assert [i.period for i in invoices] == ["2026", "2027"] and isinstance(invoices[0].paid, float)
        assert isinstance(title.holders[0].share_pct, float) and title.holders[1].shareholders == (("X", 51.5),)
        app = ogc_app(writable.url)
        try:
            with TestClient(app) as c:
                body = get(c, "/api/cadastre/titles/" + number).json()
        finally:
            app.state.engine.dispose()
        assert [h["name"] for h in body["holders"]] == ["First (Pvt) Ltd", "Second Ltd"]
        assert "beneficial_owners" not in body["holders"][0]
        assert [o["code"] for o in body["obligations"]] == ["work-plan", "report", "bond"]
        assert [i["outstanding"] for i in body["invoices"]] == [150.5, 900.0]
    finally:
        engine.dispose()


def test_ids_in_a_bbox_at_the_index_edges(writable):
    """Titles on, just outside and across the box's edges, where the envelope index (32-bit floats
    rounded outward on SQLite) and the exact test part: on the edge counts, a hair outside does not,
    an envelope that meets the box with a shape that does not is left out; both backends agree."""
    engine = create_db_engine(load_settings({"MAADAN_DATABASE_URL": writable.url}))
    box = (68.1, 25.1, 68.3, 25.3)  # none of these is a 32-bit float
    shapes = {
        "0101": shapely.box(68.15, 25.15, 68.25, 25.25),  # inside
        "0102": shapely.box(68.0, 25.15, 68.1, 25.2),  # its east edge on the box's west edge
        "0103": shapely.box(68.3, 25.3, 68.4, 25.4),  # a corner on the box's north-east corner
        "0104": shapely.box(68.0, 25.15, 68.1 - 1e-9, 25.2),  # a hair west of the box
        "0105": shapely.box(68.2, 25.3 + 1e-9, 68.25, 25.4),  # a hair north of it
        "0106": shapely.Polygon([(68.0, 25.0), (68.12, 25.0), (68.0, 25.12)]),  # envelope meets it, shape does not
        "0107": shapely.Polygon([(68.0, 25.0), (68.2, 25.0), (68.0, 25.2)]),  # crosses its south-west corner
        "0108": shapely.box(68.1, 25.1, 68.3, 25.3),  # the box itself
        "0109": shapely.box(68.1, 25.15, 68.2, 25.2),  # inside, its west edge on the box's (the index rounds it out)
    }
    titles = []
    try:
        with UnitOfWork(engine, write=True) as uow:
            for suffix, geometry in shapes.items():
                title = Title(id=None, jurisdiction="PK-BA", number=f"PK-BA/EL/2019/{suffix}", title_type="EL",
                              rules_version="test", holders=[Holder("Edge Minerals Ltd", 100.0, "PK")],
                              geometry=geometry, area_km2=1.0, granted_on=date(2019, 1, 1), expires_on=None,
                              state="active", minerals=["copper"])
                title.id = uow.cadastre.add_title(title)
                titles.append(title)
            uow.commit()
        by_id = {t.id: t.number[-4:] for t in titles}
        with UnitOfWork(engine) as uow:
            ids, matched = uow.cadastre.title_ids_in_bbox(box, limit=100)
            page, _ = uow.cadastre.title_ids_in_bbox(box, limit=2, offset=1)
        found = [by_id[i] for i in ids if i in by_id]
        assert found == ["0101", "0102", "0103", "0107", "0108", "0109"]
        assert ids == sorted(ids) and matched == len(ids) and page == ids[1:3]
    finally:
        engine.dispose()


def test_a_page_reads_the_register_sequence_once(client):  # noqa: F811
    """An items page in a bbox reads the register's sequence once, for its tag (on the event loop,
    store/loop_reads.py): the features it keeps by sequence use that reading, not a second one
    through the page's unit of work. Its tag and its features still follow a write (above)."""
    from sqlalchemy import event

    engine = client.app.state.engine
    statements: list[str] = []

    def seen(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        r = get(client, "/ogc/collections/titles/items", bbox="62,28.5,63,29.3", limit="5")
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert r.status_code == 200 and r.json()["features"]
    assert r.headers["etag"].startswith('W/"')
    assert statements and not [s for s in statements if "audit_event" in s], statements
