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

    def recovered_factor(self) -> float:
        """Recovered metal (t or oz) per (Mt ore x grade unit), before payable terms."""
        metal_per = 1e6 / 100.0 if self.grade_unit == "%" else 1e6 / TROY_OUNCE_G
        return metal_per * self.recovery_pct / 100.0

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


BASES = {
    "gross-sale-proceeds": "gross sale proceeds: payable metal (or mineral sold) at the sale price",
    "net-smelter-return": "gross sale proceeds less off-site charges (treatment, refining, freight)",
    "pit-mouth-value": "value at the pit mouth: gross sale proceeds less off-site charges beyond the pit",
}


@dataclass(frozen=True)
class RatePeriod:
    """A levy's rate in calendar years first..last (None: open-ended) and its minimum per tonne sold."""

    first_year: int
    last_year: int | None
    rate_pct: float
    min_usd_per_t: float = 0.0

    def __post_init__(self) -> None:
        _check(_finite(self.rate_pct) and 0 <= self.rate_pct <= 100,
               f"levy rate must be between 0 and 100 %, not {self.rate_pct!r}")
        _check(_finite(self.min_usd_per_t) and self.min_usd_per_t >= 0, "minimum per tonne must be >= 0")
        _check(self.last_year is None or self.last_year >= self.first_year,
               f"rate period {self.first_year}-{self.last_year}: last year before first year")

    def covers(self, year: int) -> bool:
        return self.first_year <= year and (self.last_year is None or year <= self.last_year)


