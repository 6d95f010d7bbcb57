"""Round 5 of reading news (issue 14): companies named for what they mine, names by what is said of them,
projects and places by their form, affiliations named again before a title. Sentences written for these
tests; the names are invented."""

from datetime import date

from maadan.news.pipeline import extract
from tests.unit.news.readings import names, people

MONDAY = date(2026, 3, 2)


def test_a_company_named_for_its_mineral_is_one_name_and_no_mineral():
    ex = extract("Velmora Cobalt will supply Tarsk Graphite and Norrin Steel.", MONDAY)
    assert {"Velmora Cobalt", "Tarsk Graphite"} <= names(ex, "organisation")
    assert "cobalt" not in {m.value for m in ex.of_kind("mineral")}


def test_a_mineral_word_before_a_project_word_or_after_a_demonym_names_no_company():
    ex = extract("The Orvane Valley Lithium Project is in Chile. Australian Lithium miner Qestra said so.", MONDAY)
    assert not {"Orvane Valley Lithium", "Australian Lithium"} & names(ex, "organisation")
    assert "Orvane Valley Lithium Project" in names(ex, "project")
    assert "lithium" in {m.value for m in ex.of_kind("mineral")}


def test_a_legal_form_after_and_keeps_the_name_whole():
    ex = extract("Velmora Minerals and Energy Limited signed a deal.", MONDAY)
    assert "Velmora Minerals and Energy Limited" in names(ex, "organisation")
    ex = extract("Brenholt Partners and Sarvesta Ltd met on Monday.", MONDAY)
    assert {"Brenholt Partners", "Sarvesta Ltd"} <= names(ex, "organisation")


def test_names_by_what_the_text_says_of_them():
    ex = extract("Qestra, a Dutch metals firm, and Lumo-headquartered Tavrin joined. On 2 March, Korvex announced a "
                 "binding supply agreement with Orlen Trade. The fund would invest via state-owned entity Valka "
                 "Holdings Nord. It may rival Brask International.", MONDAY)
    got = names(ex, "organisation")
    assert {"Qestra", "Tavrin", "Korvex", "Brask International"} <= got
    assert any(n.startswith("Valka Holdings") for n in got)


def test_names_listed_with_a_company_are_companies():
    ex = extract("Tarsk joins Velmora Lithium, Qestra and Brenholt Mavi as a buyer.", MONDAY)
    assert {"Velmora Lithium", "Qestra", "Brenholt Mavi"} <= names(ex, "organisation")
    ex = extract("He visited Velmora Lithium, Chile and Peru.", MONDAY)
    assert "Chile" not in names(ex, "organisation")


def test_projects_by_their_form():
    ex = extract("Tarsk Mining owns the Orvane Graphite Project and the Kessel Dam project. Its Phase 2 project "
                 "and the Chinese project wait.", MONDAY)
    got = names(ex, "project")
    assert {"Orvane Graphite Project", "Kessel Dam"} <= got
    assert not {"Phase 2", "Chinese", "Its Phase 2"} & got


def test_places_by_province_and_district_words():
    ex = extract("The mine is in the northern province of Velnassa, near Orvane district, in Chile's Kessel "
                 "province and the Tarsk Industrial Park; a plant sits in Lumbra Province.", MONDAY)
    got = names(ex, "place")
    assert {"Velnassa", "Orvane", "Kessel", "Tarsk Industrial Park", "Lumbra Province"} <= got


def test_an_organisation_named_again_before_a_title_is_the_persons():
    ex = extract("Velmora, an Australian miner, signed. Velmora Managing Director Jane Roe said so. Tarsk Cobalt "
                 "agreed; Tarsk's Executive Vice Chairman, John Doe, said it.", MONDAY)
    got = people(ex)
    assert ("Jane Roe", "Managing Director", "Velmora") in got
    assert ("John Doe", "Executive Vice Chairman", "Tarsk Cobalt") in got


def test_a_possessive_company_and_a_modifier_after_of():
    ex = extract("The carmaker Qestra Motor agreed. \"Good,\" Jane Roe, Qestra's vice president of EV growth, said.", MONDAY)
    assert ("Jane Roe", "vice president", "Qestra Motor") in people(ex)
    assert "EV" not in names(ex, "organisation")


def test_the_short_form_of_a_company_is_no_person():
    ex = extract("Tarsk Weilan Corp signed. Tarsk Weilan is the fourth buyer.", MONDAY)
    assert not people(ex)


def test_plural_scale_words():
    ex = extract("It had invested $200 millions in the mine.", MONDAY)
    assert [(m.value["amount"], m.value["currency"]) for m in ex.of_kind("money")] == [(200e6, "USD")]


def test_taking_a_stake_is_an_equity_deal():
    ex = extract("Velmora Holdings agreed on Monday to acquire a stake in Tarsk Mining.", MONDAY)
    assert "equity" in {a.kind for a in ex.agreements}


def test_a_president_elect_is_a_title():
    ex = extract("U.S. President-elect Jane Roe began talks.", MONDAY)
    assert ("Jane Roe", "President-elect", "US") in people(ex)
