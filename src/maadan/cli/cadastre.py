"""`maadan cadastre ...` and `maadan audit ...`: the licensing officer's and applicant's commands."""

from __future__ import annotations

import getpass
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any, List, Optional

import typer
from rich.table import Table

from maadan.cadastre import lifecycle as lc
from maadan.cadastre import service
from maadan.cadastre.queue_views import describe_place, queue_fields
from maadan.cadastre.audit import Document, document_from_bytes
from maadan.cadastre.model import Holder
from maadan.cli import common
from maadan.errors import InvalidInput

app = typer.Typer(help="Mineral-rights cadastre: check, apply, decide, titles, rent, due.", no_args_is_help=True)
audit_app = typer.Typer(help="The tamper-evident register of every change.", no_args_is_help=True)

JSON = typer.Option(False, "--json", help="Print JSON.")
JURISDICTION = typer.Option("PK-BA", "--jurisdiction", "-j", help="Jurisdiction code, e.g. PK-BA (Balochistan).")


def _actor(actor: str | None) -> str:
    if actor:
        return actor
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no login name in some containers
        return "cli"


def _read(path: Path) -> bytes:
    if not path.is_file():
        raise InvalidInput(f"{path}: no such file")
    return path.read_bytes()


def _area(area: Optional[Path], crs: Optional[str], cells: Optional[str]) -> service.AreaInput:
    if cells:
        return service.AreaInput(cells=tuple(c.strip() for c in re.split(r"[,\s]+", cells) if c.strip()))
    if area is None:
        raise InvalidInput("give the area: a GeoJSON file, or --cells")
    return service.AreaInput(geojson=_read(area), crs=crs)


_HOLDER = re.compile(r"^(?P<name>[^=]+)=(?P<share>[^:]+)(?::(?P<country>[A-Za-z]{2})?)?(?::(?P<kind>[a-z-]+))?$")


def parse_holder(text: str) -> Holder:
    """NAME=SHARE[:COUNTRY[:KIND]], e.g. "US Strategic Metals=60:US:foreign"."""
    m = _HOLDER.match(text.strip())
    if not m:
        raise InvalidInput(f"--holder {text!r}: write NAME=SHARE[:COUNTRY[:KIND]], e.g. 'FWO=40:PK:state-owned'")
    try:
        share = float(m.group("share"))
    except ValueError:
        raise InvalidInput(f"--holder {text!r}: share {m.group('share')!r} is not a number") from None
    return Holder(name=m.group("name").strip(), share_pct=share,
                  country=(m.group("country") or "").upper() or None, kind=m.group("kind") or "private")


def _documents(paths: list[Path] | None) -> list[Document]:
    return [document_from_bytes(p.name, _read(p)) for p in paths or []]


def _check_json(r: service.CheckReport) -> dict[str, Any]:
    return {
        "ok": r.ok, "jurisdiction": r.jurisdiction, "title_type": r.title_type, "rules_version": r.rules_version,
        "area_km2": r.area_km2, "vertex_count": r.vertex_count,
        "fee": {"amount": r.fee_amount, "currency": r.fee_currency, "verified": r.fee_verified},
        "unverified_rules": r.unverified, "problems": r.problems,
        "conflicts": [c.__dict__ for c in r.conflicts],
    }


def _print_check(r: service.CheckReport) -> None:
    c = common.get()
    c.out.print(f"{r.title_type} in {r.jurisdiction} (rules {r.rules_version}): {r.area_km2:,.3f} km², "
                f"{r.vertex_count} vertices")
    if r.fee_amount is not None:
        c.out.print(f"Application fee: {r.fee_amount:,.0f} {r.fee_currency}" + ("" if r.fee_verified else " (unverified)"))
    for p in r.problems:
        c.out.print(f"[red]problem:[/] {p}")
    for k in r.conflicts:
        c.out.print(f"[red]conflict:[/] {k.kind} {k.ref} overlaps by {k.overlap_km2:,.3f} km²")
    if r.unverified:
        c.out.print("[yellow]unverified rule values used:[/] " + ", ".join(r.unverified))
    c.out.print("[green]No problems found.[/]" if r.ok else "")


