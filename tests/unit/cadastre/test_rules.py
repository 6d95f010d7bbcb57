"""Mineral-title rules as versioned data: the bundled files, the loader's refusals, and the rules in use."""

from datetime import date, datetime, timezone

import pytest

from maadan.cadastre.rule_files import load_rulesets
from maadan.cadastre.rules import (
    PLACEHOLDER,
    HolderFacts,
    Money,
    annual_rent,
    check_eligibility,
    ruleset_in_force,
    unverified,
)
from maadan.errors import InvalidInput
from tests.unit.cadastre.conftest import refusal, version

BA_2002 = "PK-BA/2002-03-08.yaml"


# --- the bundled files --------------------------------------------------------------------------

def test_all_bundled_rule_files_load_as_complete_rule_sets(rulesets):
    assert [(r.jurisdiction, r.version) for r in rulesets] == [
        ("PK-BA", "2002-03-08"), ("PK-BA", "2020-03-03"), ("PK-BA", "2025-03-14"), ("PK-GB", "2025-01-06"),
        ("PK-KP", "2005-01-01"), ("PK-KP", "2017-01-01"), ("PK-KP", "2020-01-01"), ("PK-KP", "2025-04-15"),
        ("PK-PB", "2002-03-20"), ("PK-SD", "2002-03-18"), ("PK-SD", "2021-01-01")]
    ba_2002, ba_2020, ba_2025 = rulesets[:3]
    assert set(ba_2002.title_types) == set(ba_2020.title_types) == set(ba_2025.title_types) == \
        {"RL", "EL", "MDRL", "ML", "SSPL", "SSML"}
    assert set(version(rulesets, "PK-PB", "2002-03-20").title_types) == {"ML", "EL", "SSPL", "SSML", "SML"}
    assert set(version(rulesets, "PK-KP", "2020-01-01").title_types) == {"EL", "ML"}
    # a version's end follows from its legal status and later versions, not from a written date
    assert all(r.effective_to is None for r in rulesets)
    assert [r.label for r in rulesets[:3]] == ["Balochistan Mineral Rules 2002", "Balochistan fee notification of 3 March 2020",
                                               "Balochistan Mines and Minerals Act 2025"]
    for r in rulesets:
        assert r.sources and r.timezone == "Asia/Karachi" and r.max_vertices >= 4
        for tt in r.title_types.values():
            assert tt.application_fee.value.currency == "PKR" and tt.rent_schedule[0][0] == 1
            values = [tt.exclusive, tt.application_fee, *(rv for _, rv in tt.rent_schedule)]
            values += [v for v in (tt.max_area_km2, tt.term_years, tt.rent_grace_days) if v is not None]
            for rv in values:
                assert rv.legal_basis.strip()
                assert rv.verified is False or rv.legal_basis != PLACEHOLDER


def test_sourced_values_are_verified_and_carry_their_rule(rulesets):
    ba = rulesets[0]
    assert ba.same_date_simultaneous.value is True and ba.same_date_simultaneous.verified
    assert "rule 10" in ba.same_date_simultaneous.legal_basis
    assert ba.same_date_simultaneous.source == "paklawportal.com/statute/section/23296"
    assert ba.same_date_simultaneous.confidence == "H"
    rl = ba.title_type("RL")
    assert rl.exclusive.value is False and rl.exclusive.verified and "rule 16" in rl.exclusive.legal_basis
    obligations = {o.code: o for o in ba.title_type("EL").obligations}
    assert (obligations["start-work"].due_days, obligations["start-work"].after) == (183, "grant")
    assert (obligations["report-discovery"].due_days, obligations["report-discovery"].after) == (30, "discovery")
    assert (obligations["discovery-further-notice"].due_days, obligations["discovery-further-notice"].after) == \
        (10, "discovery")
    assert all(o.verified and "rule 31" in o.legal_basis and o.confidence == "H" for o in obligations.values())


