"""Round 8 of reading news (issue 14): a body named after a person's title set off by commas, the whole name of
a centre or court a title is of, an honorific before an appositive, a legal form in brackets after any name,
bylines on their own line, and acronyms that are things or classes rather than organisations. Sentences written
for these tests; the names are invented."""

from datetime import date

from maadan.news.pipeline import extract
from tests.unit.news.readings import names, people

MONDAY = date(2026, 3, 2)


def test_a_body_after_a_persons_title_set_off_by_commas():
    ex = extract('"We are pleased," said Jane Roe, President, Velmora Energy Storage. "Output will rise."', MONDAY)
    assert people(ex) == {("Jane Roe", "President", "Velmora Energy Storage")}
    assert "Velmora Energy Storage" in names(ex, "organisation")
    ex = extract("The talks were led by Jane Roe, Chief Executive, Velmora Holdings, and by the minister.", MONDAY)
    assert people(ex) == {("Jane Roe", "Chief Executive", "Velmora Holdings")}


def test_a_title_before_a_name_after_a_comma_is_still_read():
    ex = extract("Speaking in New Harlow, Prime Minister Jane Roe said the deal was good.", MONDAY)
    assert ("Jane Roe", "Prime Minister", None) in people(ex)
    ex = extract("In a statement, Finance Minister, Jane Roe, said the loan was approved.", MONDAY)
    assert ("Jane Roe", "Finance Minister", None) in people(ex)


def test_an_honorific_before_an_appositive_and_a_centre_named_whole():
    ex = extract("A delegation, led by Dr Tom Vale, secretary of the Qarvel Geosciences Research Centre, "
                 "called on the minister.", MONDAY)
    assert people(ex) == {("Tom Vale", "secretary", "Qarvel Geosciences Research Centre")}
    assert "Qarvel Geosciences Research Centre" in names(ex, "organisation")


def test_a_legal_form_in_brackets_ends_any_name():
    ex = extract("The company has an agreement with Ostrel Pakistan Limited, Harvane Equity (Private) Limited, "
                 "Dunmore Mills Limited, and Talbrook Commodities (Private) Limited.", MONDAY)
    assert names(ex, "organisation") == {"Ostrel Pakistan Limited", "Harvane Equity (Private) Limited",
                                         "Dunmore Mills Limited", "Talbrook Commodities (Private) Limited"}


def test_a_byline_on_its_own_line_names_its_writer():
    ex = extract("Copper talks advance\n\nBy Jane Roe\nKARACHI, Oct 24 (Qarvel News) — The province is preparing "
                 "a copper investment.", MONDAY)
    assert ("Jane Roe", None, None) in {(n, r, None) for n, r, _ in people(ex)}


def test_an_acronym_spelled_out_in_lower_case_words_is_a_thing():
    ex = extract("Output of 300,000 tonnes of lithium carbonate equivalent (LCE) is planned. A production of "
                 "280,000 t of LCE has been defined, and KTLC has completed its drilling.", MONDAY)
    assert names(ex, "organisation") == {"KTLC"}


def test_an_acronym_in_the_plural_is_a_class_of_bodies():
    ex = extract("The standard was developed by NGOs, local communities and workers, and backed by Velmora Holdings.",
                 MONDAY)
    assert names(ex, "organisation") == {"Velmora Holdings"}


def test_a_word_before_a_court_of_belongs_to_its_name():
    ex = extract("The scheme was sanctioned by the Royal Court of Tarnsey on 5 March.", MONDAY)
    assert names(ex, "organisation") == {"Royal Court of Tarnsey"}


def test_a_capitalised_name_spelled_out_before_its_exact_acronym_is_an_organisation():
    ex = extract("The ore comes from mines audited under the Initiative for Responsible Quarry Assurance "
                 "(IRQA), a standard. IRQA audits are strict.", MONDAY)
    assert {"Initiative for Responsible Quarry Assurance", "IRQA"} <= names(ex, "organisation")


def test_things_spelled_out_before_their_acronym_are_no_organisations():
    ex = extract("The Special Economic Zone (SEZ) and the Definitive Feasibility Study (DFS) are ready. The Belt and "
                 "Road Initiative (BRI) helps, said the Chief Executive Officer (CEO).", MONDAY)
    assert names(ex, "organisation") == set()


def test_the_holder_of_a_share_is_an_organisation():
    ex = extract("The partners are Velmora Capital with a 30% interest and Tarn Investment with a 2% holding.", MONDAY)
    assert names(ex, "organisation") == {"Velmora Capital", "Tarn Investment"}
    ex = extract("Ms Jane Roe with a 5% stake is the largest private holder.", MONDAY)
    assert names(ex, "organisation") == set()


def test_a_byline_with_a_colon_names_an_outlet_or_a_writer():
    ex = extract("Qarvelnews.com 2026/05/06 16:18\nBy:Qarvelnews.com\nThe nickel talks will start on Monday.", MONDAY)
    assert "Qarvelnews.com" in names(ex, "organisation")
    ex = extract("By: Jane Roe\nThe nickel talks will start on Monday.", MONDAY)
    assert ("Jane Roe", None, None) in people(ex)
    ex = extract("By: Staff Reporter\nThe nickel talks will start on Monday.", MONDAY)
    assert names(ex, "organisation") == set() and people(ex) == set()


def test_a_name_in_the_possessive_before_an_organisation_owns_it():
    ex = extract("Ostrel would buy cobalt hydroxide from Tarvane’s Kamoto Copper Company operation.", MONDAY)
    assert {"Tarvane", "Kamoto Copper Company"} <= names(ex, "organisation")
    ex = extract("Zambia’s Velmora Holdings grew. President Jane Roe met investors. Roe’s Velmora Holdings grew.",
                 MONDAY)
    assert names(ex, "organisation") == {"Velmora Holdings"}
