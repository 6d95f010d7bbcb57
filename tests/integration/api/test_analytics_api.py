"""/api/analytics/...: the same data as the CLI, bounded, bad parameters -> 422 naming the field."""

import numpy_financial as npf
import pytest
from fastapi.testclient import TestClient

from maadan.config import load_settings
from maadan.http.app import create_app
from tests.conftest import bundled_project_count


@pytest.fixture
def read_client(seeded_db):
    """The real app on the shared seeded database, without the per-client budget: these tests make more
    compute requests a minute than one client may (the limits have their own tests, test_client_limits.py)."""
    app = create_app(load_settings({"MAADAN_DATABASE_URL": seeded_db.url, "MAADAN_CLIENT_RATE": "0"}))
    with TestClient(app) as c:
        yield c
    app.state.engine.dispose()


def test_criticality_and_one_mineral(read_client):
    r = read_client.get("/api/analytics/criticality")
    assert r.status_code == 200
    data = r.json()
    assert data["minerals"][0]["mineral"] == "gallium" and "WGI" in data["geopolrisk"]
    cu = read_client.get("/api/analytics/criticality/Cu").json()
    assert cu["mineral"] == "copper" and cu["net_import_reliance"]["published"] == "45"
    assert cu["geopolrisk_status"] == "computed" and cu["geopolrisk"] == pytest.approx(0.022615, abs=1e-6)
    assert "GOV_WGI_PV.EST" in data["governance_source"]
    ge = read_client.get("/api/analytics/criticality/germanium").json()  # no world production: no HHI
    assert ge["geopolrisk"] is None and ge["geopolrisk_status"] == "unknown" and "HHI" in ge["geopolrisk_note"]
    assert read_client.get("/api/analytics/criticality/unobtainium").status_code == 404


def test_validation(read_client):
    v = read_client.get("/api/analytics/validation").json()
    assert v["primary"]["auc"] == pytest.approx(0.6984, abs=1e-4)  # 0.7194 before beryllium (§2d)
    r = read_client.get("/api/analytics/validation", params={"list": "nato"})
    assert r.status_code == 422 and r.json()["details"][0]["field"].endswith("list")


def test_whatif(read_client):
    w = read_client.get("/api/analytics/whatif", params={"project": "reko-diq", "phase": "1"}).json()
    assert {s["mineral"] for s in w["supply"]} == {"copper", "gold"}
    r = read_client.get("/api/analytics/whatif", params={"project": "reko-diq", "phase": "1", "us_share": 140})
    assert r.status_code == 422 and "us_share" in r.json()["details"][0]["field"]
    r = read_client.get("/api/analytics/whatif", params={"add": 5, "unit": "carats", "mineral": "copper"})
    assert r.status_code == 422 and "not a mass" in r.json()["message"]
    w = read_client.get("/api/analytics/whatif", params={"project": "reko-diq", "phase": "1", "mineral": "copper",
                                                         "us_share": 50, "us_imports": 800, "us_imports_unit": "kt",
                                                         "us_imports_source": "test figure"}).json()
    (imp,) = w["us_imports"]
    assert imp["shipped"] == pytest.approx(120) and "test figure" in imp["sources"]
    r = read_client.get("/api/analytics/whatif", params={"project": "reko-diq", "phase": "1", "us_share": 50,
                                                         "us_imports": 800, "us_imports_unit": "kt"})
    assert r.status_code == 422 and "needs a source" in r.json()["message"]


def test_economics_with_tornado_agrees_with_numpy_financial(read_client):
    e = read_client.get("/api/analytics/economics/reko-diq", params=[("rate", 8), ("rate", 12)]).json()
    net = e["cash_flows"]["net"]
    assert e["npv"]["12.0"] == pytest.approx(npf.npv(0.12, net) / 1.12, abs=0.05)  # valued at 1 Jan 2025
    assert len(e["tornado"]["bars"]) == 8 and e["tornado"]["rate_pct"] == 8
    assert len(e["partners"]) == 6 and all(len(p["cash_flows"]) == len(net) for p in e["partners"])
    r = read_client.get("/api/analytics/economics/reko-diq", params={"rate": -100})
    assert r.status_code == 422 and r.json()["details"][0]["field"].startswith("rate")
    assert read_client.get("/api/analytics/economics/duddar").status_code == 404
    assert e["tornado"]["bars"][0]["inputs"] in ("verified", "derived", "assumption") or \
        e["tornado"]["bars"][0]["inputs"].startswith(("partly", "a choice"))
    bad = read_client.get("/api/analytics/economics/reko-diq", params={"reading": "../etc"})
    assert bad.status_code == 422 and bad.json()["details"][0]["field"].startswith("reading")


