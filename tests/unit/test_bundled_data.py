"""Checks over every bundled data file: cited, parseable, consistent."""

import csv
from collections import Counter, defaultdict

import pytest
import yaml

from maadan.ingest import reference
from maadan.ingest.reference import data_dir
from maadan.minerals.shares import series_tables
from tests.conftest import bundled_project_count


@pytest.fixture(scope="module")
def catalogue():
    return reference.load_mineral_catalogue()


def test_every_csv_row_has_a_source():
    files = sorted(data_dir().rglob("*.csv"))
    assert len(files) >= 6
    for path in files:
        with path.open(encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        assert rows, path
        if path.name == "organisations.csv":  # cited claim by claim in organisation_sources.yaml instead
            assert "source" not in rows[0], "organisations.csv: the retired source column is back"
            cited = yaml.safe_load((path.parent / "organisation_sources.yaml").read_text(encoding="utf-8"))
            empty = [i + 2 for i, r in enumerate(rows) if not cited["organisations"].get(r["id"], {}).get("name")]
        else:
            assert "source" in rows[0], f"{path.name} has no source column"
            empty = [i + 2 for i, r in enumerate(rows) if not (r["source"] or "").strip()]
        assert not empty, f"{path.name}: rows without source on lines {empty[:10]}"


def test_organisations_csv_with_the_retired_source_column_is_refused_saying_where(tmp_path, monkeypatch):
    from maadan.errors import DataFileError

    for name in ("organisations.csv", "organisation_sources.yaml", "sources.yaml"):
        (tmp_path / name).write_bytes((data_dir() / name).read_bytes())
    lines = (tmp_path / "organisations.csv").read_text(encoding="utf-8").splitlines()
    lines = [lines[0] + ",source"] + [line + "," for line in lines[1:]]
    (tmp_path / "organisations.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setattr(reference, "data_dir", lambda: tmp_path)
    with pytest.raises(DataFileError) as caught:
        reference.load_organisations()
    assert "source" in str(caught.value) and "organisation_sources.yaml" in str(caught.value)
    assert caught.value.details["line"] == 1 and caught.value.details["column"] == "source"
    monkeypatch.undo()
    orgs = reference.load_organisations()  # the bundled file, without the column: every row cited
    assert len(orgs) == 64 and all(o.source for o in orgs)


def test_list_counts_match_the_official_lists(catalogue):
    lists, entries = reference.load_lists(catalogue)
    official = {c.id: c.official_count for c in lists}
    counted = Counter(e.list_id for e in entries if e.added_on is None)
    assert dict(counted) == official == {"usgs-2022": 50, "usgs-2025": 60, "doe-2023": 18, "eu-2023": 34}
    later = [(e.list_id, e.mineral_id, e.added_on.isoformat()) for e in entries if e.added_on]
    assert later == [("doe-2023", "metallurgical-coal", "2025-05-29")]


def test_usgs_2025_is_2022_plus_ten(catalogue):
    _, entries = reference.load_lists(catalogue)
    y22 = {e.mineral_id for e in entries if e.list_id == "usgs-2022"}
    y25 = {e.mineral_id for e in entries if e.list_id == "usgs-2025"}
    assert y22 <= y25
    assert y25 - y22 == {"boron", "copper", "lead", "metallurgical-coal", "phosphate", "potash", "rhenium",
                         "silicon", "silver", "uranium"}


def test_world_statistics_parse_and_cover_the_core_minerals(catalogue):
    stats = reference.load_world_statistics(catalogue)
    core = {"copper", "gold", "antimony", "chromium", "rare-earths", "lithium", "graphite", "cobalt", "nickel",
            "manganese", "zinc", "lead", "iron-ore", "tungsten", "gallium", "germanium"}
    covered = {s.mineral_id for s in stats if s.metric == "production"}
    assert core <= covered
    for s in stats:
        assert s.source and s.unit in reference.KNOWN_UNITS
        assert s.figure.value is None or s.figure.value >= 0


def test_shares_of_world_total_stay_within_100_percent(catalogue):
    stats = reference.load_world_statistics(catalogue)
    flagged = []
    for table in series_tables(stats):
        for row in table.rows:
            assert row.share_pct is None or 0 <= row.share_pct <= 100
            if row.exceeds_world:
                flagged.append((row.statistic.mineral_id, row.statistic.country, table.year))
    # The release gives the 2024 world kaolin total as 4,400 kt against 44,400 kt in 2023; the
    # countries above it are flagged rather than shown with shares above 100%.
    assert ("clays", "United States", 2024) in flagged
    assert {m for m, _, _ in flagged} == {"clays"}


def test_reliance_and_import_shares_are_percentages(catalogue):
    for r in reference.load_import_reliance(catalogue):
        assert r.figure.value is None or 0 <= r.figure.value <= 100
    totals = defaultdict(float)
    for s in reference.load_import_sources(catalogue):
        if s.share_pct is not None:
            assert 0 <= s.share_pct <= 100
            totals[(s.mineral_id, s.edition, s.period, s.category)] += s.share_pct
    assert totals and all(t <= 101 for t in totals.values()), max(totals.items(), key=lambda kv: kv[1])


def test_projects_are_cited_and_ownership_is_whole_or_marked(catalogue):
    orgs = reference.load_organisations()
    projects = reference.load_projects(catalogue, orgs)
    assert len(projects) == bundled_project_count()
    for p in projects:
        assert p.sources
        assert p.ownership_problems() == []
        assert all(f.source for f in p.facts)
        assert all(r.source for r in p.ownership)
        assert p.ownership_incomplete or any(r.basis == "equity" and r.complete for r in p.ownership)
    reko = next(p for p in projects if p.id == "reko-diq")
    assert not reko.ownership_incomplete
    assert reko.location.lat == pytest.approx(29.1297)


def test_organisations_are_cited():
    orgs = reference.load_organisations()
    assert len({o.id for o in orgs}) == len(orgs)
    assert all(o.source for o in orgs)
    names = {o.short_name or o.name for o in orgs}
    assert {"USSM", "FWO"} <= names or any("Strategic Metals" in o.name for o in orgs)