@app.command("check")
def check_cmd(area: Optional[Path] = typer.Argument(None, help="GeoJSON Polygon/MultiPolygon file."),
              title_type: str = typer.Option(..., "--type", "-t", help="Title type code, e.g. EL, ML."),
              jurisdiction: str = JURISDICTION,
              crs: Optional[str] = typer.Option(None, help="EPSG:4326 (default), EPSG:32641 or EPSG:32642."),
              cells: Optional[str] = typer.Option(None, help="Grid cells instead of a polygon."),
              holder: Optional[List[str]] = typer.Option(None, "--holder", help="NAME=SHARE[:COUNTRY[:KIND]] (repeat)."),
              json_out: bool = JSON) -> None:
    """Run every check an application gets, without filing it. Exit 3 when there are conflicts."""
    c = common.get()
    c.json_mode = json_out
    holders = [parse_holder(h) for h in holder or []]
    r = service.check(c.uow(), jurisdiction, title_type, _area(area, crs, cells), holders or None)
    if json_out:
        common.print_json(_check_json(r))
    else:
        _print_check(r)
    if not r.ok:
        raise typer.Exit(3 if r.conflicts else 2)


@app.command("apply")
def apply_cmd(area: Optional[Path] = typer.Argument(None, help="GeoJSON Polygon/MultiPolygon file."),
              title_type: str = typer.Option(..., "--type", "-t"),
              holder: List[str] = typer.Option(..., "--holder", help="NAME=SHARE[:COUNTRY[:KIND]] (repeat for a JV)."),
              mineral: List[str] = typer.Option(..., "--mineral", "-m", help="Mineral (repeat)."),
              jurisdiction: str = JURISDICTION,
              crs: Optional[str] = typer.Option(None),
              cells: Optional[str] = typer.Option(None),
              applicant_org: Optional[str] = typer.Option(None, help="Organisation id of the filer."),
              converts: Optional[str] = typer.Option(None, "--converts", help="Your active title this converts, e.g. "
                                                     "PK-BA/EL/2026/0001 (security of tenure)."),
              received_at: Optional[datetime] = typer.Option(
                  None, "--received-at", formats=["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d %H:%M:%S%z"],
                  help="A paper filing's receipt time with its offset, e.g. 2026-12-01T10:30:00+05:00; not before "
                       "the latest filing already numbered."),
              actor: Optional[str] = typer.Option(None, help="Who files it (recorded in the register)."),
              json_out: bool = JSON) -> None:
    """File an application; prints its receipt (number, time, area, fee, place in the queue)."""
    c = common.get()
    c.json_mode = json_out
    inp = service.ApplicationInput(jurisdiction=jurisdiction, title_type=title_type, minerals=tuple(mineral),
                                   holders=tuple(parse_holder(h) for h in holder), area=_area(area, crs, cells),
                                   applicant_org=applicant_org, converts=converts, received_at=received_at)
    receipt = service.apply(c.uow(write=True), inp, _actor(actor))
    a = receipt.application
    data = {"number": a.number, "ref": a.ref, "received_at": a.received_at.isoformat(), "state": a.state,
            **queue_fields(a), "holds_priority": receipt.holds_priority, "area_km2": a.area_km2,
            "fee": {"amount": a.fee_amount, "currency": a.fee_currency, "verified": a.fee_verified},
            "rules_version": a.rules_version, "conflicts": [k.__dict__ for k in a.conflicts],
            "simultaneous_until": receipt.simultaneous_until, "unverified_rules": receipt.report.unverified}
    if receipt.competition_rule:
        data["competition_method"] = receipt.competition_rule
    if json_out:
        common.print_json(data)
        return
    c.out.print(f"Receipt: application {a.ref}, received {a.received_at.isoformat(timespec='seconds')}, "
                f"{a.area_km2:,.3f} km², fee {a.fee_amount:,.0f} {a.fee_currency}"
                + ("" if a.fee_verified else " (unverified)"))
    colour = {"clear": "green", "competing": "yellow", "behind": "yellow"}[a.priority]
    c.out.print(f"[{colour}]{a.priority}[/]: {describe_place(a)}.")
    if receipt.competition_rule:
        r = receipt.competition_rule
        c.out.print(f"The group is decided by {r.method.replace('-', ' ')} ({r.legal_basis}"
                    f"{'' if r.verified else '; unverified'}).")
    if receipt.simultaneous_until and a.priority != "behind":
        c.out.print(f"Until {receipt.simultaneous_until.isoformat()} an overlapping filing of the same day would "
                    "compete with it (rule 10); it cannot be offered before then.")


