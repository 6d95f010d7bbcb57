"""Issue 20's checks over the bundled knowledge: every claim of every agreement, deposit or project
and organisation cites a page (URL), its publication date and the words that support it (a short
quote); every "as of" date is no newer than the newest source of its claim; every conflicting reading
keeps both sides, each cited; every page in the source catalogue is cited somewhere."""

from __future__ import annotations

from collections import defaultdict

import pytest
import yaml

from maadan.agreements.model import References
from maadan.evidence import fields
from maadan.evidence.model import QUOTE_LIMIT, latest_date
from maadan.ingest import reference
from maadan.ingest.agreement_data import load_agreements
from maadan.ingest.citations import undated_sources
from maadan.ingest.reference import data_dir, rel


@pytest.fixture(scope="module")
def bundle():
    catalogue = reference.load_mineral_catalogue()
    orgs = reference.load_organisations({m.id for m in catalogue.minerals})
    projects = reference.load_projects(catalogue, orgs)
    agreements = load_agreements(References(minerals=frozenset(m.id for m in catalogue.minerals),
                                            organisations=frozenset(o.id for o in orgs),
                                            projects=frozenset(p.id for p in projects)))
    names = {o.id: o.name for o in orgs} | {m.id: m.name for m in catalogue.minerals}
    path = data_dir() / "sources.yaml"
    return {"orgs": orgs, "projects": projects, "agreements": agreements, "names": names,
            "undated": undated_sources(path, rel(path))}


def _claims(bundle):
    """(record, claim) for every claim in the bundle; withdrawn agreements (retracted) are left out."""
    for a in bundle["agreements"]:
        if a.withdrawn is None:
            yield f"agreement {a.id}", a.claims()
    for p in bundle["projects"]:
        yield f"project {p.id}", p.claims(bundle["names"])
    for o in bundle["orgs"]:
        yield f"organisation {o.id}", o.claims(bundle["names"])


def test_every_bundled_claim_cites_a_page_its_date_and_a_quote(bundle):
    problems, count = [], 0
    for record, claims in _claims(bundle):
        for c in claims:
            count += 1
            cited = [s for s in c.sources if s.url and s.evidence and (s.date or s.url in bundle["undated"])]
            if not cited:
                problems.append(f"{record}: {c.key} ({c.value[:60]}) has no source with URL, date and quote")
            for s in c.sources:
                if s.evidence and len(s.evidence) > QUOTE_LIMIT:
                    problems.append(f"{record}: {c.key}: a quote of {len(s.evidence)} characters (limit {QUOTE_LIMIT})")
    assert count > 400
    assert not problems, "\n".join(problems[:40])


def test_every_as_of_is_no_newer_than_its_latest_source(bundle):
    problems = []
    for record, claims in _claims(bundle):
        for c in claims:
            if c.as_of:
                newest = latest_date(c.sources)
                if newest is None or fields.before(newest, c.as_of):
                    problems.append(f"{record}: {c.key} as of {c.as_of}, newest source {newest}")
    for a in bundle["agreements"]:
        for change in a.history:
            newest = latest_date(change.sources)
            if change.as_of and (newest is None or fields.before(newest, change.as_of)):
                problems.append(f"agreement {a.id}: {change.status} as of {change.as_of}, newest source {newest}")
    assert not problems, "\n".join(problems)
    # the statuses that change over time carry their "as of", unless every source of it is undated
    for p in bundle["projects"]:
        status = p.claims(bundle["names"])[0]
        assert status.key == "status"
        if any(s.date for s in status.sources):
            assert p.status_as_of, f"project {p.id}: a dated source supports its status, but it has no as_of"
        else:
            assert p.status_as_of is None and all(s.url in bundle["undated"] for s in status.sources), p.id
    assert {a.id: a.status_as_of for a in bundle["agreements"]}["2025-11-23-us-exim-reko-diq-loan"] == "2026-03-26"


