"""Rule versions with a legal status: which version the engine applies on a day, why, and when that
is uncertain; the loader's refusals of bad status data, naming file, line and key; nothing loads half."""

from datetime import date, datetime, timezone

import pytest

from maadan.cadastre.rule_files import load_rulesets
from maadan.cadastre.rules import (
    HolderFacts,
    Money,
    MoneyRange,
    applicable_rules,
    check_eligibility,
    derived_changes,
    restriction_problems,
    timeline,
    transfer_lock,
)
from maadan.errors import DataFileError, InvalidInput
from tests.unit.cadastre.conftest import refusal, version

BA_2025 = "PK-BA/2025-03-14.yaml"


# --- Balochistan: three versions, two suspensions ------------------------------------------------

def test_balochistan_timeline_follows_the_legal_status_of_each_version(rulesets):
    periods = [(p.start.isoformat(), p.end and p.end.isoformat(), p.version, p.certain)
               for p in timeline(rulesets, "PK-BA")]
    assert periods == [
        ("2002-03-08", "2020-03-03", "2002-03-08", True),
        ("2020-03-03", "2020-04-06", "2020-03-03", False),  # suspended by an order of unknown date
        ("2020-04-06", "2020-07-01", "2002-03-08", True),   # the raised fees suspended to 30 June 2020
        ("2020-07-01", "2025-03-14", "2020-03-03", False),  # reinstatement not found
        ("2025-03-14", "2025-09-23", "2025-03-14", True),   # the 2025 Act in force
        ("2025-09-23", None, "2020-03-03", False),          # the Act suspended: earlier rules, uncertain
    ]


def test_an_application_today_gets_the_2020_fees_and_is_told_why_that_is_uncertain(rulesets):
    a = applicable_rules(rulesets, "PK-BA", datetime(2026, 12, 3, 9, 0, tzinfo=timezone.utc))
    assert a.version == "2020-03-03" and not a.certain
    assert a.ruleset.title_type("EL").application_fee.value == Money(1_000_000, "PKR")
    assert len(a.reasons) == 2
    act, fees = a.reasons
    assert act.startswith("Balochistan Mines and Minerals Act 2025 (2025-03-14), in force from 2025-03-14, "
                          "has been suspended since 2025-09-23")
    assert "dawn.com/news/1944268" in act and "earlier rules are applied instead" in act
    assert fees.startswith("Balochistan fee notification of 3 March 2020 (2020-03-03): The suspension ran to 30 June 2020")
    summary = a.summary()
    assert "UNCERTAIN" in summary and "Balochistan fee notification of 3 March 2020 (PK-BA 2020-03-03)" in summary
    assert a.as_dict()["certain"] is False and a.as_dict()["version"] == "2020-03-03"


def test_while_the_2025_act_was_in_force_its_placeholders_apply_and_say_so(rulesets):
    a = applicable_rules(rulesets, "PK-BA", date(2025, 6, 1))
    assert (a.version, a.certain, a.reasons) == ("2025-03-14", True, ())
    el = a.ruleset.title_type("EL")
    fee = el.application_fee
    assert fee.value == Money(1_000_000, "PKR") and not fee.verified and fee.placeholder
    assert "terms of the Balochistan Mines and Minerals Act 2025 were not found" in fee.legal_basis
    assert fee.note.startswith("carried over from version 2020-03-03 (Notification of 3 March 2020")
    assert el.security.value == MoneyRange(10_000_000, 20_000_000, "PKR") and el.security.confidence == "L-M"
    # values without a legal basis of their own carry over unchanged: observations of practice
    assert [o.label for o in el.observations][0] == "EL-186 (Mari Petroleum), Dalbandin, Chagai"
    assert not a.ruleset.same_date_simultaneous.verified  # rule 10 is carried over, unconfirmed for the Act


def test_during_the_2020_suspension_the_earlier_fees_apply_without_doubt(rulesets):
    a = applicable_rules(rulesets, "PK-BA", date(2020, 5, 1))
    assert (a.version, a.certain) == ("2002-03-08", True)
    assert a.passed_over and "has been suspended since 2020-04-06" in a.passed_over[0]
    assert a.ruleset.title_type("EL").application_fee.value == Money(240_000, "PKR")


