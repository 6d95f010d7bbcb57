"""The bundled 2025 US–Pakistan timeline: every row of the research table is re-entered with its
sources, dates at their precision and amounts as given; the disagreements are kept as readings."""

from __future__ import annotations

import csv
import re

import pytest

from maadan.agreements.model import References
from maadan.ingest import reference
from maadan.ingest.agreement_data import load_agreements
from tests.conftest import shared_file


@pytest.fixture(scope="module")
def seeded():
    catalogue = reference.load_mineral_catalogue()
    orgs = reference.load_organisations({m.id for m in catalogue.minerals})
    projects = reference.load_projects(catalogue, orgs)
    refs = References(minerals=frozenset(m.id for m in catalogue.minerals),
                      organisations=frozenset(o.id for o in orgs), projects=frozenset(p.id for p in projects))
    return {a.id: a for a in load_agreements(refs)}


def test_every_bundled_agreement_is_cited_and_dated(seeded):
    assert len(seeded) >= 17
    for a in seeded.values():
        if a.withdrawn is not None:  # retracted as a whole: kept with the reason, no source supports it
            assert a.withdrawn.why and a.withdrawn.by and a.withdrawn.at and not a.sources, a.id
            continue
        assert a.sources and all(s.publisher for s in a.sources), a.id
        assert a.date and (a.id.startswith(a.date) or a.id.startswith(a.date[:7])), a.id
        assert a.amount is None or a.currency == "USD"


def _covers(a, day: str) -> bool:
    """Whether agreement `a` holds the research row dated `day`: by its date, a status change, a merged id
    or a date a correction changed."""
    dates = [a.date or "", *(c.date for c in a.history), *a.replaces,
             *(c.old for c in a.corrections if c.claim in ("announced", "signed", "effective") and c.old)]
    return any(d.startswith(day) or day.startswith(d[:len(day)]) and d[:len(day)] == day for d in dates)


def test_every_row_of_the_research_table_is_in_the_seed(seeded):
    path = shared_file("facts", "pakistan_deals_2025.csv")
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 17
    amounts = {a.amount for a in seeded.values()}
    for row in rows:
        day = re.match(r"\d{4}(?:-\d{2})?(?:-\d{2})?", row["date"]).group(0)
        assert any(_covers(a, day) for a in seeded.values()), f"no agreement for {row['date']} {row['event'][:40]}"
        amount = re.sub(r"[^\d]", "", row["amount_usd"].split("(")[0])
        if amount:
            assert float(amount) in amounts, row["date"]


def test_disagreements_are_kept_side_by_side(seeded):
    nlc = seeded["2025-09-08-nlc-mota-engil-logistics-mou"]
    assert len(nlc.readings_of("parties")) == 2
    assert any("US Strategic Metals" in r.value for r in nlc.readings_of("parties"))
    assert len(seeded["2025-06-12-ifc-ida-reko-diq-loan"].readings_of("amount")) == 2
    exim = seeded["2025-11-23-us-exim-reko-diq-loan"]
    assert [r.value for r in exim.readings_of("amount")] == [
        "US$1.25bn", "US$1.3bn, as the State Department fact sheet of 4 February 2026 is reported to give it",
        "approximately US$1bn committed, as reported in September 2025"]
    assert all(r.cited for r in exim.readings)
    assert seeded["2025-04-ifc-reko-diq-debt-commitment"].amount == 300_000_000
    assert seeded["2025-04-us-reciprocal-tariff-announcement"].announced == "2025-04"


def test_the_three_exim_rows_are_one_agreement_with_a_history(seeded):
    exim = seeded["2025-11-23-us-exim-reko-diq-loan"]
    assert set(exim.replaces) == {"2025-11-23-exim-reko-diq-loan-announced", "2025-12-10-exim-reko-diq-loan-approved",
                                  "2025-11-28-reko-diq-financing-structure-reported"}
    assert not set(exim.replaces) & set(seeded)
    assert [(c.status, c.date) for c in exim.history] == [("announced", "2025-11-23"), ("approved", "2025-11"),
                                                          ("deferred", "2026-02")]
    assert exim.status == "deferred" and exim.unsourced() == []


def test_organisation_profiles_are_cited_and_checked():
    catalogue = reference.load_mineral_catalogue()
    orgs = {o.id: o for o in reference.load_organisations({m.id for m in catalogue.minerals})}
    for o in orgs.values():
        if o.capabilities or o.minerals or o.regions or o.ownership:
            assert o.profile_source, o.id
    assert orgs["nlc"].capabilities == ("logistics",)
    assert orgs["ussm"].ownership is None  # not in the sources: unknown
    assert {"us-exim", "adb", "ifc", "nlc", "mota-engil"} <= set(orgs)


def test_a_bad_bundled_file_names_the_file_entry_and_field(tmp_path):
    from maadan.errors import DataFileError

    (tmp_path / "a.yaml").write_text("agreements:\n  - {id: x-1, title: T, kind: mou, sources: [s], amount: 5}\n")
    with pytest.raises(DataFileError) as exc:
        load_agreements(References(), tmp_path)
    assert exc.value.message.endswith("a.yaml, line 2, key 'currency': agreements[0] (x-1): currency: is required "
                                      "when an amount is given")
    (tmp_path / "a.yaml").write_text("agreements:\n  - {title: T, kind: mou, sources: [s]}\n")
    with pytest.raises(DataFileError, match="needs an explicit id"):
        load_agreements(References(), tmp_path)
    (tmp_path / "a.yaml").write_text("agreements: [ {id: x\n")
    with pytest.raises(DataFileError, match="not valid YAML"):
        load_agreements(References(), tmp_path)
    (tmp_path / "a.yaml").write_text("agreements:\n  - {id: x-1, title: T, kind: mou, sources: [s]}\n")
    (tmp_path / "b.yaml").write_text("agreements:\n  - {id: x-1, title: U, kind: mou, sources: [s]}\n")
    with pytest.raises(DataFileError, match="id 'x-1' is also used in"):
        load_agreements(References(), tmp_path)


def test_citations_in_bundled_files_name_the_line_and_key(tmp_path):
    from maadan.errors import DataFileError

    body = ("agreements:\n"
            "  - id: x-1\n"
            "    title: T\n"
            "    kind: loan\n"
            "    history:\n"
            "      - status: approved\n"
            "        date: 2025-11\n"
            "        sources:\n"
            "          - {ref: %s}\n"
            "    sources: [s]\n")
    (tmp_path / "a.yaml").write_text(body % "nowhere, quote: q")
    with pytest.raises(DataFileError) as exc:
        load_agreements(References(), tmp_path)
    assert "a.yaml, line 9, key 'ref': unknown source 'nowhere'" in exc.value.message
    (tmp_path / "a.yaml").write_text(body % "dawn-2025-11-24-exim")
    with pytest.raises(DataFileError, match=r"line 9, key 'quote': the citation of 'dawn-2025-11-24-exim' needs"):
        load_agreements(References(), tmp_path)
    (tmp_path / "a.yaml").write_text(body % "dawn-2025-11-24-exim, quote: q" + "    status: closed\n")
    with pytest.raises(DataFileError, match=r"line 11, key 'status': .*'closed' disagrees with the latest"):
        load_agreements(References(), tmp_path)
    (tmp_path / "a.yaml").write_text((body % "dawn-2025-11-24-exim, quote: q").replace("date: 2025-11", "date: 2025-13"))
    with pytest.raises(DataFileError, match=r"line 7, key 'history\[0\].date': .*month 13"):
        load_agreements(References(), tmp_path)
