"""`maadan minerals ...`: the critical lists side by side, and one mineral's facts."""

from __future__ import annotations

from collections import defaultdict
from typing import Optional

import typer
from rich.table import Table

from maadan.cli import common
from maadan.minerals.model import QUALITATIVE, Figure, SeriesTable
from maadan.minerals.service import list_minerals, mineral_facts

app = typer.Typer(help="Critical-mineral lists and facts per mineral.", no_args_is_help=True)

LIST_HELP = "Only minerals on this list: usgs-2022, usgs-2025, doe-2023 or eu-2023."


def _fig(f: Figure, note: str | None = None) -> str:
    if f.status == QUALITATIVE and note:
        return note
    return f.display()


@app.command("list")
def list_(list_id: Optional[str] = typer.Option(None, "--list", help=LIST_HELP), json_out: bool = common.JSON) -> None:
    """Each mineral with the critical lists it is on."""
    c = common.get()
    listing = list_minerals(c.uow(), list_id)
    lists = [listing.selected] if listing.selected else listing.lists
    if json_out:
        common.print_json({
            "list": listing.selected.id if listing.selected else None,
            "count": len(listing.minerals),
            "lists": [{
                "id": cl.id, "name": cl.name, "published_on": cl.published_on, "citation": cl.citation,
                "official_count": cl.official_count, "source": cl.source,
                "entries": sum(1 for m in listing.minerals if cl.id in m.entries),
                "added_later": sum(1 for m in listing.minerals if cl.id in m.entries and m.entries[cl.id].added_on),
            } for cl in lists],
            "minerals": [{
                "id": m.mineral.id, "name": m.mineral.name, "kind": m.mineral.kind, "group": m.mineral.group_id,
                "lists": {lid: {"listed_name": e.listed_name, "strategic": e.strategic, "added_on": e.added_on,
                                "status": e.status, "note": e.note, "source": e.source}
                          for lid, e in m.entries.items() if listing.selected is None or lid == listing.selected.id},
            } for m in listing.minerals],
        })
        return
    for cl in lists:
        entries = [m.entries[cl.id] for m in listing.minerals if cl.id in m.entries]
        later = [e for e in entries if e.added_on]
        extra = "".join(f" + {e.listed_name} added {e.added_on}" for e in later)
        c.out.print(f"[bold]{cl.name}[/] ({cl.citation}, {cl.published_on}): "
                    f"{len(entries) - len(later)} entries{extra}")
    t = Table(show_lines=False)
    t.add_column("Mineral")
    for cl in lists:
        t.add_column(cl.id)
    for m in listing.minerals:
        cells = []
        for cl in lists:
            e = m.entries.get(cl.id)
            if e is None:
                cells.append("")
                continue
            mark = "yes"
            if e.strategic:
                mark += " (strategic)"
            if e.added_on:
                mark += f" (added {e.added_on})"
            if e.listed_name.lower() != m.mineral.name.lower():
                mark += f" — as “{e.listed_name}”"
            cells.append(mark)
        t.add_row(m.mineral.name, *cells)
    c.out.print(t)
    c.out.print(f"{common.counted(len(listing.minerals), 'mineral')}. Sources: `maadan minerals list --json` gives each entry's source.")


def _series_table(title: str, tables: list[SeriesTable]) -> Table:
    years = sorted({t.year for t in tables})
    t = Table(title=title, title_justify="left")
    t.add_column("Country")
    for y in years:
        est = any(tb.year == y and tb.status == "estimated" for tb in tables)
        t.add_column(f"{y}{'e' if est else ''}", justify="right")
        t.add_column("share", justify="right")
    rows: dict[str, dict[int, tuple[str, str]]] = defaultdict(dict)
    order: list[str] = []
    notes: dict[str, str] = {}
    for tb in tables:
        for r in tb.rows:
            s = r.statistic
            if s.country not in rows:
                order.append(s.country)
            share = "unknown" if r.share_pct is None else f"{r.share_qualifier or ''}{r.share_pct:.1f}%"
            if r.exceeds_world:
                share = "above world total!"
            rows[s.country][tb.year] = (_fig(s.figure, s.note), share)
            if s.note and s.figure.status != QUALITATIVE:
                notes[s.country] = s.note
        for o in tb.other:
            if o.country not in rows:
                order.append(o.country)
            rows[o.country][tb.year] = (_fig(o.figure, o.note), "")
        if tb.world:
            rows.setdefault(tb.world.country, {})[tb.year] = (_fig(tb.world.figure, tb.world.note), "100%")
    worlds = [tb.world.country for tb in tables if tb.world]
    for country in [*order, *[w for w in dict.fromkeys(worlds) if w not in order]]:
        cells = []
        for y in years:
            v, sh = rows[country].get(y, ("", ""))
            cells += [v, sh]
        label = country + (f" ({notes[country]})" if country in notes else "")
        t.add_row(label, *cells)
    return t


