"""The real article of 8 September 2025 (read from ../shared/texts, never copied here): what issue 6 lists,
and the hand-annotated gold values in tests/data/news."""

import json
from datetime import date
from pathlib import Path

import pytest

from maadan.news.document import read_document
from maadan.news.evaluate import score
from maadan.news.pipeline import extract
from tests.conftest import shared_file

GOLD = json.loads((Path(__file__).parents[2] / "data" / "news" / "gold-2025-09-08-ussm-fwo-mou.json").read_text())


@pytest.fixture(scope="module")
def article():
    path = shared_file("texts", "2025-09-08-ussm-fwo-mou.txt")
    doc = read_document(path.read_bytes(), path.name, date(2025, 9, 8))
    return doc, extract(doc.text, doc.published, filename=path.name)


def _fields(agreement):
    out = {}
    for f in agreement.fields:
        out.setdefault(f.field, []).append(f)
    return out


def test_the_mou_between_ussm_and_fwo_at_prime_minister_house_on_critical_minerals(article):
    doc, ex = article
    mou = next(a for a in ex.agreements if a.kind == "mou")
    f = _fields(mou)
    assert [p.value["organisation_id"] for p in f["party"]] == ["ussm", "fwo"]
    assert [p.value["name"] for p in f["party"]] == ["US Strategic Metals", "Frontier Works Organisation"]
    assert [p.value for p in f["place"]] == ["Prime Minister House"]
    assert [p.value for p in f["signed"]] == ["2025-09-08"]
    assert {e.text for e in f["signed"][0].evidence} == {"on Monday", "today"}
    assert [p.value for p in f["mineral"]] == ["critical-minerals"]
    assert [p.value for p in f["status"]] == ["signed"]
    assert sorted(p.value for p in f["country"]) == ["PK", "US"]
    for proposals in f.values():
        for p in proposals:
            for e in p.evidence:
                assert doc.text[e.start:e.end] == e.text


def test_the_trade_deal_between_washington_and_islamabad(article):
    _, ex = article
    deal = next(a for a in ex.agreements if a.kind == "trade_deal")
    f = _fields(deal)
    assert [p.value["organisation_id"] for p in f["party"]] == ["us-government", "government-of-pakistan"]
    assert [p.evidence[0].text for p in f["party"]] == ["Washington", "Islamabad"]
    assert sorted(p.value for p in f["country"]) == ["PK", "US"]
    assert len(ex.agreements) == 2  # "joint ventures" and "lease grants" are plural: no proposal


def test_us_embassy_officials_as_people_with_roles(article):
    _, ex = article
    people = {(m.value["name"], m.value["role"], m.value.get("affiliation")) for m in ex.of_kind("person")}
    assert ("Zach Harkenrider", "Acting Deputy Chief of Mission", "us-embassy") in people
    assert ("Natalie Baker", "Chargé d'Affaires", None) in people
    assert ("Natalie Baker", "CDA (Chargé d'Affaires)", None) in people
    for name, role in GOLD["roles"].items():
        assert any(n == name and r == role for n, r, _ in people), name


def test_reko_diq_is_a_gold_and_copper_project_of_barrick_in_balochistan(article):
    _, ex = article
    [reko] = [r for r in ex.projects if r.project_id == "reko-diq"]
    assert [o for o, _ in reko.operators] == ["barrick"]
    assert sorted(m for m, _ in reko.minerals) == ["copper", "gold"]
    assert [p for p, _ in reko.places] == ["Balochistan"]


def test_scores_against_the_gold_values(article):
    _, ex = article
    scores = score([(ex, GOLD["expected"])])
    for kind in ("organisation", "country", "person", "place", "mineral", "project", "agreement_kind"):
        assert scores[kind].precision == 1.0 and scores[kind].recall == 1.0, kind
    # "Independence Day" (14 August) is not read: one date of five is missed.
    assert (scores["date"].tp, scores["date"].fp, scores["date"].fn) == (4, 0, 1)
