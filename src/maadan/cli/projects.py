"""`maadan projects ...` and `maadan deposits ...`."""

from __future__ import annotations

from typing import Optional

import typer
from rich.table import Table

from maadan.cli import common
from maadan.projects import views
from maadan.projects.service import Near, ProjectRow, find_projects, project_detail

projects_app = typer.Typer(help="Mining projects (defined undertakings with an operator).", no_args_is_help=True)
deposits_app = typer.Typer(help="Deposits, prospects and projects, with location filters.", no_args_is_help=True)


def _print_rows(rows: list[ProjectRow], json_out: bool, title: str) -> None:
    c = common.get()
    if json_out:
        common.print_json({"count": len(rows), "items": [views.row_view(r) for r in rows]})
        return
    t = Table(title=title, title_justify="left")
    for col in ("id", "name", "kind", "status", "province / district", "commodities", "location"):
        t.add_column(col)
    show_distance = any(r.distance_km is not None for r in rows)
    if show_distance:
        t.add_column("km", justify="right")
    for r in rows:
        p, loc = r.project, r.project.location
        cells = [p.id, p.name, p.kind, p.status, f"{p.province or '?'} / {p.district or '?'}",
                 ", ".join(p.commodities), f"{loc.describe()} ({loc.confidence})" if loc else "unlocated"]
        if show_distance:
            cells.append(f"{r.distance_km:,.1f}" + (f" (centre {r.centre_km:,.1f})" if r.uncertain else ""))
        t.add_row(*cells)
    c.out.print(t)
    c.out.print(f"{len(rows)} found.")


@projects_app.command("list")
def projects_list(commodity: Optional[str] = typer.Option(None, help="Mineral name or alias."),
                  province: Optional[str] = typer.Option(None, help="e.g. Balochistan."),
                  json_out: bool = common.JSON) -> None:
    """Projects with an operator or owner of record."""
    c = common.get()
    rows = find_projects(c.uow(), kind="project", commodity=commodity, province=province)
    _print_rows(rows, json_out, "Projects")


@deposits_app.command("list")
def deposits_list(commodity: Optional[str] = typer.Option(None, help="Mineral name or alias."),
                  province: Optional[str] = typer.Option(None, help="e.g. Balochistan."),
                  near: Optional[str] = typer.Option(None, help="LAT,LON in decimal degrees (WGS 84)."),
                  within_km: Optional[float] = typer.Option(None, "--within-km", help="Radius for --near."),
                  json_out: bool = common.JSON) -> None:
    """Every deposit and project site, filtered; with --near, sorted by distance."""
    c = common.get()
    where = Near.parse(near, within_km) if near is not None else None
    if where is None and within_km is not None:
        from maadan.errors import InvalidInput

        raise InvalidInput("--within-km needs --near LAT,LON")
    rows = find_projects(c.uow(), commodity=commodity, province=province, near=where)
    _print_rows(rows, json_out, "Deposits and projects")


def _show(name: str, json_out: bool) -> None:
    c = common.get()
    d = project_detail(c.uow(), name)
    if json_out:
        common.print_json(views.detail_view(d))
        return
    p, orgs, out = d.project, d.organisations, c.out
    out.print(f"[bold]{p.name}[/] ({p.id}) — {p.kind}, {p.status}" + (f": {p.status_note}" if p.status_note else ""))
    if p.full_name != p.name:
        out.print(p.full_name)
    out.print(f"{p.district or '?'}, {p.province or '?'}, {p.country}")
    out.print("Commodities: " + ", ".join(d.mineral_names.get(m, m) for m in p.commodities)
              + (f"; by-products: {', '.join(d.mineral_names.get(m, m) for m in p.byproducts)}" if p.byproducts else ""))
    if p.deposit_type:
        out.print(f"Deposit type: {p.deposit_type}")
    if p.operator_id:
        out.print(f"Operator: {orgs[p.operator_id].name}")
    if p.locations:
        for loc in p.locations:
            out.print(f"Location{' (' + loc.label + ')' if loc.label else ''}{' (preferred)' if loc.preferred else ''}: "
                      f"{loc.describe()}, {loc.confidence} confidence{', derived by Maadan' if loc.derived else ''}"
                      f" — {loc.source}" + (f" ({loc.note})" if loc.note else ""), markup=False)
    else:
        out.print(f"Location: unlocated{' — ' + p.location_note if p.location_note else ''}", markup=False)
    for i, reading in enumerate(p.ownership, 1):
        t = Table(title=f"Ownership reading {i} ({reading.basis}) — {reading.source}", title_justify="left")
        for col in ("Holder", "Share %", "Via", "Note"):
            t.add_column(col)
        for h in reading.holders:
            t.add_row(orgs[h.organisation_id].name if h.organisation_id else h.label or "?", "unknown" if h.share_pct is None else f"{h.share_pct:g}",
                      orgs[h.via_id].name if h.via_id else "", h.note or "")
        total = reading.total_pct
        t.add_row("[bold]Total[/]", "unknown" if total is None else f"{total:g}", "", "" if reading.complete else "does not sum to 100%")
        out.print(t)
        if reading.note:
            out.print(f"  {reading.note}")
    if p.ownership_incomplete:
        out.print(f"[yellow]Ownership incomplete[/]{': ' + p.ownership_note if p.ownership_note else ''}")
    t = Table(title="Claims and their sources" + (f" (status as of {p.status_as_of})" if p.status_as_of
                                                 else " (status as of: unknown, its sources are undated)"),
              title_justify="left")
    for col in ("claim", "value", "sources"):
        t.add_column(col)
    for claim in p.claims(d.names):
        t.add_row(claim.label, claim.value + (f" (as of {claim.as_of})" if claim.as_of else ""),
                  "\n".join(f"{x.label}: {x.url or 'no link'}" for x in claim.sources) or "[yellow]unsourced[/]")
    out.print(t)
    for c in p.corrections:
        out.print(f"  Correction {c.at} ({c.by}): {c.claim}: {c.old or '(none)'} → {c.new or '(removed)'} — {c.why}",
                  markup=False)
    if p.notes:
        out.print(f"[bold]Notes[/] {p.notes}")
    if d.agreements:
        out.print("[bold]Agreements[/] (maadan agreements show ID)")
        for a in d.agreements:
            out.print(f"  • {a.date or 'undated'} {a.kind_label}: {a.title} [dim]({a.id})[/]")
    out.print("[bold]Sources[/] " + "; ".join(p.sources))


@projects_app.command("show")
def projects_show(name: str = typer.Argument(..., help="Project id, name or alias (e.g. reko-diq)."),
                  json_out: bool = common.JSON) -> None:
    """Owners and stakes, phases, reserves, capex, dates and sources of one project."""
    _show(name, json_out)


@deposits_app.command("show")
def deposits_show(name: str = typer.Argument(..., help="Deposit or project id, name or alias."),
                  json_out: bool = common.JSON) -> None:
    """Everything known about one deposit or project."""
    _show(name, json_out)


GROUPS = {"projects": projects_app, "deposits": deposits_app}
