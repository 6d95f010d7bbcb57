import numpy as np
import numpy_financial as npf
import pytest

from maadan.analytics import economics as ec
from maadan.analytics import montecarlo as mc
from maadan.analytics.params import load_case
from maadan.errors import InvalidInput

CASE = load_case("reko-diq")
U = mc.Uncertainty()


def test_seeded_runs_are_reproducible_and_seeds_differ():
    a, pa = mc.simulate(CASE, U, paths=4000, rate_pct=8, seed=11, chunk=1500, keep=True)
    b, pb = mc.simulate(CASE, U, paths=4000, rate_pct=8, seed=11, chunk=1500, keep=True)
    c, _ = mc.simulate(CASE, U, paths=4000, rate_pct=8, seed=12, chunk=1500)
    assert np.array_equal(pa, pb) and a.project == b.project
    assert c.project.p50 != a.project.p50
    assert a.years == CASE.horizon(2) == 43


def test_vectorised_npv_equals_a_per_path_loop_with_numpy_financial():
    T = CASE.horizon(len(U.delay_probs) - 1)
    n, rng = next(mc.chunks(300, 300, seed=5))
    d = mc.draw(CASE, U, rng, n, T)
    project, partners = mc.npv_paths(CASE, d, 8.0, T)
    for i in range(0, n, 7):
        f = ec.cash_flows(CASE, prices={k: v[i] for k, v in d.prices.items()}, opex_factor=d.opex_factor[i, 0],
                          capex_factor=d.capex_factor[i, 0], delay_years=int(d.delay[i]), horizon=T)
        assert project[i] == pytest.approx(npf.npv(0.08, f.net), rel=1e-10)
        pf = ec.partner_flows(f.net, CASE.partners)
        for j in range(len(CASE.partners)):
            assert partners[i, j] == pytest.approx(npf.npv(0.08, pf[j]), rel=1e-9, abs=1e-6)


def test_drawn_prices_follow_the_stated_model():
    T = 41
    n, rng = next(mc.chunks(200_000, 200_000, seed=1))
    d = mc.draw(CASE, U, rng, n, T)
    cu = np.diff(np.log(d.prices["copper"]), axis=1)
    au = np.diff(np.log(d.prices["gold"]), axis=1)
    assert d.prices["copper"][:, 0] == pytest.approx(9000)
    assert cu.std() == pytest.approx(0.25, rel=0.01) and au.std() == pytest.approx(0.15, rel=0.01)
    assert np.corrcoef(cu.ravel(), au.ravel())[0, 1] == pytest.approx(0.3, abs=0.01)
    assert d.prices["copper"][:, -1].mean() == pytest.approx(9000, rel=0.03)  # zero drift: martingale
    assert d.opex_factor.mean() == pytest.approx(1.0, abs=0.003)
    assert np.bincount(d.delay) / n == pytest.approx([0.5, 0.3, 0.2], abs=0.005)
    assert np.all(np.diff(d.delay) >= 0)


def test_results_per_partner():
    r, _ = mc.simulate(CASE, U, paths=20_000, rate_pct=8, seed=3, chunk=5000)
    carried = r.partners["Government of Balochistan (free-carried)"]
    assert carried.prob_loss_pct == 0.0  # pays nothing, so it cannot lose
    barrick = r.partners["Barrick"]
    assert barrick.p10 < barrick.p50 < barrick.p90
    assert 0 < r.project.prob_loss_pct < 100


@pytest.mark.parametrize("kwargs, message", [
    ({"correlation": {("copper", "gold"): 1.5}}, "within \\[-1, 1\\]"),
    ({"delay_probs": (0.5, 0.4)}, "sum to 1"),
    ({"vol_pct": {"copper": -1}}, ">= 0"),
])
def test_bad_uncertainty_is_refused(kwargs, message):
    with pytest.raises(InvalidInput, match=message):
        mc.Uncertainty(**kwargs)
