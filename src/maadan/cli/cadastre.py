"""`maadan cadastre ...`: the licensing officer's and applicant's commands (`maadan audit ...` is in audit.py)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import List, Optional

import typer
from rich.table import Table

from maadan.cadastre import lifecycle as lc
from maadan.cadastre import service, views
from maadan.cadastre.queue_views import describe_place, queue_fields
from maadan.cadastre.audit import Document, document_from_bytes
from maadan.cadastre.model import Holder
from maadan.cli import common
from maadan.cli.progress import stages
from maadan.errors import InvalidInput, NotFound
from maadan.serialize import to_jsonable

app = typer.Typer(help="Mineral-rights cadastre: check, apply, decide, titles, rent, due.", no_args_is_help=True)

DECLARE_HELP = ("An exception the applicant claims, by the code a rule names (e.g. bona-fide-industrial-user "
                "for Punjab's rock-salt embargo); the officer verifies it. Repeat for several.")
JURISDICTION = typer.Option("PK-BA", "--jurisdiction", "-j", help="Jurisdiction code, e.g. PK-BA (Balochistan).")


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


SHAREHOLDER_HELP = ("HOLDER::NAME=SHARE, a shareholder a body-corporate holder discloses (repeat); HOLDER::none "
                    "says it has none to disclose (Punjab: holders of more than 5%).")
LOCAL_TO_HELP = "HOLDER::ZONE, a zone the holder is local to, e.g. 'Bajaur Minerals::PK-KP-MD' (repeat)."


def _per_holder(items: list[str] | None, option: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for text in items or []:
        holder, sep, rest = text.partition("::")
        if not sep or not holder.strip() or not rest.strip():
            raise InvalidInput(f"{option} {text!r}: write HOLDER::VALUE, the holder named as in --holder")
        out.setdefault(holder.strip(), []).append(rest.strip())
    return out


def with_disclosures(holders: list[Holder], shareholder: list[str] | None, local_to: list[str] | None) -> list[Holder]:
    """The holders with the shareholders they disclose and the zones they are local to."""
    shares, zones = _per_holder(shareholder, "--shareholder"), _per_holder(local_to, "--local-to")
    names = {h.name for h in holders}
    for option, given in (("--shareholder", shares), ("--local-to", zones)):
        unknown = sorted(set(given) - names)
        if unknown:
            raise InvalidInput(f"{option}: {unknown[0]!r} is not one of the holders ({', '.join(sorted(names))})")
    out = []
    for h in holders:
        disclosed: tuple[tuple[str, float], ...] | None = None
        if h.name in shares:
            items = []
            for entry in shares[h.name]:
                if entry.lower() == "none":
                    continue
                name, sep, pct = entry.rpartition("=")
                try:
                    items.append((name.strip(), float(pct)))
                except ValueError:
                    raise InvalidInput(f"--shareholder {h.name}::{entry}: write NAME=SHARE, e.g. 'Ali Khan=60'") from None
                if not sep or not name.strip():
                    raise InvalidInput(f"--shareholder {h.name}::{entry}: write NAME=SHARE, e.g. 'Ali Khan=60'")
            disclosed = tuple(items)
        out.append(replace(h, shareholders=disclosed, local_to=tuple(zones[h.name]) if h.name in zones else None))
    return out


def documents(paths: list[Path] | None) -> list[Document]:
    """The documents named on the command line, read and hashed (also for `cadastre competition`)."""
    return [document_from_bytes(p.name, _read(p)) for p in paths or []]


def print_rules_basis(basis: dict | None) -> None:
    """The rule version applied and why; in yellow, with its reasons, when that is uncertain."""
    if not basis:
        return
    c = common.get()
    if basis.get("certain", True):
        c.out.print(f"Rules applied: {basis.get('summary')}", markup=False)
    else:
        c.out.print("[yellow]Rules applied (UNCERTAIN):[/] ", end="")
        c.out.print(str(basis.get("summary")), markup=False)


def _print_check(r: service.CheckReport) -> None:
    c = common.get()
    c.out.print(f"{r.title_type} in {r.jurisdiction} (rules {r.rules_version}): {r.area_km2:,.3f} km², "
                f"{r.vertex_count} vertices")
    print_rules_basis(r.rules)
    if r.fee_amount is not None:
        c.out.print(f"Application fee: {r.fee_amount:,.0f} {r.fee_currency}" + ("" if r.fee_verified else " (unverified)"))
    for p in r.problems:
        c.out.print(f"[red]problem:[/] {p}")
    for k in r.conflicts:
        c.out.print(f"[red]conflict:[/] {k.kind} {k.ref} overlaps by {k.overlap_km2:,.3f} km²")
    for n in r.notes:
        c.out.print(f"note: {n}", markup=False)
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
              mineral: Optional[List[str]] = typer.Option(None, "--mineral", "-m",
                                                          help="Mineral, checked against restrictions (repeat)."),
              declare: Optional[List[str]] = typer.Option(None, "--declare", help=DECLARE_HELP),
              shareholder: Optional[List[str]] = typer.Option(None, "--shareholder", help=SHAREHOLDER_HELP),
              local_to: Optional[List[str]] = typer.Option(None, "--local-to", help=LOCAL_TO_HELP),
              json_out: bool = common.JSON) -> None:
    """Run every check an application gets, without filing it. Exit 3 when there are conflicts."""
    c = common.get()
    holders = with_disclosures([parse_holder(h) for h in holder or []], shareholder, local_to)
    r = service.check(c.uow(), jurisdiction, title_type, _area(area, crs, cells), holders or None,
                      minerals=tuple(mineral or ()), declarations=tuple(declare or ()))
    if json_out:
        common.print_json(views.check_view(r))
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
              declare: Optional[List[str]] = typer.Option(None, "--declare", help=DECLARE_HELP),
              shareholder: Optional[List[str]] = typer.Option(None, "--shareholder", help=SHAREHOLDER_HELP),
              local_to: Optional[List[str]] = typer.Option(None, "--local-to", help=LOCAL_TO_HELP),
              converts: Optional[str] = typer.Option(None, "--converts", help="Your active title this converts, e.g. "
                                                     "PK-BA/EL/2026/0001 (security of tenure)."),
              received_at: Optional[datetime] = typer.Option(
                  None, "--received-at", formats=["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d %H:%M:%S%z"],
                  help="A paper filing's receipt time with its offset, e.g. 2026-12-01T10:30:00+05:00; not before "
                       "the latest filing already numbered."),
              actor: Optional[str] = common.ACTOR,
              idempotency_key: Optional[str] = common.IDEMPOTENCY_KEY,
              json_out: bool = common.JSON) -> None:
    """File an application; prints its receipt (number, time, area, fee, place in the queue, the rules applied).
    Filed at most once per --idempotency-key: a rerun with the key prints the first receipt."""
    c = common.get()
    holders = with_disclosures([parse_holder(h) for h in holder], shareholder, local_to)
    inp = service.ApplicationInput(jurisdiction=jurisdiction, title_type=title_type, minerals=tuple(mineral),
                                   holders=tuple(holders), area=_area(area, crs, cells),
                                   applicant_org=applicant_org, declarations=tuple(declare or ()),
                                   converts=converts, received_at=received_at)

    def file(uow) -> dict:
        receipt = service.apply(uow, inp, common.actor(actor))
        a = receipt.application
        return {"number": a.number, "ref": a.ref, "received_at": a.received_at.isoformat(), "state": a.state,
                **queue_fields(a), "place": describe_place(a), "holds_priority": receipt.holds_priority,
                "area_km2": a.area_km2,
                "fee": {"amount": a.fee_amount, "currency": a.fee_currency, "verified": a.fee_verified},
                "rules_version": a.rules_version, "conflicts": [k.__dict__ for k in a.conflicts],
                "simultaneous_until": receipt.simultaneous_until.isoformat() if receipt.simultaneous_until else None,
                "competition_method": to_jsonable(receipt.competition_rule) if receipt.competition_rule else None,
                "unverified_rules": receipt.report.unverified, "rules_basis": a.rules_basis,
                "notes": receipt.report.notes}

    data, key, replayed = common.once("cadastre apply", idempotency_key, inp.fingerprint(), common.actor(actor), file)
    data = data | {"idempotency_key": key, "replayed": replayed}
    if json_out:
        common.print_json(data)
        return
    fee = "no fee" if data["fee"]["amount"] is None else f"fee {data['fee']['amount']:,.0f} {data['fee']['currency']}"
    c.out.print(f"Receipt: application {data['ref']}, received {data['received_at'][:19]}, "
                f"{data['area_km2']:,.3f} km², {fee}" + ("" if data['fee']['verified'] else " (unverified)")
                + (" [bold](filed before: this is its receipt)[/]" if replayed else ""))
    print_rules_basis(data["rules_basis"])
    for n in data["notes"]:
        c.out.print(f"note: {n}", markup=False)
    c.out.print(f"Idempotency key: {key} (rerun with --idempotency-key {key} to get this receipt again "
                "without filing twice)")
    colour = {"clear": "green", "competing": "yellow", "behind": "yellow"}[data["priority"]]
    c.out.print(f"[{colour}]{data['priority']}[/]: {data['place']}.")
    if data["competition_method"]:
        r = data["competition_method"]
        c.out.print(f"The group is decided by {r['method'].replace('-', ' ')} ({r['legal_basis']}"
                    f"{'' if r['verified'] else '; unverified'}).")
    if data["simultaneous_until"] and data["priority"] != "behind":
        c.out.print(f"Until {data['simultaneous_until']} an overlapping filing of the same day would "
                    "compete with it (rule 10); it cannot be offered before then.")


@app.command("decide")
def decide_cmd(number: int = typer.Argument(..., help="Application number."),
               action: str = typer.Argument(..., help="accept | reject-incomplete | review | offer | grant | refuse | withdraw"),
               jurisdiction: str = JURISDICTION,
               reason: Optional[str] = typer.Option(None), actor: Optional[str] = common.ACTOR,
               document: Optional[List[Path]] = typer.Option(None, "--document", help="File attached (SHA-256 recorded)."),
               json_out: bool = common.JSON) -> None:
    """Move an application through its lifecycle (grant issues the title)."""
    c = common.get()
    app_, title = service.decide(c.uow(write=True), jurisdiction, number, action, common.actor(actor), reason,
                                 documents(document))
    data = {"application": app_.ref, "state": app_.state, "title": title.number if title else None}
    if json_out:
        common.print_json(data)
    else:
        c.out.print(f"Application {app_.ref} is now {app_.state}" + (f"; title {title.number} issued" if title else ""))


@app.command("title")
def title_cmd(number: str = typer.Argument(..., help="Title number, e.g. PK-BA/EL/2026/0001."),
              action: str = typer.Argument(..., help="renew | transfer | relinquish | surrender | expire | revoke"),
              holder: Optional[List[str]] = typer.Option(None, "--holder", help="Holders after a transfer."),
              shareholder: Optional[List[str]] = typer.Option(None, "--shareholder", help=SHAREHOLDER_HELP),
              local_to: Optional[List[str]] = typer.Option(None, "--local-to", help=LOCAL_TO_HELP),
              area: Optional[Path] = typer.Option(None, "--area", help="Area kept, for relinquish."),
              crs: Optional[str] = typer.Option(None),
              reason: Optional[str] = typer.Option(None), actor: Optional[str] = common.ACTOR,
              document: Optional[List[Path]] = typer.Option(None, "--document"),
              json_out: bool = common.JSON) -> None:
    """Act on a title."""
    c = common.get()
    t = service.title_action(
        c.uow(write=True), number, action, common.actor(actor), reason=reason, documents=documents(document),
        holders=with_disclosures([parse_holder(h) for h in holder], shareholder, local_to) if holder else None,
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
                     json_out: bool = common.JSON) -> None:
    """Applications in order of receipt (the officer's queue)."""
    c = common.get()
    apps = views.visible_applications(c.uow(), None, jurisdiction, state, everything=True)
    rows = [{"number": a.number, "received_at": a.received_at.isoformat(), "type": a.title_type, "state": a.state,
             **queue_fields(a), "area_km2": a.area_km2, "holders": [[h.name, h.share_pct] for h in a.holders],
             "conflicts": [f"{k.kind} {k.ref}" for k in a.conflicts], "synthetic": a.synthetic,
             "rules_version": a.rules_version, "rules_basis": a.rules_basis} for a in apps]
    if json_out:
        common.print_json({"count": len(rows), "items": rows})
        return
    t = Table(title=f"Applications, {jurisdiction}, in order of receipt")
    for col in ("no.", "received (UTC)", "type", "rules", "state", "priority", "group / competing with", "waits on",
                "km²", "holders"):
        t.add_column(col)
    pending = set(lc.PENDING)
    for r in rows:
        uncertain = r["rules_basis"] is not None and not r["rules_basis"].get("certain", True)
        group = f"{r['competition_group']}: {', '.join(r['competing_with'])}" if r["competition_group"] else ""
        waits = "; ".join(f"{w['kind']} {w['ref']}" for w in r["waits_on"]) if r["state"] in pending else ""
        t.add_row(str(r["number"]), r["received_at"][:19], r["type"],
                  r["rules_version"] + (" (uncertain)" if uncertain else ""), r["state"],
                  r["priority"] if r["state"] in pending else "", group, waits,
                  f"{r['area_km2']:,.2f}", ", ".join(f"{n} {s:g}%" for n, s in r["holders"]))
    c.out.print(t)


@app.command("titles")
def titles_cmd(jurisdiction: str = JURISDICTION, state: Optional[str] = typer.Option(None),
               limit: int = typer.Option(50, min=1), json_out: bool = common.JSON) -> None:
    """Titles with holders, area and dates."""
    c = common.get()
    titles, total = views.titles_page(c.uow(), jurisdiction, state, limit=limit)
    rows = [{"number": t.number, "type": t.title_type, "state": t.state, "area_km2": t.area_km2,
             "granted_on": t.granted_on, "expires_on": t.expires_on, "synthetic": t.synthetic,
             "holders": [[h.name, h.share_pct] for h in t.holders], "rules_version": t.rules_version,
             "rules_basis": t.rules_basis} for t in titles]
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
            actor: Optional[str] = common.ACTOR, json_out: bool = common.JSON) -> None:
    """Record a payment against an invoice."""
    c = common.get()
    inv = service.record_payment(c.uow(write=True), invoice, amount, common.actor(actor), reference)
    if json_out:
        common.print_json({"invoice": inv.id, "paid": inv.paid, "outstanding": inv.outstanding})
    else:
        c.out.print(f"Invoice {inv.id}: paid {inv.paid:,.2f} {inv.currency}, outstanding {inv.outstanding:,.2f}")


