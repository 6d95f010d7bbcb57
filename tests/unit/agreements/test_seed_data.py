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
    assert len(seeded) == 18
    for a in seeded.values():
        assert a.sources and all(s.publisher for s in a.sources), a.id
        assert a.date and a.id.startswith(a.date), a.id
        assert a.amount is None or a.currency == "USD"


def test_every_row_of_the_research_table_is_in_the_seed(seeded):
    path = shared_file("facts", "pakistan_deals_2025.csv")
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 17
    for row in rows:
        date = re.match(r"\d{4}(?:-\d{2})?(?:-\d{2})?", row["date"]).group(0)
        refs = [s.strip() for s in row["sources"].split(";")]
        matches = [a for a in seeded.values() if a.date == date and refs[0] in {s.publisher for s in a.sources}]
        assert matches, f"no agreement for {row['date']} {row['event'][:40]}"
        publishers = {s.publisher for a in matches for s in a.sources}
        assert set(refs) <= publishers, (row["date"], set(refs) - publishers)
        amount = re.sub(r"[^\d]", "", row["amount_usd"].split("(")[0])
        if amount:
            assert any(a.amount == float(amount) for a in matches), row["date"]


def test_disagreements_are_kept_side_by_side(seeded):
    nlc = seeded["2025-09-08-nlc-mota-engil-logistics-mou"]
    assert len(nlc.readings_of("parties")) == 2
    assert any("US Strategic Metals" in r.value for r in nlc.readings_of("parties"))
    ifc = seeded["2025-06-12-ifc-ida-reko-diq-loan"]
    assert {r.source for r in ifc.readings_of("amount")} == {"daily8.com (Reuters 13 Jun)",
                                                             "Profit (profit.pakistantoday.com.pk)"}
    exim = seeded["2025-12-10-exim-reko-diq-loan-approved"]
    assert [r.source for r in exim.readings_of("status")] == ["profit.pakistantoday.com.pk 2025/11/28",
                                                              "geo.tv 638560"]
    assert seeded["2025-04-ifc-reko-diq-debt-commitment"].amount == 300_000_000
    assert seeded["2025-04-us-reciprocal-tariff-announcement"].announced == "2025-04"


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
    assert exc.value.message.endswith("a.yaml: agreements[0] (x-1): currency: is required when an amount is given")
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
