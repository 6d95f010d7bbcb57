import numpy as np
import numpy_financial as npf
import pytest

from maadan.analytics import economics as ec
from maadan.analytics import finance
from maadan.analytics import montecarlo as mc
from maadan.analytics.params import load_case
from maadan.errors import InvalidInput

CASE = load_case("reko-diq")
FIN = finance.parse_financing(CASE)
U = mc.Uncertainty()


def test_seeded_runs_are_reproducible_whatever_the_threads_and_seeds_differ():
    a, pa = mc.simulate(CASE, U, paths=4000, rate_pct=8, seed=11, chunk=1500, keep=True, threads=1)
    b, pb = mc.simulate(CASE, U, paths=4000, rate_pct=8, seed=11, chunk=1500, keep=True, threads=2)
    c, _ = mc.simulate(CASE, U, paths=4000, rate_pct=8, seed=12, chunk=1500)
    assert np.array_equal(pa.npv, pb.npv) and a.project == b.project
    assert c.project.p50 != a.project.p50
    assert a.years == CASE.horizon(3) == 43  # 2025-2064 and up to 3 years of delay


def test_kernel_equals_the_numpy_reference_on_the_same_draws():
    T = CASE.horizon(U.max_delay)
    k = mc.compile_case(CASE, U, T, 8.0, FIN)
    n, rng = next(mc.chunks(3000, 3000, seed=5))
    d = mc.draw(CASE, U, rng, n, T)
    fast, ref = mc.PathResults.empty(n), mc.PathResults.empty(n)
    mc.run_kernel(k, d, fast)
    mc.run_reference(CASE, U, k, d, ref, FIN)
    for name in ("npv", "up", "down", "shortfall", "equity"):
        a, b = getattr(fast, name), getattr(ref, name)
        assert np.max(np.abs(a - b) / np.maximum(1.0, np.abs(b))) < 1e-8, name
    assert np.array_equal(np.isfinite(fast.min_dscr), np.isfinite(ref.min_dscr))
    ok = np.isfinite(ref.min_dscr)
    assert fast.min_dscr[ok] == pytest.approx(ref.min_dscr[ok], rel=1e-8, abs=1e-9)


def test_reference_npv_equals_a_per_path_loop_with_numpy_financial():
    T = CASE.horizon(U.max_delay)
    k = mc.compile_case(CASE, U, T, 8.0)
    n, rng = next(mc.chunks(200, 200, seed=7))
    d = mc.draw(CASE, U, rng, n, T)
    ref = mc.PathResults.empty(n)
    mc.run_reference(CASE, U, k, d, ref)
    p = mc.prices(CASE, U, d)
    for i in range(0, n, 9):
        fo = np.exp(k.so * float(d.zo[i]) - k.so ** 2 / 2)
        fc = np.exp(k.sc * float(d.zc[i]) - k.sc ** 2 / 2)
        f = ec.cash_flows(CASE, prices={c: v[i] for c, v in p.items()}, opex_factor=fo, capex_factor=fc,
                          delay_years=int(d.delay[i]), horizon=T)
        assert ref.npv[i] == pytest.approx(npf.npv(0.08, f.net) / 1.08, rel=1e-10)


def test_drawn_prices_follow_the_stated_model_and_pairs_are_antithetic():
    T = 41
    n, rng = next(mc.chunks(200_000, 200_000, seed=1))
    d = mc.draw(CASE, U, rng, n, T)
    p = mc.prices(CASE, U, d)
    cu = np.diff(np.log(p["copper"]), axis=1)
    au = np.diff(np.log(p["gold"]), axis=1)
    assert p["copper"][:, 0] == pytest.approx(4.03)
    assert cu.std() == pytest.approx(0.25, rel=0.01) and au.std() == pytest.approx(0.15, rel=0.01)
    assert np.corrcoef(cu.ravel(), au.ravel())[0, 1] == pytest.approx(0.3, abs=0.01)
    assert p["copper"][:, -1].mean() == pytest.approx(4.03, rel=0.03)  # zero drift: martingale
    assert np.bincount(d.delay) / n == pytest.approx([0.4, 0.3, 0.2, 0.1], abs=0.005)
    h = n // 2
    assert np.array_equal(d.z[:, h:], -d.z[:, :h]) and np.array_equal(d.delay[h:], d.delay[:h])
    independent = mc.draw(CASE, mc.Uncertainty(antithetic=False), rng, 1000, T)
    assert not np.array_equal(independent.z[:, 500:], -independent.z[:, :500])


def test_results_per_partner_and_coverage():
    r, _ = mc.simulate(CASE, U, paths=20_000, rate_pct=8, seed=3, chunk=5000, financing=FIN)
    carried = r.partners["Government of Balochistan (free-carried)"]
    assert carried.prob_loss_pct == 0.0  # pays nothing, so it cannot lose
    barrick = r.partners["Barrick"]
    assert barrick.p10 < barrick.p50 < barrick.p90
    assert 0 < r.project.prob_loss_pct < 100
    cov = r.coverage
    assert cov is not None and cov.covenant == 1.2 and cov.us_lender == "US EXIM"
    assert cov.min_dscr_p10 <= cov.min_dscr_p50
    assert cov.prob_below_1_pct <= cov.prob_below_covenant_pct
    assert cov.prob_shortfall_pct == pytest.approx(cov.prob_below_1_pct)  # a shortfall is a DSCR below 1
    assert cov.us_expected_shortfall == pytest.approx(cov.mean_shortfall_musd * 1250 / 3600)
    unlevered, _ = mc.simulate(CASE, U, paths=2000, rate_pct=8, seed=3)
    assert unlevered.coverage is None and unlevered.equity is None


@pytest.mark.parametrize("kwargs, message", [
    ({"correlation": {("copper", "gold"): 1.5}}, "within \\[-1, 1\\]"),
    ({"delay_probs": (0.5, 0.4)}, "sum to 1"),
    ({"vol_pct": {"copper": -1}}, ">= 0"),
    ({"opex_sigma_pct": float("nan")}, "must be a number"),
])
def test_bad_uncertainty_is_refused(kwargs, message):
    with pytest.raises(InvalidInput, match=message):
        mc.Uncertainty(**kwargs)


def test_bad_engine_is_refused():
    with pytest.raises(InvalidInput, match="engine"):
        mc.simulate(CASE, U, paths=10, rate_pct=8, engine="gpu")


def test_partner_percentiles_scaled_from_one_group_equal_the_direct_ones():
    r, out = mc.simulate(CASE, U, paths=3000, rate_pct=8, seed=4, keep=True)
    pos, neg = ec.partner_weights(CASE.partners)
    for i, p in enumerate(CASE.partners):
        direct = mc.Distribution.of(out.up * pos[i] + out.down * neg[i])
        got = r.partners[p.name]
        for k in ("p10", "p50", "p90", "mean", "prob_loss_pct"):
            assert getattr(got, k) == pytest.approx(getattr(direct, k), rel=1e-9, abs=1e-6), (p.name, k)
