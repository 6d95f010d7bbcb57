"""Money at national scale: the rent run, the list of what is due, the register's statistics and a
title's page with its dues, on a register of N synthetic titles (100,000) with two years of rent,
no server. Usage:

    .venv/bin/python bench/dues.py [--titles 100000] [--url DATABASE_URL] [--repeat 3]

Without --url, a SQLite database under var/ (dues-N.sqlite) is built from the demo cadastre, once:
the rent runs below invoice it for two years, and then 49 of every 50 invoices are marked paid (a
register with its history: most rent is paid, some is late). With --url the database is made the
same way if it holds no rent yet (a PostgreSQL database: create it empty first).

Printed, each against a baseline in the same run:
- the rent run for a year (every active title invoiced, in bulk) and the same run again (every title
  invoiced already): seconds, and the rate against invoicing one title at a time (`invoice_rent`,
  the way a grant does it) on 2,000 titles in a transaction rolled back, extrapolated;
- what is due in 30 days (officers' list): median seconds, against reading every title, invoice and
  obligation and testing each in Python (the list's method until round 13), with the same items;
- the register's statistics (a public page): median seconds, against reading every invoice;
- one title's page with its obligations and invoices: median ms over 200 titles."""

from __future__ import annotations

import argparse
import statistics as stats
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))


def timed(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return stats.median(times), out


def scan_due(engine, within: int, today: date) -> set[tuple]:
    """What is due, by reading everything and testing each row (the baseline)."""
    from maadan.store.uow import UnitOfWork

    horizon = today + timedelta(days=within)
    with UnitOfWork(engine) as uow:
        titles = {t.number: t for t in uow.cadastre.titles("PK-BA")}
        invoices, obligations = uow.cadastre.invoices("PK-BA"), uow.cadastre.obligations()
    out = set()
    for i in invoices:
        if i.outstanding > 0 and i.due_on <= horizon:
            out.add(("rent" if i.kind == "rent" else "fee", i.title_number or f"PK-BA/A{i.application_number}", i.due_on))
    for o in obligations:
        t = titles.get(o.title_number)
        if o.met_on is None and o.due_on <= horizon and t and t.state == "active":
            out.add(("obligation", o.title_number, o.due_on))
    for t in titles.values():
        if t.state == "active" and t.expires_on and t.expires_on <= horizon:
            out.add(("expiry", t.number, t.expires_on))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--titles", type=int, default=100_000)
    ap.add_argument("--url")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    from sqlalchemy import text

    from bench.api import prepare_database
    from maadan.cadastre import money, service, statistics, views
    from maadan.cadastre import lifecycle as lc
    from maadan.config import load_settings
    from maadan.store.database import create_db_engine
    from maadan.store.uow import UnitOfWork

    url = args.url or f"sqlite:///{ROOT / 'var' / f'dues-{args.titles}.sqlite'}"
    (ROOT / "var").mkdir(exist_ok=True)
    numbers = prepare_database(url, args.titles, reuse=True)
    engine = create_db_engine(load_settings({"MAADAN_DATABASE_URL": url}))
    this_year = date.today().year
    with UnitOfWork(engine) as uow:
        fresh = not uow.cadastre.invoiced_titles("PK-BA", "rent", str(this_year - 1))
    print(f"== {engine.dialect.name}: {args.titles:,} synthetic titles", flush=True)
    if fresh:
        for year in (this_year - 1, this_year):
            seconds, run = timed(lambda: service.issue_rent(UnitOfWork(engine, write=True), "PK-BA", year, "cli:bench"), 1)
            print(f"rent run {year}: {len(run.issued):,} invoices issued in {seconds:.1f} s "
                  f"({1000 * seconds / max(1, len(run.issued)):.3f} ms a title)", flush=True)
        with engine.begin() as conn:
            conn.execute(text("UPDATE invoice SET paid = amount WHERE id % 50 <> 0"))
    seconds, run = timed(lambda: service.issue_rent(UnitOfWork(engine, write=True), "PK-BA", this_year, "cli:bench"), 1)
    print(f"rent run {this_year} again: {run.already_invoiced:,} titles invoiced already, {seconds:.1f} s", flush=True)

    # Baseline: one title at a time, as at a grant, on 2,000 active titles, in a transaction rolled back.
    sample = 2000
    uow = UnitOfWork(engine, write=True)
    with uow:
        titles = uow.cadastre.titles("PK-BA", [lc.ACTIVE], limit=sample)
        tt = money.rent_rules(titles[0], date(this_year + 1, 1, 1))
        t0 = time.perf_counter()
        for t in titles:
            money.invoice_rent(uow, t, tt, this_year + 2 - t.granted_on.year, date(this_year + 1, 1, 1))
        one_by_one = (time.perf_counter() - t0) / len(titles)
    with UnitOfWork(engine) as u:
        active = len(u.cadastre.title_standings(jurisdiction="PK-BA", states=[lc.ACTIVE]))
    bulk = timed(lambda: service.issue_rent(UnitOfWork(engine, write=True), "PK-BA", this_year + 5, "cli:bench",
                                            due_on=date(this_year + 5, 1, 1)), 1)
    with engine.begin() as conn:  # the bench's extra year removed again
        conn.execute(text("DELETE FROM invoice WHERE kind = 'rent' AND period = :p"), {"p": str(this_year + 5)})
    print(f"rent run, {active:,} titles invoiced: {bulk[0]:.1f} s; one at a time {one_by_one * 1000:.3f} ms a title "
          f"(on {sample:,}) -> {one_by_one * active:.0f} s: {one_by_one * active / bulk[0]:.1f}x", flush=True)

    today = date.today()
    seconds, items = timed(lambda: money.due(UnitOfWork(engine), 30, today=today, jurisdiction="PK-BA"), args.repeat)
    base, scanned = timed(lambda: scan_due(engine, 30, today), args.repeat)
    listed = {(i.kind, i.ref, i.due_on) for i in items if i.kind != "notice"}
    print(f"due in 30 days: {len(items):,} items in {seconds:.2f} s; read everything {base:.2f} s: "
          f"{base / seconds:.1f}x; same items: {listed == scanned}", flush=True)

    seconds, _ = timed(lambda: statistics.register_statistics(UnitOfWork(engine)), args.repeat)

    def every_invoice():
        with UnitOfWork(engine) as u:
            return u.cadastre.invoices()
    base, invoices = timed(every_invoice, args.repeat)
    print(f"register statistics: {seconds:.2f} s; reading the {len(invoices):,} invoices alone {base:.2f} s", flush=True)

    pages = []
    for n in numbers[:200]:
        t0 = time.perf_counter()
        views.title_detail(UnitOfWork(engine), n)
        pages.append(time.perf_counter() - t0)
    print(f"a title's page with its dues: median {1000 * stats.median(pages):.2f} ms over {len(pages)}", flush=True)
    engine.dispose()


if __name__ == "__main__":
    main()
