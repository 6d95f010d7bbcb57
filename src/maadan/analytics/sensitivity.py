"""One-at-a-time sensitivities of project NPV: the data behind a tornado chart (docs/analytics.md §7).

Each factor moves to a documented low and high while every other input stays at the case value.
The ranges are ASSUMPTIONS chosen to show which inputs matter; they are not forecasts."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable

from maadan.analytics.economics import Case, cash_flows, npv
from maadan.errors import InvalidInput

RANGE_NOTE = ("Low/high ranges are assumptions for illustration (not estimates); each bar moves one input "
              "while all others keep their case values.")


@dataclass(frozen=True)
class Factor:
    """One input, its low and high settings (as text) and why those settings."""

    name: str
    low: str
    high: str
    why: str


FACTORS = (
    Factor("price", "-25 %", "+25 %", "all commodity prices scaled together; about one year's volatility in the "
                                      "Monte Carlo assumptions (copper 25 %)"),
    Factor("opex", "-20 %", "+20 %", "operating cost per tonne; a typical feasibility-study accuracy band"),
    Factor("capex", "-20 %", "+30 %", "capital cost, asymmetric because overruns are more common than savings"),
    Factor("grade/recovery", "-10 %", "+10 %", "payable metal per tonne (head grade x recovery) scaled together"),
    Factor("discount rate", "-2 points", "+2 points", "around the chosen rate"),
    Factor("US tariff", "0 % duty", "duty on all sales", "low: an exemption; high: the tariff file's duty on "
                                                          "100 % of sales shipped to the US"),
    Factor("royalty", "-2.5 points", "+2.5 points", "the largest royalty of the case's fiscal terms (data/fiscal)"),
    Factor("start delay", "no delay", "+2 years", "production, operating flows and expansion capital shift; "
                                                  "construction capital stays"),
)


# Which parameters each factor moves (provenance keys, fnmatch patterns), to say whether they are verified.
FACTOR_INPUTS = {
    "price": ["commodities.*.price"],
    "opex": ["opex_usd_per_t_ore"],
    "capex": ["capex[[]*[]].total_musd", "sustaining_musd_per_yr"],
    "grade/recovery": ["schedule[[]*[]].grades.*", "commodities.*.recovery_pct"],
    "discount rate": [],
    "US tariff": ["fiscal.us_tariff_pct", "us_sales_share_pct"],
    "royalty": ["fiscal.*.rate_pct"],
    "start delay": [],
}


def input_status(case: Case, factor: str) -> str:
    """'verified', 'derived', 'assumption', 'partly verified (k of n)' or 'a choice' for a factor's inputs."""
    from fnmatch import fnmatchcase

    from maadan.analytics.params import Cited
    pats = FACTOR_INPUTS.get(factor, [])
    if not pats:
        return "a choice (no input)" if factor == "discount rate" else "assumption"
    cited = [v for k, v in case.provenance.items() if isinstance(v, Cited) and any(fnmatchcase(k, p) for p in pats)]
    if not cited:
        return "no input found"
    ok = sum(1 for c in cited if c.verified)
    if ok == len(cited):
        return "verified"
    if any(c.assumption for c in cited if not c.verified):
        return f"partly verified ({ok} of {len(cited)})" if ok else "assumption"
    return f"partly verified ({ok} of {len(cited)}), rest derived" if ok else "derived"


@dataclass(frozen=True)
class Bar:
    factor: Factor
    npv_low: float  # NPV with the factor at its low setting
    npv_high: float
    status: str = ""  # whether the inputs it moves are verified

    @property
    def swing(self) -> float:
        return abs(self.npv_high - self.npv_low)


@dataclass
class Tornado:
    project_id: str
    name: str
    rate_pct: float
    base_npv: float
    bars: list[Bar]  # widest swing first
    note: str = RANGE_NOTE


def _scaled_grades(case: Case, f: float) -> Case:
    return replace(case, schedule=tuple(replace(p, grades={k: g * f for k, g in p.grades.items()})
                                        for p in case.schedule))


def _project_npv(case: Case, rate_pct: float, **kw) -> float:
    return float(npv(rate_pct, cash_flows(case, **kw).net, case.discount_offset))


def _shift_royalty(case: Case, delta: float) -> Case:
    """The largest levy (by total over the case) moved by `delta` points, within 0-100 %."""
    from maadan.analytics.economics import RatePeriod
    fiscal = case.fiscal
    if not fiscal.levies:
        return replace(case, fiscal=replace(fiscal, royalty_pct=min(100.0, max(0.0, fiscal.royalty_pct + delta))))
    totals = cash_flows(case).levies
    big = max(range(len(fiscal.levies)), key=lambda i: float(totals[fiscal.levies[i].name].sum()))
    lv = fiscal.levies[big]
    moved = replace(lv, periods=tuple(RatePeriod(p.first_year, p.last_year, min(100.0, max(0.0, p.rate_pct + delta)),
                                                 p.min_usd_per_t) for p in lv.periods))
    levies = tuple(moved if i == big else x for i, x in enumerate(fiscal.levies))
    return replace(case, fiscal=replace(fiscal, levies=levies))


def tornado(case: Case, rate_pct: float) -> Tornado:
    """NPV at `rate_pct` with each factor at its low and high setting, widest swing first."""
    if not rate_pct > -100 + 2:
        raise InvalidInput(f"the tornado moves the discount rate by 2 points; {rate_pct:g} % is too low")
    base = _project_npv(case, rate_pct)
    fiscal = case.fiscal
    prices = {c.id: c.price for c in case.commodities}

    def priced(f: float) -> float:
        return _project_npv(case, rate_pct, prices={k: v * f for k, v in prices.items()})

    def royalty(delta: float) -> float:
        return _project_npv(_shift_royalty(case, delta), rate_pct)

    def tariff(high: bool) -> float:
        f = replace(fiscal, us_sales_share_pct=100.0) if high else replace(fiscal, us_tariff_pct=0.0)
        return _project_npv(replace(case, fiscal=f), rate_pct)

    runs: dict[str, tuple[Callable[[], float], Callable[[], float]]] = {
        "price": (lambda: priced(0.75), lambda: priced(1.25)),
        "opex": (lambda: _project_npv(case, rate_pct, opex_factor=0.8),
                 lambda: _project_npv(case, rate_pct, opex_factor=1.2)),
        "capex": (lambda: _project_npv(case, rate_pct, capex_factor=0.8),
                  lambda: _project_npv(case, rate_pct, capex_factor=1.3)),
        "grade/recovery": (lambda: _project_npv(_scaled_grades(case, 0.9), rate_pct),
                           lambda: _project_npv(_scaled_grades(case, 1.1), rate_pct)),
        "discount rate": (lambda: _project_npv(case, rate_pct - 2.0), lambda: _project_npv(case, rate_pct + 2.0)),
        "US tariff": (lambda: tariff(False), lambda: tariff(True)),
        "royalty": (lambda: royalty(-2.5), lambda: royalty(2.5)),
        "start delay": (lambda: base, lambda: _project_npv(case, rate_pct, delay_years=2)),
    }
    bars = [Bar(f, runs[f.name][0](), runs[f.name][1](), input_status(case, f.name)) for f in FACTORS]
    bars.sort(key=lambda b: -b.swing)
    return Tornado(case.project_id, case.name, rate_pct, base, bars)
