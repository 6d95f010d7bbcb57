"""`maadan projects ...` and `maadan deposits ...`."""

from __future__ import annotations

from typing import Any, Optional

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
                 ", ".join(p.commodities), f"{loc.lat:.4f}, {loc.lon:.4f}" if loc else "unknown"]
        if show_distance:
            cells.append(f"{r.distance_km:,.1f}")
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
            out.print(f"Location{' (preferred)' if loc.preferred else ''}: {loc.lat}, {loc.lon} — {loc.source}"
                      + (f" ({loc.note})" if loc.note else ""))
    else:
        out.print(f"Location: unknown{' — ' + p.location_note if p.location_note else ''}")
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
    labels = {"life-of-mine": "Life of mine", "phase": "Phases", "resource": "Resources and reserves", "production": "Production",
              "capex": "Capital cost", "event": "Key dates"}
    for kind, label in labels.items():
        facts = p.facts_of(kind)
        if not facts:
            continue
        out.print(f"[bold]{label}[/]")
        everything = "; ".join(p.sources)
        for f in facts:
            source = "the project's sources (below)" if f.source == everything else f.source
            out.print(f"  • {_fact_text(kind, f.data, d.mineral_names)} [dim]— {source}[/]")
    if p.notes:
        out.print(f"[bold]Notes[/] {p.notes}")
    if d.agreements:
        out.print("[bold]Agreements[/] (maadan agreements show ID)")
        for a in d.agreements:
            out.print(f"  • {a.date or 'undated'} {a.kind_label}: {a.title} [dim]({a.id})[/]")
    out.print("[bold]Sources[/] " + "; ".join(p.sources))


def _qty(value: Any, high: Any = None, qualifier: Any = None, unit: str = "") -> str:
    q = {"approx": "~", ">": ">", "<": "<"}.get(str(qualifier), "") if qualifier else ""
    text = f"{q}{value:g}" if isinstance(value, (int, float)) else str(value)
    if isinstance(high, (int, float)):
        text += f"–{high:g}"
    return f"{text} {unit}".strip()


def _fact_text(kind: str, d: dict[str, Any], names: dict[str, str]) -> str:
    if kind == "life-of-mine":
        return f"{d.get('years', '?')} years" + (f" ({d['note']})" if d.get("note") else "")
    if kind == "event":
        return f"{d.get('date', '?')}: {d.get('event', '')}"
    if kind == "capex":
        return (f"{d.get('label', '')}: {d.get('currency', '')} "
                f"{_qty(d.get('value'), d.get('value_high'), d.get('qualifier'), d.get('unit', ''))}"
                + (f" ({d['year']})" if d.get("year") else ""))
    if kind == "phase":
        parts = [str(d.get("name", ""))]
        if d.get("throughput_mtpa") is not None:
            parts.append(f"{d['throughput_mtpa']:g} Mtpa")
        if d.get("start"):
            parts.append(f"from {d['start']}")
        if d.get("description"):
            parts.append(str(d["description"]))
        return ", ".join(parts)
    if kind == "production":
        what = names.get(d.get("commodity", ""), d.get("commodity", ""))
        when = d.get("period") or d.get("year") or ""
        return (f"{d.get('kind', '')} {what}{' ' + str(d['phase']) if d.get('phase') else ''}"
                f"{' ' + str(when) if when else ''}: {_qty(d.get('value'), d.get('value_high'), d.get('qualifier'), d.get('unit', ''))}")
    # resource
    bits = [str(d.get("label", ""))]
    if d.get("ore_mt") is not None:
        reported = f" (reported as {d['ore_reported']})" if d.get("ore_reported") else ""
        bits.append(f"{_qty(d['ore_mt'], d.get('ore_mt_high'), d.get('ore_qualifier'), 'Mt')} ore{reported}")
    for g in d.get("grades") or []:
        bits.append(f"{_qty(g.get('value'), g.get('value_high'), g.get('qualifier'), g.get('unit', ''))} "
                    f"{names.get(g.get('commodity', ''), g.get('commodity', ''))}")
    for g in d.get("contained") or []:
        bits.append(f"{_qty(g.get('value'), g.get('value_high'), g.get('qualifier'), g.get('unit', ''))} "
                    f"contained {names.get(g.get('commodity', ''), g.get('commodity', ''))}")
    if d.get("classification"):
        bits.append(str(d["classification"]))
    return ", ".join(b for b in bits if b)


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
