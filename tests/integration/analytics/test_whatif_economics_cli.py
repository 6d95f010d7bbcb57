"""What-if of Reko Diq's output, the DCF and the Monte Carlo through the CLI."""

import numpy_financial as npf
import pytest
import yaml

from maadan.analytics.params import fiscal_dir


def test_reko_diq_phase_1_adds_to_world_copper_and_gold(acli):
    data = acli.json("whatif", "--project", "reko-diq", "--phase", "1")
    cu = next(s for s in data["supply"] if s["mineral"] == "copper")
    assert cu["input"] == {"value": 240, "unit": "kt/yr", "source": pytest.approx(cu["input"]["source"])}
    assert "nukta.com" in cu["input"]["source"]
    assert cu["conversion"] == "240 kt/yr = 240 thousand metric tons"
    assert (cu["world_before"], cu["world_after"]) == (23000, 23240)
    assert cu["share_before_pct"] is None
    assert cu["share_after_pct"] == pytest.approx(100 * 240 / 23240, abs=1e-3)
    assert (cu["rank_before"], cu["rank_after"], cu["countries_listed"]) == (None, 14, 15)
    assert cu["hhi_before"] == pytest.approx(1035, abs=1) and cu["hhi_after"] < cu["hhi_before"]
    au = next(s for s in data["supply"] if s["mineral"] == "gold")
    assert au["conversion"] == "300 koz/yr = 9.33104 metric tons"
    assert au["world_after"] == pytest.approx(3309.33104, abs=1e-3)
    assert any("ore (45 Mt/yr)" in s for s in data["skipped"])
    assert any("concentrate" in s for s in data["skipped"])


def test_us_import_concentration_needs_a_volume_then_changes(acli):
    data = acli.json("whatif", "--project", "reko-diq", "--phase", "1", "--mineral", "copper", "--us-share", "50")
    assert data["us_imports"] == []
    assert any("no import volumes" in s and "Refined copper" in s for s in data["skipped"])
    data = acli.json("whatif", "--project", "reko-diq", "--phase", "1", "--mineral", "copper", "--us-share", "50",
                     "--us-imports", "800", "--us-imports-unit", "kt", "--us-imports-source", "test figure")
    (imp,) = data["us_imports"]
    scale = 800 / 920
    assert imp["category"] == "Refined copper" and imp["shipped"] == pytest.approx(120)
    expected = sum((v * scale) ** 2 for v in (68, 16, 7, 6)) + (100 * 120 / 920) ** 2
    assert imp["hhi_before"] == pytest.approx(68**2 + 16**2 + 7**2 + 6**2)
    assert imp["hhi_after"] == pytest.approx(expected, abs=0.1)
    assert "test figure" in imp["sources"]


def test_whatif_bad_input(acli):
    code, _, err = acli("whatif", "--add", "5", "--unit", "carats", "--mineral", "copper")
    assert code == 2 and "not a mass" in err
    code, _, err = acli("whatif", "--add", "-5", "--unit", "kt", "--mineral", "copper")
    assert code == 2 and "non-negative" in err
    code, _, err = acli("whatif", "--project", "reko-diq", "--phase", "7")
    assert code == 2 and "Phase 1, Phase 2" in err
    code, _, err = acli("whatif", "--project", "reko-diq", "--phase", "1", "--us-share", "140")
    assert code == 2 and "between 0 and 100" in err


def test_hand_given_figure(acli):
    data = acli.json("whatif", "--add", "50", "--unit", "t/yr", "--mineral", "antimony")
    (sb,) = data["supply"]
    assert sb["share_before_pct"] == pytest.approx(0.25, abs=1e-6)  # Pakistan's own MCS row: 250 t of 100,000
    assert sb["share_after_pct"] == pytest.approx(100 * 300 / 100_050, abs=5e-4)  # JSON rounds to 0.001


def test_economics_npv_irr_agree_with_numpy_financial(acli):
    data = acli.json("economics", "--project", "reko-diq", "--discount", "8,10")
    net = data["cash_flows"]["net"]
    assert data["npv"]["8.0"] == pytest.approx(npf.npv(0.08, net) / 1.08, abs=0.01)  # valued at 1 Jan 2025
    assert data["irr_pct"] / 100 == pytest.approx(npf.irr(net), abs=1e-6)
    carried = next(p for p in data["partners"] if p["carried"])
    assert carried["irr_pct"] is None and "no sign change" in carried["irr_note"]
    assert min(carried["cash_flows"]) >= 0
    barrick = data["partners"][0]
    assert barrick["npv"]["8.0"] == pytest.approx(npf.npv(0.08, barrick["cash_flows"]) / 1.08, abs=0.01)
    assert data["government_take"]["us_tariff_absorbed"] == 0
    royalty = next(p for p in data["parameters"]
                   if p["parameter"] == "fiscal.reko-diq-2022.royalty to Balochistan.rate_pct")
    assert royalty["value"] == 5 and royalty["verified"] is True and "brecorder.com/news/40363029" in royalty["provenance"]
    basis = next(p for p in data["parameters"] if p["parameter"] == "fiscal.reko-diq-2022.royalty to Balochistan.basis")
    assert basis["value"] == "gross-sale-proceeds" and basis["verified"] is False
    assert data["government_take"]["by_levy"]["federal net smelter return"]["payee"] == "Government of Pakistan"
    tariff = next(p for p in data["parameters"] if p["parameter"] == "fiscal.us_tariff_pct")
    assert tariff["value"] == 19 and tariff["verified"] is True


