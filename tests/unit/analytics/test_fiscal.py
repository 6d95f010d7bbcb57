"""Royalties and rents as data: resolution by project, mineral and period, readings, and bad input."""

from pathlib import Path

import numpy as np
import pytest
import yaml

from maadan.analytics import economics as ec
from maadan.analytics import fiscal, params
from maadan.errors import DataFileError, InvalidInput

FISCAL = params.fiscal_dir()


def test_every_bundled_jurisdiction_loads_and_cites_its_values():
    for jid in fiscal.jurisdictions():
        j = fiscal.load_jurisdiction(jid)
        for e in (*j.schedule, *j.agreements):
            for lv in e.levies:
                assert lv.basis.value in ec.BASES
                assert lv.rate.source or lv.rate.assumption or lv.rate.value is None, (jid, e.id)


def test_the_agreement_overrides_the_schedule_for_its_project_only():
    rd = fiscal.resolve("PK-BA", "reko-diq", ["copper", "gold"], 2025, 2064, 2029)
    assert {lv.name for lv in rd.levies} == {"royalty to Balochistan", "federal net smelter return",
                                             "export processing zone surcharge"}
    other = fiscal.resolve("PK-BA", "some-prospect", ["chromite"], 2025, 2030, 2027)
    assert [lv.name for lv in other.levies] == ["royalty (provincial schedule)"]
    assert not other.provenance["fiscal.pk-ba-rules-2002.royalty (provincial schedule).rate_pct"].verified
    rent = next(fp for fp in other.fixed if fp.name == "annual rent (government land)")
    assert rent.then_musd == pytest.approx(100_000 / 278.55 / 1e6)  # Rs 100,000 at the SBP rate


def test_advance_royalties_stop_at_production_and_respect_the_cap():
    rd = fiscal.resolve("PK-BA", "reko-diq", ["copper", "gold"], 2023, 2064, 2029)
    adv = next(fp for fp in rd.fixed if fp.name == "advance royalty")
    years = np.arange(2023, 2035)
    paid = adv.schedule(years, 2029)
    assert paid.tolist()[:6] == [5, 7.5, 10, 10, 10, 7.5]  # 2028 capped: 50 in all
    assert paid.sum() == pytest.approx(50) and paid[6:].sum() == 0
    delayed = adv.schedule(years, 2026)
    assert delayed.tolist()[:4] == [5, 7.5, 10, 0]


def test_saindak_readings_and_periods():
    preferred = fiscal.resolve("PK-BA", "saindak", ["copper", "gold"], 2020, 2030, 2002)
    royalty = [lv for lv in preferred.levies if lv.name == "royalty to Balochistan"]
    rates = {p.first_year: p.rate_pct for lv in royalty for p in lv.periods}
    assert rates == {2020: 5.0, 2023: 6.5}  # lease to Oct 2022, the 2022 extension from Nov 2022
    alt = fiscal.resolve("PK-BA", "saindak", ["copper"], 2020, 2030, 2002, readings=["saindak-report-2005"])
    assert {p.first_year: p.rate_pct for lv in alt.levies for p in lv.periods} == {2020: 2.0, 2023: 6.5}
    assert any(chosen for _, _, chosen in alt.readings["saindak-royalty-2002"])
    with pytest.raises(InvalidInput, match="readings: saindak-extension-2022, saindak-extension-lease-terms, "
                       "saindak-lease-2002, saindak-report-2005"):
        fiscal.resolve("PK-BA", "saindak", ["copper"], 2020, 2030, 2002, readings=["saindak-1999"])


def test_sindh_coal_royalty_on_pit_mouth_value_with_a_rupee_minimum():
    sd = fiscal.resolve("PK-SD", "thar-block-ii", ["coal"], 2025, 2030, 2019)
    lv = sd.levies[0]
    assert lv.basis == "pit-mouth-value" and lv.periods[0].rate_pct == 7.5
    assert lv.periods[0].min_usd_per_t == pytest.approx(150 / 278.55)
    case = ec.Case("t", "t", 2025, (ec.Commodity("coal", "%", 1.0, "USD/t", 100, 100),),
                   (ec.Period(2025, 2026, 10, {"coal": 100}),), 0, 0, 0, (), (ec.Partner("A", 100),),
                   ec.Fiscal(0, 0, 1, 0, levies=sd.levies))
    f = ec.cash_flows(case)  # 7.5 % of US$1/t is below the Rs 150/t minimum: the minimum applies
    assert f.levies["coal royalty"].tolist() == pytest.approx([10 * 150 / 278.55] * 2)


def test_unknown_punjab_rates_stay_unknown_and_cannot_be_used():
    with pytest.raises(DataFileError, match="rate of 'royalty \\(as notified\\)' .* is unknown") as exc:
        fiscal.resolve("PK-PB", "a-quarry", ["limestone"], 2025, 2026, 2025)
    assert exc.value.line is not None and "PK-PB.yaml" in exc.value.message


