"""Money, people with roles, organisation-like names and agreement cues."""

from maadan.news.amounts import find_money
from maadan.news.cues import find_agreement_cues
from maadan.news.organisations import find_by_form as find_organisation_like
from maadan.news.people import find_people


def money(text):
    return [(m.text, m.value["amount"], m.value["currency"], m.resolved) for m in find_money(text)]


def test_amounts_with_currency():
    assert money("about $500 million first phase") == [("$500 million", 5e8, "USD", True)]
    assert money("EXIM approved US$1.25bn for Reko Diq") == [("US$1.25bn", 1.25e9, "USD", True)]
    assert money("a Rs 10 billion fund") == [("Rs 10 billion", 1e10, "PKR", True)]
    assert money("worth 300 million dollars") == [("300 million dollars", 3e8, "USD", True)]
    assert money("a USD 7,500,000 grant") == [("USD 7,500,000", 7.5e6, "USD", True)]


def test_amount_without_currency_is_kept_unresolved():
    found = find_money("The project will cost 700 million, with 40 million tonnes of ore.")
    assert [(m.text, m.value, m.resolved, m.note) for m in found] == [
        ("700 million", {"amount": 7e8, "currency": None}, False, "unresolved: amount without currency")]


def test_people_with_roles():
    text = ("Embassy Islamabad Acting Deputy Chief of Mission Zach Harkenrider came. Charg\u00e9 d\u2019Affaires "
            "Natalie Baker said so. CDA Baker added more. Mark Bristow, Barrick's CEO, spoke; "
            "Field Marshal Asim Munir met US embassy officials at Prime Minister House.")
    people = {(p.value["name"], p.value["role"]) for p in find_people(text)}
    assert ("Zach Harkenrider", "Acting Deputy Chief of Mission") in people
    assert ("Natalie Baker", "Chargé d'Affaires") in people
    assert ("Natalie Baker", "CDA (Chargé d'Affaires)") in people  # the surname takes the earlier full name
    assert ("Mark Bristow", "CEO") in people
    assert ("Asim Munir", "Field Marshal") in people
    assert (None, "US embassy officials") in people


def test_organisation_like_names():
    spans = [m.text for m in find_organisation_like(
        "The US Department of Energy and Zarkon Mining Company Ltd met the State Department and Habib Bank.")]
    assert spans == ["US Department of Energy", "Zarkon Mining Company Ltd", "State Department", "Habib Bank"]


def test_agreement_cues_singular_and_plural():
    cues = [(m.text, m.value, m.note is None) for m in find_agreement_cues(
        "signed a memorandum of understanding (MoU); a trade deal; joint ventures with local companies; "
        "an offtake agreement; lease grants")]
    assert ("memorandum of understanding", "mou", True) in cues and ("MoU", "mou", True) in cues
    assert ("trade deal", "trade_deal", True) in cues
    assert ("offtake agreement", "offtake", True) in cues
    assert ("joint ventures", "joint_venture", False) in cues and ("lease grants", "concession", False) in cues
