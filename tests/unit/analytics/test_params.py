from pathlib import Path

import pytest
import yaml

from maadan.analytics import params
from maadan.errors import DataFileError, InvalidInput, NotFound

CASES = params.fiscal_dir() / "cases"


def test_bundled_fiscal_terms_carry_sources_and_flags():
    us = params.load_parameter_file("US-tariffs", params.TARIFF_PARAMS)
    value, cited, _ = us.value("us_tariff_pct", "reko-diq")
    assert value == 19 and cited.verified and "31 July 2025" in cited.legal_basis


def test_reko_diq_case_loads_with_every_value_cited():
    case = params.load_case("reko-diq")
    levies = {lv.name: lv for lv in case.fiscal.levies}
    assert [p.rate_pct for p in levies["royalty to Balochistan"].periods] == [5]
    assert levies["federal net smelter return"].basis == "net-smelter-return"
    assert levies["export processing zone surcharge"].periods[0].rate_pct == 0.5
    assert case.fiscal.us_tariff_pct == 19 and case.discount_offset == 1
    assert [p.equity_pct for p in case.partners] == [50, 10, 15, 8.33, 8.33, 8.33]
    assert [p.carried for p in case.partners] == [False, True, False, False, False, False]
    assert case.first_production_year == 2029 and case.last_production_year == 2064
    assert sum(c.amount_musd for c in case.capex) == pytest.approx(8830)
    unverified = dict(params.assumptions(case))
    assert "commodities.copper.recovery_pct" in unverified and "opex_usd_per_t_ore" in unverified
    assert "commodities.copper.price" not in unverified  # the feasibility price is published
    assert "schedule[1].ore_mt" not in unverified  # 45 Mtpa is sourced
    assert "fiscal.reko-diq-2022.royalty to Balochistan.basis" in unverified  # basis not stated
    assert "fiscal.reko-diq-2022.royalty to Balochistan.rate_pct" not in unverified
    for key, cited in unverified.items():
        assert cited.provenance() != "no source", key


def write(tmp_path: Path, data: dict) -> str:
    path = tmp_path / "case.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return str(path)


def base_case() -> dict:
    return yaml.safe_load((CASES / "reko-diq.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("edit, key", [
    (lambda d: d.update(royalty=5), "'royalty'"),
    (lambda d: d["commodities"]["copper"].update(grade=0.5), "key 'commodities.copper': unknown key 'grade'"),
    (lambda d: d["partners"][0].update(share=50), "key 'partners[0]': unknown key 'share'"),
    (lambda d: d["commodities"]["copper"]["price"].update(currency="USD"), "unknown key 'currency'"),
])
def test_unknown_keys_are_named(tmp_path, edit, key):
    d = base_case()
    edit(d)
    with pytest.raises(DataFileError, match="unknown key") as exc:
        params.load_case(write(tmp_path, d))
    assert key in exc.value.message and exc.value.line is not None


def test_user_files_may_use_bare_numbers_but_bad_values_are_refused(tmp_path):
    d = base_case()
    d["opex_usd_per_t_ore"] = 12
    case = params.load_case(write(tmp_path, d))
    assert case.opex_usd_per_t_ore == 12
    assert "no source" in case.provenance["opex_usd_per_t_ore"].note
    d["schedule"][0]["ore_mt"] = -45
    with pytest.raises(DataFileError, match="ore tonnage must be >= 0"):
        params.load_case(write(tmp_path, d))


@pytest.mark.parametrize("edit, message", [
    (lambda d: d["commodities"]["copper"].update(recovery_pct=120), "recovery must be between 0 and 100"),
    (lambda d: d["partners"][0].update(equity_pct=45), "sum to 94.99 %, not 100 %"),
    (lambda d: d.update(valuation="yesterday"), "valuation must be one of"),
    (lambda d: d.update(fiscal_readings=["no-such-reading"]), "no-such-reading"),
    (lambda d: d["capex"][0].update(phasing_pct={2025: 50, 2026: 40}), "shares sum to 90 %, not 100 %"),
    (lambda d: d["schedule"][0]["grades"].update(copper=-1), "copper grade must be >= 0"),
    (lambda d: d["schedule"][0].update(years="soon"), "years must be 'YYYY' or 'YYYY-YYYY'"),
])
def test_bad_case_values(tmp_path, edit, message):
    d = base_case()
    edit(d)
    with pytest.raises(InvalidInput, match=message):
        params.load_case(write(tmp_path, d))


def test_bundled_values_need_provenance(tmp_path):
    d = {"schema": "maadan.tariffs/1", "id": "X", "name": "x",
         "parameters": {"royalty_pct": [{"applies_to": "default", "value": 5, "verified": True}]}}
    with pytest.raises(DataFileError, match="no source, legal_basis, assumption or derived note"):
        params.parse_parameter_file("x.yaml", d, {"royalty_pct"})
    d["parameters"]["royalty_pct"][0].pop("verified")
    d["parameters"]["royalty_pct"][0]["source"] = "s"
    with pytest.raises(DataFileError, match="missing key 'verified'"):
        params.parse_parameter_file("x.yaml", d, {"royalty_pct"})
    d["parameters"]["vat_pct"] = []
    with pytest.raises(DataFileError, match="unknown key 'vat_pct'"):
        params.parse_parameter_file("x.yaml", d, {"royalty_pct"})


def test_missing_case_and_broken_yaml(tmp_path):
    with pytest.raises(NotFound, match="reko-diq"):
        params.load_case("reko-dik")
    bad = tmp_path / "bad.yaml"
    bad.write_text("schema: [unclosed", encoding="utf-8")
    with pytest.raises(DataFileError, match="not valid YAML"):
        params.load_case(str(bad))
    with pytest.raises(InvalidInput, match="no such file"):
        params.load_case(str(tmp_path / "absent.yaml"))
