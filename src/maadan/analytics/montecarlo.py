"""Monte Carlo of project, partner and equity NPV and of debt-service coverage under price, cost and schedule
uncertainty (docs/analytics.md §5).

Paths are drawn in chunks from seeded generators (chunk i always gets the same stream), so a seed and a chunk
size give the same result whatever the number of threads. Each chunk runs the compiled kernel
(`mc_kernel`, numba) over blocks of paths that share a start delay; `engine="numpy"` runs the reference
implementation built on `economics.cash_flows`, which the tests compare with the kernel. Every distribution
parameter is an ASSUMPTION for illustration, printed with each run.
"""

from __future__ import annotations

import math
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Iterator, Mapping

import numpy as np

from maadan.analytics import economics as ec
from maadan.analytics import finance
from maadan.errors import InvalidInput

ASSUMPTION_NOTE = ("Price drift, volatilities, correlation, cost spreads and the delay distribution are "
                   "assumptions chosen for illustration, not estimates from market data.")
DELAY_NOTE = ("Start delays stand for security incidents and reviews: the Jan 2026 attacks (arabnews.pk/node/"
              "2633290) and the review extended to mid-2027 (Canadian Press via marketscreener.com, Mar 2026). "
              "The probabilities themselves are assumptions.")


@dataclass(frozen=True)
class Uncertainty:
    """Distributions of the uncertain inputs. Volatilities and sigmas in % a year / % of the base."""

    vol_pct: Mapping[str, float] = field(default_factory=lambda: {"copper": 25.0, "gold": 15.0})
    drift_pct: Mapping[str, float] = field(default_factory=lambda: {"copper": 0.0, "gold": 0.0})
    correlation: Mapping[tuple[str, str], float] = field(default_factory=lambda: {("copper", "gold"): 0.3})
    opex_sigma_pct: float = 15.0
    capex_sigma_pct: float = 20.0
    delay_probs: tuple[float, ...] = (0.4, 0.3, 0.2, 0.1)  # P(start delayed by 0, 1, 2, 3 years)
    delay_note: str = DELAY_NOTE
    antithetic: bool = True  # each drawn path also runs with every normal negated (same delay)

    def __post_init__(self) -> None:
        for name, v in [*self.vol_pct.items(), *self.drift_pct.items(), ("opex sigma", self.opex_sigma_pct),
                        ("capex sigma", self.capex_sigma_pct)]:
            if not isinstance(v, (int, float)) or not math.isfinite(v):
                raise InvalidInput(f"{name} must be a number, not {v!r}")
        for name, v in [*self.vol_pct.items(), ("opex sigma", self.opex_sigma_pct),
                        ("capex sigma", self.capex_sigma_pct)]:
            if v < 0:
                raise InvalidInput(f"{name} must be >= 0 %, not {v!r}")
        for pair, rho in self.correlation.items():
            if not -1 <= rho <= 1:
                raise InvalidInput(f"correlation {pair[0]}-{pair[1]} must be within [-1, 1], not {rho!r}")
        if (not self.delay_probs or any(p < 0 for p in self.delay_probs)
                or abs(sum(self.delay_probs) - 1.0) > 1e-9):
            raise InvalidInput(f"delay probabilities must be >= 0 and sum to 1, not {list(self.delay_probs)}")

    @property
    def max_delay(self) -> int:
        return len(self.delay_probs) - 1

    def cholesky(self, ids: list[str]) -> np.ndarray:
        """Lower factor of the correlation matrix of `ids`; refuses one that is not positive definite."""
        k = len(ids)
        corr = np.eye(k)
        for (a, b), rho in self.correlation.items():
            if a in ids and b in ids:
                i, j = ids.index(a), ids.index(b)
                corr[i, j] = corr[j, i] = rho
        try:
            return np.linalg.cholesky(corr + 1e-12 * np.eye(k))
        except np.linalg.LinAlgError:
            raise InvalidInput(f"the correlation matrix of {', '.join(ids)} is not positive definite") from None

    def describe(self) -> dict:
        return {"price_model": "geometric Brownian motion, annual steps, from the case prices",
                "vol_pct": dict(self.vol_pct), "drift_pct": dict(self.drift_pct),
                "correlation": {f"{a}-{b}": r for (a, b), r in self.correlation.items()},
                "opex_factor": f"lognormal, mean 1, sigma {self.opex_sigma_pct:g} %",
                "capex_factor": f"lognormal, mean 1, sigma {self.capex_sigma_pct:g} %",
                "start_delay_years": {str(i): p for i, p in enumerate(self.delay_probs)},
                "delay_note": self.delay_note,
                "sampling": "antithetic pairs (each draw also run negated)" if self.antithetic else "independent",
                "note": ASSUMPTION_NOTE}