def test_the_2002_rules_show_what_later_versions_did_to_them(rulesets):
    changes = [(d.isoformat(), kind, certain) for d, kind, _, certain in
               derived_changes(rulesets, version(rulesets, "PK-BA", "2002-03-08"))]
    assert changes == [("2020-03-03", "superseded", True), ("2020-04-06", "applies again", True),
                       ("2025-03-14", "superseded", True), ("2025-09-23", "applies again", False)]


# --- the other jurisdictions --------------------------------------------------------------------

def test_khyber_pakhtunkhwa_bill_is_pending_and_never_applied(rulesets):
    a = applicable_rules(rulesets, "PK-KP", date(2026, 1, 1))
    assert (a.version, a.certain) == ("2020-01-01", True)
    assert a.passed_over[0].startswith("Khyber Pakhtunkhwa mines and minerals bill 2025 (pending) (2025-04-15): "
                                       "a bill pending since 2025-04-15")
    bill = version(rulesets, "PK-KP", "2025-04-15")
    assert bill.status[0].status == "pending"
    term = bill.title_type("EL").term_years
    assert term.value == 3 and term.verified and "three years" in term.legal_basis
    assert not a.ruleset.title_type("EL").term_years.verified  # the law in force: a placeholder


def test_khyber_pakhtunkhwa_placeholder_dates_are_uncertain_until_a_dated_report(rulesets):
    assert not applicable_rules(rulesets, "PK-KP", date(2010, 1, 1)).certain
    a = applicable_rules(rulesets, "PK-KP", date(2018, 6, 1))
    assert a.version == "2017-01-01" and not a.certain and "placeholder day" in a.reasons[0]
    assert applicable_rules(rulesets, "PK-KP", date(2020, 1, 1)).certain


def test_khyber_pakhtunkhwa_exploration_licence_is_not_transferable_for_two_years(rulesets):
    el_2005 = version(rulesets, "PK-KP", "2005-01-01").title_type("EL")
    assert el_2005.transfer_lock_years.verified and el_2005.transfer_lock_years.source == "nasirlawsite.com/laws/mcrnwfp.htm"
    granted = date(2024, 2, 29)
    why = transfer_lock(el_2005, granted, date(2026, 2, 27))
    assert why and "within 2 years of its grant" in why and "not before 2026-02-28" in why
    assert transfer_lock(el_2005, granted, date(2026, 2, 28)) is None
    later = applicable_rules(rulesets, "PK-KP", date(2026, 1, 1)).ruleset.title_type("EL")
    assert later.transfer_lock_years.value == 2 and not later.transfer_lock_years.verified  # carried, unconfirmed
    assert transfer_lock(later, granted, date(2025, 1, 1)).endswith("unverified)")


def test_merged_districts_are_for_local_people_only(rulesets):
    kp = applicable_rules(rulesets, "PK-KP", date(2026, 1, 1)).ruleset
    el = kp.title_type("EL")
    outsider = HolderFacts("Peshawar Minerals (Pvt) Ltd", "PK", "private", 100, True)
    local = HolderFacts("Bajaur Stone Cooperative", "PK", "cooperative", 100, True, local_to=("PK-KP-MD",))
    assert check_eligibility(kp, el, [outsider]) == []  # the area lies outside the merged districts
    problems = check_eligibility(kp, el, [outsider], zones={"PK-KP-MD"})
    assert len(problems) == 1 and "only local people may apply" in problems[0]
    assert "'Peshawar Minerals (Pvt) Ltd' is not declared local" in problems[0]
    assert check_eligibility(kp, el, [local], zones={"PK-KP-MD"}) == []
    assert applicable_rules(rulesets, "PK-KP", date(2019, 6, 1)).ruleset.title_type("EL").eligibility == ()