@app.command("rent")
def rent_cmd(year: Optional[int] = typer.Option(None, help="Year to invoice (default: this year)."),
             jurisdiction: str = JURISDICTION, actor: Optional[str] = common.ACTOR,
             json_out: bool = common.JSON) -> None:
    """Issue the annual rent invoices for every active title, at the rates of the rules in force that
    year; titles that cannot be priced are listed, not invoiced."""
    c = common.get()
    year = year or date.today().year
    run = service.issue_rent(c.uow(write=True), jurisdiction, year, common.actor(actor))
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


def parse_day(text: Optional[str], option: str = "--at") -> date:
    """A day given as YYYY-MM-DD (today when not given)."""
    if text is None:
        return date.today()
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(f"{option} {text!r}: give a day as YYYY-MM-DD, e.g. 2025-10-01") from None


def _pct(census: dict | None) -> str:
    return "" if not census else f"{census['verified']}/{census['total']} ({census['share']:.0%})"


def _print_rules_index(data: dict) -> None:
    c = common.get()
    t = Table(title=f"Mineral-title rules applied on {data['at']} (share of values a source confirms)")
    for col in ("jurisdiction", "name", "version applied", "verified (applied)", "verified (all versions)"):
        t.add_column(col)
    for j in data["jurisdictions"]:
        applied = j["applied"]
        t.add_row(j["jurisdiction"], j["name"], applied["version"] if applied else "none in force",
                  _pct(applied), _pct(j["all_versions"]))
    c.out.print(t)
    c.out.print("Details: maadan cadastre rules -j CODE [--at DAY] [--version V] [--diff V1 --to V2]")