def test_every_conflicting_reading_keeps_both_sides_each_cited(bundle):
    problems = []
    for a in bundle["agreements"]:
        groups = defaultdict(list)
        for r in a.readings:
            groups[r.field].append(r)
        for name, readings in groups.items():
            if len(readings) < 2:
                problems.append(f"agreement {a.id}: reading of {name} has one side")
            problems += [f"agreement {a.id}: reading {r.value!r} of {name} is not cited"
                         for r in readings if not (r.url and r.evidence)]
    for p in bundle["projects"]:
        groups = defaultdict(list)
        for f in p.facts:
            if f.reading:
                groups[(f.kind, f.reading)].append(f)
        for key, facts in groups.items():
            if len(facts) < 2 or sum(bool(f.preferred) for f in facts) != 1:
                problems.append(f"project {p.id}: reading {key} needs two sides and one preferred")
            problems += [f"project {p.id}: a side of {key} is not cited" for f in facts
                         if not any(s.url and s.evidence for s in f.sources)]
        if len(p.locations) > 1 and sum(loc.preferred for loc in p.locations) != 1:
            problems.append(f"project {p.id}: {len(p.locations)} locations need exactly one preferred")
    assert not problems, "\n".join(problems)
    # the readings the fact-check named are kept side by side
    reko = next(p for p in bundle["projects"] if p.id == "reko-diq")
    assert len(reko.locations) == 2 and len(reko.ownership) == 2
    exim = next(a for a in bundle["agreements"] if a.id == "2025-11-23-us-exim-reko-diq-loan")
    assert len([r for r in exim.readings if r.field == "amount"]) >= 2


def test_every_catalogue_entry_is_cited_and_every_citation_is_in_the_catalogue(bundle):
    catalogue = yaml.safe_load((data_dir() / "sources.yaml").read_text(encoding="utf-8"))["sources"]
    urls = {e["url"] for e in catalogue.values()}
    used = set()
    for a in bundle["agreements"]:
        used |= {s.url for s in a.all_sources()} | {r.url for r in a.readings}
    for p in bundle["projects"]:
        used |= {s.url for s in p.all_sources()}
    for o in bundle["orgs"]:
        used |= {s.url for _, sources in o.claim_sources for s in sources}
        used |= {s.url for c in o.corrections for s in c.sources}
    assert not urls - used, f"catalogue entries cited nowhere: {sorted(urls - used)[:10]}"
    bundled_urls = {u for u in used if u}
    assert bundled_urls <= urls, sorted(bundled_urls - urls)[:10]


def test_corrections_say_who_when_why_and_a_withdrawn_record_says_why(bundle):
    corrections = [c for a in bundle["agreements"] for c in a.corrections]
    corrections += [c for p in bundle["projects"] for c in p.corrections]
    corrections += [c for o in bundle["orgs"] for c in o.corrections]
    assert len(corrections) >= 30
    assert all(c.why and c.by and c.at and c.claim for c in corrections)
    withdrawn = [a for a in bundle["agreements"] if a.withdrawn is not None]
    assert [a.id for a in withdrawn] == ["2025-04-barrick-mari-energies-mou"]
    assert all(a.withdrawn.why and a.withdrawn.sources for a in withdrawn)


def test_a_bad_organisation_sources_file_names_the_file_line_and_key(tmp_path):
    from maadan.errors import DataFileError
    from maadan.ingest.organisation_data import load_organisation_sources

    catalogue = {"p": {"publisher": "P", "url": "https://p.example/1", "date": "2025-01-01"}}
    path = tmp_path / "organisation_sources.yaml"
    cases = {
        "organisations:\n  nobody:\n    name: [{ref: p, quote: q}]\n": ("line 2", "not an organisation id"),
        "organisations:\n  fwo:\n    colour: [{ref: p, quote: q}]\n": ("line 3", "unknown key 'colour'"),
        "organisations:\n  fwo:\n    name: [{ref: nope, quote: q}]\n": ("line 3", "unknown source 'nope'"),
        "organisations:\n  fwo:\n    name: [{ref: p}]\n": ("line 3", "needs the quoted words"),
        "organisations:\n  fwo:\n    name: []\n": ("line 3", "at least one source"),
    }
    for text, (line, message) in cases.items():
        path.write_text(text, encoding="utf-8")
        with pytest.raises(DataFileError) as exc:
            load_organisation_sources(path, "data/organisation_sources.yaml", catalogue, {"fwo"})
        assert line in exc.value.message and message in exc.value.message, exc.value.message
