from dataclasses import replace

import numpy as np
import numpy_financial as npf
import pytest

from maadan.analytics import economics as ec
from maadan.analytics.params import load_case
from maadan.errors import InvalidInput


def small_case(**fiscal) -> ec.Case:
    """One year of construction, two of production: easy to check by hand."""
    return ec.Case(
        project_id="t", name="test", start_year=2025,
        commodities=(ec.Commodity("copper", "%", 10_000, "USD/t", 90, 100),),
        schedule=(ec.Period(2026, 2027, 10, {"copper": 1.0}),),
        opex_usd_per_t_ore=20, offsite_pct_of_revenue=0, sustaining_musd_per_yr=0,
        capex=(ec.CapexItem("build", 2025, 1000),),
        partners=(ec.Partner("A", 60), ec.Partner("B", 30), ec.Partner("C", 10, carried=True, government=True)),
        fiscal=ec.Fiscal(**{"royalty_pct": 5, "income_tax_pct": 30, "depreciation_years": 2, "us_tariff_pct": 19,
                            **fiscal}),
    )


def test_hand_computed_cash_flows():
    f = ec.cash_flows(small_case())
    # 10 Mt x 1 % x 90 % = 90,000 t Cu x 10,000 USD/t = 900 MUSD; royalty 45; opex 10 Mt x 20 USD/t = 200
    assert f.revenue.tolist() == pytest.approx([0, 900, 900])
    assert f.royalty.tolist() == pytest.approx([0, 45, 45])
    assert f.opex.tolist() == pytest.approx([0, 200, 200])
    assert f.depreciation.tolist() == pytest.approx([0, 500, 500])
    assert f.tax.tolist() == pytest.approx([0, 0.3 * 155, 0.3 * 155])
    assert f.net.tolist() == pytest.approx([-1000, 655 - 46.5, 655 - 46.5])


def test_us_tariff_on_us_sales():
    f = ec.cash_flows(small_case(us_sales_share_pct=50, tariff_incidence_pct=100))
    assert f.tariff.tolist() == pytest.approx([0, 900 * 0.5 * 0.19, 900 * 0.5 * 0.19])


def test_losses_carried_forward_match_an_explicit_loop():
    rng = np.random.default_rng(3)
    taxable = rng.normal(0, 100, size=(200, 30))
    got = ec.income_tax(taxable, 29)
    losses = np.zeros(200)
    for t in range(30):
        income = taxable[:, t] - losses
        assert got[:, t] == pytest.approx(0.29 * np.maximum(income, 0), abs=1e-9)
        losses = np.maximum(-income, 0)


def test_partners_sum_to_the_project_and_the_carried_partner_pays_nothing():
    case = small_case()
    f = ec.cash_flows(case)
    pf = ec.partner_flows(f.net, case.partners)
    assert pf.sum(axis=0) == pytest.approx(f.net)
    assert pf[2, 0] == 0.0  # carried through construction
    assert pf[:, 0] == pytest.approx([-1000 * 60 / 90, -1000 * 30 / 90, 0])
    assert pf[:, 1] == pytest.approx(f.net[1] * np.array([0.6, 0.3, 0.1]))


def test_npv_and_irr_agree_with_numpy_financial_on_the_reko_diq_case():
    e = ec.evaluate(load_case("reko-diq"), [0, 8, 10, 12.5])
    assert e.case.discount_offset == 1  # valued at the start of 2025, end-of-year flows
    for r in e.rates_pct:
        assert e.npv[r] == pytest.approx(npf.npv(r / 100, e.flows.net) / (1 + r / 100), rel=1e-12)
    assert e.irr.value_pct / 100 == pytest.approx(npf.irr(e.flows.net), abs=1e-9)
    for p in e.partners:
        if p.irr.value_pct is not None:
            assert p.irr.value_pct / 100 == pytest.approx(npf.irr(p.cash_flows), abs=1e-9)
        assert p.npv[8] == pytest.approx(npf.npv(0.08, p.cash_flows) / 1.08, rel=1e-12)
    assert sum(p.npv[8] for p in e.partners) == pytest.approx(e.npv[8])


@pytest.mark.parametrize("seed", range(20))
def test_irr_agrees_with_numpy_financial_on_conventional_flows(seed):
    rng = np.random.default_rng(seed)
    cf = np.concatenate([-rng.uniform(50, 200, rng.integers(1, 4)), rng.uniform(5, 60, rng.integers(3, 40))])
    assert ec.irr(cf).value_pct / 100 == pytest.approx(npf.irr(cf), abs=1e-9)
    assert ec.npv(7, cf) == pytest.approx(npf.npv(0.07, cf))


def test_irr_undefined_without_sign_change_and_several_roots_flagged():
    r = ec.irr([100, 50, 20])
    assert r.value_pct is None and "no sign change" in r.reason and "positive" in r.reason
    assert ec.irr([-1, -2]).value_pct is None
    multi = ec.irr([-100, 230, -132])  # roots at 10 % and 20 %
    assert multi.value_pct is None
    assert multi.roots_pct == pytest.approx((10.0, 20.0))
    assert "no single IRR" in multi.reason


@pytest.mark.parametrize("rate", [-100, -150])
def test_discount_rate_of_minus_100_is_refused(rate):
    with pytest.raises(InvalidInput, match="refused"):
        ec.npv(rate, [1, 2])
    with pytest.raises(InvalidInput, match="refused"):
        ec.evaluate(small_case(), [8, rate])


def test_payback():
    assert ec.payback_years([-100, 50, 50, 50]) == pytest.approx(2.0)
    assert ec.payback_years([-100, 40, 40, 40]) == pytest.approx(2 + 20 / 40)
    assert ec.payback_years([-100, 10]) is None


def test_government_take():
    case = small_case()
    e = ec.evaluate(case, [8])
    t = e.take
    assert t.royalty == pytest.approx(90) and t.income_tax == pytest.approx(93)
    carried = e.partners[2].cash_flows.sum()
    assert t.government_equity == pytest.approx(carried)
    assert t.pre_fiscal == pytest.approx(-1000 + 2 * 700)
    assert t.host_take_pct == pytest.approx(100 * (90 + 93 + carried) / 400)


@pytest.mark.parametrize("build, message", [
    (lambda: ec.Period(2026, 2027, -5, {"copper": 1}), "ore tonnage must be >= 0"),
    (lambda: ec.Period(2026, 2027, 5, {"copper": -0.1}), "copper grade must be >= 0"),
    (lambda: ec.Commodity("copper", "%", 9000, "USD/t", 101, 96), "recovery must be between 0 and 100"),
    (lambda: ec.Commodity("copper", "%", 9000, "USD/oz", 90, 96), "cannot be priced in USD/oz"),
    (lambda: replace(small_case(), partners=(ec.Partner("A", 60), ec.Partner("B", 35))), "sum to 95 %"),
    (lambda: replace(small_case(), partners=(ec.Partner("A", 100, carried=True),)), "nobody funds"),
    (lambda: ec.Fiscal(5, 130, 10, 19), "income_tax_pct must be between 0 and 100"),
])
def test_bad_input_is_refused_with_a_clear_message(build, message):
    with pytest.raises(InvalidInput, match=message):
        build()