@dataclass
class Draws:
    """Random inputs of `n` paths: standard normals (C, n, T-1) for the price steps, (n,) for the cost factors,
    and the start delay per path (paths come in runs of one delay: one multinomial draw, no bias). With
    antithetic sampling the second half repeats the first with every normal negated."""

    z: np.ndarray
    zo: np.ndarray
    zc: np.ndarray
    delay: np.ndarray


def draw(case: ec.Case, u: Uncertainty, rng: np.random.Generator, n: int, T: int) -> Draws:
    C = len(case.commodities)
    h = (n + 1) // 2 if u.antithetic else n
    z = np.empty((C, n, T - 1), dtype=np.float32)
    for c in range(C):  # the same stream as one (C, h, T-1) draw, written in place: no copies
        rng.standard_normal(dtype=np.float32, out=z[c, :h])
    zo = np.empty(n, dtype=np.float32)
    zc = np.empty(n, dtype=np.float32)
    rng.standard_normal(dtype=np.float32, out=zo[:h])
    rng.standard_normal(dtype=np.float32, out=zc[:h])
    delay = np.repeat(np.arange(len(u.delay_probs)), rng.multinomial(h, np.asarray(u.delay_probs)))
    if u.antithetic:
        m = n - h
        for c in range(C):
            np.negative(z[c, :m], out=z[c, h:])
        np.negative(zo[:m], out=zo[h:])
        np.negative(zc[:m], out=zc[h:])
        delay = np.concatenate([delay, delay[:m]])
    return Draws(z, zo, zc, delay)


def prices(case: ec.Case, u: Uncertainty, d: Draws) -> dict[str, np.ndarray]:
    """Price paths (n, T) in the case's price units from the drawn normals (the model the kernel runs)."""
    ids = [c.id for c in case.commodities]
    L = u.cholesky(ids)
    z = d.z.astype(float)
    out = {}
    for k, c in enumerate(case.commodities):
        s = u.vol_pct.get(c.id, 0.0) / 100.0
        mu = u.drift_pct.get(c.id, 0.0) / 100.0
        w = np.tensordot(L[k, :k + 1], z[:k + 1], axes=1)
        steps = mu - 0.5 * s * s + s * w
        p = np.empty((z.shape[1], z.shape[2] + 1))
        p[:, 0] = 0.0
        np.cumsum(steps, axis=1, out=p[:, 1:])
        out[c.id] = c.price * np.exp(p)
    return out


