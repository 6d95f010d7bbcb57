"""The whole reading pipeline on small texts written for the tests."""

from datetime import date

from maadan.news.document import read_document
from maadan.news.pipeline import build_nlp, extract


def fields(agreement):
    out = {}
    for f in agreement.fields:
        out.setdefault(f.field, []).append(f.value)
    return out


def test_pipeline_is_built_lazily_once():
    assert build_nlp() is build_nlp()


def test_known_entities_are_linked_and_unknown_ones_proposed_as_new():
    text = ("USSM and FWO met Barrick and Zarkon Mining Company Ltd. The Frontier Works Organization said "
            "Velmora Bank would lend.")
    ex = extract(text, date(2025, 9, 8))
    orgs = {(m.text, m.linked) for m in ex.of_kind("organisation")}
    assert {("USSM", "ussm"), ("FWO", "fwo"), ("Barrick", "barrick"), ("Zarkon Mining Company Ltd", "new"),
            ("Frontier Works Organization", "fwo"), ("Velmora Bank", "new")} == orgs


def test_countries_demonyms_capitals_and_places():
    ex = extract("Washington and Islamabad agreed; American firms visited Balochistan and Prime Minister House.",
                 date(2025, 9, 8))
    countries = {(m.text, m.value, m.note) for m in ex.of_kind("country")}
    assert countries == {("Washington", "US", "capital (metonym)"), ("Islamabad", "PK", "capital (metonym)"),
                         ("American", "US", "demonym")}
    assert {m.value["name"] for m in ex.of_kind("place")} == {"Balochistan", "Prime Minister House"}


def test_minerals_class_and_names_but_not_ordinary_words():
    ex = extract("Talks on critical minerals, rare earths, copper and gold. He will lead the team; "
                 "As agreed, the tin roof.", None)
    assert [m.value for m in ex.of_kind("mineral")] == ["critical-minerals", "rare-earths", "copper", "gold"]


def test_proposal_fields_each_carry_evidence_with_offsets():
    text = ("Zarkon Mining Company Ltd and Pakistan Mineral Development Corporation signed a joint venture "
            "at Prime Minister House on Tuesday on antimony worth $120 million.")
    ex = extract(text, date(2025, 9, 8), filename="jv.txt")
    [jv] = ex.agreements
    f = fields(jv)
    assert f["kind"] == ["joint_venture"] and f["status"] == ["signed"]
    assert f["title"] == ["Joint venture between Zarkon Mining Company Ltd and Pakistan Mineral Development Corporation"]
    assert [p["organisation_id"] for p in f["party"]] == [None, "pmdc"]
    assert [p["role"] for p in f["party"]] == ["company", "state_owned_enterprise"]
    assert f["signed"] == ["2025-09-02"] and f["place"] == ["Prime Minister House"]
    assert f["mineral"] == ["antimony"] and f["amount"] == [{"amount": 1.2e8, "currency": "USD"}]
    assert f["country"] == ["PK"]
    for prop in jv.fields:
        if prop.field != "confidence":
            assert prop.evidence, prop.field
        for e in prop.evidence:
            assert text[e.start:e.end] == e.text


def test_unresolved_date_and_amount_without_currency_stay_explicit():
    ex = extract("FWO and USSM signed an MoU on Monday for 500 million.", None)
    [mou] = ex.agreements
    f = {p.field: p for p in mou.fields}
    assert f["signed"].value is None and f["signed"].note.startswith("unresolved")
    assert f["signed"].evidence[0].text == "on Monday"
    assert f["amount"].value == {"amount": 5e8, "currency": None}
    assert f["amount"].note == "unresolved: amount without currency"


def test_plural_cues_and_sources_propose_nothing():
    ex = extract("Islamabad will offer joint ventures with local companies, according to the US Embassy.",
                 date(2025, 9, 8))
    assert ex.agreements == []
    ex = extract("The MoU was signed between USSM and FWO, according to a statement from the US embassy.",
                 date(2025, 9, 8))
    [mou] = ex.agreements
    assert [p.value["organisation_id"] for p in mou.fields if p.field == "party"] == ["ussm", "fwo"]


def test_script_content_never_appears_in_mentions():
    html = (b"<html><body><p>USSM and FWO signed an MoU.</p><script>var x = 'Barrick Gold signed a loan "
            b"of $900 million with Zarkon Mining Company';</script></body></html>")
    doc = read_document(html, "page.html", date(2025, 9, 8))
    ex = extract(doc.text, doc.published)
    seen = " ".join(m.text for m in ex.mentions)
    assert "Barrick" not in seen and "Zarkon" not in seen and "900" not in seen
    assert {m.linked for m in ex.of_kind("organisation")} == {"ussm", "fwo"}


def test_other_language_still_runs_and_finds_little():
    text = "Le Pakistan et les États-Unis ont signé un protocole d'accord sur les minerais critiques lundi."
    doc = read_document(text.encode(), "fr.txt", date(2025, 9, 8))
    ex = extract(doc.text, doc.published)
    assert doc.language == "not-en"
    assert ex.agreements == [] and [m.value for m in ex.of_kind("country")] == ["PK"]