@dataclass(frozen=True)
class Levy:
    """An ad valorem royalty or similar levy: rate x basis, at least a minimum per tonne of mineral sold, and,
    where the rules say "royalty or dead rent, whichever is higher", at least the dead rent of each year."""

    name: str
    payee: str
    basis: str
    periods: tuple[RatePeriod, ...]
    commodities: tuple[str, ...] | None = None  # None: every commodity of the case
    government: bool = True
    dead_rent_musd: float = 0.0
    higher_of_dead_rent: bool = False

    def __post_init__(self) -> None:
        _check(self.basis in BASES, f"levy {self.name!r}: basis {self.basis!r} cannot be computed; "
                                    f"use one of {', '.join(BASES)}")
        spans = sorted((p.first_year, p.last_year if p.last_year is not None else 10**6) for p in self.periods)
        for (a0, a1), (b0, _) in zip(spans, spans[1:]):
            _check(b0 > a1, f"levy {self.name!r}: rate periods overlap ({a0}-{a1} and one from {b0})")
        _check(_finite(self.dead_rent_musd) and self.dead_rent_musd >= 0, "dead rent must be >= 0")

    def schedule(self, years: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(rate as a fraction, minimum USD per tonne, dead rent MUSD) for each calendar year."""
        rate, minimum, rent = np.zeros(years.size), np.zeros(years.size), np.zeros(years.size)
        for i, y in enumerate(years.tolist()):
            p = next((p for p in self.periods if p.covers(y)), None)
            if p is not None:
                rate[i], minimum[i] = p.rate_pct / 100.0, p.min_usd_per_t
                rent[i] = self.dead_rent_musd if self.higher_of_dead_rent else 0.0
        return rate, minimum, rent


@dataclass(frozen=True)
class FixedPayment:
    """Payments of fixed amounts by calendar year: advance royalties before production, annual rents.
    `then_musd` continues each year after the listed amounts; `until_production` stops it in the first
    production year (after any delay); `cap_musd` bounds the total."""

    name: str
    payee: str
    first_year: int
    amounts_musd: tuple[float, ...] = ()
    then_musd: float = 0.0
    until_production: bool = False
    cap_musd: float | None = None
    government: bool = True
    last_year: int | None = None

    def __post_init__(self) -> None:
        for a in (*self.amounts_musd, self.then_musd, self.cap_musd or 0.0):
            _check(_finite(a) and a >= 0, f"{self.name}: amounts must be >= 0, not {a!r}")

    def schedule(self, years: np.ndarray, first_production: int) -> np.ndarray:
        out = np.zeros(years.size)
        paid = 0.0
        for i, y in enumerate(years.tolist()):
            k = y - self.first_year
            if k < 0 or (self.last_year is not None and y > self.last_year):
                continue
            if self.until_production and y >= first_production:
                break
            amount = self.amounts_musd[k] if k < len(self.amounts_musd) else self.then_musd
            if self.cap_musd is not None:
                amount = max(0.0, min(amount, self.cap_musd - paid))
            out[i] = amount
            paid += amount
        return out

    def paid_before(self, year: int, first_production: int) -> float:
        """What fell before `year` (outside a case's horizon), towards the cap."""
        years = np.arange(min(self.first_year, year), year)
        return float(self.schedule(years, first_production).sum()) if years.size else 0.0


@dataclass(frozen=True)
class TaxRegime:
    """Corporate income tax: a standard rate; optionally a holiday for the first production years and a capped
    rate until the end of a stabilisation period counted from first production; super tax on each year's
    income (no losses brought forward, as s.4C defines it) by band: the rate of the highest band the year's
    income exceeds applies to the whole income."""

    rate_pct: float
    holiday_years: int = 0
    capped_pct: float | None = None
    stabilised_years: int | None = None
    super_tax: tuple[tuple[int, int | None, tuple[tuple[float, float], ...]], ...] = ()  # (first, last, bands)
    super_tax_in_stabilisation: bool = True

    def __post_init__(self) -> None:
        for r in (self.rate_pct, self.capped_pct if self.capped_pct is not None else 0.0):
            _check(_finite(r) and 0 <= r <= 100, f"income tax rate must be between 0 and 100 %, not {r!r}")
        _check(self.holiday_years >= 0, "tax holiday must be >= 0 years")
        for _, _, bands in self.super_tax:
            for threshold, rate in bands:
                _check(_finite(rate) and 0 <= rate <= 100 and _finite(threshold) and threshold >= 0,
                       "super tax bands need thresholds >= 0 and rates between 0 and 100 %")

    def rates(self, years: np.ndarray, first_production: int) -> tuple[np.ndarray, np.ndarray]:
        """(income tax rate as a fraction, 1 where super tax applies) per calendar year."""
        k = years - first_production  # production year index, 0 = first
        rate = np.full(years.size, self.rate_pct / 100.0)
        stab = np.zeros(years.size, dtype=bool)
        if self.stabilised_years is not None:
            stab = k < self.stabilised_years
            if self.capped_pct is not None:
                rate = np.where(stab, min(self.capped_pct, self.rate_pct) / 100.0, rate)
        rate = np.where(k < self.holiday_years, 0.0, rate)
        applies = np.ones(years.size) if self.super_tax_in_stabilisation else np.where(stab | (k < self.holiday_years), 0.0, 1.0)
        return rate, applies

    def bands(self, year: int) -> tuple[tuple[float, float], ...]:
        for first, last, bands in self.super_tax:
            if first <= year and (last is None or year <= last):
                return bands
        return ()

    def super_rate(self, years: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Band thresholds (MUSD) and rates (fractions) per year, padded: shapes (T, B)."""
        per_year = [self.bands(int(y)) for y in years]
        width = max([len(b) for b in per_year] + [1])
        thr = np.full((years.size, width), np.inf)
        rates = np.zeros((years.size, width))
        for i, b in enumerate(per_year):
            for j, (t, r) in enumerate(sorted(b)):
                thr[i, j], rates[i, j] = t, r / 100.0
        return thr, rates


@dataclass(frozen=True)
class Fiscal:
    """Fiscal terms of a case. The simple form (one royalty on gross sales, one income tax rate) is what a bare
    case file gives; `levies`, `fixed` and `tax` carry the resolved terms of a jurisdiction or agreement."""

    royalty_pct: float  # of gross sales; used only when `levies` is empty
    income_tax_pct: float  # used only when `tax` is None
    depreciation_years: int
    us_tariff_pct: float
    us_sales_share_pct: float = 0.0
    tariff_incidence_pct: float = 100.0  # share of the duty the exporter absorbs (price discount)
    levies: tuple[Levy, ...] = ()
    fixed: tuple[FixedPayment, ...] = ()
    tax: TaxRegime | None = None

    def __post_init__(self) -> None:
        for name in ("royalty_pct", "income_tax_pct", "us_tariff_pct", "us_sales_share_pct", "tariff_incidence_pct"):
            v = getattr(self, name)
            _check(_finite(v) and 0 <= v <= 100, f"fiscal {name} must be between 0 and 100 %, not {v!r}")
        _check(isinstance(self.depreciation_years, int) and self.depreciation_years >= 1,
               f"depreciation_years must be a whole number >= 1, not {self.depreciation_years!r}")

    @property
    def all_levies(self) -> tuple[Levy, ...]:
        if self.levies:
            return self.levies
        return (Levy("royalty", "host government", "gross-sale-proceeds", (RatePeriod(0, None, self.royalty_pct),)),)

    @property
    def tax_regime(self) -> TaxRegime:
        return self.tax if self.tax is not None else TaxRegime(self.income_tax_pct)


@dataclass(frozen=True)
class Case:
    """Everything the DCF needs; `provenance` maps a parameter path to its source or assumption.
    `discount_offset` 0 leaves the first year's cash flow undiscounted; 1 values the case at the start of
    `start_year` with end-of-year cash flows."""

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
    discount_offset: int = 0
    sustaining_last_year: int | None = None  # sustaining capital stops after this production year (None: all)

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
        _check(self.discount_offset in (0, 1), "discount_offset must be 0 or 1")
        for lv in self.fiscal.levies:
            unknown = set(lv.commodities or ()) - ids
            _check(not unknown, f"levy {lv.name!r} applies to unknown commodity {', '.join(sorted(unknown))}")

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
    """Annual project cash flows (MUSD); arrays end in the year axis and may carry leading path axes."""

    years: np.ndarray
    ore_mt: np.ndarray
    metal: dict[str, np.ndarray]  # payable t or oz per year
    recovered: dict[str, np.ndarray]  # recovered t or oz per year (before payable terms)
    revenue: np.ndarray
    opex: np.ndarray
    capex: np.ndarray
    depreciation: np.ndarray
    tax: np.ndarray  # income tax + super tax
    net: np.ndarray
    levies: dict[str, np.ndarray]  # by levy name
    fixed: dict[str, np.ndarray]  # advance royalties, rents
    super_tax: np.ndarray
    tariff: np.ndarray
    offsite: np.ndarray
    sustaining: np.ndarray  # part of capex: sustaining capital
    interest: np.ndarray | None = None  # when levered: interest deducted from taxable income

    @property
    def royalty(self) -> np.ndarray:
        """Royalties and rents: every levy and fixed payment."""
        total = np.zeros_like(self.net)
        for v in (*self.levies.values(), *self.fixed.values()):
            total = total + v
        return total

    @property
    def ebitda(self) -> np.ndarray:
        return self.revenue - self.offsite - self.royalty - self.tariff - self.opex

    @property
    def pre_fiscal(self) -> np.ndarray:
        """Net cash flow before royalties, rents, income tax and the US tariff."""
        return self.net + self.royalty + self.tax + self.tariff

    @property
    def pre_tax(self) -> np.ndarray:
        """Net cash flow after royalties and rents, before income tax (the feasibility studies' 'pre-tax')."""
        return self.net + self.tax


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


def income_tax(taxable: np.ndarray, rate_pct: Any) -> np.ndarray:
    """Tax per year with losses carried forward without limit (no carry-back); `rate_pct` may vary by year.

    The cumulative tax base is then the running maximum of cumulative taxable income, floored at 0,
    so the whole schedule is vectorised: no loop over years."""
    base = np.maximum(np.maximum.accumulate(np.cumsum(taxable, axis=-1), axis=-1), 0.0)
    return np.diff(base, axis=-1, prepend=0.0) * (np.asarray(rate_pct, dtype=float) / 100.0)


def super_tax(income: np.ndarray, thresholds: np.ndarray, rates: np.ndarray) -> np.ndarray:
    """Super tax of each year's income (no losses brought forward): the rate of the highest band exceeded,
    on the whole income. `thresholds`/`rates` have shape (T, B)."""
    inc = np.asarray(income, dtype=float)
    rate = np.zeros(inc.shape)
    for j in range(thresholds.shape[1]):
        rate = np.where(inc > thresholds[:, j], rates[:, j], rate)
    return np.maximum(inc, 0.0) * rate


def cash_flows(case: Case, *, prices: Mapping[str, np.ndarray] | None = None, opex_factor: Any = 1.0,
               capex_factor: Any = 1.0, delay_years: int = 0, horizon: int | None = None,
               interest: np.ndarray | None = None) -> CashFlows:
    """Project cash flows. `prices` (commodity -> array (..., T) in the case's price units) default to the
    case prices; factors scale operating and capital costs; `delay_years` shifts production; `interest`
    (MUSD per year, when levered) is deducted from taxable income."""
    _check(delay_years >= 0, f"delay must be >= 0 years, not {delay_years}")
    T = horizon or case.horizon(delay_years)
    _check(T >= case.horizon(delay_years), f"horizon of {T} years ends before production does")
    years = np.arange(case.start_year, case.start_year + T)
    ore, grades = _schedule(case, T, delay_years)
    f = case.fiscal
    first_prod_year = case.first_production_year + delay_years
    revenue_by: dict[str, Any] = {}
    metal, recovered = {}, {}
    for c in case.commodities:
        recovered[c.id] = ore * grades[c.id] * c.recovered_factor()
        metal[c.id] = ore * grades[c.id] * c.metal_factor()
        base = ore * grades[c.id] * c.revenue_factor()  # MUSD at the case price
        if prices is not None and c.id in prices:
            revenue_by[c.id] = np.asarray(prices[c.id], dtype=float) * (base / c.price if c.price else 0.0 * base)
        else:
            revenue_by[c.id] = base
    revenue = np.asarray(sum(revenue_by.values()), dtype=float)
    offsite_rate = case.offsite_pct_of_revenue / 100.0
    offsite = revenue * offsite_rate
    levies = {}
    for lv in f.all_levies:
        ids = lv.commodities or tuple(revenue_by)
        gross = np.asarray(sum(revenue_by[i] for i in ids), dtype=float)
        base = gross if lv.basis == "gross-sale-proceeds" else gross * (1.0 - offsite_rate)
        tonnes = sum(metal[i] for i in ids if _GRADE_UNITS[case_commodity(case, i).grade_unit] == "t")
        rate, minimum, rent = lv.schedule(years)
        amount = np.maximum(rate * base, minimum * np.asarray(tonnes, dtype=float) / 1e6)
        if lv.higher_of_dead_rent:
            amount = np.maximum(amount, rent)
        levies[lv.name] = levies.get(lv.name, 0.0) + amount
    fixed = {fp.name: fp.schedule(years, first_prod_year) for fp in f.fixed}
    fixed_total = np.asarray(sum(fixed.values()), dtype=float) if fixed else np.zeros(T)
    tariff_rate = f.us_sales_share_pct / 100.0 * f.us_tariff_pct / 100.0 * f.tariff_incidence_pct / 100.0
    tariff = revenue * tariff_rate
    opex = (ore * case.opex_usd_per_t_ore) * np.asarray(opex_factor, dtype=float)  # Mt x USD/t = MUSD
    first_prod = first_prod_year - case.start_year
    spend = np.zeros(T)
    for item in case.capex:
        i = item.year - case.start_year + (0 if item.construction else delay_years)
        if i < T:
            spend[i] += item.amount_musd
    sustaining_on = ore > 0
    if case.sustaining_last_year is not None:
        sustaining_on = sustaining_on & (years <= case.sustaining_last_year + delay_years)
    sustaining_base = np.where(sustaining_on, case.sustaining_musd_per_yr, 0.0)
    spend = spend + sustaining_base
    factor = np.asarray(capex_factor, dtype=float)
    capex = spend * factor
    depreciation = (spend @ _depreciation_matrix(T, first_prod, f.depreciation_years)) * factor
    royalty_total = np.asarray(sum(levies.values()), dtype=float) + fixed_total
    ebitda = revenue - offsite - royalty_total - tariff - opex
    taxable = ebitda - depreciation - (0.0 if interest is None else interest)
    regime = f.tax_regime
    rate, st_applies = regime.rates(years, first_prod_year)
    thr, st_rates = regime.super_rate(years)
    tax_income = income_tax(taxable, rate * 100.0)
    tax_super = super_tax(taxable, thr, st_rates) * st_applies
    tax = tax_income + tax_super
    net = ebitda - capex - tax
    shape = net.shape

    def full(x):
        return np.broadcast_to(np.asarray(x, dtype=float), shape)
    return CashFlows(years=years, ore_mt=ore, metal=metal, recovered=recovered, revenue=full(revenue),
                     opex=full(opex), capex=full(capex), depreciation=full(depreciation), tax=tax, net=net,
                     levies={k: full(v) for k, v in levies.items()}, fixed={k: full(v) for k, v in fixed.items()},
                     super_tax=full(tax_super), tariff=full(tariff), offsite=full(offsite),
                     sustaining=full(sustaining_base * factor),
                     interest=None if interest is None else full(interest))


def case_commodity(case: Case, cid: str) -> Commodity:
    return next(c for c in case.commodities if c.id == cid)


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


def discount_factors(rate_pct: float, T: int, offset: int = 0) -> np.ndarray:
    return (1.0 + _rate(rate_pct)) ** -(np.arange(T, dtype=float) + offset)


def npv(rate_pct: float, cf: np.ndarray, offset: int = 0) -> Any:
    """Net present value at `rate_pct` (%) along the last axis; with `offset` 0 the first cash flow is
    undiscounted (year 0), with 1 every flow is discounted to the start of the first year."""
    cf = np.asarray(cf, dtype=float)
    return cf @ discount_factors(rate_pct, cf.shape[-1], offset)


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
    by_levy: dict[str, tuple[str, float]] = field(default_factory=dict)  # name -> (payee, total)
    super_tax: float = 0.0  # part of income_tax

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
        PartnerResult(p, pflows[i], {r: float(npv(r, pflows[i], case.discount_offset)) for r in rates_pct},
                      irr(pflows[i]),
                      payback_years(pflows[i]))
        for i, p in enumerate(case.partners)
    ]
    gov = sum(float(pflows[i].sum()) for i, p in enumerate(case.partners) if p.government)
    payees = {lv.name: lv.payee for lv in case.fiscal.all_levies} | {fp.name: fp.payee for fp in case.fiscal.fixed}
    by_levy = {k: (payees.get(k, ""), float(v.sum())) for k, v in (*flows.levies.items(), *flows.fixed.items())
               if float(np.abs(v).sum()) > 0}
    take = GovernmentTake(royalty=float(flows.royalty.sum()), income_tax=float(flows.tax.sum()),
                          government_equity=gov, pre_fiscal=float(flows.pre_fiscal.sum()),
                          us_tariff=float(flows.tariff.sum()), by_levy=by_levy, super_tax=float(flows.super_tax.sum()))
    off = case.discount_offset
    return Evaluation(case=case, rates_pct=tuple(rates_pct), flows=flows,
                      npv={r: float(npv(r, flows.net, off)) for r in rates_pct}, irr=irr(flows.net),
                      payback_years=payback_years(flows.net), partners=partners, take=take)