def test_punjab_rock_salt_embargo_holds_back_private_applicants(rulesets):
    pb = applicable_rules(rulesets, "PK-PB", date(2025, 1, 1)).ruleset
    ml = pb.title_type("ML")
    private = [HolderFacts("Khewra Salt Works (Pvt) Ltd", "PK", "private", 100, True, shareholders=())]
    state = [HolderFacts("Pakistan Mineral Development Corporation", "PK", "state-owned", 100, True, shareholders=())]
    problems, notes = restriction_problems(pb, ml, ["salt"], private, date(2025, 1, 1))
    assert len(problems) == 1 and notes == []
    assert "no new private prospecting licence or lease for rock salt (since 1991-03-29)" in problems[0]
    assert "declare 'bona-fide-industrial-user'" in problems[0]
    problems, notes = restriction_problems(pb, ml, ["salt"], private, date(2025, 1, 1), ("bona-fide-industrial-user",))
    assert problems == [] and "the officer must verify it" in notes[0]
    assert restriction_problems(pb, ml, ["salt"], state, date(2025, 1, 1)) == ([], [])
    assert restriction_problems(pb, ml, ["copper"], private, date(2025, 1, 1)) == ([], [])
    assert restriction_problems(pb, ml, ["salt"], private, date(1990, 1, 1)) == ([], [])


def test_sindh_and_gilgit_baltistan(rulesets):
    sd = applicable_rules(rulesets, "PK-SD", date(2026, 1, 1))
    assert sd.version == "2021-01-01" and not sd.certain
    assert applicable_rules(rulesets, "PK-SD", date(2015, 1, 1)).certain
    gb = applicable_rules(rulesets, "PK-GB", date(2026, 1, 1))
    ml = gb.ruleset.title_type("ML")
    assert ml.application_fee.value == Money(20_000, "PKR") and ml.application_fee.verified
    assert ml.review_days.value == 30 and ml.review_days.verified
    with pytest.raises(InvalidInput, match="no Gilgit-Baltistan rules in force on 2024-12-31"):
        applicable_rules(rulesets, "PK-GB", date(2024, 12, 31))


def test_practice_is_a_note_never_a_limit(rulesets):
    ba = applicable_rules(rulesets, "PK-BA", date(2026, 1, 1)).ruleset
    ml = ba.title_type("ML")
    lead_zinc = next(o for o in ml.observations if "Khuzdar" in o.label)
    assert (lead_zinc.area_km2(), lead_zinc.term_years, lead_zinc.confidence) == ((30.0, 30.0), 30, "H")
    dilband = next(o for o in ml.observations if "Dilband" in o.label)
    assert dilband.area_unit == "acre" and dilband.area_km2()[0] == pytest.approx(55.28, abs=0.01)
    muslim_bagh = ba.title_type("SSML").observations[0]
    assert muslim_bagh.area_km2()[0] is None and muslim_bagh.area_km2()[1] == pytest.approx(3.541, abs=0.001)
    assert muslim_bagh.term_years == 5 and ba.title_type("SSML").term_years.value == 10  # the rule is a placeholder
    assert ba.title_type("EL").max_area_km2.placeholder


# --- the loader refuses bad status data, naming file, line and key ------------------------------

def test_a_suspended_version_without_a_date_is_refused(rules_copy):
    rules_copy(BA_2025, '  - date: "2025-09-23"\n    status: suspended', "  - status: suspended")
    err = refusal(rules_copy.folder)
    assert err.path.endswith("PK-BA/2025-03-14.yaml") and err.line == 25
    assert err.details["key"] == "legal_status[1].date" and "is required" in err.message