def test_us_sales_pay_the_19_percent_tariff(acli):
    base = acli.json("economics", "--project", "Reko Diq", "--discount", "8")
    us = acli.json("economics", "--project", "Reko Diq", "--discount", "8", "--us-share", "20")
    revenue = sum(us["cash_flows"]["revenue"])
    assert us["government_take"]["us_tariff_absorbed"] == pytest.approx(revenue * 0.2 * 0.19, abs=0.06)
    assert us["npv"]["8.0"] < base["npv"]["8.0"]


def test_economics_bad_input(acli, tmp_path):
    code, _, err = acli("economics", "--project", "reko-diq", "--discount", "8,-100")
    assert code == 2 and "-100 % is refused" in err
    case = yaml.safe_load((fiscal_dir() / "cases" / "reko-diq.yaml").read_text(encoding="utf-8"))
    case["royalty_rate"] = 3
    bad = tmp_path / "case.yaml"
    bad.write_text(yaml.safe_dump(case), encoding="utf-8")
    code, out, err = acli("economics", "--params", str(bad), "--json")
    assert code == 2 and "unknown key 'royalty_rate'" in err
    code, _, err = acli("economics", "--project", "duddar")
    assert code == 2 and "Unknown economics case 'duddar'" in err and "reko-diq" in err


def test_economics_table_lists_assumptions(acli):
    code, out, _ = acli("economics", "--project", "reko-diq")
    assert code == 0
    assert "IRR of Government of Balochistan (free-carried) undefined: no sign change" in out
    assert "opex_usd_per_t_ore = 13.6184 USD/t ore: derived:" in out
    assert "fiscal.reko-diq-2022.royalty to Balochistan.basis = gross-sale-proceeds: ASSUMPTION" in out


def test_economics_validation_finance_and_scenarios(acli, tmp_path):
    data = acli.json("economics", "--project", "reko-diq", "--validate", "--finance", "--scenarios")
    checks = {c["key"]: c for c in data["validation"]["checks"]}
    assert checks["npv8_musd"]["within"] and checks["irr_pct"]["within"]
    assert {d["input"] for d in data["validation"]["derivation"]} >= {"operating cost", "sustaining capital"}
    fin = data["finance"]
    assert fin["debt_musd"] == 3600 and fin["us_view"]["lender"] == "US EXIM"
    assert fin["us_view"]["amount_musd"] == 1250 and fin["min_dscr"]["value"] > 1
    assert any(t["amount_musd"] is None and t["lender"] == "DFC" for t in fin["tranches"])
    ids = [s["id"] for s in data["scenarios"]]
    assert ids[0] == "feasibility" and "review-2026" in ids
    feas = data["scenarios"][0]
    assert feas["npv_musd"] == pytest.approx(data["npv"]["8.0"], abs=0.1)
    review = next(s for s in data["scenarios"] if s["id"] == "review-2026")
    assert review["npv_musd"] < feas["npv_musd"] and review["delay_years"]["value"] == 2
    chart = tmp_path / "scenarios.html"
    code, out, err = acli("economics", "--project", "reko-diq", "--scenario-chart", str(chart))
    assert code == 0 and "Scenario chart written" in err and "2026 review" in out
    assert "<svg" in chart.read_text(encoding="utf-8") and "<script" not in chart.read_text(encoding="utf-8")


def test_saindak_readings(acli):
    base = acli.json("economics", "--project", "saindak")
    alt = acli.json("economics", "--project", "saindak", "--reading", "saindak-extension-lease-terms")
    assert [r["used"] for r in base["readings"]["saindak-royalty-2022"]] == [True, False]
    assert alt["npv"]["8.0"] > base["npv"]["8.0"]  # 5 % instead of 6.5 % of sales
    assert alt["government_take"]["by_levy"]["royalty to Balochistan"]["total"] < \
        base["government_take"]["by_levy"]["royalty to Balochistan"]["total"]


def test_montecarlo_is_reproducible(acli):
    a = acli.json("montecarlo", "--project", "reko-diq", "--paths", "5000", "--seed", "7", "--chunk", "2000")
    b = acli.json("montecarlo", "--project", "reko-diq", "--paths", "5000", "--seed", "7", "--chunk", "2000")
    a.pop("seconds"), b.pop("seconds")
    assert a == b
    assert a["partners"]["Government of Balochistan (free-carried)"]["prob_loss_pct"] == 0
    assert a["assumptions"]["vol_pct"] == {"copper": 25.0, "gold": 15.0}
    assert a["coverage"]["us_lender"] == "US EXIM" and a["equity_npv"] is not None
    plain = acli.json("montecarlo", "--project", "reko-diq", "--paths", "500", "--unlevered")
    assert plain["coverage"] is None


def test_economics_tornado_chart(acli, tmp_path):
    out = tmp_path / "tornado.html"
    code, stdout, err = acli("economics", "--project", "reko-diq", "--tornado", str(out))
    assert code == 0 and "Tornado chart of 8 inputs" in err and "Sensitivities" in stdout
    page = out.read_text(encoding="utf-8")
    assert page.count("<rect") == 16 and "start delay" in page and "<script" not in page
    png = tmp_path / "tornado.png"
    assert acli("economics", "--project", "reko-diq", "--tornado", str(png))[0] == 0
    assert png.read_bytes()[:4] == b"\x89PNG"
    code, _, err = acli("economics", "--project", "reko-diq", "--tornado", str(tmp_path / "t.jpg"))
    assert code == 2 and ".png or .html" in err
