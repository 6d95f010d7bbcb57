"""Rules as data, seen through the service: versions by receipt date, a second jurisdiction,
grid cells, reserved areas."""

import json
from datetime import datetime, timedelta, timezone

import pytest

from maadan.cadastre import service
from maadan.cadastre.grid import cells_for
from maadan.cadastre.model import Holder
from maadan.config import load_settings
from maadan.errors import Conflict, InvalidInput
from maadan.store.database import create_db_engine
from maadan.store.uow import UnitOfWork
from tests.integration.cadastre.conftest import square


@pytest.fixture
def uow_factory(seeded_copy):
    engine = create_db_engine(load_settings({"MAADAN_DATABASE_URL": seeded_copy.url}))
    yield lambda write=False: UnitOfWork(engine, write=write)
    engine.dispose()


def _inp(geom, jurisdiction="PK-BA", kind="EL", holders=(Holder("Chagai Minerals (Pvt) Ltd", 100, "PK"),), **area):
    return service.ApplicationInput(jurisdiction=jurisdiction, title_type=kind, minerals=("copper",),
                                    holders=tuple(holders),
                                    area=service.AreaInput(geojson=json.dumps(geom) if geom else None, **area))


def test_an_application_is_judged_under_the_rules_in_force_when_received(uow_factory):
    old = service.apply(uow_factory(True), _inp(square(64.0, 28.8)), "t",
                        now=datetime(2019, 6, 1, 9, 0, tzinfo=timezone.utc))
    new = service.apply(uow_factory(True), _inp(square(65.0, 28.8)), "t",
                        now=datetime(2021, 6, 1, 9, 0, tzinfo=timezone.utc))
    assert old.application.rules_version == "2002-03-08" and old.application.fee_amount == 240_000
    assert new.application.rules_version == "2020-03-03" and new.application.fee_amount == 1_000_000
    assert not new.application.fee_verified and "application_fee" in new.report.unverified


def test_punjab_mining_lease_only_for_a_pakistani_body_corporate(uow_factory):
    lahore_area = square(73.0, 31.0, 0.05)
    foreign = (Holder("US Strategic Metals", 100, "US", "foreign"),)
    with pytest.raises(InvalidInput) as err:
        service.apply(uow_factory(True), _inp(lahore_area, "PK-PB", "ML", foreign), "t")
    assert "Pakistani body corporate" in err.value.message
    ok = service.apply(uow_factory(True), _inp(lahore_area, "PK-PB", "ML", (Holder("Punjab Stone (Pvt) Ltd", 100, "PK"),)), "t")
    assert ok.application.ref == "PK-PB/A1"
    with pytest.raises(InvalidInput) as err:  # an area in Balochistan is outside Punjab
        service.apply(uow_factory(True), _inp(square(64.0, 28.8), "PK-PB", "ML"), "t")
    assert "Punjab" in err.value.message or "outside" in err.value.message


def test_area_as_grid_cells(uow_factory):
    import shapely

    cells = cells_for(shapely.geometry.shape(square(64.0, 28.8, 0.05)), 30)
    receipt = service.apply(uow_factory(True), _inp(None, cells=tuple(cells)), "t")
    assert receipt.application.area_km2 == pytest.approx(27.0, rel=0.05)
    with pytest.raises(InvalidInput):
        service.apply(uow_factory(True), _inp(None, cells=("30s:R1C1", "not-a-cell")), "t")


def test_reserved_areas_close_ground(uow_factory):
    park = {"type": "Polygon", "coordinates": [[[65.0, 25.5], [65.3, 25.5], [65.3, 25.8], [65.0, 25.8], [65.0, 25.5]]]}
    n = service.add_reserved_areas(uow_factory(True), "PK-BA", [("Test protected area", park)], "protected-area",
                                   "test fixture, not a real boundary", "officer")
    assert n == 1
    report = service.check(uow_factory(), "PK-BA", "EL", service.AreaInput(geojson=json.dumps(square(65.2, 25.7))))
    assert [(c.kind, c.ref) for c in report.conflicts] == [("reserved", "Test protected area")]
    with pytest.raises(Conflict) as err:
        service.apply(uow_factory(True), _inp(square(65.2, 25.7)), "t")
    assert "Test protected area" in err.value.message
    with pytest.raises(Conflict):
        service.add_reserved_areas(uow_factory(True), "PK-BA", [("Test protected area", park)], "protected-area",
                                   "again", "officer")


def test_renewals_are_limited_by_the_rules(uow_factory):
    r = service.apply(uow_factory(True), _inp(square(64.0, 28.8)), "t",
                      now=datetime.now(timezone.utc) - timedelta(days=2))  # its day is over: it may be offered
    for action in ("accept", "review", "offer"):
        service.decide(uow_factory(True), "PK-BA", r.application.number, action, "officer")
    _, title = service.decide(uow_factory(True), "PK-BA", r.application.number, "grant", "officer")
    first_expiry = title.expires_on
    t = service.title_action(uow_factory(True), title.number, "renew", "officer")
    assert t.expires_on > first_expiry and t.renewals == 1
    t = service.title_action(uow_factory(True), title.number, "renew", "officer")
    with pytest.raises(Conflict) as err:
        service.title_action(uow_factory(True), title.number, "renew", "officer")
    assert "renewed 2 time(s)" in err.value.message
    with pytest.raises(InvalidInput):
        service.title_action(uow_factory(True), title.number, "revoke", "officer")
    t = service.title_action(uow_factory(True), title.number, "revoke", "officer", reason="unpaid rent")
    assert t.state == "revoked"
    # Revoked ground is free again.
    again = service.apply(uow_factory(True), _inp(square(64.0, 28.8)), "t")
    assert again.application.priority == "clear"