@app.command("decide")
def decide_cmd(number: int = typer.Argument(..., help="Application number."),
               action: str = typer.Argument(..., help="accept | reject-incomplete | review | offer | grant | refuse | withdraw"),
               jurisdiction: str = JURISDICTION,
               reason: Optional[str] = typer.Option(None), actor: Optional[str] = typer.Option(None),
               document: Optional[List[Path]] = typer.Option(None, "--document", help="File attached (SHA-256 recorded)."),
               json_out: bool = JSON) -> None:
    """Move an application through its lifecycle (grant issues the title)."""
    c = common.get()
    c.json_mode = json_out
    app_, title = service.decide(c.uow(write=True), jurisdiction, number, action, _actor(actor), reason,
                                 _documents(document))
    data = {"application": app_.ref, "state": app_.state, "title": title.number if title else None}
    if json_out:
        common.print_json(data)
    else:
        c.out.print(f"Application {app_.ref} is now {app_.state}" + (f"; title {title.number} issued" if title else ""))


@app.command("title")
def title_cmd(number: str = typer.Argument(..., help="Title number, e.g. PK-BA/EL/2026/0001."),
              action: str = typer.Argument(..., help="renew | transfer | relinquish | surrender | expire | revoke"),
              holder: Optional[List[str]] = typer.Option(None, "--holder", help="Holders after a transfer."),
              area: Optional[Path] = typer.Option(None, "--area", help="Area kept, for relinquish."),
              crs: Optional[str] = typer.Option(None),
              reason: Optional[str] = typer.Option(None), actor: Optional[str] = typer.Option(None),
              document: Optional[List[Path]] = typer.Option(None, "--document"),
              json_out: bool = JSON) -> None:
    """Act on a title."""
    c = common.get()
    c.json_mode = json_out
    t = service.title_action(
        c.uow(write=True), number, action, _actor(actor), reason=reason, documents=_documents(document),
        holders=[parse_holder(h) for h in holder] if holder else None,
        area=service.AreaInput(geojson=_read(area), crs=crs) if area else None)
    data = {"number": t.number, "state": t.state, "expires_on": t.expires_on, "area_km2": t.area_km2,
            "renewals": t.renewals, "holders": [[h.name, h.share_pct] for h in t.holders]}
    if json_out:
        common.print_json(data)
    else:
        c.out.print(f"Title {t.number}: {t.state}, {t.area_km2:,.3f} km², expires {t.expires_on or 'never'}, "
                    f"holders {', '.join(f'{h.name} {h.share_pct:g}%' for h in t.holders)}")


