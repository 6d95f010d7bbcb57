"""Reading news as journalists write it (issue 14): sentences written for these tests, one failure kind each.
Names are invented; none of the sentences is taken from an article."""

from datetime import date

from maadan.news.document import read_document
from maadan.news.pipeline import extract
from tests.unit.news.readings import people

MONDAY = date(2026, 3, 2)


def orgs(ex):
    return {(m.text, m.linked) for m in ex.of_kind("organisation")}


def kinds(ex):
    return sorted(a.kind for a in ex.agreements)


def fields(agreement):
    out = {}
    for f in agreement.fields:
        out.setdefault(f.field, []).append(f.value)
    return out


# --- headlines and links ----------------------------------------------------------------------------------
def test_title_case_headline_makes_no_organisations_and_reads_its_amount():
    ex = extract("Qilmar Signs $500 Million MoU On Critical Minerals With Pakistan\n\n"
                 "Qilmar Metals signed a memorandum of understanding with the Government of Pakistan on Monday.", MONDAY)
    assert ("Qilmar Signs $500 Million MoU On Critical Minerals", "new") not in orgs(ex)
    assert not any("Signs" in m.text for m in ex.of_kind("organisation"))
    assert ("Qilmar Metals", "new") in orgs(ex)
    assert [m.value for m in ex.of_kind("money")] == [{"amount": 5e8, "currency": "USD"}]


def test_a_shared_prefix_is_not_a_link():
    # "Pakistan Minerals" is a catalogue company; the forum only starts with its words.
    ex = extract("Delegates met at the Pakistan Minerals Investment Forum 2026 in Islamabad on Monday.", MONDAY)
    assert not any(m.linked == "pakistan-minerals" for m in ex.of_kind("organisation"))
    events = [a for a in ex.agreements if a.kind == "event"]
    assert [fields(a)["title"] for a in events] == [["Pakistan Minerals Investment Forum 2026"]]


def test_spelling_variants_link_but_longer_names_do_not():
    ex = extract("The Frontier Works Organization and Barrick Gold Corp. met the Reko Diq Mining Company "
                 "Workers Union.", MONDAY)
    linked = {m.linked for m in ex.of_kind("organisation")}
    assert {"fwo", "barrick"} <= linked and "rdmc" not in linked


# --- span boundaries --------------------------------------------------------------------------------------
def test_spans_stop_at_conjunctions_and_based():
    ex = extract("Talks between Lahore and Texas-based Brenholt Metals ended; Karachi and Zarkon Mining Ltd "
                 "signed.", MONDAY)
    names = {m.text for m in ex.of_kind("organisation")}
    assert "Brenholt Metals" in names and "Zarkon Mining Ltd" in names
    assert not any("Lahore" in n or "based" in n or "Karachi" in n for n in names)
    assert {m.value["name"] for m in ex.of_kind("place")} >= {"Lahore", "Texas", "Karachi"}


def test_a_list_of_titled_people_is_several_people_and_honours_are_skipped():
    ex = extract("Present were Prime Minister Amina Qureshi, Field Marshal Tariq Rahimov (N.I.), and "
                 "Federal Minister Helen Whitfield (HI).", MONDAY)
    assert people(ex) == {("Amina Qureshi", "Prime Minister", None), ("Tariq Rahimov", "Field Marshal", None),
                          ("Helen Whitfield", "Federal Minister", None)}


# --- people introduced the usual ways ---------------------------------------------------------------------
def test_appositive_after_the_name_with_its_organisation():
    ex = extract("Helen Whitfield, CEO of Zarkon Mining Company, said talks went well.", MONDAY)
    assert ("Helen Whitfield", "CEO", "Zarkon Mining Company") in people(ex)


def test_role_abbreviation_and_later_surname():
    ex = extract("Chargé d'Affaires (CDA) Daniel Hartley met officials. Later, CDA Hartley said it was a good "
                 "day. Hartley left on Tuesday.", MONDAY)
    found = people(ex)
    assert ("Daniel Hartley", "Chargé d'Affaires (CDA)", None) in found
    assert ("Daniel Hartley", "CDA (Chargé d'Affaires)", None) in found
    assert {p.value["name"] for p in ex.of_kind("person")} == {"Daniel Hartley"}


def test_lower_case_roles_long_titles_and_ambassadors_to():
    ex = extract("The bank's chair Omar Siddiqui told reporters that Senior Bureau Official for the Bureau of "
                 "Energy Resources Farah Collins and Pakistan's Ambassador to US Bilal Marsh would visit. "
                 "Minister of Industry and Construction Nadia Baloch agreed.", MONDAY)
    found = people(ex)
    assert ("Omar Siddiqui", "chair", None) in found
    assert ("Farah Collins", "Senior Bureau Official for the Bureau of Energy Resources",
            "Bureau of Energy Resources") in found
    assert ("Bilal Marsh", "Ambassador to US", "PK") in found
    assert ("Nadia Baloch", "Minister of Industry and Construction", None) in found


