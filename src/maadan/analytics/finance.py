"""Project finance: debt tranches as reported, a levered case, equity IRR per partner, debt-service coverage and
the US-side view of the EXIM loan (docs/analytics.md §4.4).

A case's `financing:` section lists the tranches (lender, amount with its source; terms where reported) and
the package terms (grace, repayment period, rate, drawdown). What the sources do not give is an assumption
with `verified: false`, listed with every result. Amounts not reported stay unknown and are left out of the
debt, never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np

from maadan.analytics import economics as ec
from maadan.analytics.params import CITED_KEYS, Cited
from maadan.errors import InvalidInput

FIN_KEYS = {"basis", "tranches", "terms", "reported_totals", "offtake", "us_view", "note"}
TRANCHE_KEYS = {"lender", "kind", "amount_musd", "country", "note", "conflicting"}
TERM_KEYS = {"first_draw_year", "drawdown", "grace_years", "repayment_years", "interest_pct", "repayment",
             "covenant_dscr"}
DRAWDOWNS = {"pro-rata-construction-capex"}
REPAYMENTS = {"equal-principal", "annuity"}


@dataclass(frozen=True)
class Tranche:
    lender: str
    kind: str
    amount: Cited | None  # None: amount not reported
    country: str | None
    note: str | None = None
    conflicting: tuple[str, ...] = ()


@dataclass(frozen=True)
class Terms:
    first_draw_year: Cited
    grace_years: Cited
    repayment_years: Cited
    interest_pct: Cited
    repayment: str
    drawdown: str
    covenant_dscr: Cited


@dataclass(frozen=True)
class Financing:
    basis: str
    tranches: tuple[Tranche, ...]
    terms: Terms
    reported_totals: tuple[tuple[str, Cited], ...]
    offtake: dict[str, Any]
    us_view: dict[str, Cited]
    note: str | None = None

    @property
    def known(self) -> tuple[Tranche, ...]:
        return tuple(t for t in self.tranches if t.amount is not None and t.amount.value is not None)

    @property
    def total(self) -> float:
        return sum(t.amount.value for t in self.known)  # type: ignore[union-attr]

    def provenance(self) -> dict[str, Cited]:
        out = {f"financing.{t.lender}.amount_musd": t.amount for t in self.known}
        t = self.terms
        for k in ("first_draw_year", "grace_years", "repayment_years", "interest_pct", "covenant_dscr"):
            out[f"financing.terms.{k}"] = getattr(t, k)
        return out  # type: ignore[return-value]


def _cited(doc, data: Any, where: str, allow_null: bool = False) -> Cited | None:
    def fail(msg: str):
        raise doc.error(where, msg) if doc is not None else InvalidInput(f"{where}: {msg}")
    if not isinstance(data, dict) or "value" not in data:
        fail("expected {value: ..., source: ..., verified: ...}")
    extra = set(data) - CITED_KEYS
    if extra:
        fail(f"unknown key {sorted(extra)[0]!r}")
    v = data["value"]
    if v is None:
        if allow_null:
            return Cited(float("nan"), data.get("unit"), data.get("source"), note=data.get("note"), text="unknown")
        fail("value is missing (null)")
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        fail(f"value must be a number, not {v!r}")
    if not (data.get("source") or data.get("assumption") or data.get("derived") or data.get("legal_basis")):
        fail("no source, assumption or derived note")
    return Cited(float(v), data.get("unit"), data.get("source"), data.get("legal_basis"),
                 bool(data.get("verified", False)), data.get("assumption"), data.get("derived"), data.get("note"),
                 data.get("confidence"))


def parse_financing(case: ec.Case) -> Financing | None:
    raw = case.provenance.get("_financing")
    if raw is None:
        return None
    doc = case.provenance.get("_doc")

    def fail(where: str, msg: str):
        raise doc.error(where, msg) if doc is not None else InvalidInput(f"{where}: {msg}")
    if not isinstance(raw, dict):
        fail("financing", "expected a mapping")
    for k in raw:
        if k not in FIN_KEYS:
            fail(f"financing.{k}", f"unknown key {k!r} (allowed: {', '.join(sorted(FIN_KEYS))})")
    tranches = []
    for i, t in enumerate(raw.get("tranches") or []):
        w = f"financing.tranches[{i}]"
        if not isinstance(t, dict):
            fail(w, "expected a mapping")
        for k in t:
            if k not in TRANCHE_KEYS:
                fail(f"{w}.{k}", f"unknown key {k!r} (allowed: {', '.join(sorted(TRANCHE_KEYS))})")
        if "lender" not in t or "amount_musd" not in t:
            fail(w, "a tranche needs lender and amount_musd (value null when not reported)")
        amount = _cited(doc, t["amount_musd"], f"{w}.amount_musd", allow_null=True)
        if amount is not None and amount.text is None and amount.value < 0:
            fail(f"{w}.amount_musd", "must be >= 0")
        tranches.append(Tranche(str(t["lender"]), str(t.get("kind", "senior")),
                                None if amount is None or amount.text == "unknown" else amount, t.get("country"),
                                t.get("note"), tuple(t.get("conflicting") or ())))
    terms_raw = raw.get("terms") or {}
    for k in terms_raw:
        if k not in TERM_KEYS:
            fail(f"financing.terms.{k}", f"unknown key {k!r} (allowed: {', '.join(sorted(TERM_KEYS))})")
    need = {"first_draw_year", "grace_years", "repayment_years", "interest_pct", "covenant_dscr"}
    for k in sorted(need - set(terms_raw)):
        fail("financing.terms", f"missing key {k!r}")
    repayment = str(terms_raw.get("repayment", "equal-principal"))
    drawdown = str(terms_raw.get("drawdown", "pro-rata-construction-capex"))
    if repayment not in REPAYMENTS:
        fail("financing.terms.repayment", f"repayment must be one of {', '.join(sorted(REPAYMENTS))}")
    if drawdown not in DRAWDOWNS:
        fail("financing.terms.drawdown", f"drawdown must be one of {', '.join(sorted(DRAWDOWNS))}")
    terms = Terms(*(_cited(doc, terms_raw[k], f"financing.terms.{k}") for k in  # type: ignore[arg-type]
                    ("first_draw_year", "grace_years", "repayment_years", "interest_pct")),
                  repayment, drawdown, _cited(doc, terms_raw["covenant_dscr"], "financing.terms.covenant_dscr"))
    if terms.repayment_years.value < 1 or not float(terms.repayment_years.value).is_integer():
        fail("financing.terms.repayment_years", "must be a whole number >= 1")
    if terms.grace_years.value < 0 or not float(terms.grace_years.value).is_integer():
        fail("financing.terms.grace_years", "must be a whole number >= 0")
    totals = tuple((k, _cited(doc, v, f"financing.reported_totals.{k}"))
                   for k, v in (raw.get("reported_totals") or {}).items())
    us_view = {k: _cited(doc, v, f"financing.us_view.{k}") for k, v in (raw.get("us_view") or {}).items()}
    return Financing(str(raw.get("basis", "")), tuple(tranches), terms, totals,  # type: ignore[arg-type]
                     dict(raw.get("offtake") or {}), us_view, raw.get("note"))  # type: ignore[arg-type]


@dataclass
class DebtSchedule:
    years: np.ndarray
    draws: np.ndarray
    interest: np.ndarray
    principal: np.ndarray
    outstanding: np.ndarray  # end of year
    by_tranche: dict[str, np.ndarray]  # outstanding per tranche (pro rata)

    @property
    def service(self) -> np.ndarray:
        return self.interest + self.principal


def debt_schedule(case: ec.Case, fin: Financing, horizon: int | None = None, amount: float | None = None
                  ) -> DebtSchedule:
    """Draws pro rata to construction capital from the first draw year; interest on the opening balance plus
    half of the year's draws; repayment after the grace period (counted from the first draw) over the
    repayment years. Calendar-fixed: a production delay does not move it."""
    T = horizon or case.horizon()
    years = np.arange(case.start_year, case.start_year + T)
    total = fin.total if amount is None else amount
    t = fin.terms
    first = int(t.first_draw_year.value)
    construction = np.zeros(T)
    for item in case.capex:
        if item.construction and item.year >= first:
            i = item.year - case.start_year
            if 0 <= i < T:
                construction[i] += item.amount_musd
    if construction.sum() <= 0:
        raise InvalidInput(f"no construction capital from {first} to draw the debt against")
    draws = total * construction / construction.sum()
    r = t.interest_pct.value / 100.0
    start_repay = first + int(t.grace_years.value)
    n = int(t.repayment_years.value)
    interest, principal, outstanding = np.zeros(T), np.zeros(T), np.zeros(T)
    balance = 0.0
    annuity = None
    for i, y in enumerate(years.tolist()):
        opening = balance
        interest[i] = r * (opening + 0.5 * draws[i])
        balance = opening + draws[i]
        k = y - start_repay
        if 0 <= k < n and balance > 1e-9:
            if t.repayment == "equal-principal":
                principal[i] = min(balance, total / n)
            else:
                if annuity is None:
                    annuity = balance * r / (1 - (1 + r) ** -(n - k)) if r > 0 else balance / (n - k)
                principal[i] = min(balance, annuity - r * balance)
                interest[i] = r * balance
        balance -= principal[i]
        outstanding[i] = balance
    shares = {tr.lender: tr.amount.value / fin.total for tr in fin.known} if fin.total else {}
    return DebtSchedule(years, draws, interest, principal, outstanding,
                        {k: outstanding * v for k, v in shares.items()})


@dataclass
class PartnerEquity:
    partner: ec.Partner
    cash_flows: np.ndarray
    npv: float
    irr: ec.Irr


@dataclass
class Levered:
    case: ec.Case
    financing: Financing
    debt: DebtSchedule
    unlevered: ec.Evaluation
    flows: ec.CashFlows  # with interest deducted from taxable income
    equity: np.ndarray  # equity cash flow per year
    cfads: np.ndarray
    dscr: np.ndarray  # nan where no debt service
    rate_pct: float
    equity_npv: float
    equity_irr: ec.Irr
    partners: list[PartnerEquity]
    notes: list[str] = field(default_factory=list)

    @property
    def min_dscr(self) -> tuple[float, int] | None:
        valid = ~np.isnan(self.dscr)
        if not valid.any():
            return None
        i = int(np.nanargmin(self.dscr))
        return float(self.dscr[i]), int(self.debt.years[i])


CFADS_NOTE = ("CFADS = revenue - off-site charges - royalties and rents - US tariff - operating cost - income tax "
              "(levered) - sustaining capital; construction and expansion capital are funded outside it "
              "(Phase 2 from revenue, new debt and shareholders, as reported).")


def levered(case: ec.Case, fin: Financing, rate_pct: float = 8.0, *, debt_amount: float | None = None) -> Levered:
    """The levered case: debt drawn and serviced as scheduled, interest deductible, equity = net cash flow +
    draws - debt service; partners share equity as in the unlevered case (carried partners fund nothing)."""
    unlev = ec.evaluate(case, (rate_pct,))
    T = unlev.flows.years.size
    debt = debt_schedule(case, fin, T, debt_amount)
    flows = ec.cash_flows(case, horizon=T, interest=debt.interest)
    equity = flows.net + debt.draws - debt.interest - debt.principal
    cfads = flows.ebitda - flows.tax - flows.sustaining
    tested = (debt.service > 1e-9) & (flows.ore_mt > 0)  # construction-period interest is paid by equity
    with np.errstate(divide="ignore", invalid="ignore"):
        dscr = np.where(tested, cfads / np.where(tested, debt.service, 1.0), np.nan)
    pflows = ec.partner_flows(equity, case.partners)
    off = case.discount_offset
    partners = [PartnerEquity(p, pflows[i], float(ec.npv(rate_pct, pflows[i], off)), ec.irr(pflows[i]))
                for i, p in enumerate(case.partners)]
    notes = [CFADS_NOTE, "Interest during construction is paid by the shareholders (assumption), so coverage is "
                         "tested in production years only; draws follow construction capital pro rata from the "
                         "first draw year."]
    unknown = [t.lender for t in fin.tranches if t not in fin.known]
    if unknown:
        notes.append("Tranches with no reported amount, left out of the debt: " + ", ".join(unknown))
    return Levered(case, fin, debt, unlev, flows, equity, cfads, dscr, rate_pct,
                   float(ec.npv(rate_pct, equity, off)), ec.irr(equity), partners, notes)


@dataclass
class UsView:
    lender: str
    amount: float
    share_of_debt_pct: float
    peak_outstanding: float
    outstanding_by_year: dict[int, float]
    offtake: dict[str, Any]
    facts: dict[str, Cited]


def us_view(lev: Levered, lender: str = "US EXIM") -> UsView | None:
    tr = next((t for t in lev.financing.known if t.lender == lender), None)
    if tr is None:
        return None
    out = lev.debt.by_tranche[lender]
    return UsView(lender, tr.amount.value, 100.0 * tr.amount.value / lev.financing.total,  # type: ignore[union-attr]
                  float(out.max()), {int(y): float(v) for y, v in zip(lev.debt.years, out) if v > 1e-6},
                  lev.financing.offtake, lev.financing.us_view)


def summary(lev: Levered) -> dict[str, Any]:
    m = lev.min_dscr
    return {"project_npv": lev.unlevered.npv[lev.rate_pct], "project_irr": lev.unlevered.irr.value_pct,
            "equity_npv": lev.equity_npv, "equity_irr": lev.equity_irr.value_pct,
            "debt_musd": lev.financing.total, "min_dscr": None if m is None else m[0],
            "min_dscr_year": None if m is None else m[1]}


def dscr_table(lev: Levered) -> list[tuple[int, float, float, float, float]]:
    """(year, CFADS, interest, principal, DSCR) for years with debt service."""
    return [(int(y), float(c), float(i), float(p), float(d)) for y, c, i, p, d in
            zip(lev.debt.years, lev.cfads, lev.debt.interest, lev.debt.principal, lev.dscr) if not np.isnan(d)]


def covenant(fin: Financing) -> float:
    return fin.terms.covenant_dscr.value


def schedule_arrays(case: ec.Case, fin: Financing | None, T: int) -> tuple[np.ndarray, np.ndarray]:
    """(interest, debt service) per calendar year for the Monte Carlo; zeros when unlevered. Debt service is
    tested only in production years (the kernel checks), as in `levered`."""
    if fin is None or not fin.known:
        return np.zeros(T), np.zeros(T)
    d = debt_schedule(case, fin, T)
    return d.interest, d.service


def tranche_rows(fin: Financing) -> Sequence[Mapping[str, Any]]:
    return [{"lender": t.lender, "kind": t.kind, "country": t.country,
             "amount_musd": None if t.amount is None else t.amount.value,
             "source": None if t.amount is None else t.amount.provenance(),
             "verified": None if t.amount is None else t.amount.verified, "note": t.note,
             "conflicting": list(t.conflicting)} for t in fin.tranches]