@app.command("applications")
def applications_cmd(jurisdiction: str = JURISDICTION,
                     state: Optional[str] = typer.Option(None, help="Only this state."),
                     json_out: bool = JSON) -> None:
    """Applications in order of receipt (the officer's queue)."""
    c = common.get()
    c.json_mode = json_out
    with c.uow() as uow:
        apps = uow.cadastre.applications(jurisdiction, [state] if state else None)
    rows = [{"number": a.number, "received_at": a.received_at.isoformat(), "type": a.title_type, "state": a.state,
             **queue_fields(a), "area_km2": a.area_km2, "holders": [[h.name, h.share_pct] for h in a.holders],
             "conflicts": [f"{k.kind} {k.ref}" for k in a.conflicts], "synthetic": a.synthetic} for a in apps]
    if json_out:
        common.print_json({"count": len(rows), "items": rows})
        return
    t = Table(title=f"Applications, {jurisdiction}, in order of receipt")
    for col in ("no.", "received (UTC)", "type", "state", "priority", "group / competing with", "waits on", "km²",
                "holders"):
        t.add_column(col)
    pending = set(lc.PENDING)
    for r in rows:
        group = f"{r['competition_group']}: {', '.join(r['competing_with'])}" if r["competition_group"] else ""
        waits = "; ".join(f"{w['kind']} {w['ref']}" for w in r["waits_on"]) if r["state"] in pending else ""
        t.add_row(str(r["number"]), r["received_at"][:19], r["type"], r["state"],
                  r["priority"] if r["state"] in pending else "", group, waits,
                  f"{r['area_km2']:,.2f}", ", ".join(f"{n} {s:g}%" for n, s in r["holders"]))
    c.out.print(t)


@app.command("titles")
def titles_cmd(jurisdiction: str = JURISDICTION, state: Optional[str] = typer.Option(None),
               limit: int = typer.Option(50, min=1), json_out: bool = JSON) -> None:
    """Titles with holders, area and dates."""
    c = common.get()
    c.json_mode = json_out
    with c.uow() as uow:
        titles = uow.cadastre.titles(jurisdiction, [state] if state else None, limit=limit)
        total = uow.cadastre.count_titles(jurisdiction)
    rows = [{"number": t.number, "type": t.title_type, "state": t.state, "area_km2": t.area_km2,
             "granted_on": t.granted_on, "expires_on": t.expires_on, "synthetic": t.synthetic,
             "holders": [[h.name, h.share_pct] for h in t.holders]} for t in titles]
    if json_out:
        common.print_json({"total": total, "count": len(rows), "items": rows})
        return
    t = Table(title=f"Titles, {jurisdiction} ({len(rows)} of {total})")
    for col in ("number", "type", "state", "km²", "granted", "expires", "holders", ""):
        t.add_column(col)
    for r in rows:
        t.add_row(r["number"], r["type"], r["state"], f"{r['area_km2']:,.2f}", str(r["granted_on"]),
                  str(r["expires_on"] or ""), ", ".join(f"{n} {s:g}%" for n, s in r["holders"]),
                  "synthetic" if r["synthetic"] else "")
    c.out.print(t)


@app.command("pay")
def pay_cmd(invoice: int = typer.Argument(...), amount: float = typer.Argument(...),
            reference: str = typer.Option(..., help="Bank or receipt reference."),
            actor: Optional[str] = typer.Option(None), json_out: bool = JSON) -> None:
    """Record a payment against an invoice."""
    c = common.get()
    c.json_mode = json_out
    inv = service.record_payment(c.uow(write=True), invoice, amount, _actor(actor), reference)
    if json_out:
        common.print_json({"invoice": inv.id, "paid": inv.paid, "outstanding": inv.outstanding})
    else:
        c.out.print(f"Invoice {inv.id}: paid {inv.paid:,.2f} {inv.currency}, outstanding {inv.outstanding:,.2f}")


@app.command("rent")
def rent_cmd(year: Optional[int] = typer.Option(None, help="Year to invoice (default: this year)."),
             jurisdiction: str = JURISDICTION, actor: Optional[str] = typer.Option(None),
             json_out: bool = JSON) -> None:
    """Issue the annual rent invoices for every active title, at the rates of the rules in force that
    year; titles that cannot be priced are listed, not invoiced."""
    c = common.get()
    c.json_mode = json_out
    year = year or date.today().year
    run = service.issue_rent(c.uow(write=True), jurisdiction, year, _actor(actor))
    if json_out:
        common.print_json({"year": run.year, "issued": len(run.issued), "items": run.issued,
                           "already_invoiced": run.already_invoiced, "not_priced": run.not_priced})
        return
    c.out.print(f"{len(run.issued)} rent invoice(s) issued for {year}; "
                f"{run.already_invoiced} title(s) already invoiced for {year}.")
    if run.not_priced:
        c.out.print(f"[yellow]{len(run.not_priced)} title(s) could not be priced[/] (not invoiced):")
        for n in run.not_priced:
            c.out.print(f"  {n.title_number}: {n.reason}", markup=False)


