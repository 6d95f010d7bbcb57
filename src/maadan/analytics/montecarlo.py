"""Monte Carlo of project and partner NPV under price, cost and schedule uncertainty (docs/analytics.md §5).

Vectorised over paths, in chunks so memory stays bounded whatever the number of paths. Every
distribution parameter here is an ASSUMPTION for illustration, printed with each run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Iterator, Mapping

import numpy as np

from maadan.analytics.economics import Case, cash_flows, discount_factors, partner_weights
from maadan.errors import InvalidInput

ASSUMPTION_NOTE = ("Price drift, volatilities, correlation, cost spreads and delay probabilities are assumptions "
                   "chosen for illustration, not estimates from market data.")


@dataclass(frozen=True)
class Uncertainty:
    """Distributions of the uncertain inputs. Volatilities and sigmas in % a year / % of the base."""

    vol_pct: Mapping[str, float] = field(default_factory=lambda: {"copper": 25.0, "gold": 15.0})
    drift_pct: Mapping[str, float] = field(default_factory=lambda: {"copper": 0.0, "gold": 0.0})
    correlation: Mapping[tuple[str, str], float] = field(default_factory=lambda: {("copper", "gold"): 0.3})
    opex_sigma_pct: float = 15.0
    capex_sigma_pct: float = 20.0
    delay_probs: tuple[float, ...] = (0.5, 0.3, 0.2)  # P(start delayed by 0, 1, 2, ... years)

    def __post_init__(self) -> None:
        for name, v in [*self.vol_pct.items(), ("opex sigma", self.opex_sigma_pct),
                        ("capex sigma", self.capex_sigma_pct)]:
            if not math.isfinite(v) or v < 0:
                raise InvalidInput(f"{name} must be >= 0 %, not {v!r}")
        for pair, rho in self.correlation.items():
            if not -1 <= rho <= 1:
                raise InvalidInput(f"correlation {pair[0]}-{pair[1]} must be within [-1, 1], not {rho!r}")
        if any(p < 0 for p in self.delay_probs) or abs(sum(self.delay_probs) - 1.0) > 1e-9:
            raise InvalidInput(f"delay probabilities must be >= 0 and sum to 1, not {list(self.delay_probs)}")

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
                "start_delay_years": {str(i): p for i, p in enumerate(self.delay_probs)}, "note": ASSUMPTION_NOTE}


@dataclass
class Draws:
    """Random inputs for `n` paths over `T` years."""

    prices: dict[str, np.ndarray]  # (n, T) in the case's price units
    opex_factor: np.ndarray  # (n, 1)
    capex_factor: np.ndarray  # (n, 1)
    delay: np.ndarray  # (n,) whole years


def draw(case: Case, u: Uncertainty, rng: np.random.Generator, n: int, T: int) -> Draws:
    """Random inputs for `n` paths. Paths come grouped by delay (exchangeable, so no bias): the
    delay counts are one multinomial draw, which lets the NPV step work on views, not copies."""
    ids = [c.id for c in case.commodities]
    L = u.cholesky(ids)
    eps = rng.standard_normal((len(ids), n, T - 1))
    prices = {}
    for k, c in enumerate(case.commodities):
        s = u.vol_pct.get(c.id, 0.0) / 100.0
        mu = u.drift_pct.get(c.id, 0.0) / 100.0
        z = L[k, 0] * eps[0]
        for j in range(1, k + 1):
            z += L[k, j] * eps[j]
        z *= s
        z += mu - 0.5 * s * s
        p = np.empty((n, T))
        p[:, 0] = 0.0
        np.cumsum(z, axis=1, out=p[:, 1:])
        np.exp(p, out=p)
        p *= c.price
        prices[c.id] = p
    so, sc = u.opex_sigma_pct / 100.0, u.capex_sigma_pct / 100.0
    opex = np.exp(so * rng.standard_normal((n, 1)) - 0.5 * so * so)
    capex = np.exp(sc * rng.standard_normal((n, 1)) - 0.5 * sc * sc)
    counts = rng.multinomial(n, np.asarray(u.delay_probs))
    delay = np.repeat(np.arange(len(u.delay_probs)), counts)
    return Draws(prices, opex, capex, delay)


def chunks(paths: int, chunk: int, seed: int) -> Iterator[tuple[int, np.random.Generator]]:
    """(size, generator) per chunk; chunk i always gets the same stream for a given seed."""
    if paths < 1 or chunk < 1:
        raise InvalidInput(f"paths and chunk size must be >= 1 (got {paths}, {chunk})")
    n_chunks = -(-paths // chunk)
    for i, ss in enumerate(np.random.SeedSequence(seed).spawn(n_chunks)):
        yield min(chunk, paths - i * chunk), np.random.default_rng(ss)


def npv_paths(case: Case, d: Draws, rate_pct: float, T: int) -> tuple[np.ndarray, np.ndarray]:
    """(project NPV (n,), partner NPVs (n, partners)) for the drawn paths."""
    df = discount_factors(rate_pct, T)
    pos_w, neg_w = partner_weights(case.partners)
    n = d.delay.shape[0]
    project = np.empty(n)
    partners = np.empty((n, len(case.partners)))
    if np.any(np.diff(d.delay) < 0):
        raise InvalidInput("paths must come grouped by delay (as draw() makes them)")
    values, starts = np.unique(d.delay, return_index=True)
    ends = [*starts[1:], n]
    for delay, a, b in zip(values, starts, ends):
        sl = slice(int(a), int(b))
        flows = cash_flows(case, prices={k: v[sl] for k, v in d.prices.items()}, opex_factor=d.opex_factor[sl],
                           capex_factor=d.capex_factor[sl], delay_years=int(delay), horizon=T)
        up = np.maximum(flows.net, 0.0) @ df  # NPV_i = e_i NPV(CF+) + f_i NPV(CF-): no per-partner arrays
        down = np.minimum(flows.net, 0.0) @ df
        project[sl] = up + down
        partners[sl] = up[:, None] * pos_w + down[:, None] * neg_w
    return project, partners


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
class MonteCarloResult:
    paths: int
    years: int
    rate_pct: float
    seed: int
    chunk: int
    uncertainty: Uncertainty
    project: Distribution
    partners: dict[str, Distribution]
    note: str = "P10/P50/P90 are the 10th, 50th and 90th percentiles of NPV (P10 the low case)."


def simulate(case: Case, u: Uncertainty, *, paths: int, rate_pct: float, seed: int = 2025,
             chunk: int = 50_000, keep: bool = False) -> tuple[MonteCarloResult, np.ndarray | None]:
    """NPV distributions per partner; with `keep`, also the (paths, partners) NPV array."""
    T = case.horizon(len(u.delay_probs) - 1)
    project = np.empty(paths)
    partners = np.empty((paths, len(case.partners)))
    start = 0
    for n, rng in chunks(paths, chunk, seed):
        d = draw(case, u, rng, n, T)
        project[start:start + n], partners[start:start + n] = npv_paths(case, d, rate_pct, T)
        start += n
    result = MonteCarloResult(
        paths=paths, years=T, rate_pct=rate_pct, seed=seed, chunk=chunk, uncertainty=u,
        project=Distribution.of(project),
        partners={p.name: Distribution.of(partners[:, i]) for i, p in enumerate(case.partners)},
    )
    return result, (partners if keep else None)