def test_affiliation_from_the_organisation_before_the_title():
    ex = extract("Zarkon Mining CEO Imran Collins and Pakistan's Commerce Minister Sarah Marsh spoke.", MONDAY)
    found = people(ex)
    assert ("Imran Collins", "CEO", "Zarkon Mining") in found
    assert ("Sarah Marsh", "Commerce Minister", "PK") in found


def test_a_company_that_speaks_is_not_a_person():
    ex = extract("Lithium Velmora said on Monday it would expand.", MONDAY)
    assert not people(ex)


# --- organisations by form, as sources, countries in passing -------------------------------------------------
def test_organisations_by_form_and_as_sources():
    ex = extract("Brenholt Partners and Sarvesta Newswire said, according to Dawn, that the Bureau of Mines of "
                 "the Department of the Interior told the Financial Times it agreed. Qilmar (NYSE: QLM) rose; "
                 "the finance ministry said so.", MONDAY)
    names = {m.text for m in ex.of_kind("organisation")}
    assert {"Brenholt Partners", "Sarvesta Newswire", "Dawn", "Financial Times", "Qilmar",
            "finance ministry"} <= names
    assert any(n.startswith("Bureau of Mines") for n in names)
    dawn = next(m for m in ex.of_kind("organisation") if m.text == "Dawn")
    assert "outlet" in dawn.note


def test_names_joined_by_and_inside_for_stay_whole_and_words_are_never_cut():
    ex = extract("The Institute said so. Analysts at the Centre for Mining and Energy Studies and the Ministry of "
                 "Water and Power agreed, as did the Board of Trade and Qilmar Holdings.", MONDAY)
    names = {m.text for m in ex.of_kind("organisation")}
    assert {"Centre for Mining and Energy Studies", "Ministry of Water and Power", "Qilmar Holdings"} <= names
    assert not any(n.endswith(("Studie", "Energ", "Powe")) for n in names)


def test_a_person_cited_as_a_source_is_a_person_not_an_organisation():
    ex = extract("Prices will rise, according to Maren Holt, a senior fellow at the Velmora Institute of Mining.",
                 MONDAY)
    assert ("Maren Holt", "senior fellow", "Velmora Institute of Mining") in people(ex)
    assert "Maren Holt" not in {m.text for m in ex.of_kind("organisation")}


def test_page_furniture_and_portfolios_before_titles_are_not_organisations():
    ex = extract("Latest News\nShare This Post\nKarvani Petroleum Minister Oskar Lind met Zarkon Mining officials "
                 "in the Oval Office.", MONDAY)
    assert {m.text for m in ex.of_kind("organisation")} == {"Zarkon Mining"}
    assert ("Oskar Lind", "Petroleum Minister") in {(n, r) for n, r, _ in people(ex)}
    assert "Oval Office" in {m.text for m in ex.of_kind("place")}


def test_a_name_given_in_full_then_by_surname_is_a_person():
    ex = extract("Talks with Ilsa Varkonen went on late. Varkonen later left for Karachi. Reko Diq grew; Diq "
                 "is in Balochistan.", MONDAY)
    assert {(p.text, p.value["name"]) for p in ex.of_kind("person")} == {
        ("Ilsa Varkonen", "Ilsa Varkonen"), ("Varkonen", "Ilsa Varkonen")}


def test_a_company_by_what_the_text_says_of_it():
    ex = extract("Qilmar said on Wednesday it would build a refinery. Shares of Brenholt jumped 4%. Velmora shares "
                 "fell. Oskar Lind said it would be hard. Pakistan said it would export copper.", MONDAY)
    assert {m.text for m in ex.of_kind("organisation")} == {"Qilmar", "Brenholt", "Velmora"}


def test_owners_partners_and_appositives_name_companies():
    ex = extract("Chile’s Brenholt Minerals, a Sarvesta Fund and Ostrava joint venture, bid. The state took stakes "
                 "in Velmora and Qilmar Materials, and a stake in the mine in August. A partnership between "
                 "state-owned Dornag and Luxor Trading Ltd was signed. The wealth fund, Tarvik-Holm, agreed.", MONDAY)
    names = {m.text for m in ex.of_kind("organisation")}
    assert {"Brenholt Minerals", "Sarvesta Fund", "Ostrava", "Velmora", "Qilmar Materials", "Dornag",
            "Luxor Trading Ltd", "Tarvik-Holm"} <= names
    assert not names & {"Velmora and Qilmar Materials", "August", "’s Brenholt Minerals"}


