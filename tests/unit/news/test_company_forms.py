"""Organisation forms of round 6: companies named after a mineral, a company and its parent in one span, an
owner's possessive, a board before a chairman's title, a catalogue name with its corporate word. The
sentences are our own; every company named here is invented except catalogue ones where the test says so."""

from datetime import date

from maadan.news.organisations import find_by_form
from maadan.news.pipeline import extract


def forms(text):
    return [m.text for m in find_by_form(text)]


def orgs(text):
    return [m.text for m in extract(text, date(2026, 3, 2)).mentions if m.kind == "organisation"]


def test_a_company_named_after_its_mineral_in_running_text():
    assert forms("Last year Valdoro Lithium bought a stake, and KRM Cobalt sold it on.") == ["Valdoro Lithium",
                                                                                             "KRM Cobalt"]
    assert forms("The board of Tessaly Nickel’s parent met.") == ["Tessaly Nickel"]


def test_a_mineral_word_before_another_name_or_in_a_headline_is_no_company():
    assert forms("Work at the Orvalle Cobalt Project resumed.") == []
    assert forms("Orvalle Nickel Mine Restarts After Long Pause\nIt did.") == []
    assert forms("Demand for lithium rose, and cobalt fell.") == []


def test_a_company_and_its_parent_are_two_organisations():
    assert forms("Morvan Mining Corp. of the Teodoro Group will build the plant.") == ["Morvan Mining Corp",
                                                                                       "Teodoro Group"]
    assert forms("The Ministry of Energy and Mines agreed.") == ["Ministry of Energy and Mines"]


def test_an_owners_possessive_is_not_part_of_the_company_but_a_titles_is():
    assert forms("Ore from Halvard’s Ostara Copper Company mine.") == ["Ostara Copper Company"]
    assert forms("According to the Prime Minister’s Office, it was signed.") == ["Prime Minister’s Office"]


def test_a_board_before_a_chairmans_title_is_the_title():
    assert forms("Orlent Holdings Board Chairman Ivo Petrak signed.") == ["Orlent Holdings"]
    assert forms("Velmora Resources Board Chairman Ivo Petrak signed.") == ["Velmora Resources"]


def test_an_acronym_and_a_company_are_two_names_and_an_exchange_is_an_organisation():
    # both sides are read since round 7: the acronym joined to a company by "and" is the other party
    assert forms("In Peru, KVL and Andorra Minerals Corp. build a plant.") == ["KVL", "Andorra Minerals Corp"]
    assert forms("Prices follow the Lisbon Metal Exchange average.") == ["Lisbon Metal Exchange"]


def test_a_stake_with_its_share_names_the_company_held():
    assert "Minera Tavaro" in orgs("Valdoro holds a stake of 46.5% in Minera Tavaro, it said.")


def test_a_catalogue_company_keeps_the_corporate_word_the_text_writes():
    # Mota-Engil is in the bundled catalogue
    found = [m for m in extract("The MoU was signed with Mota-Engil Group on Monday.", date(2026, 3, 2)).mentions
             if m.kind == "organisation"]
    assert [(m.text, m.value) for m in found] == [("Mota-Engil Group", "Mota-Engil")]


def test_a_former_name_is_read_without_formerly_and_a_lower_case_llc_counts():
    assert forms("Formerly Kestrel Cement Holdings Inc., it now mines nickel.") == ["Kestrel Cement Holdings Inc"]
    assert forms("Drava Holding Llc. signed too.") == ["Drava Holding Llc"]


def test_a_company_whose_organisation_word_comes_first():
    assert forms("It paid for 40 percent of Minera Tavaro, which owns the salar.") == ["Minera Tavaro"]
    assert forms("A stake from Sociedad Andina y Minera was sold.") == ["Sociedad Andina y Minera"]
    assert forms("Empresa said no.") == []
    text = "Valdoro paid $25 million for 50 percent of Minera Tavaro, which owns a project."
    assert "Minera Tavaro" in orgs(text)
    assert not [m for m in extract(text, date(2026, 3, 2)).mentions if m.kind == "person"]


def test_a_name_the_next_words_call_a_company():
    assert "Tavaro" in orgs("Valdoro agreed to buy Tavaro, an Andes-focused mining firm, in a deal.")
    assert "Orvik Metals" in orgs("Orvik Metals, a Delaware-registered firm, holds the licences.")
    text = "Jane Roe, a director at the firm, said so. Indonesia, a major nickel producer, agreed."
    assert orgs(text) == []
    assert [m.value["name"] for m in extract(text, date(2026, 3, 2)).mentions if m.kind == "person"] == ["Jane Roe"]
