"""The evaluation script's matching and its refusal of texts that are not the annotated ones."""

import os
from datetime import date
from pathlib import Path

import pytest

from bench import news_eval
from maadan.news.pipeline import extract

TEXTS = "the news articles are copyrighted: not in the repository, not in ../shared, not on a CI machine"


def test_entities_match_by_any_of_their_names_and_count_once():
    text = ("Zarkon Mining Company (ZMC) signed an MoU with Velmora Bank on Monday. ZMC CEO Helen Whitfield said "
            "the Frontier Works Organization agreed; a 19 percent tariff applies.")
    expected = {"organisation": [{"names": ["Zarkon Mining Company", "ZMC"]}, {"names": ["Velmora Bank"]},
                                 {"names": ["Frontier Works Organisation"]}, {"names": ["Qilmar Partners"]}],
                "person": [{"names": ["Helen Whitfield"], "role": "chief executive officer", "affiliation": "ZMC"}],
                "date": ["2026-03-02"], "percentage": [19], "agreement_kind": ["mou"],
                "agreements": [{"kind": "mou", "parties": ["Zarkon Mining Company", "Velmora Bank"],
                                "status": "signed", "date": "2026-03-02", "amount": None}]}
    r = news_eval.score_text(extract(text, date(2026, 3, 2)), expected, news_eval.Catalogue())
    s = r.scores
    assert (s["organisation"].tp, s["organisation"].fp, s["organisation"].fn) == (3, 0, 1)  # ZMC twice: once
    assert r.misses["organisation"]["missed"] == ["Qilmar Partners"]
    assert (s["person"].tp, s["person affiliation"].tp) == (1, 1)
    assert s["person role"].fn == 1  # "CEO" and "chief executive officer" share no word: not agreed
    assert (s["date"].tp, s["percentage"].tp, s["agreement"].tp, s["agreement date"].tp) == (1, 1, 1, 1)


def test_a_text_whose_hash_differs_is_named_and_skipped(tmp_path):
    note = {"file": "a.txt", "published": "2026-03-02", "published_basis": "text", "publisher_in_text": None,
            "sha256": news_eval.text_hash("The original text."), "expected": {}}
    (tmp_path / "a.txt").write_text("Another text.", encoding="utf-8")
    said = []
    results, _ = news_eval.evaluate(tmp_path, [note, dict(note, file="missing.txt")], log=said.append)
    assert results == []
    assert said == ["skipped a.txt: its SHA-256 differs from the annotation (another version of the text)",
                    f"skipped missing.txt: not in {tmp_path}"]


def test_the_annotations_are_complete_and_split():
    notes = news_eval.load_annotations()
    assert len(notes) >= 60
    held_out = [n for n in notes if n["split"] == "held-out"]
    assert len(held_out) >= 30 and len([n for n in notes if n["split"] == "held-out-2"]) >= 14
    assert len([n for n in notes if n["split"] == "held-out-3"]) >= 12
    assert len([n for n in notes if n["split"] == "held-out-4"]) >= 10
    assert len([n for n in notes if n["split"] == "held-out-5"]) >= 10
    dev, blind = ([n for n in notes if n["split"] == s] for s in ("held-out-6", "held-out-7"))
    assert len(dev) >= 10 and len(blind) >= 10
    dev8, blind9 = ([n for n in notes if n["split"] == s] for s in ("held-out-8", "held-out-9"))
    assert len(dev8) == len(blind9) == 10
    assert {n["split"] for n in notes} == set(news_eval.SPLITS)
    for n in notes:
        assert n["url"].startswith("http") and len(n["sha256"]) == 64
        assert set(n["expected"]) >= {"organisation", "person", "date", "money", "percentage", "agreement_kind"}


def test_a_text_annotated_without_agreements_scores_none():
    r = news_eval.score_text(extract("Zarkon Mining Company signed an MoU with Velmora Bank.", date(2026, 3, 2)),
                             {"organisation": [{"names": ["Zarkon Mining Company"]}]}, news_eval.Catalogue())
    assert "agreement" not in r.scores and r.scores["organisation"].tp == 1


@pytest.mark.local_only(TEXTS)
def test_the_round_5_texts_match_their_annotations_when_present():
    """The texts are not in the repository: set MAADAN_NEWS_TEXTS to the folder holding them (the lead has
    none, so this skips saying so)."""
    import os
    from pathlib import Path

    from tests.conftest import require

    folder = Path(os.environ.get("MAADAN_NEWS_TEXTS", "/tmp/news-texts"))
    notes = [n for n in news_eval.load_annotations() if n["split"] in ("held-out-4", "held-out-5")]
    require(folder.is_dir() and all((folder / n["file"]).is_file() for n in notes),
            f"the round-5 article texts in {folder} (MAADAN_NEWS_TEXTS; copyright keeps them out of the repository)")
    said = []
    results, _ = news_eval.evaluate(folder, notes, log=said.append)
    assert said == [] and len(results) == len(notes) == 20


@pytest.mark.local_only(TEXTS)
@pytest.mark.parametrize("variable, default, splits", [
    ("MAADAN_NEWS6_TEXTS", "/tmp/news6-texts", ("held-out-6", "held-out-7")),
    ("MAADAN_NEWS7_TEXTS", "/tmp/news7-texts", ("held-out-8", "held-out-9")),
])
def test_later_held_out_texts_match_their_annotations(variable, default, splits):
    """Each later pair of sets, when its texts are on this machine (they are not committed: copyright)."""
    folder = Path(os.environ.get(variable, default))
    if not folder.is_dir():
        pytest.skip(f"the {'/'.join(splits)} texts are not committed (copyright) and not in {folder}; "
                    f"set {variable} to their folder")
    notes = [n for n in news_eval.load_annotations() if n["split"] in splits]
    said = []
    results, _ = news_eval.evaluate(folder, notes, log=said.append)
    assert said == [] and len(results) == len(notes) >= 20
