"""One-at-a-time NPV sensitivities (tornado)."""

from dataclasses import replace

import numpy_financial as npf
import pytest

from maadan.analytics import economics as ec
from maadan.analytics import tornado_chart
from maadan.analytics.params import load_case
from maadan.analytics.sensitivity import FACTORS, tornado


@pytest.fixture(scope="module")
def case():
    return load_case("reko-diq")


def test_every_factor_has_a_bar_widest_first(case):
    t = tornado(case, 8.0)
    assert {b.factor.name for b in t.bars} == {f.name for f in FACTORS} and len(t.bars) == 8
    assert [b.swing for b in t.bars] == sorted((b.swing for b in t.bars), reverse=True)
    assert t.base_npv == pytest.approx(npf.npv(0.08, ec.cash_flows(case).net) / 1.08)
    bar = {b.factor.name: b for b in t.bars}
    assert bar["price"].npv_low < t.base_npv < bar["price"].npv_high
    assert bar["discount rate"].npv_low > t.base_npv > bar["discount rate"].npv_high
    assert bar["discount rate"].npv_high == pytest.approx(npf.npv(0.10, ec.cash_flows(case).net) / 1.10)
    assert bar["opex"].npv_low > t.base_npv > bar["opex"].npv_high
    assert bar["royalty"].npv_low > t.base_npv > bar["royalty"].npv_high
    assert bar["start delay"].npv_low == t.base_npv > bar["start delay"].npv_high
    # The case ships nothing to the US: an exemption changes nothing, the duty on all sales costs 19 % x revenue.
    assert bar["US tariff"].npv_low == pytest.approx(t.base_npv)
    flows = ec.cash_flows(replace(case, fiscal=replace(case.fiscal, us_sales_share_pct=100.0)))
    assert bar["US tariff"].npv_high == pytest.approx(float(ec.npv(8.0, flows.net, 1)))


def test_bars_say_whether_their_inputs_are_verified(case):
    bar = {b.factor.name: b for b in tornado(case, 8.0).bars}
    assert bar["price"].status == "verified"  # the feasibility prices are published
    assert bar["opex"].status == "derived"  # from the published cash flows
    assert bar["royalty"].status == "verified"  # 5 %, 1 % NSR and 0.5 % surcharge are stated rates
    assert bar["start delay"].status == "assumption" and bar["discount rate"].status.startswith("a choice")
    assert bar["capex"].status.startswith("partly verified")


def test_charts_are_drawn(case):
    t = tornado(case, 10.0)
    svg = tornado_chart.svg(t)
    assert svg.startswith("<svg") and svg.count("<rect") == 16 and "price (-25 % / +25 %)" in svg
    page = tornado_chart.html_page(t)
    assert "<script" not in page and "Why this range" in page
    assert tornado_chart.png(t)[:4] == b"\x89PNG"
