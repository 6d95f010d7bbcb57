"""The bundled WGI political-stability table and its fixed mappings (docs/analytics.md §1, §2e, §8)."""

import pytest

from maadan.analytics import governance as gov


def test_bundled_table_holds_the_2023_estimates_checked_against_the_world_bank_api():
    t = gov.load()
    # values as the World Bank API gives them for GOV_WGI_PV.EST, date=2023 (DataBank of 2026-03-18)
    assert t["chn"].estimate == pytest.approx(-0.1744515, abs=1e-9)
    assert t["pakistan"].estimate == pytest.approx(-1.9403838, abs=1e-9)
    assert t["can"].estimate == pytest.approx(0.6267803, abs=1e-9)
    assert t["cod"].estimate == pytest.approx(-1.9812287, abs=1e-9)
    assert t["usa"].estimate == pytest.approx(-0.1931364, abs=1e-9)
    assert t["deu"].estimate == pytest.approx(0.50602, abs=1e-9)
    assert len({s.iso3 for s in t.values()}) == 211
    for left_out in ("guyana", "guy", "vgb", "r20", "kosovo"):  # labels that disagree with the API copy
        assert left_out not in t
    assert {s.year for s in t.values()} == {2023}
    assert all("GOV_WGI_PV.EST" in s.source and "CC BY 4.0" in s.source for s in t.values())


def test_usgs_spellings_and_qualifiers_find_their_country_and_the_rest_stays_unknown():
    assert gov.lookup("Congo (Kinshasa)").iso3 == "COD"
    assert gov.lookup("Korea, Republic of").iso3 == "KOR"
    assert gov.lookup("Côte d’Ivoire").iso3 == "CIV"
    assert gov.lookup("Burma").iso3 == "MMR"
    assert gov.lookup("Brazil (beneficiated)").iso3 == "BRA"
    assert gov.lookup("United States (crude)").iso3 == "USA"
    assert gov.lookup("PK").country == "Pakistan"
    for unknown in ("Other", "Other countries (rounded)", "United States and Canada", "World total", ""):
        assert gov.lookup(unknown) is None


def test_instability_mapping_is_the_fixed_normalisation():
    assert gov.instability(2.5) == 0.0
    assert gov.instability(-2.5) == 1.0
    assert gov.instability(0.0) == 0.5
    assert gov.instability(-3.1) == 1.0  # clipped
    assert gov.lookup("China").instability == pytest.approx((2.5 + 0.1744515) / 5)


def test_a_bad_row_is_an_error_naming_its_line(tmp_path):
    p = tmp_path / "wgi.csv"
    p.write_text("iso3,country,other_names,year,pv_estimate,source\n"
                 "AAA,Aland,,2023,0.5,src\nBBB,Bland,,2023,n/a,src\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 3"):
        gov.parse(p)
    p.write_text("iso3,country,other_names,year,pv_estimate,source\nAAA,Aland,,2023,0.5,\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 2"):
        gov.parse(p)