@pytest.mark.parametrize("name, old, new, key, fragment", [
    (BA_2025, 'date: "2025-09-23"', 'date: "2025-03-01"', "legal_status[1].date", "is not after the previous"),
    (BA_2025, 'date: "2025-09-23"', 'date: "23-9-2025"', "legal_status[1].date", "ISO date"),
    (BA_2025, "status: suspended", "status: paused", "legal_status[1].status", "must be one of"),
    (BA_2025, '  - date: "2025-03-14"', '  - date: "2025-03-15"', "legal_status[0].date", "dated effective_from"),
    ("PK-BA/2020-03-03.yaml", '  - date: "2020-07-01"\n    status: in-force', '  - date: "2020-07-01"\n    status: pending',
     "legal_status[2].status", "cannot become pending again"),
    (BA_2025, "    confidence: H\n    verified: true\n    note: \"Petitions", "    confidence: L\n    verified: true\n"
     "    note: \"Petitions", "legal_status[1].confidence", "needs a source of confidence"),
    (BA_2025, "    source: \"Dawn 24 Sep 2025", "    sourc: \"Dawn 24 Sep 2025", "legal_status[1].sourc", "did you mean 'source'"),
    ("PK-KP/2020-01-01.yaml", "zone: PK-KP-MD", "zone: PK-KP-XX", "title_types.EL.eligibility[0].zone", "not a bundled zone"),
    ("PK-PB/2002-03-20.yaml", "    exception_code: bona-fide-industrial-user\n", "",
     "mineral_restrictions[0]", "give both exception"),
    ("PK-BA/2002-03-08.yaml", "      source: \"paklawportal.com/statute/section/23302\"\n", "",
     "title_types.RL.exclusive.source", "must name its source"),
])
def test_bad_status_and_citation_data_is_refused_with_file_line_and_key(rules_copy, name, old, new, key, fragment):
    rules_copy(name, old, new)
    err = refusal(rules_copy.folder)
    assert err.path.endswith(name) and err.line is not None
    assert err.details["key"] == key and fragment in err.message


def test_overlapping_versions_are_refused_and_nothing_loads(rules_copy):
    rules_copy("PK-BA/2002-03-08.yaml", "effective_to: null", 'effective_to: "2021-01-01"')
    err = refusal(rules_copy.folder)
    assert err.path.endswith("PK-BA/2002-03-08.yaml") and err.details["key"] == "effective_to"
    assert "overlaps version 2020-03-03, which takes effect on 2020-03-03" in err.message


def test_one_bad_file_refuses_the_whole_folder(rules_copy):
    """Nothing loads half: the good jurisdictions are not returned without the bad one."""
    rules_copy("PK-SD/2021-01-01.yaml", "status: in-force", "status: enforced")
    with pytest.raises(DataFileError) as err:
        load_rulesets(rules_copy.folder)
    assert "PK-SD/2021-01-01.yaml" in err.value.path


def test_inherited_placeholders_must_say_they_are_placeholders(rules_copy):
    rules_copy(BA_2025, 'legal_basis: "placeholder — the terms of the Balochistan Mines',
               'legal_basis: "The terms of the Balochistan Mines')
    err = refusal(rules_copy.folder)
    assert err.details["key"] == "inherited.legal_basis" and "begin the text with 'placeholder'" in err.message


def test_the_applied_rules_kept_per_day_are_the_rules_of_that_day():
    """applied_rules_for keeps its answer per jurisdiction and local day (the queue asks it for every
    pending application on every filing): each instant, either side of local midnight and across a
    change of version, gets what applicable_rules gives, and new rule files are honoured at once."""
    from dataclasses import replace

    from maadan.cadastre.caches import CACHES, applied_rules_for

    rulesets = CACHES.rules()
    instants = [datetime(2024, 6, 1, 18, 59, tzinfo=timezone.utc), datetime(2024, 6, 1, 19, 0, tzinfo=timezone.utc),
                datetime(2025, 3, 13, 18, 59, tzinfo=timezone.utc), datetime(2025, 3, 13, 19, 0, tzinfo=timezone.utc),
                datetime(2026, 7, 1, 9, 0, tzinfo=timezone.utc), date(2025, 3, 14), datetime(2025, 3, 14, 1, 0)]
    for at in instants * 2:  # the second pass is answered from what the first kept
        got, want = applied_rules_for("PK-BA", at), applicable_rules(rulesets, "PK-BA", at)
        assert (got.version, got.day, got.certain, got.why, got.reasons) == \
            (want.version, want.day, want.certain, want.why, want.reasons)
    assert applied_rules_for("PK-BA", instants[0]).day == date(2024, 6, 1)
    assert applied_rules_for("PK-BA", instants[1]).day == date(2024, 6, 2)  # midnight in Karachi (UTC+5)
    try:
        CACHES.rulesets = [replace(r, name="Other rules") for r in rulesets]
        assert applied_rules_for("PK-BA", instants[0]).ruleset.name == "Other rules"
    finally:
        CACHES.rulesets = rulesets
    assert applied_rules_for("PK-BA", instants[0]).ruleset.name != "Other rules"
    with pytest.raises(InvalidInput):
        applied_rules_for("XX-NO", instants[0])