def test_a_person_cited_as_the_source_line_is_not_an_organisation():
    ex = extract("Prime Minister Ilsa Varkonen announced three projects.\nSource: Varkonen on Facebook", MONDAY)
    assert not ex.of_kind("organisation")


def test_dawn_is_a_newspaper_only_when_cited():
    ex = extract("Work began at dawn. Dawn broke over Quetta.", MONDAY)
    assert not ex.of_kind("organisation")


def test_abbreviation_defined_in_the_text_and_short_forms():
    ex = extract("Velmora Resources Corporation (VRC) signed. VRC said the deal would close. Later Velmora Resources "
                 "added more.", MONDAY)
    values = [m.value for m in ex.of_kind("organisation")]
    assert values.count("Velmora Resources Corporation") == 3


def test_countries_in_passing():
    ex = extract("The first deals include projects in Pakistan, Egypt and Europe, and a Congolese mine.", MONDAY)
    assert {m.value for m in ex.of_kind("country")} == {"PK", "EG", "CD"}


def test_governments_by_their_country():
    ex = extract("The Australian government and the government of Balochistan agreed.", MONDAY)
    assert {m.linked for m in ex.of_kind("organisation")} >= {"government-of-balochistan"}
    assert "Government of Australia" in {m.value for m in ex.of_kind("organisation")}


# --- percentages, events ----------------------------------------------------------------------------------
def test_percentages_tariffs_and_shares():
    ex = extract("The tariff fell from a 29pc tariff to 19 percent; Zarkon holds a 15% stake; output rose 5%-10%.",
                 MONDAY)
    found = [(m.value["value"], m.value["of"]) for m in ex.of_kind("percentage")]
    assert (29.0, "tariff") in found and (19.0, "tariff") in found and (15.0, "stake") in found
    assert (5.0, "change") in found and (10.0, "change") in found
    assert all(m.evidence.text in ex.mentions[0].text or m.text for m in ex.of_kind("percentage"))


def test_forums_conferences_and_visits_are_events():
    ex = extract("The Karachi Critical Minerals Summit 2026 opens on Monday. A delegation from Velmora Bank is "
                 "visiting Pakistan.", MONDAY)
    events = [fields(a) for a in ex.agreements if a.kind == "event"]
    assert len(events) == 2  # a summit and a visit are two events
    summit = next(e for e in events if e["title"] == ["Karachi Critical Minerals Summit 2026"])
    assert summit["announced"] == ["2026-03-02"]
    visit = next(e for e in events if e is not summit)
    assert [p["name"] for p in visit["party"]] == ["Velmora Bank"]


# --- proposals across sentences ------------------------------------------------------------------------
def test_an_agreement_spread_over_a_paragraph_is_one_proposal():
    ex = extract("Zarkon Mining Company signed a memorandum of understanding with Velmora Bank on Monday. "
                 "The agreement is worth $40 million, officials said.", MONDAY)
    assert kinds(ex) == ["mou"]
    f = fields(ex.agreements[0])
    assert f["signed"] == ["2026-03-02"]
    assert f["amount"] == [{"amount": 4e7, "currency": "USD"}]
    assert {p["name"] for p in f["party"]} == {"Zarkon Mining Company", "Velmora Bank"}


def test_the_mou_refers_back_to_the_one_already_proposed():
    ex = extract("A US company signed an MoU with Velmora Bank on Monday.\n\nThe MoU was signed at Prime "
                 "Minister House by a delegation led by Zarkon Mining Company.", MONDAY)
    assert kinds(ex) == ["mou"]
    f = fields(ex.agreements[0])
    assert {p["name"] for p in f["party"]} == {"Velmora Bank", "Zarkon Mining Company"}
    assert f["place"] == ["Prime Minister House"]


def test_several_agreements_each_keep_their_own_amount_and_date():
    ex = extract("The first shipment left Karachi on Friday. It follows a $500 million memorandum of "
                 "understanding signed in September 2025 between Zarkon Mining Company and Velmora Bank.",
                 date(2026, 3, 7))
    assert kinds(ex) == ["mou", "shipment"]
    ship = fields(next(a for a in ex.agreements if a.kind == "shipment"))
    mou = fields(next(a for a in ex.agreements if a.kind == "mou"))
    assert ship["announced"] == ["2026-03-06"] and "amount" not in ship
    assert mou["signed"] == ["2025-09"] and mou["amount"] == [{"amount": 5e8, "currency": "USD"}]


