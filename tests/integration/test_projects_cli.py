import json

import pytest

from tests.conftest import bundled_project_count


def test_reko_diq_owners_sum_to_100(cli):
    data = cli.json("projects", "show", "reko-diq")
    equity = [r for r in data["ownership"] if r["basis"] == "equity" and r["complete"]]
    assert equity, data["ownership"]
    assert sum(h["share_pct"] for h in equity[0]["holders"]) == pytest.approx(100, abs=0.1)
    names = {h["organisation_name"] for h in equity[0]["holders"]}
    assert any("Barrick" in n for n in names)
    assert data["facts"] and all(f["sources"] for f in data["facts"])
    kinds = {f["kind"] for f in data["facts"]}
    assert {"phase", "resource", "capex"} <= kinds
    assert data["sources"]


def test_reko_diq_keeps_conflicting_figures_side_by_side(cli):
    data = cli.json("projects", "show", "Reko Diq")
    capex = [f for f in data["facts"] if f["kind"] == "capex"]
    assert len({s["url"] for f in capex for s in f["sources"]}) >= 2
    assert len(data["locations"]) >= 2  # PorterGeo and Wikipedia disagree; both kept


def test_human_show(cli):
    code, out, _ = cli("projects", "show", "reko-diq")
    assert code == 0
    assert "Total" in out and "100" in out and "Sources" in out


def test_projects_and_deposits_lists(cli):
    projects = cli.json("projects", "list")
    assert projects["count"] >= 5
    assert all(p["kind"] == "project" for p in projects["items"])
    deposits = cli.json("deposits", "list")
    assert deposits["count"] == bundled_project_count()
    copper = cli.json("deposits", "list", "--commodity", "Cu", "--province", "balochistan")
    assert {"reko-diq", "saindak"} <= {p["id"] for p in copper["items"]}
    assert all(p["province"] == "Balochistan" for p in copper["items"])


def test_near_search_sorts_by_distance(cli):
    data = cli.json("deposits", "list", "--near", "29.13,62.06", "--within-km", "60")
    ids = [p["id"] for p in data["items"]]
    assert ids[0] == "reko-diq"
    assert "saindak" in ids
    assert data["items"][0]["distance_km"] < 1
    assert all(p["distance_km"] <= 60 for p in data["items"])


def test_near_search_counts_an_uncertain_location_from_its_edge(cli):
    # Chiniot-Rajoa is known only within 5 km of a point: a place 7 km from that point is 2 km from its area
    data = cli.json("deposits", "list", "--near", "31.756,72.9789", "--within-km", "3")
    row = next(p for p in data["items"] if p["id"] == "chiniot-rajoa-iron")
    assert row["location_kind"] == "circle" and row["radius_km"] == 5 and row["location_confidence"] == "low"
    assert 1.5 < row["distance_km"] < 2.5 and 6.5 < row["centre_km"] < 7.5
    # inside Thar Block II's box: distance 0, the box travels with the row
    thar = next(p for p in cli.json("deposits", "list", "--near", "24.80,70.30", "--within-km", "1")["items"]
                if p["id"] == "thar-block-ii")
    assert thar["distance_km"] == 0 and thar["bbox"] == [70.25, 24.7333, 70.4167, 24.85]
    # the unlocated ones say so and are left out of a distance search
    everything = cli.json("deposits", "list")["items"]
    unlocated = {p["id"] for p in everything if not p["located"]}
    assert len(unlocated) == len(everything) - 8 and "gunga-surmai" in unlocated
    assert not unlocated & {p["id"] for p in cli.json("deposits", "list", "--near", "29,66", "--within-km", "2000")["items"]}


@pytest.mark.parametrize("args, fragment", [
    (["--near", "62.06,29.13", "--within-km", "10"], None),  # valid but far from everything
    (["--near", "91,62", "--within-km", "10"], "latitude"),
    (["--near", "62.06", "--within-km", "10"], "LAT,LON"),
    (["--near", "29.1,62.0"], "--within-km"),
    (["--within-km", "5"], "--near"),
])
def test_bad_near_arguments(cli, args, fragment):
    code, out, err = cli("deposits", "list", *args, "--json")
    if fragment is None:
        assert code == 0 and json.loads(out)["count"] == 0
    else:
        assert code == 2 and fragment in err
        assert json.loads(out)["error"] == "invalid_input"


def test_unknown_project_suggests(cli):
    code, out, err = cli("projects", "show", "reko dik", "--json")
    assert code == 2
    assert "reko-diq" in json.loads(out)["details"]["suggestions"]


def test_unknown_commodity_filter(cli):
    code, _, err = cli("deposits", "list", "--commodity", "unobtainium")
    assert code == 2 and "unobtainium" in err
