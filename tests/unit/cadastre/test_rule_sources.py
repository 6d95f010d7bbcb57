"""Every value the rule files call verified carries a source, and that source appears in the research
files (../shared/facts) or in the docs (docs/rules.md lists the sources this project found itself).
A source is matched by every web address it cites (host and path, without scheme or www.), or, when
it cites none, by its own words."""

import re
from pathlib import Path

from maadan.cadastre.rule_files import load_rulesets
from maadan.cadastre.rulebook import entries
from tests.conftest import ROOT, shared_file

ADDRESS = re.compile(r"(?:https?://)?(?:www\.)?((?:[a-z0-9-]+\.)+[a-z]{2,}(?:/[^\s;,)]*)?)", re.IGNORECASE)


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u2013", "-").replace("\u2014", "-")).strip().lower()


def addresses(source: str) -> list[str]:
    """The web addresses a source cites, e.g. 'dawn.com/news/1539212' (a trailing full stop dropped)."""
    return [m.rstrip(".").lower() for m in ADDRESS.findall(source) if not re.fullmatch(r"[\d.]+", m)]


def _corpus(paths: list[Path]) -> str:
    return _norm("\n".join(p.read_text(encoding="utf-8") for p in paths))


def _found(source: str, corpus: str) -> list[str]:
    """What of `source` is missing from the corpus (empty: all found)."""
    cited = addresses(source)
    if not cited:
        return [] if _norm(source) in corpus else [source]
    return [a for a in cited if _norm(a) not in corpus]


def _verified(rulesets):
    for rs in rulesets:
        for e in entries(rs):
            if e.verified:
                yield f"{rs.jurisdiction}/{rs.version}.yaml {e.path}", e.source


def test_address_matching():
    assert addresses("Dawn 8 Mar 2020 (dawn.com/news/1539212); profit.pakistantoday.com.pk/?p=84440") == [
        "dawn.com/news/1539212", "profit.pakistantoday.com.pk/?p=84440"]
    assert addresses("https://www.urdupoint.com/en/x-1.html.") == ["urdupoint.com/en/x-1.html"]
    assert addresses("Huda & Panezai 2021, Geosciences 11(1)") == []
    assert _found("Business Recorder (brecorder.com/news/1)", _norm("see brecorder.com/news/2")) == ["brecorder.com/news/1"]


def test_every_verified_value_names_its_source():
    missing = [where for where, source in _verified(load_rulesets()) if not source]
    assert missing == []


def test_every_verified_source_appears_in_the_research_or_the_docs():
    research = sorted(shared_file("facts").glob("*.md"))
    corpus = _corpus(research + sorted((ROOT / "docs").glob("*.md")))
    problems = [f"{where}: {miss}" for where, source in _verified(load_rulesets())
                for miss in _found(source, corpus)]
    assert problems == [], "\n".join(problems)


def test_observations_of_practice_cite_the_research():
    research = sorted(shared_file("facts").glob("*.md"))
    corpus = _corpus(research + sorted((ROOT / "docs").glob("*.md")))
    problems = [f"{rs.jurisdiction}/{rs.version} {tt.code} {o.label}: {miss}"
                for rs in load_rulesets() for tt in rs.title_types.values() for o in tt.observations
                for miss in _found(o.source, corpus)]
    assert problems == [], "\n".join(problems)


def test_sources_found_by_this_project_are_listed_in_the_docs():
    """The addresses cited by verified values that the research does not hold are in docs/rules.md."""
    text = _norm((ROOT / "docs" / "rules.md").read_text(encoding="utf-8"))
    for address in ("dawn.com/news/1944268", "tribune.com.pk/story/2568554"):
        assert address in text
