"""The knowledge base through the CLI, on every backend."""

import json

import pytest


@pytest.mark.parametrize("list_id, count", [("usgs-2022", 50), ("usgs-2025", 60), ("eu-2023", 34)])
def test_list_counts_match_the_official_lists(cli, list_id, count):
    data = cli.json("minerals", "list", "--list", list_id)
    assert data["count"] == count
    assert data["lists"][0]["official_count"] == count


def test_doe_list_has_18_and_shows_metallurgical_coal_with_its_date(cli):
    data = cli.json("minerals", "list", "--list", "doe-2023")
    added = [m for m in data["minerals"] if m["lists"]["doe-2023"]["added_on"]]
    assert data["count"] - len(added) == 18
    assert [(m["id"], m["lists"]["doe-2023"]["added_on"]) for m in added] == [("metallurgical-coal", "2025-05-29")]
    code, out, _ = cli("minerals", "list", "--list", "doe-2023")
    assert code == 0 and "18 entries" in out and "added 2025-05-29" in out


def test_eu_strategic_entries_are_marked(cli):
    data = cli.json("minerals", "list", "--list", "eu-2023")
    strategic = {m["id"] for m in data["minerals"] if m["lists"]["eu-2023"]["strategic"]}
    assert {"lithium", "copper", "tungsten", "graphite"} <= strategic
    assert "antimony" not in strategic


def test_all_lists_side_by_side(cli):
    data = cli.json("minerals", "list")
    by_id = {m["id"]: m for m in data["minerals"]}
    assert set(by_id["copper"]["lists"]) == {"usgs-2025", "doe-2023", "eu-2023"}
    assert set(by_id["antimony"]["lists"]) == {"usgs-2022", "usgs-2025", "eu-2023"}
    assert all(e["source"] for m in data["minerals"] for e in m["lists"].values())


def test_unknown_list_is_refused(cli):
    code, out, err = cli("minerals", "list", "--list", "usgs-1999", "--json")
    assert code == 2
    assert json.loads(out)["error"] == "invalid_input"
    assert "usgs-2025" in err


def test_copper_facts(cli):
    data = cli.json("minerals", "show", "copper")
    assert data["mineral"]["id"] == "copper"
    assert {e["list_id"] for e in data["entries"]} == {"usgs-2025", "doe-2023", "eu-2023"}
    mine = [t for t in data["production"] if t["series"].startswith("Mine production")]
    assert {t["year"] for t in mine} == {2023, 2024}
    t2024 = next(t for t in mine if t["year"] == 2024)
    assert t2024["status"] == "estimated"
    assert t2024["world"]["figure"]["value"] == 23000
    chile = next(r for r in t2024["rows"] if r["statistic"]["country"] == "Chile")
    assert chile["statistic"]["figure"]["value"] == 5300
    assert chile["share_pct"] == pytest.approx(23.04)
    assert "MCS2025_World_Data.csv" in chile["statistic"]["source"]
    reserves = next(t for t in data["reserves"] if t["series"].startswith("Mine production"))
    assert reserves["world"]["figure"]["value"] == 980000
    nir = {r["year"]: r["figure"]["value"] for r in data["reliance"] if r["edition"] == "MCS 2025"}
    assert sorted(nir) == [2020, 2021, 2022, 2023, 2024]
    assert nir[2024] == 45
    ranked = [s["country"] for s in data["import_sources"] if s["edition"] == "MCS 2025"]
    assert ranked[:4] == ["Chile", "Canada", "Mexico", "Peru"]
    assert data["sources"] and data["missing"] == []


def test_shares_never_exceed_100_percent(cli):
    # Country figures may add up to more than USGS's rounded world total (antimony 2024 does), but
    # no single country's share can exceed it.
    for name in ("copper", "antimony", "graphite", "cobalt", "gallium", "rare earths", "lithium"):
        data = cli.json("minerals", "show", name)
        for t in data["production"] + data["reserves"]:
            assert all(0 <= (r["share_pct"] or 0) <= 100 for r in t["rows"]), (name, t["series"], t["year"])


def test_withheld_and_unknown_are_never_zero(cli):
    data = cli.json("minerals", "show", "germanium")
    rows = [r for t in data["production"] for r in t["rows"]]
    assert rows and all(r["statistic"]["figure"]["value"] is None for r in rows)
    assert {r["statistic"]["figure"]["status"] for r in rows} <= {"no-data", "withheld"}
    code, out, _ = cli("minerals", "show", "germanium")
    assert code == 0 and "unknown" in out
    barite = cli.json("minerals", "show", "barite")
    us = [r for t in barite["production"] for r in t["rows"] if r["statistic"]["country"] == "United States"]
    assert us and all(r["statistic"]["figure"]["status"] == "withheld" for r in us)
    code, out, _ = cli("minerals", "show", "barite")
    assert "W (withheld)" in out


def test_net_exporter_is_shown_as_such(cli):
    data = cli.json("minerals", "show", "gold")
    statuses = {r["figure"]["status"] for r in data["reliance"]}
    assert "net-exporter" in statuses and statuses <= {"net-exporter", "not-available"}
    code, out, _ = cli("minerals", "show", "gold")
    assert "E (net exporter)" in out


@pytest.mark.parametrize("alias, mineral_id", [("REE", "rare-earths"), ("chromite", "chromium"),
                                               ("natural graphite", "graphite"), ("PGM", "platinum-group-metals")])
def test_aliases_work_on_the_command_line(cli, alias, mineral_id):
    assert cli.json("minerals", "show", alias)["mineral"]["id"] == mineral_id


def test_unknown_mineral_exits_2_with_suggestions(cli):
    code, out, err = cli("minerals", "show", "antimonny")
    assert code == 2
    assert "antimony" in err
    code, out, err = cli("minerals", "show", "antimonny", "--json")
    body = json.loads(out)
    assert code == 2 and body["error"] == "not_found" and "antimony" in body["details"]["suggestions"]


def test_human_output_names_sources(cli):
    code, out, _ = cli("minerals", "show", "antimony")
    assert code == 0
    assert "doi:10.5066/P13XCP3R" in out
    assert "Pakistan" in out  # Pakistan is listed individually for antimony in MCS 2025
