"""The rules for people: every value with basis, source, confidence and verified; the share verified;
versions with their status history; the difference between two versions; the demo's size plan."""

from datetime import date

import pytest

from maadan.cadastre import rulebook as rb
from maadan.cadastre.demo import DemoSpec, generate, plan_from_rules
from maadan.cadastre.boundaries import load_boundary
from maadan.cadastre.rules import PLACEHOLDER
from maadan.errors import InvalidInput, NotFound

TODAY = date(2026, 12, 3)


def test_every_value_is_an_entry_with_its_basis(rulesets):
    ba_2020 = rb.version_of(rulesets, "PK-BA", "2020-03-03")
    by_path = {e.path: e for e in rb.entries(ba_2020)}
    fee = by_path["title_types.EL.application_fee"]
    assert (fee.shown, fee.verified, fee.confidence, fee.placeholder) == ("PKR 1,000,000", True, "M-H", False)
    assert fee.value == {"amount": 1_000_000.0, "currency": "PKR"} and "dawn.com/news/1539212" in fee.source
    security = by_path["title_types.EL.security"]
    assert security.shown == "PKR 2,000,000–4,000,000" and security.readings[0]["shown"] == "PKR 40,000"
    rent = by_path["title_types.EL.annual_rent_per_title[0].rate"]
    assert rent.shown == "PKR 100,000 a year per title" and rent.verified
    area = by_path["title_types.EL.max_area_km2"]
    assert area.placeholder and not area.verified and area.legal_basis == PLACEHOLDER and area.shown == "1,000 km²"
    status = [e for e in rb.entries(ba_2020) if e.path.startswith("legal_status")]
    assert [e.shown for e in status] == ["in-force (uncertain) from 2020-03-03", "suspended from 2020-04-06",
                                         "in-force (uncertain) from 2020-07-01"]
    duty = by_path.get("title_types.EL.obligations[2]")
    assert duty and duty.shown == "Give the licensing authority further notice of the discovery, within 10 days of the discovery"
    pb = rb.version_of(rulesets, "PK-PB", "2002-03-20")
    salt = next(e for e in rb.entries(pb) if e.path == "mineral_restrictions[0]")
    assert salt.verified and salt.shown.endswith("(since 1991-03-29); except bona fide industrial users")
    kp = rb.version_of(rulesets, "PK-KP", "2020-01-01")
    who = next(e for e in rb.entries(kp) if e.path == "title_types.EL.eligibility[0]")
    assert who.shown == "only local people in the merged districts (former Federally Administered Tribal Areas)"


def test_census_counts_verified_values_and_not_observations(rulesets):
    ba_2020 = rb.version_of(rulesets, "PK-BA", "2020-03-03")
    c = rb.census(ba_2020)
    assert (c.verified, c.total) == (28, 73) and c.share == pytest.approx(0.3836, abs=1e-4)
    table = {row["jurisdiction"]: row for row in rb.census_table(rulesets, TODAY)}
    assert set(table) == {"PK-BA", "PK-GB", "PK-KP", "PK-PB", "PK-SD"}
    assert table["PK-BA"]["applied"] == {"version": "2020-03-03", "verified": 28, "total": 73, "share": 0.3836}
    assert table["PK-PB"]["applied"]["verified"] == 9 and table["PK-SD"]["applied"]["verified"] == 0
    assert rb.observations(ba_2020)[0]["area_km2"] == [501.0, 501.0]