def test_counted_plural_agreements_propose_and_general_ones_do_not():
    ex = extract("Zarkon Mining Company and Velmora Bank signed two MoUs on Monday. Joint ventures with local "
                 "firms are common.", MONDAY)
    assert kinds(ex) == ["mou"]


def test_trade_deals_between_countries_have_governments_as_parties():
    ex = extract("The National Assembly heard that Pakistan and the United States finalised a trade deal on "
                 "Monday.", MONDAY)
    f = fields(ex.agreements[0])
    assert {p["organisation_id"] for p in f["party"]} == {"government-of-pakistan", "us-government"}


# --- publisher and date from a plain-text byline or dateline ----------------------------------------------
def read(text, **kw):
    return read_document(text.encode(), "article.txt", **kw)


def test_publisher_and_date_from_bylines_and_datelines():
    doc = read("Monday, January 12, 2026\nQilmar signs deal\nDecember 11, 2025\nKARACHI (Daily Velmora) – "
               "Qilmar Metals signed a deal.")
    assert (doc.published, doc.publisher) == (date(2025, 12, 11), "Daily Velmora")
    doc = read("Published October 3, 2025\nWASHINGTON: The United States and Pakistan agreed.")
    assert doc.published == date(2025, 10, 3) and doc.published_evidence == "October 3, 2025"
    doc = read("ISLAMABAD (Web Desk) – Pakistan signed a deal on Monday.")
    assert doc.publisher is None  # a desk is not a publisher


def test_the_publisher_read_from_the_byline_is_the_proposed_source():
    doc = read("KARACHI (Daily Velmora) – Zarkon Mining Company signed an MoU with Velmora Bank on Monday.",
               published=MONDAY)
    ex = extract(doc.text, doc.published, publisher=doc.publisher)
    source = fields(ex.agreements[0])["source"][0]
    assert source["publisher"] == "Daily Velmora"


# --- bad input ----------------------------------------------------------------------------------------------
def test_all_capitals_is_read_from_the_catalogue_only_and_says_so():
    ex = extract("FRONTIER WORKS ORGANISATION AND QILMAR METALS SIGNED A MEMORANDUM OF UNDERSTANDING ON "
                 "COPPER IN BALOCHISTAN ON MONDAY, TOLD US OFFICIALS.", MONDAY)
    assert {m.linked for m in ex.of_kind("organisation")} == {"fwo"}
    assert not ex.of_kind("person")
    assert "US" not in {m.value for m in ex.of_kind("country")}  # "told us" in capitals is not the country
    assert {m.value for m in ex.of_kind("mineral")} == {"copper"}
    assert any("capitals" in w for w in ex.warnings)
    assert kinds(ex) == ["mou"]


def test_a_headline_only_file():
    doc = read("Qilmar Metals Signs Landmark Copper Deal With Velmora Bank")
    ex = extract(doc.text, doc.published)
    assert doc.published is None and any("no publication date" in w for w in doc.warnings)
    assert not ex.of_kind("person")
    assert {m.value for m in ex.of_kind("mineral")} == {"copper"}


def test_five_hundred_capitalised_names_finish_with_no_invented_people():
    first = ["Amina", "Bilal", "Sarah", "Tariq", "Helen", "Omar", "Nadia", "Daniel", "Farah", "Imran"]
    last = ["Qureshi", "Whitfield", "Rahimov", "Collins", "Siddiqui", "Marsh", "Hartley", "Baloch", "Khan", "Orvane"]
    names = [f"{first[i % 10]} {last[(i // 10) % 10]}{'' if i < 100 else i}" for i in range(500)]
    ex = extract("Guests: " + ", ".join(names) + ".", MONDAY)
    assert not ex.of_kind("person")  # names without a title, a role or speech are not read as people
    assert not ex.agreements


def test_a_byline_in_another_language_leaves_the_publisher_unknown():
    doc = read("اسلام آباد (ڈان نیوز) – Zarkon Mining Company signed an MoU with Velmora Bank on Monday, "
               "officials said in Islamabad.", published=MONDAY)
    assert doc.publisher is None
    ex = extract(doc.text, doc.published)
    assert kinds(ex) == ["mou"]


def test_a_wire_dateline_with_no_year_is_unresolved_not_guessed():
    doc = read("WASHINGTON, Oct 3 (Reuters) - The United States signed an MoU with Pakistan on Friday.")
    assert doc.published is None and doc.publisher == "Reuters"
    assert any("without a year" in w for w in doc.warnings)
    ex = extract(doc.text, doc.published)
    dates = ex.of_kind("date")
    assert dates and all(not d.resolved and d.value is None for d in dates)