def _print_values(values: list[dict]) -> None:
    t = Table(show_lines=False)
    for col in ("value", "", "verified", "confidence", "legal basis; source"):
        t.add_column(col, overflow="fold")
    for v in values:
        basis = v["legal_basis"] + (f"; {v['source']}" if v["source"] else "")
        if v["note"]:
            basis += f" — {v['note']}"
        t.add_row(v["label"], v["shown"], "yes" if v["verified"] else ("placeholder" if v["placeholder"] else "no"),
                  v["confidence"] or "", basis)
    common.get().out.print(t, markup=False)


def _print_rules(data: dict, version: Optional[str]) -> None:
    c = common.get()
    c.out.print(f"{data['jurisdiction']} {data['name']}: rules on {data['at']}", markup=False)
    print_rules_basis(data["applied"])
    c.out.print("Which version applies when:")
    for p in data["timeline"]:
        c.out.print(f"  {p['from']} to {p['to'] or 'now'}: {p['version']} {p['title']}"
                    + ("" if p["certain"] else " (UNCERTAIN: " + "; ".join(p["reasons"]) + ")"), markup=False)
    for v in data["versions"]:
        if version and v["version"] != version:
            continue
        c.out.print("")
        c.out.print(f"[bold]{v['version']} {v['title']}[/] — {v['status_on_day']} on {data['at']}; "
                    f"verified {_pct(v['census'])}")
        for ev in v["status"]:
            where = f" ({ev['legal_basis']}" + (f"; {ev['source']}" if ev["source"] else "") + ")"
            c.out.print(f"  {ev['date']} {ev['status']}{'' if ev['certain'] else ' (uncertain)'}{where}", markup=False)
        if version or v["status_on_day"] == "applied":
            _print_values(v["values"])
            for ob in v["observations"]:
                c.out.print(f"  observed ({ob['title_type']}): {ob['text']} [{ob['source']}; {ob['confidence']}]",
                            markup=False)
    if not version:
        c.out.print("\nValues are shown for the version applied; --version V shows another's, "
                    "--diff V1 --to V2 what changed.")