def test_royalty_or_dead_rent_whichever_is_higher():
    lv = ec.Levy("royalty", "state", "gross-sale-proceeds", (ec.RatePeriod(2025, None, 5.0),), dead_rent_musd=2.0,
                 higher_of_dead_rent=True)
    case = ec.Case("t", "t", 2025, (ec.Commodity("copper", "%", 10_000, "USD/t", 100, 100),),
                   (ec.Period(2025, 2026, 1, {"copper": 0.1}),), 0, 0, 0, (), (ec.Partner("A", 100),),
                   ec.Fiscal(0, 0, 1, 0, levies=(lv,)))
    f = ec.cash_flows(case)  # 1 Mt x 0.1 % = 1,000 t x 10,000 = 10 MUSD; 5 % = 0.5 < dead rent 2
    assert f.levies["royalty"].tolist() == pytest.approx([2.0, 2.0])


def _write(tmp_path: Path, data: dict) -> str:
    p = tmp_path / "XX.yaml"
    p.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return str(p)


def _base() -> dict:
    return yaml.safe_load((FISCAL / "PK-BA.yaml").read_text(encoding="utf-8"))


def test_a_royalty_basis_the_economics_cannot_compute_names_file_line_and_key(tmp_path):
    d = _base()
    d["agreements"][0]["levies"][1]["basis"]["value"] = "net-profit"
    path = _write(tmp_path, d)
    with pytest.raises(DataFileError) as exc:
        fiscal.load_jurisdiction(path)
    msg = exc.value.message
    assert "XX.yaml" in msg and "agreements[0].levies[1].basis" in msg and "'net-profit'" in msg
    assert "gross-sale-proceeds, net-smelter-return, pit-mouth-value" in msg
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    assert "net-profit" in lines[exc.value.line - 1] or "basis" in lines[exc.value.line - 1]


@pytest.mark.parametrize("edit, message", [
    (lambda d: d["agreements"][0]["levies"][0]["rate_pct"].update(value=120), "between 0 and 100"),
    (lambda d: d["agreements"][0].update(sharing=5), "unknown key 'sharing'"),
    (lambda d: d["agreements"][0].pop("from"), "missing key 'from'"),
    (lambda d: d["agreements"][0].update(to="2020-01-01"), "ends .* before it starts"),
    (lambda d: d["agreements"][2].update(preferred=True), "exactly one preferred reading"),
    (lambda d: d["agreements"][3].update(**{"from": "2020-01-01"}), "must not overlap"),
    (lambda d: d["schedule"].append(dict(d["schedule"][0], id="again")), "versions of the schedule must not overlap"),
    (lambda d: d["agreements"][0]["levies"][0]["rate_pct"].update(confidence="X"), "confidence must be H, M or L"),
    (lambda d: d.update(schema="maadan.fiscal/9"), "expected 'maadan.fiscal/2'"),
])
def test_bad_fiscal_files_name_file_line_and_key(tmp_path, edit, message):
    d = _base()
    edit(d)
    with pytest.raises(DataFileError, match=message) as exc:
        fiscal.load_jurisdiction(_write(tmp_path, d))
    assert exc.value.line is not None and "XX.yaml" in exc.value.message


def test_bundled_values_need_a_source(tmp_path):
    from maadan.analytics import yamlfile
    d = _base()
    d["agreements"][0]["levies"][0]["rate_pct"].pop("source")
    doc = yamlfile.parse("data/fiscal/PK-BA.yaml", yaml.safe_dump(d, sort_keys=False))
    with pytest.raises(DataFileError, match="no source, legal_basis, assumption or derived note") as exc:
        fiscal.parse_jurisdiction(doc, bundled=True)
    assert exc.value.line is not None


def test_a_case_with_a_bad_fiscal_file_fails_before_anything_is_computed(tmp_path):
    d = _base()
    d["agreements"][0]["levies"][0]["basis"] = {"value": "turnover", "source": "x", "verified": True}
    fiscal_path = _write(tmp_path, d)
    case = yaml.safe_load((FISCAL / "cases" / "reko-diq.yaml").read_text(encoding="utf-8"))
    case["fiscal"] = fiscal_path
    cp = tmp_path / "case.yaml"
    cp.write_text(yaml.safe_dump(case), encoding="utf-8")
    with pytest.raises(DataFileError, match="royalty basis 'turnover' cannot be computed"):
        params.load_case(str(cp))


def test_names_are_ids_never_paths(tmp_path):
    """A jurisdiction, case or scenario id is looked up among the bundled files; a bundled case cannot
    reach a user's file, and a user's case file cannot make a parent jurisdiction a path."""
    from maadan.analytics import scenarios
    from maadan.errors import NotFound
    for name in ("../cases/reko-diq", "cases/reko-diq", "US-tariffs", "/etc/passwd"):
        with pytest.raises(NotFound):
            fiscal.load_jurisdiction(name, files=False)
    assert scenarios.scenario_file("../cases/reko-diq") is None
    assert scenarios.scenario_file("reko-diq") is not None
    other = tmp_path / "other.yaml"
    other.write_text((FISCAL / "PK-SD.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(NotFound):
        fiscal.chain(str(other), files=False)
    d = yaml.safe_load((FISCAL / "PK-SD.yaml").read_text(encoding="utf-8"))
    d["parent"] = str(other)
    child = tmp_path / "child.yaml"
    child.write_text(yaml.safe_dump(d), encoding="utf-8")
    with pytest.raises(NotFound):
        fiscal.chain(str(child))  # the parent is an id even in a user's file