def test_the_version_in_force_changes_the_el_fee_on_3_march_2020(rulesets):
    before = ruleset_in_force(rulesets, "PK-BA", date(2020, 3, 2))
    after = ruleset_in_force(rulesets, "PK-BA", date(2020, 3, 3))
    assert (before.version, after.version) == ("2002-03-08", "2020-03-03")
    assert before.title_type("EL").application_fee.value == Money(240_000, "PKR")
    assert after.title_type("EL").application_fee.value == Money(1_000_000, "PKR")
    fee = after.title_type("EL").application_fee
    assert fee.verified and fee.confidence == "M-H" and "dawn.com/news/1539212" in fee.source
    assert "3 March 2020" in fee.legal_basis
    assert not before.title_type("EL").application_fee.verified  # the amount just before 2020, not since 2002
    # everything but the fees is inherited unchanged
    assert before.title_type("EL").max_area_km2 == after.title_type("EL").max_area_km2
    assert before.title_type("EL").obligations == after.title_type("EL").obligations


def test_receipt_time_is_judged_on_the_pakistan_calendar(rulesets):
    late_utc = datetime(2020, 3, 2, 20, 0, tzinfo=timezone.utc)  # 01:00 on 3 March in Karachi
    assert ruleset_in_force(rulesets, "PK-BA", late_utc).version == "2020-03-03"


def test_no_rules_in_force_or_unknown_jurisdiction(rulesets):
    with pytest.raises(InvalidInput, match="no Balochistan rules in force on 1999-01-01"):
        ruleset_in_force(rulesets, "PK-BA", date(1999, 1, 1))
    with pytest.raises(InvalidInput, match="PK-BA, PK-GB, PK-KP, PK-PB, PK-SD"):
        ruleset_in_force(rulesets, "PK-XX", date(2024, 1, 1))


def test_unknown_title_type_lists_the_known_codes(rulesets):
    with pytest.raises(InvalidInput) as err:
        rulesets[0].title_type("XL")
    assert "'XL'" in err.value.message and "EL, MDRL, ML, RL, SSML, SSPL" in err.value.message
    assert rulesets[0].title_type("el").code == "EL"


# --- rent, placeholders, eligibility ------------------------------------------------------------

def test_rent_escalates_with_years_held(rulesets):
    ml = ruleset_in_force(rulesets, "PK-PB", date(2024, 7, 1)).title_type("ML")
    year1, verified = annual_rent(ml, 30.0, 1)
    assert year1 == Money(150_000.0, "PKR") and verified is False  # placeholder rate 5,000 PKR/km²
    assert annual_rent(ml, 30.0, 10)[0] == year1
    assert annual_rent(ml, 30.0, 11)[0].amount == pytest.approx(2 * year1.amount)
    for bad in ((-1, 1), (100, 0), (100, 1.5)):
        with pytest.raises(InvalidInput):
            annual_rent(ml, *bad)


def test_balochistan_rent_is_the_flat_notified_amount_whatever_the_area(rulesets):
    el = ruleset_in_force(rulesets, "PK-BA", date(2024, 7, 1)).title_type("EL")
    assert el.rent_per == "title"
    assert annual_rent(el, 501.03, 1) == (Money(100_000.0, "PKR"), True)
    assert annual_rent(el, 5.0, 9) == (Money(100_000.0, "PKR"), True)
    old = ruleset_in_force(rulesets, "PK-BA", date(2019, 7, 1)).title_type("EL")
    assert annual_rent(old, 501.03, 1) == (Money(10_000.0, "PKR"), False)


def test_unverified_names_every_placeholder(rulesets):
    ba = rulesets[1]
    el = unverified(ba.title_type("EL"))
    assert el == ["max_area_km2", "term_years", "max_renewals", "renewal_term_years", "exclusive",
                  "rent_grace_days", "grants_after"]
    assert not any(name.startswith("obligation") for name in el)  # rule 31 is verified
    assert "exclusive" not in unverified(ba.title_type("RL"))  # rule 16 is verified
    assert "application_fee" in unverified(ba.title_type("ML"))  # the 'mining licence' fee is only our reading
    assert "eligibility pakistani_body_corporate_only" not in unverified(version(rulesets, "PK-PB", "2002-03-20").title_type("ML"))
    assert "security" in unverified(rulesets[2].title_type("EL"))  # the 2025 Act's guarantee: one weak report