def _print_diff(data: dict) -> None:
    c = common.get()
    counts = ", ".join(f"{k} {n}" for k, n in data["counts"].items())
    c.out.print(f"{data['jurisdiction']}: from {data['from']['version']} {data['from']['title']} "
                f"to {data['to']['version']} {data['to']['title']} ({counts})", markup=False)
    t = Table()
    for col in ("value", "change", "before", "after", "basis after"):
        t.add_column(col, overflow="fold")
    for ch in data["changes"]:
        before, after = ch["before"], ch["after"]
        t.add_row(ch["label"], ch["kind"], before["shown"] + ("" if before["verified"] else " (unverified)")
                  if before else "", after["shown"] + ("" if after["verified"] else " (unverified)") if after else "",
                  after["legal_basis"] if after else "")
    c.out.print(t, markup=False)


@app.command("rules")
def rules_cmd(jurisdiction: Optional[str] = typer.Option(None, "--jurisdiction", "-j",
                                                          help="Jurisdiction code, e.g. PK-PB; all when omitted."),
              at: Optional[str] = typer.Option(None, "--at", help="The day to apply the rules on (YYYY-MM-DD; "
                                                                   "default today)."),
              version: Optional[str] = typer.Option(None, "--version", help="Show this version's values."),
              diff_from: Optional[str] = typer.Option(None, "--diff", help="Compare this version ..."),
              diff_to: Optional[str] = typer.Option(None, "--to", help="... with this one (default: the next)."),
              json_out: bool = common.JSON) -> None:
    """The rules for people: every version with its legal status, every value with its legal basis,
    source, confidence and whether a source confirms it, and what changed between two versions."""
    day = parse_day(at)
    if (diff_from or diff_to or version) and not jurisdiction:
        raise InvalidInput("--version, --diff and --to need --jurisdiction")
    if diff_to and not diff_from:
        raise InvalidInput("--to needs --diff")
    if diff_from:
        if not diff_to:
            found = [v["version"] for v in views.rules_of(jurisdiction, day, values=False)["versions"]]
            later = found[found.index(diff_from) + 1:] if diff_from in found else []
            if diff_from in found and not later:
                raise InvalidInput(f"--diff {diff_from}: no later version; give --to (versions: {', '.join(found)})")
            diff_to = later[0] if later else diff_from  # an unknown --diff is reported by rules_diff
        data = views.rules_diff(jurisdiction, diff_from, diff_to)
        common.print_json(data) if json_out else _print_diff(data)
        return
    if not jurisdiction:
        data = views.rules_index(day)
        common.print_json(data) if json_out else _print_rules_index(data)
        return
    data = views.rules_of(jurisdiction, day)
    if version and version not in [v["version"] for v in data["versions"]]:
        raise NotFound(f"{data['jurisdiction']} rule version", version, [v["version"] for v in data["versions"]])
    if json_out:
        if version:
            data["versions"] = [v for v in data["versions"] if v["version"] == version]
        common.print_json(data)
    else:
        _print_rules(data, version)