def _days(text: str) -> int:
    m = re.fullmatch(r"\s*(\d+)\s*(d|days?)?\s*", text)
    if not m:
        raise InvalidInput(f"--within {text!r}: write a number of days, e.g. 30d")
    return int(m.group(1))


@app.command("due")
def due_cmd(within: str = typer.Option("30d", help="Horizon, e.g. 30d."),
            jurisdiction: Optional[str] = typer.Option(None, "--jurisdiction", "-j"),
            json_out: bool = JSON) -> None:
    """Rent, fees, obligations and expiries falling due, and what is overdue."""
    c = common.get()
    c.json_mode = json_out
    items = service.due(c.uow(), _days(within), jurisdiction=jurisdiction)
    if json_out:
        common.print_json({"count": len(items), "items": items})
        return
    t = Table(title=f"Due within {_days(within)} days (and overdue)")
    for col in ("due", "what", "ref", "amount", "overdue (days)", "note"):
        t.add_column(col)
    for i in items:
        amount = f"{i.amount:,.2f} {i.currency}" if i.amount is not None else ""
        flag = " [red]revocation[/]" if i.flag_revocation else ""
        t.add_row(str(i.due_on), i.kind, i.ref, amount, f"{i.overdue_days}{flag}", i.note or "")
    c.out.print(t)


@app.command("register")
def register_cmd(jurisdiction: Optional[str] = typer.Option(None, "--jurisdiction", "-j"),
                 json_out: bool = typer.Option(True, "--json", help="JSON (the only format).")) -> None:
    """The public register (titles and pending applications, no private data) as JSON."""
    c = common.get()
    c.json_mode = True
    common.print_json(service.public_register(c.uow(), jurisdiction))


@audit_app.command("verify")
def audit_verify(json_out: bool = JSON) -> None:
    """Check the hash chain; names the first edited, deleted or reordered event. Exit 1 if broken."""
    c = common.get()
    c.json_mode = json_out
    v = service.verify_audit(c.uow())
    if json_out:
        common.print_json(v)
    elif v.ok:
        c.out.print(f"[green]Register intact[/]: {v.events} events, hash chain verified.")
    else:
        c.out.print(f"[red]Register broken[/] at event {v.first_bad_seq}: {v.reason}")
    if not v.ok:
        raise typer.Exit(1)


@audit_app.command("log")
def audit_log(subject: Optional[str] = typer.Option(None), json_out: bool = JSON) -> None:
    """Every recorded change, oldest first."""
    c = common.get()
    c.json_mode = json_out
    with c.uow() as uow:
        events = uow.cadastre.events(subject)
    if json_out:
        common.print_json({"count": len(events), "items": events})
        return
    t = Table(title="Register of changes")
    for col in ("seq", "at (UTC)", "actor", "event", "subject", "reason"):
        t.add_column(col)
    for e in events:
        t.add_row(str(e.seq), e.at[:19], e.actor, e.kind, e.subject, e.reason or "")
    c.out.print(t)


demo_app = typer.Typer(help="Synthetic demonstration data (always labelled synthetic).", no_args_is_help=True)