def test_validation_finance_scenarios_and_loss(read_client):
    v = read_client.get("/api/analytics/economics/reko-diq/validation").json()
    assert {c["key"] for c in v["checks"]} >= {"npv8_musd", "irr_pct", "lom_copper_kt"}
    f = read_client.get("/api/analytics/economics/reko-diq/finance", params={"paths": 1000}).json()
    assert f["us_view"]["lender"] == "US EXIM" and f["montecarlo"]["coverage"]["us_lender"] == "US EXIM"
    assert read_client.get("/api/analytics/economics/thar-block-ii/finance").status_code == 422  # no debt data
    s = read_client.get("/api/analytics/economics/reko-diq/scenarios").json()
    assert s["scenarios"][0]["id"] == "feasibility"
    assert read_client.get("/api/analytics/economics/saindak/scenarios").status_code == 404
    loss = read_client.get("/api/analytics/loss").json()
    assert any(m["mineral"] == "copper" and m["score_musd"] for m in loss["minerals"])
    check = read_client.get("/api/analytics/loss/check").json()
    assert check["rank_before"]["rho"] == pytest.approx(0.490, abs=0.01)
    short = read_client.get("/api/analytics/shortfall").json()
    assert any(m["mineral"] == "samarium" and m["score"] and m["borrowed_from_group"] for m in short["minerals"])
    sc = read_client.get("/api/analytics/shortfall/check").json()
    assert sc["rank"]["composite"]["rho"] == pytest.approx(0.490, abs=0.01) and sc["split"]["tuned_on_train"]
    assert sc["drivers"]["shortfall"] and "ShortfallCheckOut" in read_client.get("/openapi.json").text
    var = read_client.get("/api/analytics/shortfall/variants").json()
    assert [v["variant"] for v in var["variants"]] == ["V0", "V1", "V2", "V3", "V4", "V5", "V6", "V7", "V8"]
    assert "GOV_WGI_PV.EST" in var["governance_source"]
    assert var["variants"][0]["rho_all"] == pytest.approx(sc["rank"]["shortfall"]["rho"])
    assert var["chosen_on_train"] in {v["variant"] for v in var["variants"]}


def test_montecarlo_is_bounded_and_seeded(read_client):
    a = read_client.get("/api/analytics/montecarlo/reko-diq", params={"paths": 1000, "seed": 7}).json()
    b = read_client.get("/api/analytics/montecarlo/reko-diq", params={"paths": 1000, "seed": 7}).json()
    assert a["project_npv"] == b["project_npv"] and a["paths"] == 1000
    r = read_client.get("/api/analytics/montecarlo/reko-diq", params={"paths": 5_000_000})
    assert r.status_code == 422 and r.json()["details"][0]["field"].endswith("paths")


def test_screening_and_reports(read_client):
    s = read_client.get("/api/analytics/screening").json()
    assert len(s["candidates"]) == bundled_project_count() and s["candidates"][0]["reasons"]
    assert read_client.get("/api/analytics/screening", params={"profile": "../etc"}).status_code == 422
    r = read_client.get("/api/analytics/reports/mineral/copper.pdf")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf" and r.content[:5] == b"%PDF-"
    r = read_client.get("/api/analytics/reports/screening/us-investor.html")
    assert r.status_code == 200 and "Profile weights" in r.text and "<h2>Sources</h2>" in r.text
    assert read_client.get("/api/analytics/reports/mineral/copper.docx").status_code == 422
    # a name found by alias or close match may hold any character; the download name stays a plain slug
    r = read_client.get("/api/analytics/reports/mineral/Ʊcopper.html")
    assert r.status_code == 200 and r.headers["content-disposition"] == 'inline; filename="mineral-copper.html"'
    assert read_client.get("/api/analytics/reports/deposit/copper.pdf").status_code == 422