def holder(name, country, **kw):
    return HolderFacts(name=name, country=country, kind=kw.pop("kind", "private"),
                       share_pct=kw.pop("share_pct", 100.0), is_body_corporate=kw.pop("body", True), **kw)


def test_punjab_mining_lease_refuses_a_foreign_holder_and_accepts_a_pakistani_company(rulesets):
    pb = ruleset_in_force(rulesets, "PK-PB", date(2025, 1, 1))
    ml = pb.title_type("ML")
    disclosed = (("Mian Holdings", 60.0), ("Lahore Trust", 30.0))
    assert check_eligibility(pb, ml, [holder("Punjab Minerals (Pvt) Ltd", "PK", shareholders=disclosed)]) == []
    problems = check_eligibility(pb, ml, [holder("Punjab Minerals (Pvt) Ltd", "PK", share_pct=60, shareholders=()),
                                          holder("Acme Mining Inc", "US", kind="foreign", share_pct=40, shareholders=())])
    assert len(problems) == 1
    assert problems[0].startswith("Punjab large-scale mining lease: only a Pakistani body corporate may hold it; "
                                  "'Acme Mining Inc'")
    assert "rule 47" in problems[0] and "unverified" not in problems[0]
    assert "not a body corporate" in check_eligibility(pb, ml, [holder("A. Khan", "PK", body=False)])[0]
    undisclosed = check_eligibility(pb, ml, [holder("Punjab Minerals (Pvt) Ltd", "PK")])
    assert len(undisclosed) == 1 and "more than 5% must be disclosed" in undisclosed[0]
    assert "has not disclosed" in check_eligibility(pb, ml, [holder("X (Pvt) Ltd", "PK", shareholders_disclosed=False)])[0]


def test_balochistan_has_no_local_partner_rule(rulesets):
    ba = rulesets[1]
    el = ba.title_type("EL")
    assert el.eligibility == ()
    assert check_eligibility(ba, el, [holder("Acme Mining Inc", "US", kind="foreign")]) == []
    with pytest.raises(InvalidInput):  # a Punjab type under Balochistan rules
        check_eligibility(ba, version(rulesets, "PK-PB", "2002-03-20").title_type("ML"), [holder("X", "PK")])


# --- the loader refuses bad files, naming file and key path -------------------------------------

@pytest.mark.parametrize("old, new, key_path, fragment", [
    ("    max_area_km2:\n      value: 1000\n", "    max_area_km:\n      value: 1000\n",
     "title_types.EL.max_area_km", "did you mean 'max_area_km2'"),
    ('      value: 1000\n      legal_basis: "placeholder', '      value: 1000\n      legal_basi: "placeholder',
     "title_types.EL.max_area_km2.legal_basi", "unknown key"),
    ("      value: 1000\n", "      value: -1000\n", "title_types.EL.max_area_km2.value", "must not be negative"),
    ('effective_from: "2002-03-08"', 'effective_from: "2002-13-08"', "effective_from", "ISO date"),
    ('effective_from: "2002-03-08"', "effective_from: 8-3-2002", "effective_from", "ISO date"),
    ("        due: {days: 30, after: discovery}", "        due: {days: 30, after: discovery_}",
     "title_types.EL.obligations[1].due.after", "must be one of"),
    ("    exclusive:\n      value: true\n      legal_basis: \"placeholder — not found in sources read; "
     "replace with the gazetted value\"\n      verified: false",
     "    exclusive:\n      value: true\n      legal_basis: \"placeholder — not found in sources read; "
     "replace with the gazetted value\"\n      verified: true", "title_types.EL.exclusive.verified", "placeholder"),
])
def test_a_bad_rule_file_is_refused_with_file_line_and_key_path(rules_copy, old, new, key_path, fragment):
    rules_copy(BA_2002, old, new)
    err = refusal(rules_copy.folder)
    assert err.path.endswith("2002-03-08.yaml") and err.line is not None
    assert f"{key_path}:" in err.message and fragment in err.message
    assert err.details["key"] == key_path