def test_diff_between_two_versions(rulesets):
    d = rb.diff_view(rulesets, "PK-BA", "2002-03-08", "2020-03-03")
    changes = {c["path"]: c for c in d["changes"]}
    rl_fee = changes["title_types.RL.application_fee"]
    assert rl_fee["kind"] == "value"
    assert (rl_fee["before"]["shown"], rl_fee["after"]["shown"]) == ("PKR 20,000", "PKR 500,000")
    assert (rl_fee["before"]["verified"], rl_fee["after"]["verified"]) == (False, True)
    assert changes["title_types.MDRL.security"]["kind"] == "added"
    assert "title_types.EL.max_area_km2" not in changes  # unchanged
    assert not any(p.startswith("legal_status") for p in changes)
    assert d["counts"] == {"added": 4, "removed": 0, "value": 20, "basis": 0}
    act = {c["path"]: c for c in rb.diff_view(rulesets, "PK-BA", "2020-03-03", "2025-03-14")["changes"]}
    assert act["title_types.EL.application_fee"]["kind"] == "basis"  # same amount, now an unconfirmed carry-over
    assert act["title_types.EL.security"]["after"]["shown"] == "PKR 10,000,000–20,000,000"
    with pytest.raises(NotFound):
        rb.diff_view(rulesets, "PK-BA", "2002-03-08", "2019-01-01")
    with pytest.raises(InvalidInput):
        rb.diff(rb.version_of(rulesets, "PK-BA", "2002-03-08"), rb.version_of(rulesets, "PK-PB", "2002-03-20"))


def test_jurisdiction_view_says_what_applies_and_how_each_version_stands(rulesets):
    v = rb.jurisdiction_view(rulesets, "PK-BA", TODAY)
    assert v["applied"]["version"] == "2020-03-03" and v["applied"]["certain"] is False
    assert "UNCERTAIN" in v["applied"]["summary"]
    assert [x["status_on_day"] for x in v["versions"]] == ["superseded", "applied", "suspended"]
    act = v["versions"][2]
    assert [(s["date"], s["status"], s["derived"]) for s in act["status"]] == [
        ("2025-03-14", "in-force", False), ("2025-09-23", "suspended", False)]
    rules_2002 = v["versions"][0]
    assert ("2025-09-23", "applies again", True) in [(s["date"], s["status"], s["derived"]) for s in rules_2002["status"]]
    assert v["timeline"][-1] == {"from": "2025-09-23", "to": None, "version": "2020-03-03",
                                 "title": "Balochistan fee notification of 3 March 2020", "certain": False,
                                 "reasons": v["applied"]["reasons"]}
    assert len(v["versions"][1]["values"]) == 73 and v["versions"][1]["observations"]
    early = rb.jurisdiction_view(rulesets, "PK-GB", date(2024, 1, 1))
    assert early["applied"]["version"] is None and "no Gilgit-Baltistan rules in force" in early["applied"]["why"]
    assert [x["status_on_day"] for x in rb.jurisdiction_view(rulesets, "PK-KP", TODAY)["versions"]] == [
        "superseded", "superseded", "applied", "pending"]
    with pytest.raises(NotFound):
        rb.jurisdiction_view(rulesets, "PK-XX", TODAY)


def test_the_demo_cadastre_draws_its_sizes_from_practice(rulesets):
    ba = rb.version_of(rulesets, "PK-BA", "2020-03-03")
    plan = {p.code: p for p in plan_from_rules(ba)}
    assert plan["EL"].area_km2 == (501.0, 980.0) and "EL-186" in plan["EL"].basis
    assert plan["ML"].area_km2 == pytest.approx((316 * 0.0040468564224, 13_660 * 0.0040468564224))
    assert plan["ML"].term_years == 30 and "brecorder.com/news/40139670" in plan["ML"].basis
    assert plan["SSML"].term_years == 5 and "1 acre is Maadan's floor" in plan["SSML"].basis
    assert plan["SSPL"].basis.startswith("no title observed: Maadan's own area range")
    assert sum(p.share for p in plan.values()) == pytest.approx(1.0)
    titles = generate(DemoSpec(titles=60, seed=3, plan=tuple(plan.values())), load_boundary("PK-BA").geometry)
    els = [t.area_km2 for t in titles if t.title_type == "EL"]
    assert els and max(els) <= 980 * 1.01
    smls = [t for t in titles if t.title_type == "SSML"]
    assert smls and all(t.area_km2 <= 3.55 and (t.expires_on.year - t.granted_on.year) == 5 for t in smls)
    kp = {p.code for p in plan_from_rules(rb.version_of(rulesets, "PK-KP", "2020-01-01"))}
    assert kp == {"EL", "ML"}  # only the types the rules have
