"""The Reko Diq case reproduces the published feasibility figures with sourced inputs (issue 17, drift test)."""

import pytest

from maadan.analytics import calibration, params

CASE = params.load_case("reko-diq")


def test_the_model_reproduces_the_published_case_within_the_stated_tolerances():
    checks = {c.key: c for c in calibration.validate(CASE)}
    for key, tol in calibration.TOLERANCES.items():
        c = checks[key]
        assert abs(c.difference_pct) <= 100 * tol, (key, c.published, c.model)
        assert c.within
    # NPV and IRR are not used by the derivation: they are the independent checks.
    assert checks["npv8_musd"].role == checks["irr_pct"].role == "independent check"


def test_the_derived_inputs_in_the_case_file_are_the_derivation():
    """Edit a published figure or a sourced input and this fails until the derived values are recomputed:
    the case follows the published figures, not the other way round."""
    steps = {s.name: s.value for s in calibration.derive(CASE)}
    cu = next(c for c in CASE.commodities if c.id == "copper")
    au = next(c for c in CASE.commodities if c.id == "gold")
    assert cu.recovery_pct == pytest.approx(steps["copper recovery"], rel=1e-5)
    assert au.recovery_pct == pytest.approx(steps["gold recovery"], rel=1e-5)
    assert cu.payable_pct == pytest.approx(steps["payable share"], rel=1e-5) == au.payable_pct
    assert CASE.sustaining_musd_per_yr == pytest.approx(steps["sustaining capital"], rel=1e-5)
    assert CASE.opex_usd_per_t_ore == pytest.approx(steps["operating cost"], rel=1e-5)
    assert CASE.fiscal.tax.capped_pct == pytest.approx(steps["income tax after the holiday"], rel=1e-4)


def test_every_input_is_sourced_derived_or_a_stated_assumption():
    for key, cited in CASE.provenance.items():
        if isinstance(cited, params.Cited):
            assert cited.verified or cited.derived or cited.assumption or cited.source, key
    # The feasibility prices, throughput, royalty rates and Phase 1 capital are published figures.
    for key in ("commodities.copper.price", "commodities.gold.price", "schedule[1].ore_mt", "capex[0].total_musd",
                "fiscal.reko-diq-2022.royalty to Balochistan.rate_pct",
                "fiscal.reko-diq-2022.federal net smelter return.rate_pct"):
        assert CASE.provenance[key].verified, key


def test_government_figures_that_disagree_are_reported_not_hidden():
    checks = {c.key: c for c in calibration.validate(CASE)}
    assert checks["royalties_and_taxes_30y_musd"].within is None  # no tolerance: shown with its difference
    assert checks["royalties_and_taxes_30y_musd"].difference_pct > 50