def test_a_missing_legal_basis_is_refused(rules_copy):
    rules_copy(BA_2002, '      value: 1000\n      legal_basis: "placeholder — not found in sources read; '
                        'replace with the gazetted value"\n', "      value: 1000\n")
    err = refusal(rules_copy.folder)
    assert "title_types.EL.max_area_km2.legal_basis: is required" in err.message


def test_an_override_file_is_checked_and_blamed(rules_copy):
    rules_copy("PK-BA/2020-03-03.yaml", "value: {amount: 1000000, currency: PKR}",
               "value: {amount: 1000000, currency: pkr}")
    err = refusal(rules_copy.folder)
    assert err.path.endswith("2020-03-03.yaml") and "title_types.EL.application_fee.value.currency" in err.message


def test_file_names_folders_and_overlaps_must_agree(rules_copy, tmp_path):
    folder = rules_copy.folder
    (folder / "PK-PB" / "2002-03-20.yaml").rename(folder / "PK-PB" / "2003-01-01.yaml")
    assert "differs from the file name 2003-01-01" in refusal(folder).message
    (folder / "PK-PB" / "2003-01-01.yaml").rename(folder / "PK-PB" / "latest.yaml")
    assert "YYYY-MM-DD.yaml" in refusal(folder).message
    (folder / "PK-PB" / "latest.yaml").unlink()
    rules_copy(BA_2002, "effective_to: null", 'effective_to: "2021-01-01"')
    assert "overlaps version 2020-03-03" in refusal(folder).message


def test_changing_a_rule_file_changes_the_rent_with_no_code_change(rules_copy):
    area = 100.0
    before = ruleset_in_force(load_rulesets(rules_copy.folder), "PK-PB", date(2025, 1, 1)).title_type("ML")
    rules_copy("PK-PB/2002-03-20.yaml", "value: {amount: 5000, currency: PKR}", "value: {amount: 7500, currency: PKR}")
    after = ruleset_in_force(load_rulesets(rules_copy.folder), "PK-PB", date(2025, 1, 1)).title_type("ML")
    assert annual_rent(before, area, 1)[0].amount == 500_000
    assert annual_rent(after, area, 1)[0].amount == 750_000


def test_a_new_version_file_takes_effect_on_its_date(rules_copy):
    (rules_copy.folder / "PK-PB" / "2026-07-01.yaml").write_text(
        'extends: "2002-03-20"\neffective_from: "2026-07-01"\ntitle_types:\n  ML:\n    max_area_km2:\n'
        "      value: 300\n      legal_basis: \"Test notification\"\n      source: \"test\"\n      confidence: H\n"
        "      verified: true\n", encoding="utf-8")
    rulesets = load_rulesets(rules_copy.folder)
    assert ruleset_in_force(rulesets, "PK-PB", date(2026, 6, 30)).title_type("ML").max_area_km2.value == 250
    new = ruleset_in_force(rulesets, "PK-PB", date(2026, 7, 1)).title_type("ML")
    assert new.max_area_km2.value == 300 and new.max_area_km2.note is None and new.eligibility


def test_a_key_written_twice_is_refused_with_its_line(rules_copy):
    rules_copy(BA_2002, "  RL:\n    name: Reconnaissance licence\n",
               "  RL:\n    name: Reconnaissance licence\n    name: Reconnaissance licence\n")
    err = refusal(rules_copy.folder)
    assert "'name' appears twice" in err.message and err.line is not None


def test_a_local_share_rule_in_a_file_is_enforced(rules_copy):
    rules_copy("PK-PB/2002-03-20.yaml", "      - kind: pakistani_body_corporate_only\n",
               "      - kind: local_share_min\n        value_pct: 51\n")
    pb = version(load_rulesets(rules_copy.folder), "PK-PB", "2002-03-20")
    ml = pb.title_type("ML")
    jv = [holder("Punjab Minerals (Pvt) Ltd", "PK", share_pct=40, shareholders=()),
          holder("Acme Mining Inc", "US", share_pct=60, shareholders=())]
    assert check_eligibility(pb, ml, jv) == [
        "Punjab large-scale mining lease: Pakistani holders must hold at least 51%; they hold 40% "
        "(Punjab Mining Concession Rules 2002, rule 47: the applicant is a body corporate formed under the law of Pakistan)"]
