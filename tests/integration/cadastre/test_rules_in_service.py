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
    assert not old.application.fee_verified and "application_fee" in old.report.unverified
    assert new.application.fee_verified and "application_fee" not in new.report.unverified
    # the rules applied and why travel with the application
    assert old.application.rules_basis["certain"] is True
    assert new.application.rules_basis["certain"] is False and new.report.rules == new.application.rules_basis
    assert "whether the notification applied again from FY2020-21 was not found" in new.report.rules["reasons"][0]


def test_punjab_mining_lease_only_for_a_pakistani_body_corporate(uow_factory):
    lahore_area = square(73.0, 31.0, 0.05)
    foreign = (Holder("US Strategic Metals", 100, "US", "foreign"),)
    with pytest.raises(InvalidInput) as err:
        service.apply(uow_factory(True), _inp(lahore_area, "PK-PB", "ML", foreign), "t")
    assert "Pakistani body corporate" in err.value.message
    undisclosed = (Holder("Punjab Stone (Pvt) Ltd", 100, "PK"),)
    with pytest.raises(InvalidInput) as err:
        service.apply(uow_factory(True), _inp(lahore_area, "PK-PB", "ML", undisclosed), "t")
    assert "shareholder holding more than 5% must be disclosed" in err.value.message
    disclosed = (Holder("Punjab Stone (Pvt) Ltd", 100, "PK", shareholders=(("Mian Holdings", 60.0),)),)
    report = service.check(uow_factory(), "PK-PB", "ML", service.AreaInput(geojson=json.dumps(lahore_area)),
                           holders=undisclosed)
    assert any("must be disclosed" in p for p in report.problems)
    ok = service.apply(uow_factory(True), _inp(lahore_area, "PK-PB", "ML", disclosed), "t")
    assert ok.application.ref == "PK-PB/A1"
    with uow_factory() as uow:
        stored = uow.cadastre.application("PK-PB", 1)
    assert stored.holders[0].shareholders == (("Mian Holdings", 60.0),)
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


def test_a_balochistan_application_today_records_which_rules_and_why_they_are_uncertain(uow_factory):
    r = service.apply(uow_factory(True), _inp(square(64.0, 28.8)), "t",
                      now=datetime(2026, 12, 3, 9, 0, tzinfo=timezone.utc))
    basis = r.application.rules_basis
    assert (basis["version"], basis["certain"]) == ("2020-03-03", False)
    assert basis["summary"].startswith("Balochistan fee notification of 3 March 2020 (PK-BA 2020-03-03), UNCERTAIN")
    assert any("Mines and Minerals Act 2025" in x for x in basis["reasons"])
    with uow_factory() as uow:
        stored = uow.cadastre.application("PK-BA", r.application.number)
        event = uow.cadastre.events(subject=r.application.ref)[-1]
    assert stored.rules_basis == basis
    assert event.data["rules"]["version"] == "2020-03-03" and event.data["rules"]["certain"] is False
    for action in ("accept", "review", "offer"):
        service.decide(uow_factory(True), "PK-BA", r.application.number, action, "officer")
    _, title = service.decide(uow_factory(True), "PK-BA", r.application.number, "grant", "officer")
    with uow_factory() as uow:
        assert uow.cadastre.title(title.number).rules_basis == basis  # the title keeps the application's basis
    report = service.check(uow_factory(), "PK-BA", "EL", service.AreaInput(geojson=json.dumps(square(66.0, 28.8))),
                           at=datetime(2025, 6, 1, tzinfo=timezone.utc))
    assert report.rules["version"] == "2025-03-14" and report.rules_certain
    assert "application_fee" in report.unverified  # the Act's fee is an unconfirmed carry-over


def test_merged_districts_are_for_local_people(uow_factory):
    tribal = square(71.3, 34.2, 0.05)  # inside the former FATA (zone PK-KP-MD)
    outsider = (Holder("Peshawar Minerals (Pvt) Ltd", 100, "PK"),)
    with pytest.raises(InvalidInput) as err:
        service.apply(uow_factory(True), _inp(tribal, "PK-KP", "EL", outsider), "t")
    assert "only local people may apply" in err.value.message and "is not declared local" in err.value.message
    report = service.check(uow_factory(), "PK-KP", "EL", service.AreaInput(geojson=json.dumps(tribal)), holders=outsider)
    assert report.notes == ["the area lies partly or wholly in the merged districts (former Federally Administered "
                            "Tribal Areas) (PK-KP-MD)"]
    assert any("only local people" in p for p in report.problems)
    local = (Holder("Khyber Agency Miners Cooperative", 100, "PK", "cooperative", local_to=("PK-KP-MD",)),)
    ok = service.apply(uow_factory(True), _inp(tribal, "PK-KP", "EL", local), "t")
    assert ok.application.rules_basis["version"] == "2020-01-01"
    assert "bill" in " ".join(ok.application.rules_basis["passed_over"])  # the 2025 bill is pending, not applied
    swat = square(72.3, 35.0, 0.05)  # Khyber Pakhtunkhwa outside the merged districts: anyone eligible may apply
    assert service.apply(uow_factory(True), _inp(swat, "PK-KP", "EL", outsider), "t").application.number == 2


def test_punjab_rock_salt_needs_the_industrial_user_exception(uow_factory):
    salt_range = square(73.0, 32.6, 0.05)
    holders = (Holder("Khewra Salt Works (Pvt) Ltd", 100, "PK", shareholders=()),)

    def salt(declarations=(), who=holders):
        return service.ApplicationInput(jurisdiction="PK-PB", title_type="SSPL", minerals=("rock salt",),
                                        holders=tuple(who), declarations=declarations,
                                        area=service.AreaInput(geojson=json.dumps(salt_range)))

    with pytest.raises(InvalidInput) as err:
        service.apply(uow_factory(True), salt(), "t")
    assert "no new private prospecting licence or lease for rock salt (since 1991-03-29)" in err.value.message
    with uow_factory() as uow:
        assert uow.cadastre.applications("PK-PB") == []  # nothing half-written
    report = service.check(uow_factory(), "PK-PB", "SSPL", service.AreaInput(geojson=json.dumps(salt_range)),
                           holders=holders, minerals=["rock salt"])
    assert any("rock salt" in p for p in report.problems)
    ok = service.apply(uow_factory(True), salt(("bona-fide-industrial-user",)), "t")
    assert any("the officer must verify it" in n for n in ok.report.notes)
    with uow_factory() as uow:
        event = uow.cadastre.events(subject=ok.application.ref)[-1]
    assert event.data["declarations"] == ["bona-fide-industrial-user"]
    state = (Holder("Pakistan Mineral Development Corporation", 100, "PK", "state-owned", shareholders=()),)
    assert service.apply(uow_factory(True), salt(who=state), "t").application.number == 2


def test_gilgit_baltistan_before_its_first_rules_is_refused(uow_factory):
    gilgit = square(74.3, 35.9, 0.05)
    with pytest.raises(InvalidInput) as err:
        service.apply(uow_factory(True), _inp(gilgit, "PK-GB", "ML"), "t", now=datetime(2024, 6, 1, tzinfo=timezone.utc))
    assert "no Gilgit-Baltistan rules in force on 2024-06-01" in err.value.message
    r = service.apply(uow_factory(True), _inp(gilgit, "PK-GB", "ML"), "t", now=datetime(2025, 6, 1, tzinfo=timezone.utc))
    assert (r.application.fee_amount, r.application.fee_verified) == (20_000, True)
