"""Discounted cash flow of a mining project under a fiscal regime and a joint venture (docs/analytics.md §4).

Pure functions. Money is in million USD (MUSD), real, annual, end-of-year; year 0 is the case's
`start_year`. The cash-flow core broadcasts over leading dimensions, so the Monte Carlo runs the
same arithmetic on (paths, years) arrays that the deterministic model runs on (years,).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np

from maadan.analytics.units import TROY_OUNCE_G
from maadan.errors import InvalidInput

SHARE_TOLERANCE_PCT = 0.1  # rounding in published shares (8.33 x 3 = 24.99)
LB_PER_T = 2204.62262185
_GRADE_UNITS = {"%": "t", "g/t": "oz"}  # grade unit -> unit the metal is sold in
_PRICE_UNITS = {"USD/t": ("t", 1.0), "USD/lb": ("t", LB_PER_T), "USD/oz": ("oz", 1.0)}


def _check(cond: bool, message: str) -> None:
    if not cond:
        raise InvalidInput(message)


def _finite(x: float) -> bool:
    return isinstance(x, (int, float)) and math.isfinite(x)


@dataclass(frozen=True)
class Commodity:
    id: str
    grade_unit: str  # "%" (metal sold in tonnes) or "g/t" (sold in troy ounces)
    price: float
    price_unit: str  # USD/t, USD/lb or USD/oz
    recovery_pct: float
    payable_pct: float

    def __post_init__(self) -> None:
        _check(self.grade_unit in _GRADE_UNITS, f"{self.id}: grade unit must be '%' or 'g/t', not {self.grade_unit!r}")
        _check(self.price_unit in _PRICE_UNITS, f"{self.id}: price unit must be one of {', '.join(_PRICE_UNITS)}")
        _check(_PRICE_UNITS[self.price_unit][0] == _GRADE_UNITS[self.grade_unit],
               f"{self.id}: a grade in {self.grade_unit} gives metal in {_GRADE_UNITS[self.grade_unit]}, "
               f"which cannot be priced in {self.price_unit}")
        _check(_finite(self.price) and self.price >= 0, f"{self.id}: price must be >= 0, not {self.price!r}")
        _check(_finite(self.recovery_pct) and 0 <= self.recovery_pct <= 100,
               f"{self.id}: recovery must be between 0 and 100 %, not {self.recovery_pct!r}")
        _check(_finite(self.payable_pct) and 0 <= self.payable_pct <= 100,
               f"{self.id}: payable share must be between 0 and 100 %, not {self.payable_pct!r}")

    def revenue_factor(self) -> float:
        """MUSD per (Mt ore x grade unit): ore_mt x grade x this = gross revenue in MUSD."""
        metal_per = 1e6 / 100.0 if self.grade_unit == "%" else 1e6 / TROY_OUNCE_G  # t or oz per Mt per grade unit
        _, per_sale_unit = _PRICE_UNITS[self.price_unit]
        return metal_per * self.recovery_pct / 100.0 * self.payable_pct / 100.0 * self.price * per_sale_unit / 1e6

    def metal_factor(self) -> float:
        """Payable metal (t or oz) per (Mt ore x grade unit)."""
        metal_per = 1e6 / 100.0 if self.grade_unit == "%" else 1e6 / TROY_OUNCE_G
        return metal_per * self.recovery_pct / 100.0 * self.payable_pct / 100.0


@dataclass(frozen=True)
class Period:
    """Years first..last (inclusive) milling `ore_mt` a year at constant head grades."""

    first_year: int
    last_year: int
    ore_mt: float
    grades: Mapping[str, float]

    def __post_init__(self) -> None:
        where = f"schedule {self.first_year}-{self.last_year}"
        _check(self.last_year >= self.first_year, f"{where}: last year before first year")
        _check(_finite(self.ore_mt) and self.ore_mt >= 0, f"{where}: ore tonnage must be >= 0, not {self.ore_mt!r}")
        for c, g in self.grades.items():
            _check(_finite(g) and g >= 0, f"{where}: {c} grade must be >= 0, not {g!r}")


@dataclass(frozen=True)
class CapexItem:
    label: str
    year: int
    amount_musd: float
    construction: bool = True  # construction capital stays in its year when the start is delayed

    def __post_init__(self) -> None:
        _check(_finite(self.amount_musd) and self.amount_musd >= 0,
               f"capex {self.label!r} {self.year}: amount must be >= 0, not {self.amount_musd!r}")


@dataclass(frozen=True)
class Partner:
    name: str
    equity_pct: float
    carried: bool = False  # free-carried: pays no capital, receives its equity share of distributions
    government: bool = False  # counts towards host-government take

    def __post_init__(self) -> None:
        _check(_finite(self.equity_pct) and 0 <= self.equity_pct <= 100,
               f"partner {self.name!r}: equity must be between 0 and 100 %, not {self.equity_pct!r}")


@dataclass(frozen=True)
class Fiscal:
    royalty_pct: float  # of gross sales
    income_tax_pct: float
    depreciation_years: int
    us_tariff_pct: float
    us_sales_share_pct: float = 0.0
    tariff_incidence_pct: float = 100.0  # share of the duty the exporter absorbs (price discount)

    def __post_init__(self) -> None:
        for name in ("royalty_pct", "income_tax_pct", "us_tariff_pct", "us_sales_share_pct", "tariff_incidence_pct"):
            v = getattr(self, name)
            _check(_finite(v) and 0 <= v <= 100, f"fiscal {name} must be between 0 and 100 %, not {v!r}")
        _check(isinstance(self.depreciation_years, int) and self.depreciation_years >= 1,
               f"depreciation_years must be a whole number >= 1, not {self.depreciation_years!r}")


@dataclass(frozen=True)
class Case:
    """Everything the DCF needs; `provenance` maps a parameter path to its source or assumption."""

    project_id: str
    name: str
    start_year: int
    commodities: tuple[Commodity, ...]
    schedule: tuple[Period, ...]
    opex_usd_per_t_ore: float
    offsite_pct_of_revenue: float
    sustaining_musd_per_yr: float
    capex: tuple[CapexItem, ...]
    partners: tuple[Partner, ...]
    fiscal: Fiscal
    provenance: Mapping[str, Any] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        _check(bool(self.commodities), "a case needs at least one commodity")
        _check(bool(self.schedule), "a case needs a production schedule")
        ids = {c.id for c in self.commodities}
        for p in self.schedule:
            unknown = set(p.grades) - ids
            _check(not unknown, f"schedule {p.first_year}-{p.last_year}: grade for unknown commodity "
                                f"{', '.join(sorted(unknown))} (commodities: {', '.join(sorted(ids))})")
        spans = sorted((p.first_year, p.last_year) for p in self.schedule)
        for (a0, a1), (b0, _) in zip(spans, spans[1:]):
            _check(b0 > a1, f"schedule periods overlap: {a0}-{a1} and one starting {b0}")
        _check(spans[0][0] >= self.start_year, f"production starts ({spans[0][0]}) before start_year {self.start_year}")
        for c in self.capex:
            _check(c.year >= self.start_year, f"capex {c.label!r} in {c.year}, before start_year {self.start_year}")
        _check(_finite(self.opex_usd_per_t_ore) and self.opex_usd_per_t_ore >= 0, "opex per tonne must be >= 0")
        _check(_finite(self.offsite_pct_of_revenue) and 0 <= self.offsite_pct_of_revenue <= 100,
               "off-site costs must be between 0 and 100 % of revenue")
        _check(_finite(self.sustaining_musd_per_yr) and self.sustaining_musd_per_yr >= 0,
               "sustaining capital must be >= 0")
        _check(bool(self.partners), "a case needs at least one partner")
        total = sum(p.equity_pct for p in self.partners)
        _check(abs(total - 100.0) <= SHARE_TOLERANCE_PCT,
               f"partner equity shares sum to {total:g} %, not 100 % "
               f"({', '.join(f'{p.name} {p.equity_pct:g}' for p in self.partners)})")
        _check(any(not p.carried for p in self.partners), "every partner is carried: nobody funds the project")

    @property
    def first_production_year(self) -> int:
        return min(p.first_year for p in self.schedule)

    @property
    def last_production_year(self) -> int:
        return max(p.last_year for p in self.schedule)

    def horizon(self, max_delay: int = 0) -> int:
        """Number of years from start_year through the last production year (plus any delay)."""
        return self.last_production_year + max_delay - self.start_year + 1


@dataclass
class CashFlows:
    """Annual project cash flows (MUSD); arrays end in the year axis and may carry leading path axes.
    Royalty, tariff and off-site costs are fixed fractions of gross revenue, so they are derived."""

    years: np.ndarray
    ore_mt: np.ndarray
    metal: dict[str, np.ndarray]  # payable t or oz per year
    revenue: np.ndarray
    opex: np.ndarray
    capex: np.ndarray
    depreciation: np.ndarray
    tax: np.ndarray
    net: np.ndarray
    royalty_rate: float
    tariff_rate: float  # effective: US share x duty x incidence
    offsite_rate: float

    @property
    def royalty(self) -> np.ndarray:
        return self.revenue * self.royalty_rate

    @property
    def tariff(self) -> np.ndarray:
        return self.revenue * self.tariff_rate

    @property
    def offsite(self) -> np.ndarray:
        return self.revenue * self.offsite_rate

    @property
    def pre_fiscal(self) -> np.ndarray:
        """Net cash flow before royalty, income tax and the US tariff."""
        return self.net + self.royalty + self.tax + self.tariff


def _schedule(case: Case, T: int, delay: int) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    ore = np.zeros(T)
    grades = {c.id: np.zeros(T) for c in case.commodities}
    for p in case.schedule:
        a = p.first_year + delay - case.start_year
        b = min(p.last_year + delay - case.start_year + 1, T)
        if a >= T:
            continue
        ore[a:b] = p.ore_mt
        for cid, g in p.grades.items():
            grades[cid][a:b] = g
    return ore, grades


def _depreciation_matrix(T: int, first_prod: int, years: int) -> np.ndarray:
    """M[s, t] = 1/years when spend in year s is depreciated in year t (from max(s, first_prod))."""
    m = np.zeros((T, T))
    for s in range(T):
        start = max(s, first_prod)
        m[s, start:min(start + years, T)] = 1.0 / years
    return m


def income_tax(taxable: np.ndarray, rate_pct: float) -> np.ndarray:
    """Tax per year with losses carried forward without limit (no carry-back).

    The cumulative tax base is then the running maximum of cumulative taxable income, floored at 0,
    so the whole schedule is vectorised: no loop over years."""
    base = np.maximum(np.maximum.accumulate(np.cumsum(taxable, axis=-1), axis=-1), 0.0)
    return np.diff(base, axis=-1, prepend=0.0) * (rate_pct / 100.0)


def cash_flows(case: Case, *, prices: Mapping[str, np.ndarray] | None = None, opex_factor: Any = 1.0,
               capex_factor: Any = 1.0, delay_years: int = 0, horizon: int | None = None) -> CashFlows:
    """Project cash flows. `prices` (commodity -> array (..., T) in the case's price units) default to the
    case prices; factors scale operating and capital costs; `delay_years` shifts production."""
    _check(delay_years >= 0, f"delay must be >= 0 years, not {delay_years}")
    T = horizon or case.horizon(delay_years)
    _check(T >= case.horizon(delay_years), f"horizon of {T} years ends before production does")
    years = np.arange(case.start_year, case.start_year + T)
    ore, grades = _schedule(case, T, delay_years)
    f = case.fiscal
    revenue: Any = 0.0
    metal = {}
    for c in case.commodities:
        metal[c.id] = ore * grades[c.id] * c.metal_factor()
        base = ore * grades[c.id] * c.revenue_factor()  # MUSD at the case price
        if prices is not None and c.id in prices:
            revenue = revenue + np.asarray(prices[c.id], dtype=float) * (base / c.price if c.price else 0.0 * base)
        else:
            revenue = revenue + base
    revenue = np.asarray(revenue, dtype=float)
    royalty_rate = f.royalty_pct / 100.0
    tariff_rate = f.us_sales_share_pct / 100.0 * f.us_tariff_pct / 100.0 * f.tariff_incidence_pct / 100.0
    offsite_rate = case.offsite_pct_of_revenue / 100.0
    opex = (ore * case.opex_usd_per_t_ore) * np.asarray(opex_factor, dtype=float)  # Mt x USD/t = MUSD
    first_prod = case.first_production_year + delay_years - case.start_year
    spend = np.zeros(T)
    for item in case.capex:
        i = item.year - case.start_year + (0 if item.construction else delay_years)
        if i < T:
            spend[i] += item.amount_musd
    spend = spend + np.where(ore > 0, case.sustaining_musd_per_yr, 0.0)
    factor = np.asarray(capex_factor, dtype=float)
    capex = spend * factor
    depreciation = (spend @ _depreciation_matrix(T, first_prod, f.depreciation_years)) * factor
    ebitda = revenue * (1.0 - royalty_rate - tariff_rate - offsite_rate) - opex
    tax = income_tax(ebitda - depreciation, f.income_tax_pct)
    net = ebitda - capex - tax
    shape = net.shape
    return CashFlows(years=years, ore_mt=ore, metal=metal, revenue=np.broadcast_to(revenue, shape),
                     opex=np.broadcast_to(opex, shape), capex=np.broadcast_to(capex, shape),
                     depreciation=np.broadcast_to(depreciation, shape), tax=tax, net=net,
                     royalty_rate=royalty_rate, tariff_rate=tariff_rate, offsite_rate=offsite_rate)


def partner_weights(partners: Sequence[Partner]) -> tuple[np.ndarray, np.ndarray]:
    """(share of a positive year, share of a negative year) per partner: carried partners fund nothing."""
    eq = np.array([p.equity_pct for p in partners], dtype=float)
    pos = eq / eq.sum()
    funders = np.array([0.0 if p.carried else p.equity_pct for p in partners])
    return pos, funders / funders.sum()


def partner_flows(net: np.ndarray, partners: Sequence[Partner]) -> np.ndarray:
    """Cash flows per partner, shape (..., partners, years); they sum to `net` every year."""
    pos, neg = partner_weights(partners)
    up = np.maximum(net, 0.0)[..., None, :]
    down = np.minimum(net, 0.0)[..., None, :]
    return up * pos[:, None] + down * neg[:, None]


def _rate(rate_pct: float) -> float:
    _check(_finite(rate_pct), f"discount rate must be a number, not {rate_pct!r}")
    _check(rate_pct > -100.0, f"a discount rate of {rate_pct:g} % is refused: at -100 % or below the discount "
                              "factor 1/(1+r)^t is undefined")
    return rate_pct / 100.0


def discount_factors(rate_pct: float, T: int) -> np.ndarray:
    return (1.0 + _rate(rate_pct)) ** -np.arange(T, dtype=float)


def npv(rate_pct: float, cf: np.ndarray) -> Any:
    """Net present value at `rate_pct` (%), first cash flow undiscounted (year 0), along the last axis."""
    cf = np.asarray(cf, dtype=float)
    return cf @ discount_factors(rate_pct, cf.shape[-1])


@dataclass(frozen=True)
class Irr:
    value_pct: float | None
    roots_pct: tuple[float, ...] = ()
    reason: str | None = None  # why there is no single IRR

    def display(self) -> str:
        return f"{self.value_pct:.2f} %" if self.value_pct is not None else f"undefined: {self.reason}"

    def short(self) -> str:
        if self.value_pct is not None:
            return f"{self.value_pct:.2f} %"
        return "undefined (no sign change)" if not self.roots_pct else "multiple: " + ", ".join(
            f"{r:.1f} %" for r in self.roots_pct)


def irr(cf: Sequence[float]) -> Irr:
    """Internal rate of return: the real roots r > -100 % of NPV(r) = 0; undefined without a sign change."""
    cf = np.trim_zeros(np.asarray(cf, dtype=float), "b")
    nz = cf[cf != 0]
    if nz.size == 0 or np.all(nz > 0) or np.all(nz < 0):
        kind = "no cash flows" if nz.size == 0 else ("all cash flows are positive" if np.all(nz > 0)
                                                     else "all cash flows are negative")
        return Irr(None, (), f"no sign change ({kind}), so no rate makes NPV zero")
    lead = np.argmax(cf != 0)
    # NPV(r) = sum cf_t x^t with x = 1/(1+r): roots of that polynomial, x > 0 real.
    roots = np.roots(cf[lead:][::-1])
    found = []
    for x in roots:
        if abs(x.imag) > 1e-9 * max(1.0, abs(x.real)) or x.real <= 0:
            continue
        r = _polish(cf, 1.0 / x.real - 1.0)
        if r is not None and not any(abs(r - f) < 1e-9 for f in found):
            found.append(r)
    found.sort()
    if not found:
        return Irr(None, (), "NPV has no real root above -100 %")
    if len(found) > 1:
        return Irr(None, tuple(float(100 * r) for r in found),
                   f"{len(found)} rates make NPV zero ({', '.join(f'{100 * r:.2f} %' for r in found)}): "
                   "non-conventional cash flows have no single IRR")
    return Irr(float(100.0 * found[0]), (float(100.0 * found[0]),))


def _polish(cf: np.ndarray, r: float) -> float | None:
    """A few Newton steps on NPV(r) for full precision; None if it leaves r > -1."""
    t = np.arange(cf.size, dtype=float)
    for _ in range(50):
        if r <= -1:
            return None
        d = (1.0 + r) ** -t
        f = cf @ d
        g = -(t * cf) @ (d / (1.0 + r))
        if g == 0:
            break
        step = f / g
        r -= step
        if abs(step) < 1e-14:
            break
    return float(r) if r > -1 else None


def payback_years(cf: Sequence[float]) -> float | None:
    """Years from year 0 until the cumulative cash flow first turns non-negative after being negative
    (linear within the year); None when it never does."""
    cum = np.cumsum(np.asarray(cf, dtype=float))
    was_negative = False
    for t, c in enumerate(cum):
        if c < 0:
            was_negative = True
        elif was_negative:
            prev = cum[t - 1]
            return float(t - 1 + (-prev) / (c - prev))
    return None


@dataclass
class PartnerResult:
    partner: Partner
    cash_flows: np.ndarray
    npv: dict[float, float]
    irr: Irr
    payback_years: float | None


@dataclass
class GovernmentTake:
    royalty: float
    income_tax: float
    government_equity: float  # cash flows of government-owned partners (net of what they fund)
    pre_fiscal: float  # undiscounted project net cash flow before royalty, tax and US tariff
    us_tariff: float  # absorbed by the project; collected by the US, not the host

    @property
    def host_total(self) -> float:
        return self.royalty + self.income_tax + self.government_equity

    @property
    def fiscal_take_pct(self) -> float | None:
        return None if self.pre_fiscal <= 0 else 100.0 * (self.royalty + self.income_tax) / self.pre_fiscal

    @property
    def host_take_pct(self) -> float | None:
        return None if self.pre_fiscal <= 0 else 100.0 * self.host_total / self.pre_fiscal


@dataclass
class Evaluation:
    case: Case
    rates_pct: tuple[float, ...]
    flows: CashFlows
    npv: dict[float, float]
    irr: Irr
    payback_years: float | None
    partners: list[PartnerResult]
    take: GovernmentTake


def evaluate(case: Case, rates_pct: Sequence[float]) -> Evaluation:
    """Project and partner cash flows, NPV at each rate, IRR, payback and government take."""
    _check(len(rates_pct) > 0, "give at least one discount rate")
    for r in rates_pct:
        _rate(r)
    flows = cash_flows(case)
    pflows = partner_flows(flows.net, case.partners)
    partners = [
        PartnerResult(p, pflows[i], {r: float(npv(r, pflows[i])) for r in rates_pct}, irr(pflows[i]),
                      payback_years(pflows[i]))
        for i, p in enumerate(case.partners)
    ]
    gov = sum(float(pflows[i].sum()) for i, p in enumerate(case.partners) if p.government)
    take = GovernmentTake(royalty=float(flows.royalty.sum()), income_tax=float(flows.tax.sum()),
                          government_equity=gov, pre_fiscal=float(flows.pre_fiscal.sum()),
                          us_tariff=float(flows.tariff.sum()))
    return Evaluation(case=case, rates_pct=tuple(rates_pct), flows=flows,
                      npv={r: float(npv(r, flows.net)) for r in rates_pct}, irr=irr(flows.net),
                      payback_years=payback_years(flows.net), partners=partners, take=take)