def chunks(paths: int, chunk: int, seed: int) -> Iterator[tuple[int, np.random.Generator]]:
    """(size, generator) per chunk; chunk i always gets the same stream for a given seed."""
    if paths < 1 or chunk < 1:
        raise InvalidInput(f"paths and chunk size must be >= 1 (got {paths}, {chunk})")
    n_chunks = -(-paths // chunk)
    for i, ss in enumerate(np.random.SeedSequence(seed).spawn(n_chunks)):
        yield min(chunk, paths - i * chunk), np.random.default_rng(ss)


@dataclass
class Compiled:
    """Everything the kernel reads, per start delay d = 0..D-1 where it depends on the delay."""

    T: int
    p0: np.ndarray
    drift: np.ndarray
    chol: np.ndarray
    sig: np.ndarray
    so: float
    sc: float
    qrev: np.ndarray  # (D, C, T) MUSD per price unit
    lev_rate: np.ndarray  # (K, T)
    lev_min: np.ndarray  # (K, T) USD/t
    lev_rent: np.ndarray  # (K, T) MUSD
    lev_nsr: np.ndarray  # (K,) bool
    lev_comm: np.ndarray  # (K, C)
    lev_ton: np.ndarray  # (D, K, T) million tonnes
    offsite_rate: float
    tariff_rate: float
    fixed: np.ndarray  # (D, T)
    opex_base: np.ndarray
    capex_base: np.ndarray
    dep_base: np.ndarray
    sust_base: np.ndarray
    producing: np.ndarray
    tax_rate: np.ndarray
    st_app: np.ndarray
    thr: np.ndarray  # (T, B) MUSD
    srate: np.ndarray  # (T, B)
    interest: np.ndarray  # (T,)
    ds: np.ndarray  # (T,)
    eq_flow: np.ndarray  # (T,) draws - interest - principal
    df: np.ndarray  # (T,)


def compile_case(case: ec.Case, u: Uncertainty, T: int, rate_pct: float,
                 fin: finance.Financing | None = None) -> Compiled:
    D = len(u.delay_probs)
    ids = [c.id for c in case.commodities]
    C = len(ids)
    levies = case.fiscal.all_levies
    K = len(levies)
    years = np.arange(case.start_year, case.start_year + T)
    f = case.fiscal
    qrev = np.zeros((D, C, T))
    lev_ton = np.zeros((D, K, T))
    fixed, opex, capex, dep, sust, producing, tax_rate, st_app = (np.zeros((D, T)) for _ in range(8))
    lev_rate, lev_min, lev_rent = np.zeros((K, T)), np.zeros((K, T)), np.zeros((K, T))
    for k, lv in enumerate(levies):
        lev_rate[k], lev_min[k], lev_rent[k] = lv.schedule(years)
    lev_comm = np.array([[1.0 if (lv.commodities is None or c in lv.commodities) else 0.0 for c in ids]
                         for lv in levies]).reshape(K, C)
    regime = f.tax_regime
    for d in range(D):
        flows = ec.cash_flows(case, delay_years=d, horizon=T)  # the deterministic parts, at the case values
        ore, grades = ec._schedule(case, T, d)
        for ci, c in enumerate(case.commodities):
            qrev[d, ci] = ore * grades[c.id] * c.revenue_factor() / c.price if c.price else 0.0
        for k in range(K):
            lev_ton[d, k] = sum((flows.metal[c] for c in ids if lev_comm[k, ids.index(c)]
                                 and ec._GRADE_UNITS[ec.case_commodity(case, c).grade_unit] == "t"),
                                np.zeros(T)) / 1e6
        fixed[d] = sum(flows.fixed.values(), np.zeros(T))
        opex[d] = flows.opex
        capex[d] = flows.capex
        dep[d] = flows.depreciation
        sust[d] = flows.sustaining
        producing[d] = (ore > 0).astype(float)
        first_prod = case.first_production_year + d
        tax_rate[d], st_app[d] = regime.rates(years, first_prod)
    thr, srate = regime.super_rate(years)
    thr = np.where(np.isinf(thr), 1e300, thr)
    interest, ds = finance.schedule_arrays(case, fin, T)
    if fin is not None and fin.known:
        debt = finance.debt_schedule(case, fin, T)
        eq_flow = debt.draws - debt.interest - debt.principal
    else:
        eq_flow = np.zeros(T)
    vol = np.array([u.vol_pct.get(c, 0.0) / 100.0 for c in ids])
    mu = np.array([u.drift_pct.get(c, 0.0) / 100.0 for c in ids])
    return Compiled(
        T=T, p0=np.array([c.price for c in case.commodities], dtype=float), drift=mu - 0.5 * vol * vol,
        chol=u.cholesky(ids), sig=vol, so=u.opex_sigma_pct / 100.0, sc=u.capex_sigma_pct / 100.0,
        qrev=qrev, lev_rate=lev_rate, lev_min=lev_min, lev_rent=lev_rent,
        lev_nsr=np.array([lv.basis != "gross-sale-proceeds" for lv in levies], dtype=np.bool_),
        lev_comm=lev_comm, lev_ton=lev_ton, offsite_rate=case.offsite_pct_of_revenue / 100.0,
        tariff_rate=f.us_sales_share_pct / 100.0 * f.us_tariff_pct / 100.0 * f.tariff_incidence_pct / 100.0,
        fixed=fixed, opex_base=opex, capex_base=capex, dep_base=dep, sust_base=sust, producing=producing,
        tax_rate=tax_rate, st_app=st_app, thr=np.ascontiguousarray(thr), srate=np.ascontiguousarray(srate),
        interest=interest, ds=ds, eq_flow=eq_flow, df=ec.discount_factors(rate_pct, T, case.discount_offset))


@dataclass
class PathResults:
    npv: np.ndarray
    up: np.ndarray
    down: np.ndarray
    min_dscr: np.ndarray  # inf where no tested year
    shortfall: np.ndarray
    equity: np.ndarray

    @classmethod
    def empty(cls, n: int) -> "PathResults":
        return cls(*(np.empty(n) for _ in range(6)))

    def view(self, a: int, b: int) -> "PathResults":
        return PathResults(self.npv[a:b], self.up[a:b], self.down[a:b], self.min_dscr[a:b], self.shortfall[a:b],
                           self.equity[a:b])


def _groups(delay: np.ndarray) -> list[tuple[int, int, int]]:
    """Runs of paths with the same delay: (delay, first, end)."""
    if delay.size == 0:
        return []
    cuts = np.flatnonzero(np.diff(delay)) + 1
    starts = [0, *cuts.tolist()]
    ends = [*cuts.tolist(), delay.size]
    return [(int(delay[a]), int(a), int(b)) for a, b in zip(starts, ends)]


def run_kernel(k: Compiled, d: Draws, out: PathResults) -> None:
    from maadan.analytics import mc_kernel  # numba: loaded only when a simulation runs

    for delay, a, b in _groups(d.delay):
        mc_kernel.run(d.z, d.zo, d.zc, a, b, delay, k.p0, k.drift, k.chol, k.sig, k.so, k.sc,
                      k.qrev, k.lev_rate, k.lev_min, k.lev_rent, k.lev_nsr, k.lev_comm, k.lev_ton,
                      k.offsite_rate, k.tariff_rate, k.fixed, k.opex_base, k.capex_base, k.dep_base, k.sust_base,
                      k.producing, k.tax_rate, k.st_app, k.thr, k.srate, k.interest, k.ds, k.eq_flow, k.df,
                      out.npv, out.up, out.down, out.min_dscr, out.shortfall, out.equity)


def run_reference(case: ec.Case, u: Uncertainty, k: Compiled, d: Draws, out: PathResults,
                  fin: finance.Financing | None = None) -> None:
    """The same figures from `economics.cash_flows` on (paths, years) arrays: the reference for the kernel."""
    p = prices(case, u, d)
    fo = np.exp(k.so * d.zo.astype(float) - 0.5 * k.so ** 2)[:, None]
    fc = np.exp(k.sc * d.zc.astype(float) - 0.5 * k.sc ** 2)[:, None]
    for delay, a, b in _groups(d.delay):
        sl = slice(a, b)
        kw = dict(prices={c: v[sl] for c, v in p.items()}, opex_factor=fo[sl], capex_factor=fc[sl],
                  delay_years=delay, horizon=k.T)
        f = ec.cash_flows(case, **kw)
        out.npv[sl] = f.net @ k.df
        out.up[sl] = np.maximum(f.net, 0.0) @ k.df
        out.down[sl] = np.minimum(f.net, 0.0) @ k.df
        fl = ec.cash_flows(case, interest=k.interest, **kw)
        out.equity[sl] = (fl.net + k.eq_flow) @ k.df
        tested = (k.ds > 1e-9) & (k.producing[delay] > 0)
        cfads = fl.ebitda - fl.tax - fl.sustaining
        if tested.any():
            out.min_dscr[sl] = (cfads[:, tested] / k.ds[tested]).min(axis=1)
            out.shortfall[sl] = np.maximum(k.ds[tested] - cfads[:, tested], 0.0).sum(axis=1)
        else:
            out.min_dscr[sl] = np.inf
            out.shortfall[sl] = 0.0


@dataclass(frozen=True)
class Distribution:
    p10: float
    p50: float
    p90: float
    mean: float
    prob_loss_pct: float  # P(NPV < 0)

    @classmethod
    def of(cls, x: np.ndarray) -> "Distribution":
        p10, p50, p90 = np.percentile(x, [10, 50, 90])
        return cls(float(p10), float(p50), float(p90), float(x.mean()), float(100.0 * np.mean(x < 0)))


@dataclass
class Coverage:
    """Debt-service coverage across paths (levered runs only)."""

    covenant: float
    min_dscr_p10: float
    min_dscr_p50: float
    prob_below_1_pct: float
    prob_below_covenant_pct: float
    prob_shortfall_pct: float
    mean_shortfall_musd: float  # undiscounted debt service not covered by CFADS, over the tested years
    us_lender: str | None = None
    us_share_pct: float | None = None

    @property
    def us_expected_shortfall(self) -> float | None:
        return None if self.us_share_pct is None else self.mean_shortfall_musd * self.us_share_pct / 100.0


@dataclass
class MonteCarloResult:
    paths: int
    years: int
    rate_pct: float
    seed: int
    chunk: int
    uncertainty: Uncertainty
    project: Distribution
    partners: dict[str, Distribution]
    engine: str = "kernel"
    coverage: Coverage | None = None
    equity: Distribution | None = None
    note: str = "P10/P50/P90 are the 10th, 50th and 90th percentiles of NPV (P10 the low case)."


def partner_distributions(case: ec.Case, out: PathResults) -> dict[str, Distribution]:
    """Each partner's NPV is e_i x NPV(CF+) + f_i x NPV(CF-); partners with the same ratio f_i / e_i (every
    funding partner shares one, every carried partner another) have distributions that are multiples of one
    another, so each group's percentiles are computed once and scaled (exact)."""
    pos_w, neg_w = ec.partner_weights(case.partners)
    cache: dict[float, tuple[float, Distribution]] = {}
    res = {}
    for i, p in enumerate(case.partners):
        if pos_w[i] <= 0:
            res[p.name] = Distribution.of(out.down * neg_w[i])
            continue
        ratio = round(float(neg_w[i] / pos_w[i]), 12)
        if ratio not in cache:
            cache[ratio] = (1.0, Distribution.of(out.up + out.down * ratio))
        _, d = cache[ratio]
        k = float(pos_w[i])
        res[p.name] = Distribution(d.p10 * k, d.p50 * k, d.p90 * k, d.mean * k, d.prob_loss_pct)
    return res


def default_threads() -> int:
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover (not on Linux)
        n = os.cpu_count() or 1
    return max(1, min(n, 8))


def simulate(case: ec.Case, u: Uncertainty, *, paths: int, rate_pct: float, seed: int = 2025,
             chunk: int = 50_000, keep: bool = False, financing: finance.Financing | None = None,
             engine: str = "kernel", threads: int | None = None
             ) -> tuple[MonteCarloResult, PathResults | None]:
    """NPV distributions per partner (and, with `financing`, equity NPV and debt-service coverage); with
    `keep`, also the per-path results."""
    if engine not in ("kernel", "numpy"):
        raise InvalidInput(f"engine must be 'kernel' or 'numpy', not {engine!r}")
    T = case.horizon(u.max_delay)
    k = compile_case(case, u, T, rate_pct, financing)
    out = PathResults.empty(paths)
    jobs = []
    start = 0
    for n, rng in chunks(paths, chunk, seed):
        jobs.append((start, n, rng))
        start += n

    def work(job: tuple[int, int, np.random.Generator]) -> None:
        a, n, rng = job
        d = draw(case, u, rng, n, T)
        if engine == "kernel":
            run_kernel(k, d, out.view(a, a + n))
        else:
            run_reference(case, u, k, d, out.view(a, a + n), financing)

    workers = threads or default_threads()
    if workers == 1 or len(jobs) == 1:
        for j in jobs:
            work(j)
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(work, jobs))
    partners = partner_distributions(case, out)
    coverage = equity = None
    if financing is not None and financing.known:
        tested = np.isfinite(out.min_dscr)
        m = out.min_dscr[tested] if tested.any() else np.array([np.inf])
        cov = finance.covenant(financing)
        us = next((t for t in financing.known if t.country == "United States"), None)
        coverage = Coverage(cov, float(np.percentile(m, 10)), float(np.percentile(m, 50)),
                            float(100 * np.mean(m < 1.0)), float(100 * np.mean(m < cov)),
                            float(100 * np.mean(out.shortfall > 1e-9)), float(out.shortfall.mean()),
                            us.lender if us else None,
                            100.0 * us.amount.value / financing.total if us else None)  # type: ignore[union-attr]
        equity = Distribution.of(out.equity)
    result = MonteCarloResult(paths=paths, years=T, rate_pct=rate_pct, seed=seed, chunk=chunk, uncertainty=u,
                              project=Distribution.of(out.npv), partners=partners, engine=engine,
                              coverage=coverage, equity=equity)
    return result, (out if keep else None)