@demo_app.command("cadastre")
def demo_cadastre(titles: int = typer.Option(200, "--titles", help="How many synthetic titles."),
                  seed: int = typer.Option(1, "--seed", help="Same seed, same cadastre."),
                  jurisdiction: str = JURISDICTION, actor: Optional[str] = typer.Option(None),
                  json_out: bool = JSON) -> None:
    """Generate a deterministic synthetic cadastre (non-overlapping titles, Chagai outward)."""
    c = common.get()
    c.json_mode = json_out
    made = service.load_demo_cadastre(c.uow(write=True), titles, seed, _actor(actor), jurisdiction)
    by_type: dict[str, int] = {}
    for t in made:
        by_type[t.title_type] = by_type.get(t.title_type, 0) + 1
    data = {"titles": len(made), "seed": seed, "by_type": by_type, "synthetic": True,
            "area_km2": round(sum(t.area_km2 for t in made), 2)}
    if json_out:
        common.print_json(data)
    else:
        c.out.print(f"SYNTHETIC demo cadastre: {len(made)} titles in {jurisdiction} (seed {seed}): "
                    + ", ".join(f"{k} {v}" for k, v in sorted(by_type.items()))
                    + f"; {data['area_km2']:,.0f} km² in all. Numbers start with SYN-.")


@app.command("export")
def export_cmd(path: Path = typer.Argument(..., help="Output: .geojson, .gpkg, .zip (Shapefile) or .csv"),
               kind: str = typer.Option("titles", help="titles or applications"),
               fmt: Optional[str] = typer.Option(None, "--format", help="geojson | gpkg | shp | csv"),
               jurisdiction: Optional[str] = typer.Option(None, "--jurisdiction", "-j"),
               json_out: bool = JSON) -> None:
    """Export titles or applications with their geometry (WGS 84)."""
    from maadan.cadastre.exchange import export_records

    c = common.get()
    c.json_mode = json_out
    r = export_records(c.uow(), kind, path, fmt, jurisdiction)
    if json_out:
        common.print_json(r)
    else:
        c.out.print(f"{r.features} {kind} written to {r.path} ({r.format})")


@app.command("import")
def import_cmd(path: Path = typer.Argument(..., help="File: .geojson, .gpkg, .zip (Shapefile) or .csv"),
               kind: str = typer.Option("titles", help="titles or applications"),
               fmt: Optional[str] = typer.Option(None, "--format"),
               actor: Optional[str] = typer.Option(None), json_out: bool = JSON) -> None:
    """Register titles or applications from a file (e.g. an existing register); all or nothing."""
    from maadan.cadastre.exchange import import_applications, import_titles

    c = common.get()
    c.json_mode = json_out
    if kind not in ("titles", "applications"):
        raise InvalidInput(f"--kind must be titles or applications, not {kind!r}")
    run = import_titles if kind == "titles" else import_applications
    n = run(c.uow(write=True), path, _actor(actor), fmt)
    if json_out:
        common.print_json({"imported": n, "kind": kind})
    else:
        c.out.print(f"{n} {kind} imported from {path}")


@app.command("reserve")
def reserve_cmd(path: Path = typer.Argument(..., help="GeoJSON Feature/FeatureCollection of areas closed to applications."),
                kind: str = typer.Option("protected-area", help="protected-area | no-go | reserved | existing-lease"),
                source: str = typer.Option(..., help="Where the layer comes from (publication or URL, and year)."),
                name_field: str = typer.Option("name", help="Feature property that names each area."),
                jurisdiction: str = JURISDICTION, actor: Optional[str] = typer.Option(None),
                json_out: bool = JSON) -> None:
    """Load a layer of reserved or no-go areas; applications over them are refused."""
    import json as _json

    c = common.get()
    c.json_mode = json_out
    try:
        doc = _json.loads(_read(path))
    except ValueError as exc:
        raise InvalidInput(f"{path.name}: not valid JSON ({exc})") from None
    feats = doc.get("features") if isinstance(doc, dict) and doc.get("type") == "FeatureCollection" else [doc]
    pairs = []
    for i, f in enumerate(feats or [], 1):
        if not isinstance(f, dict) or f.get("type") != "Feature":
            raise InvalidInput(f"{path.name}: item {i} is not a GeoJSON Feature")
        pairs.append((str((f.get("properties") or {}).get(name_field) or ""), f.get("geometry")))
    n = service.add_reserved_areas(c.uow(write=True), jurisdiction, pairs, kind, source, _actor(actor))
    if json_out:
        common.print_json({"added": n})
    else:
        c.out.print(f"{n} {kind} area(s) added to {jurisdiction}")