def _days(text: str) -> int:
    m = re.fullmatch(r"\s*(\d+)\s*(d|days?)?\s*", text)
    if not m:
        raise InvalidInput(f"--within {text!r}: write a number of days, e.g. 30d")
    return int(m.group(1))


@app.command("due")
def due_cmd(within: str = typer.Option("30d", help="Horizon, e.g. 30d."),
            jurisdiction: Optional[str] = typer.Option(None, "--jurisdiction", "-j"),
            json_out: bool = common.JSON) -> None:
    """Rent, fees, obligations and expiries falling due, and what is overdue."""
    c = common.get()
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
                 json_out: bool = common.json_option("JSON (the only format).", default=True)) -> None:
    """The public register (titles and pending applications, no private data) as JSON."""
    c = common.get()
    common.print_json(views.public_register(c.uow(), jurisdiction))


demo_app = typer.Typer(help="Synthetic demonstration data (always labelled synthetic).", no_args_is_help=True)


@demo_app.command("cadastre")
def demo_cadastre(titles: int = typer.Option(200, "--titles", help="How many synthetic titles."),
                  seed: int = typer.Option(1, "--seed", help="Same seed, same cadastre."),
                  jurisdiction: str = JURISDICTION, actor: Optional[str] = common.ACTOR,
                  json_out: bool = common.JSON) -> None:
    """Generate a deterministic synthetic cadastre (non-overlapping titles, Chagai outward)."""
    c = common.get()
    with stages(c.err) as progress:
        made = service.load_demo_cadastre(c.uow(write=True), titles, seed, common.actor(actor), jurisdiction,
                                          progress=progress)
    by_type: dict[str, int] = {}
    for t in made:
        by_type[t.title_type] = by_type.get(t.title_type, 0) + 1
    plan = service.demo_plan(jurisdiction)
    data = {"titles": len(made), "seed": seed, "by_type": by_type, "synthetic": True,
            "area_km2": round(sum(t.area_km2 for t in made), 2),
            "sizes": [{"type": p.code, "area_km2": [round(p.area_km2[0], 4), round(p.area_km2[1], 4)],
                       "term_years": p.term_years, "basis": p.basis} for p in plan]}
    if json_out:
        common.print_json(data)
    else:
        c.out.print(f"SYNTHETIC demo cadastre: {len(made)} titles in {jurisdiction} (seed {seed}): "
                    + ", ".join(f"{k} {v}" for k, v in sorted(by_type.items()))
                    + f"; {data['area_km2']:,.0f} km² in all. Numbers start with SYN-.")
        c.out.print("Sizes and terms drawn from (titles observed in practice, never limits):")
        for p in plan:
            c.out.print(f"  {p.code}: {p.area_km2[0]:,.4g} to {p.area_km2[1]:,.4g} km², {p.term_years} years — {p.basis}",
                        markup=False)


