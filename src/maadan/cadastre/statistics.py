"""The register in figures, for the public (issue 16 item 5): applications per month by title type,
the median days from receipt to decision, area granted per year, and fees and rent invoiced,
collected and in arrears, per currency. Counts only: no applicant is named. Synthetic (demo)
records are counted apart, never mixed with real ones."""

from __future__ import annotations

import statistics as stats
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from maadan.unit_of_work import AbstractUnitOfWork

DECISIONS = {"application.grant": "granted", "application.refuse": "refused",
             "application.reject-incomplete": "rejected as incomplete"}
TIMEZONE = "Asia/Karachi"  # the bundled jurisdictions' zone: months and years are counted on its calendar


@dataclass
class Money:
    currency: str
    invoiced: float = 0.0
    collected: float = 0.0
    arrears: float = 0.0  # outstanding after the due date
    arrears_invoices: int = 0


@dataclass
class Statistics:
    as_of: date
    months: list[str] = field(default_factory=list)  # YYYY-MM, ascending, every month between first and last
    types: list[str] = field(default_factory=list)
    per_month: dict[str, dict[str, int]] = field(default_factory=dict)  # month -> type -> applications
    decisions: dict[str, int] = field(default_factory=dict)  # outcome -> count
    median_days: dict[str, float | None] = field(default_factory=dict)  # outcome (and "all") -> median days
    area_granted: dict[str, float] = field(default_factory=dict)  # year -> km² (real titles)
    area_granted_synthetic: dict[str, float] = field(default_factory=dict)
    titles: dict[str, int] = field(default_factory=dict)  # state -> real titles
    synthetic_titles: int = 0
    fees: dict[str, Money] = field(default_factory=dict)  # currency -> application fees
    rent: dict[str, Money] = field(default_factory=dict)  # currency -> rent

    def csv_rows(self) -> list[tuple[str, str, str, str]]:
        """(section, key, measure, value) rows: one CSV for every figure on the page."""
        out: list[tuple[str, str, str, str]] = []
        for m in self.months:
            for t in self.types:
                out.append(("applications per month", f"{m} {t}", "applications", str(self.per_month[m].get(t, 0))))
        for outcome, n in self.decisions.items():
            out.append(("decisions", outcome, "count", str(n)))
        for outcome, d in self.median_days.items():
            out.append(("days to decision", outcome, "median days", "" if d is None else f"{d:g}"))
        for y, a in self.area_granted.items():
            out.append(("area granted", y, "km²", f"{a:.3f}"))
        for y, a in self.area_granted_synthetic.items():
            out.append(("area granted (synthetic demo titles)", y, "km²", f"{a:.3f}"))
        for label, table in (("application fees", self.fees), ("rent", self.rent)):
            for cur, mny in table.items():
                for measure in ("invoiced", "collected", "arrears"):
                    out.append((label, cur, measure, f"{getattr(mny, measure):.2f}"))
        return out


def _month(at: datetime) -> str:
    return at.astimezone(ZoneInfo(TIMEZONE)).strftime("%Y-%m")


def _months(first: str, last: str) -> list[str]:
    y, m = map(int, first.split("-"))
    out = []
    while f"{y:04d}-{m:02d}" <= last:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def register_statistics(uow: AbstractUnitOfWork, today: date | None = None) -> Statistics:
    today = today or datetime.now(ZoneInfo(TIMEZONE)).date()
    s = Statistics(as_of=today)
    with uow:
        receipts = uow.cadastre.application_receipts()  # real applications: reference, type, received at
        figures = uow.cadastre.title_figures()  # summed by the store: a national register has a million titles
        money = uow.cadastre.invoice_figures(today)  # summed by the store too, demo titles' rent left out
        decided_at = {ev.subject: (DECISIONS[ev.kind], datetime.fromisoformat(ev.at))
                      for ev in uow.cadastre.events(kinds=list(DECISIONS))}
    counts = Counter((_month(at), kind) for _, kind, at in receipts)
    if counts:
        months = sorted({m for m, _ in counts})
        s.months = _months(months[0], months[-1])
        s.types = sorted({t for _, t in counts})
        s.per_month = {m: {t: counts.get((m, t), 0) for t in s.types} for m in s.months}
    days: dict[str, list[float]] = defaultdict(list)
    for ref, _, received_at in receipts:
        found = decided_at.get(ref)
        if found:
            outcome, at = found
            days[outcome].append((at - received_at).total_seconds() / 86400)
    s.decisions = {k: len(v) for k, v in sorted(days.items())}
    every = [d for v in days.values() for d in v]
    s.median_days = {k: round(stats.median(v), 1) for k, v in sorted(days.items())}
    s.median_days["all decisions"] = round(stats.median(every), 1) if every else None
    area: dict[str, float] = defaultdict(float)
    area_syn: dict[str, float] = defaultdict(float)
    for syn, state, year, n, km2 in sorted(figures):
        (area_syn if syn else area)[str(year)] += km2
        if syn:
            s.synthetic_titles += n
        else:
            s.titles[state] = s.titles.get(state, 0) + n
    s.area_granted = dict(sorted(area.items()))
    s.area_granted_synthetic = dict(sorted(area_syn.items()))
    for kind, currency, invoiced, collected, arrears, late in sorted(money):
        m = (s.fees if kind == "application-fee" else s.rent).setdefault(currency, Money(currency))
        m.invoiced += invoiced
        m.collected += collected
        m.arrears += arrears
        m.arrears_invoices += late
    return s