@app.command("show")
def show(name: str = typer.Argument(..., help="Mineral name, alias or symbol (e.g. copper, REE, chromite, Sb)."),
         edition: Optional[str] = typer.Option(None, help="USGS edition, e.g. 'MCS 2025' (default: newest)."),
         json_out: bool = common.JSON) -> None:
    """Every fact on one mineral, each with its source and year."""
    c = common.get()
    facts = mineral_facts(c.uow(), name, edition)
    if json_out:
        data = common.to_jsonable(facts)
        data["sources"] = facts.sources
        common.print_json(data)
        return
    m = facts.mineral
    head = f"[bold]{m.name}[/] ({m.id}, {m.kind}{', ' + m.symbol if m.symbol else ''})"
    if facts.group:
        head += f" — member of {facts.group.name}"
    c.out.print(head)
    if m.aliases:
        c.out.print("Also known as: " + ", ".join(m.aliases))
    if facts.members:
        c.out.print("Members: " + ", ".join(x.name for x in facts.members))
    t = Table(title="Critical-mineral lists", title_justify="left")
    for col in ("List", "On it", "Listed as", "Note"):
        t.add_column(col)
    by_list = {e.list_id: e for e in facts.entries}
    for cl in facts.lists:
        e = by_list.get(cl.id)
        if e is None:
            t.add_row(cl.name, "no", "", "")
        else:
            on = "yes" + (" (strategic)" if e.strategic else "") + (f" (added {e.added_on})" if e.added_on else "")
            t.add_row(cl.name, on, e.listed_name, e.note or "")
    c.out.print(t)
    by_series: dict[str, list[SeriesTable]] = defaultdict(list)
    for tb in facts.production:
        by_series[tb.series].append(tb)
    for series, tables in by_series.items():
        c.out.print(_series_table(f"World {series.lower()} ({tables[0].unit}), USGS {facts.edition}", tables))
    for tb in facts.reserves:
        c.out.print(_series_table(f"Reserves {tb.year}: {tb.series.lower()} ({tb.unit}), USGS {facts.edition}", [tb]))
    if facts.reliance:
        groups: dict[tuple[str, str], list] = defaultdict(list)
        for r in facts.reliance:
            groups[(r.edition, r.basis)].append(r)
        years = sorted({r.year for r in facts.reliance})
        t = Table(title="US net import reliance, % of apparent consumption (E = net exporter)", title_justify="left")
        t.add_column("Edition")
        t.add_column("Basis")
        for y in years:
            t.add_column(str(y), justify="right")
        for (ed, basis), items in groups.items():
            by_year = {r.year: r for r in items}
            t.add_row(ed, basis, *[
                (by_year[y].figure.display() + ("e" if by_year[y].figure.status == "estimated" else ""))
                if y in by_year else "" for y in years
            ])
        c.out.print(t)
    if facts.import_sources:
        groups2: dict[tuple[str, str, str], list] = defaultdict(list)
        for s in facts.import_sources:
            groups2[(s.edition, s.period, s.category)].append(s)
        t = Table(title="Main US import sources, ranked", title_justify="left")
        for col in ("Edition", "Period", "Category", "Sources (share of imports)"):
            t.add_column(col)
        for (ed, period, cat), items in groups2.items():
            t.add_row(ed, period, cat, ", ".join(
                f"{s.rank}. {s.country}" + (f" {s.share_pct:g}%" if s.share_pct is not None else "") for s in items))
        c.out.print(t)
        if any("third-party" in (s.note or "") for s in facts.import_sources):
            c.out.print("Note: MCS 2026 shares come from a third-party extraction of the USGS PDF; verify before use.")
    if facts.missing:
        c.out.print("[yellow]Not in the knowledge base:[/] " + "; ".join(facts.missing))
    c.out.print("[bold]Sources[/]")
    for i, s in enumerate(facts.sources, 1):
        c.out.print(f"  [{i}] {s}")


GROUPS = {"minerals": app}
