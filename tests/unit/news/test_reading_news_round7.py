"""Round 7 of reading news (issue 14): organisations by a few more general marks (a "Plc", an acronym that acts,
a country arm, a legislature, a long name set off as a kind) and people whose lower-case
title follows their organisation's name. Sentences written for these tests; the names are invented."""

from datetime import date

from maadan.news.pipeline import extract
from tests.unit.news.readings import names, people

MONDAY = date(2026, 3, 2)


def test_plc_ends_a_company_name():
    ex = extract("The mine was bought from Tarvick Holdings Plc. Output rose.", MONDAY)
    assert names(ex, "organisation") == {"Tarvick Holdings Plc"}
    ex = extract("Ostrel Plc will supply the smelter.", MONDAY)
    assert names(ex, "organisation") == {"Ostrel Plc"}


def test_an_acronym_that_acts_or_owns_is_an_organisation():
    ex = extract("Output rose after QVRM-IH’s takeover of the smelter. QVRM-IH are expected to invest more, "
                 "and KTLC has completed its drilling.", MONDAY)
    assert names(ex, "organisation") == {"QVRM-IH", "KTLC"}


def test_an_acronym_after_an_article_a_title_or_in_a_capitals_line_is_no_organisation():
    ex = extract("ZEPHYR TALKS: KTLC HAS WON\nThe FID is expected in May. The CEO said the EPC has begun. "
                 "US has committed funds. CPEC has brought roads and LNG is cheap.", MONDAY)
    assert names(ex, "organisation") == set()


def test_an_acronym_joined_by_and_to_a_company_is_the_other_party():
    ex = extract("QVRM-IH and Dastra Resources have signed a shareholders agreement.", MONDAY)
    assert names(ex, "organisation") == {"QVRM-IH", "Dastra Resources"}


def test_a_country_after_an_organisation_word_is_the_companys_arm():
    ex = extract("Korlan Resources Singapore is a wholly owned unit of Korlan.", MONDAY)
    assert "Korlan Resources Singapore" in names(ex, "organisation")
    assert "SG" not in {m.value for m in ex.of_kind("country")}


def test_a_country_followed_by_a_possessive_or_another_name_stays_a_country():
    ex = extract("Korlan Resources signed in Chile with Chile's state miner.", MONDAY)
    assert "Korlan Resources" in names(ex, "organisation")
    assert "CL" in {m.value for m in ex.of_kind("country")}


def test_a_legislature_named_alone_in_running_text_is_an_organisation():
    ex = extract("Speaking in Parliament, Wednesday, the minister gave the figures.", MONDAY)
    assert names(ex, "organisation") == {"Parliament"}


def test_a_name_of_up_to_five_words_set_off_as_a_kind_is_read_whole():
    ex = extract("Peru joined the Andean Metals Supply Security Initiative, a group of countries.", MONDAY)
    assert "Andean Metals Supply Security Initiative" in names(ex, "organisation")


def test_a_lower_case_title_after_the_organisations_name_set_off_by_commas():
    ex = extract("Dastra Resources signed the offtake. Dastra managing director, Jane Roe, said it was a first.",
                 MONDAY)
    assert ("Jane Roe", "managing director", "Dastra Resources") in people(ex)


def test_led_by_gives_the_affiliation_and_the_company_stays_a_party():
    ex = extract("Korlan Mines Ltd., chaired by billionaire Jon Vard, and Dastra Group signed an offtake deal.",
                 MONDAY)
    vard = next(p for p in ex.of_kind("person") if p.value["name"] == "Jon Vard")
    assert vard.value["affiliation"] == "Korlan Mines Ltd"
    korlan = next(m for m in ex.of_kind("organisation") if m.text == "Korlan Mines Ltd")
    assert "affiliation of" not in (korlan.note or "")


def test_a_name_right_before_an_officers_title_is_the_officers_company():
    ex = extract("Qorvane chief executive Jane Roe said the plant is ready.", MONDAY)
    assert names(ex, "organisation") == {"Qorvane"}
    assert ("Jane Roe", "chief executive", "Qorvane") in people(ex)
    ex = extract("Qorvane's managing director, Jane Roe, said it.", MONDAY)
    assert ("Jane Roe", "managing director", "Qorvane") in people(ex)


def test_a_month_a_demonym_a_board_or_a_title_word_before_the_title_names_no_company():
    ex = extract("In June chief executive Jane Roe said it. Pakistani CEO Ali Khan agreed. Group chief executive "
                 "Mia Vance spoke. Dastra Holding Board Chairman Ivo Petrak signed.", MONDAY)
    assert not {"In June", "June", "Pakistani", "Group", "Dastra Holding Board"} & names(ex, "organisation")


def test_two_titles_joined_by_and_in_an_appositive_keep_their_organisation():
    ex = extract("Jane Roe, CEO and CTO of Qorvane, said the cells are ready.", MONDAY)
    assert ("Jane Roe", "CEO and CTO", "Qorvane") in people(ex)