@app.command("export")
def export_cmd(path: Path = typer.Argument(..., help="Output: .geojson, .gpkg, .zip (Shapefile) or .csv"),
               kind: str = typer.Option("titles", help="titles or applications"),
               fmt: Optional[str] = typer.Option(None, "--format", help="geojson | gpkg | shp | csv"),
               jurisdiction: Optional[str] = typer.Option(None, "--jurisdiction", "-j"),
               json_out: bool = common.JSON) -> None:
    """Export titles or applications with their geometry (WGS 84)."""
    from maadan.cadastre.exchange import export_records

    c = common.get()
    r = export_records(c.uow(), kind, path, fmt, jurisdiction)
    if json_out:
        common.print_json(r)
    else:
        c.out.print(f"{r.features} {kind} written to {r.path} ({r.format})")


@app.command("import")
def import_cmd(path: Path = typer.Argument(..., help="File: .geojson, .gpkg, .zip (Shapefile) or .csv"),
               kind: str = typer.Option("titles", help="titles or applications"),
               fmt: Optional[str] = typer.Option(None, "--format"),
               actor: Optional[str] = common.ACTOR, json_out: bool = common.JSON) -> None:
    """Register titles or applications from a file (e.g. an existing register); all or nothing."""
    from maadan.cadastre.exchange import import_applications, import_titles

    c = common.get()
    if kind not in ("titles", "applications"):
        raise InvalidInput(f"--kind must be titles or applications, not {kind!r}")
    if kind == "titles":
        with stages(c.err) as progress:
            n = import_titles(c.uow(write=True), path, common.actor(actor), fmt, progress=progress)
    else:
        n = import_applications(c.uow(write=True), path, common.actor(actor), fmt)
    if json_out:
        common.print_json({"imported": n, "kind": kind})
    else:
        c.out.print(f"{n} {kind} imported from {path}")


@app.command("reserve")
def reserve_cmd(path: Path = typer.Argument(..., help="GeoJSON Feature/FeatureCollection of areas closed to applications."),
                kind: str = typer.Option("protected-area", help="protected-area | no-go | reserved | existing-lease"),
                source: str = typer.Option(..., help="Where the layer comes from (publication or URL, and year)."),
                name_field: str = typer.Option("name", help="Feature property that names each area."),
                jurisdiction: str = JURISDICTION, actor: Optional[str] = common.ACTOR,
                json_out: bool = common.JSON) -> None:
    """Load a layer of reserved or no-go areas; applications over them are refused."""
    import json as _json

    c = common.get()
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
    n = service.add_reserved_areas(c.uow(write=True), jurisdiction, pairs, kind, source, common.actor(actor))
    if json_out:
        common.print_json({"added": n})
    else:
        c.out.print(f"{n} {kind} area(s) added to {jurisdiction}")


GROUPS = {"cadastre": app, "demo": demo_app}
