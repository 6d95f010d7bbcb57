"""`maadan agreements ...` and `maadan partners ...`: the registry and the partner directory."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, List, Optional

import typer
import yaml
from rich.table import Table

from maadan.agreements import service, views
from maadan.agreements.model import Agreement
from maadan.cli import common
from maadan.errors import InvalidInput
from maadan.partners import service as partners
from maadan.serialize import to_jsonable

app = typer.Typer(help="Agreements: MoUs, joint ventures, leases, offtakes, loans, trade deals, with sources.",
                  no_args_is_help=True)
partners_app = typer.Typer(help="Partners: organisations with capabilities, minerals and regions; matches.",
                           no_args_is_help=True)
PARTY = typer.Option(None, "--party", help="Part of a party's name, or an organisation's name or alias.")
COUNTRY = typer.Option(None, "--country", help="ISO 3166-1 alpha-2 code, e.g. PK.")
MINERAL = typer.Option(None, "--mineral", help="Mineral name, alias or group (e.g. antimony, REE).")
KIND = typer.Option(None, "--kind", help="mou, framework, joint_venture, concession, offtake, loan, guarantee, "
                                          "equity, shipment, trade_deal, policy or event.")
YEAR = typer.Option(None, "--year", help="Year of the timeline date (signed, else announced).")
PROJECT = typer.Option(None, "--project", help="Project id, name or alias (e.g. reko-diq).")
ORGANISATION = typer.Option(None, "--organisation", help="Organisation id, name or alias.")


def read_document(path: Path) -> Any:
    """A YAML or JSON file's content (JSON is YAML); errors name the file and line."""
    if not path.is_file():
        raise InvalidInput(f"{path}: no such file")
    raw = path.read_bytes()
    if not raw.strip():
        raise InvalidInput(f"{path}: the file is empty")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{path}: not UTF-8 text (byte {exc.start})") from None
    try:
        return json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"{path}, line {exc.lineno}, column {exc.colno}: not valid JSON: {exc.msg}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark else ""
        raise InvalidInput(f"{path}{where}: not valid YAML: {getattr(exc, 'problem', None) or exc}") from None
    except ValueError as exc:  # a YAML timestamp that is no calendar date (2026-11-31)
        raise InvalidInput(f"{path}: not valid YAML: {exc}") from None


def _when(a: Agreement) -> str:
    return a.date or "undated"


def _amount(a: Agreement) -> str:
    if a.amount is None:
        return ""
    return f"{a.currency} {a.amount:,.0f}" + (f" ({a.amount_basis})" if a.amount_basis else "")


def _parties(a: Agreement) -> str:
    return "; ".join(views.parties(a))


def _table(rows: list[Agreement], title: str) -> None:
    c = common.get()
    t = Table(title=title, title_justify="left")
    for col in ("date", "id", "kind", "title", "parties", "amount", "status"):
        t.add_column(col)
    for a in rows:
        t.add_row(_when(a), a.id, a.kind_label, a.title, _parties(a), _amount(a), a.status or "unknown")
    c.out.print(t)
    c.out.print(f"{len(rows)} found.")


@app.command("list")
def list_(party: Optional[str] = PARTY, country: Optional[str] = COUNTRY, mineral: Optional[str] = MINERAL,
          kind: Optional[str] = KIND, year: Optional[int] = YEAR, project: Optional[str] = PROJECT,
          organisation: Optional[str] = ORGANISATION, json_out: bool = common.JSON) -> None:
    """Agreements matching every filter given, in timeline order."""
    c = common.get()
    rows = service.find_agreements(c.uow(), party=party, country=country, mineral=mineral, kind=kind, year=year,
                                   project=project, organisation=organisation)
    if json_out:
        common.print_json({"count": len(rows), "items": [views.agreement_view(a) for a in rows]})
        return
    _table(rows, "Agreements")


@app.command("timeline")
def timeline(party: Optional[str] = PARTY, country: Optional[str] = COUNTRY, mineral: Optional[str] = MINERAL,
             kind: Optional[str] = KIND, year: Optional[int] = YEAR, project: Optional[str] = PROJECT,
             organisation: Optional[str] = ORGANISATION, json_out: bool = common.JSON) -> None:
    """Dated agreements and events, oldest first; a date shows the precision of its sources."""
    c = common.get()
    rows = service.timeline(c.uow(), party=party, country=country, mineral=mineral, kind=kind, year=year,
                            project=project, organisation=organisation)
    if json_out:
        common.print_json({"count": len(rows), "items": [views.timeline_row(a) for a in rows]})
        return
    t = Table(title="Timeline", title_justify="left")
    for col in ("date", "kind", "what", "amount", "status", "id"):
        t.add_column(col)
    for a in rows:
        flag = " [yellow](sources disagree)[/]" if a.readings else ""
        t.add_row(a.date or "", a.kind_label, a.title + flag, _amount(a), a.status or "", a.id)
    c.out.print(t)
    c.out.print(f"{len(rows)} on the timeline.")


def _show(a: Agreement, detail: service.AgreementDetail | None = None) -> None:
    out = common.get().out
    out.print(f"[bold]{a.title}[/] ({a.id})")
    if a.withdrawn is not None:
        w = a.withdrawn
        out.print(f"WITHDRAWN {w.at[:10]} by {w.by}: {w.why}" + "".join(f" [{x.label} {x.url or ''}]" for x in w.sources)
                  + " — the claims below are retracted, kept for the record.", markup=False)
    binding = {True: "binding", False: "non-binding", None: "binding unknown"}[a.binding]
    out.print(f"{a.kind_label}, {binding}; status {a.status or 'unknown'}; confidence {a.confidence or 'unknown'}")
    dates = [f"{name} {getattr(a, name)}" for name in ("announced", "signed", "effective", "expiry") if getattr(a, name)]
    out.print("Dates: " + ("; ".join(dates) or "unknown") + (f" — at {a.place}" if a.place else ""))
    for label, text in views.facts(a):
        out.print(f"{label}: {text}", markup=False)
    if a.amount is not None:
        out.print(f"Amount: {_amount(a)}")
    t = Table(title="Parties", title_justify="left")
    for col in ("name", "role", "organisation", "share %"):
        t.add_column(col)
    for p in a.parties:
        t.add_row(p.name, p.role.replace("_", " "), p.organisation_id or "", "" if p.share is None else f"{p.share:g}")
    out.print(t)
    names = detail.mineral_names if detail else {}
    for label, values in (("Countries", a.countries), ("Minerals", [names.get(m, m) for m in a.minerals]),
                          ("Stages", a.stages), ("Projects", a.projects), ("Titles", a.titles)):
        if values:
            out.print(f"{label}: {', '.join(values)}")
    if a.readings:
        t = Table(title="Readings (sources disagree)", title_justify="left")
        for col in ("field", "value", "source", "note"):
            t.add_column(col)
        for r in a.readings:
            t.add_row(r.field, r.value, r.source, r.note or "")
        out.print(t)
    if a.history:
        t = Table(title="Status history" + (f" (as of {a.status_as_of})" if a.status_as_of else ""),
                  title_justify="left")
        for col in ("date", "status", "as of", "sources", "note"):
            t.add_column(col)
        for ch in a.history:
            t.add_row(ch.date, ch.status, ch.as_of or "", "\n".join(f"{x.label} {x.url or ''}".strip() for x in ch.sources),
                      ch.note or "")
        out.print(t)
    t = Table(title="Claims and their sources", title_justify="left")
    for col in ("claim", "value", "sources"):
        t.add_column(col)
    for claim in a.claims():
        t.add_row(claim.label, claim.value + (f" (as of {claim.as_of})" if claim.as_of else ""),
                  "\n".join(f"{x.label}: {x.url or 'no link'}" for x in claim.sources) or "[yellow]unsourced[/]")
    out.print(t)
    if a.corrections:
        out.print("[bold]Corrections[/]")
        for c in a.corrections:
            out.print(f"  • {c.at} {c.by}: {c.claim}: {c.old or '(none)'} → {c.new or '(removed)'} — {c.why}"
                      + "".join(f" [{x.label} {x.url or ''}]" for x in c.sources), markup=False)
    if a.notes:
        out.print(f"[bold]Notes[/] {a.notes}")
    out.print("[bold]Sources[/]")
    for i, s in enumerate(a.sources, 1):
        extra = "".join(f" {x}" for x in (s.date and f"({s.date})", s.url) if x)
        out.print(f"  {i}. {s.publisher}{extra}" + (f" — “{s.evidence}”" if s.evidence else ""), markup=False)


@app.command("show")
def show(agreement_id: str = typer.Argument(..., help="Agreement id (see `maadan agreements list`)."),
         json_out: bool = common.JSON) -> None:
    """One agreement: parties, dates, amounts, readings side by side, links and sources."""
    c = common.get()
    d = service.agreement_detail(c.uow(), agreement_id)
    if json_out:
        common.print_json(views.detail_view(d))
        return
    _show(d.agreement, d)


def _split_party(text: str) -> dict[str, Any]:
    parts = [p.strip() for p in text.split(":")]
    if not parts[0]:
        raise InvalidInput(f"--party {text!r}: give NAME[:ROLE[:ORGANISATION_ID[:SHARE]]]")
    out: dict[str, Any] = {"name": parts[0]}
    for key, value in zip(("role", "organisation_id", "share"), parts[1:]):
        if value:
            out[key] = value
    return out


@app.command("add")
def add(file: Optional[Path] = typer.Argument(None, help="YAML or JSON file with one agreement (or a list)."),
        title: Optional[str] = typer.Option(None, help="Title (when no file is given)."),
        kind: Optional[str] = typer.Option(None, help="Kind (when no file is given)."),
        signed: Optional[str] = typer.Option(None, help="YYYY, YYYY-MM or YYYY-MM-DD."),
        announced: Optional[str] = typer.Option(None, help="YYYY, YYYY-MM or YYYY-MM-DD."),
        status: Optional[str] = typer.Option(None, help="announced, signed, approved, closed, disbursed, stalled."),
        party: Optional[List[str]] = typer.Option(None, "--party", help="NAME[:ROLE[:ORGANISATION_ID[:SHARE]]]; repeat."),
        country: Optional[List[str]] = typer.Option(None, "--country", help="ISO alpha-2; repeat."),
        mineral: Optional[List[str]] = typer.Option(None, "--mineral", help="Mineral id; repeat."),
        project: Optional[List[str]] = typer.Option(None, "--project", help="Project id; repeat."),
        amount: Optional[float] = typer.Option(None, help="Amount, as the source gives it."),
        currency: Optional[str] = typer.Option(None, help="ISO 4217 code, e.g. USD."),
        source: Optional[List[str]] = typer.Option(None, "--source", help="Publisher and reference, or a URL; repeat."),
        actor: Optional[str] = common.ACTOR, json_out: bool = common.JSON) -> None:
    """Add agreements from a file, or one from options; a duplicate id exits with 3 (conflict)."""
    c = common.get()
    if file is not None:
        doc = read_document(file)
        if isinstance(doc, dict) and isinstance(doc.get("agreements"), list):
            doc = doc["agreements"]
        drafts = doc if isinstance(doc, list) else [doc]
    else:
        if not title or not kind:
            raise InvalidInput("give a file, or at least --title, --kind and --source")
        draft: dict[str, Any] = {"title": title, "kind": kind, "signed": signed, "announced": announced,
                                 "status": status, "parties": [_split_party(p) for p in party or []],
                                 "countries": list(country or []), "minerals": list(mineral or []),
                                 "projects": list(project or []), "amount": amount, "currency": currency,
                                 "sources": [{"publisher": s, "url": s} if s.startswith(("http://", "https://"))
                                             else {"publisher": s} for s in source or []]}
        drafts = [draft]
    ids = service.add_agreements(c.uow(write=True), drafts, actor=common.actor(actor))
    if json_out:
        common.print_json({"added": ids})
    else:
        for ident in ids:
            c.err.print(f"Added agreement {ident}")


@app.command("edit")
def edit(agreement_id: str = typer.Argument(..., help="Agreement id."),
         file: Path = typer.Argument(..., help="YAML or JSON file with the fields to change."),
         actor: Optional[str] = common.ACTOR, json_out: bool = common.JSON) -> None:
    """Change some fields of an agreement; the result is validated as a whole, else nothing changes."""
    c = common.get()
    changes = read_document(file)
    updated = service.edit_agreement(c.uow(write=True), agreement_id, changes, actor=common.actor(actor))
    if json_out:
        common.print_json(views.agreement_view(updated))
        return
    c.err.print(f"Updated agreement {updated.id}")
    _show(updated)


@app.command("add-status")
def add_status(agreement_id: str = typer.Argument(..., help="Agreement id."),
               file: Path = typer.Argument(..., help="YAML or JSON file: {status, date, sources, as_of?, note?}."),
               actor: Optional[str] = common.ACTOR, json_out: bool = common.JSON) -> None:
    """Record a dated status change (announced, approved, signed, closed, disbursed, deferred, ...) with its
    sources; a second report of a change already held adds its sources to it."""
    c = common.get()
    updated = service.add_status_change(c.uow(write=True), agreement_id, read_document(file), actor=common.actor(actor))
    if json_out:
        common.print_json(views.agreement_view(updated))
        return
    c.err.print(f"Agreement {updated.id}: status {updated.status}"
                + (f" as of {updated.status_as_of}" if updated.status_as_of else ""))


@app.command("stale")
def stale(older_than: Optional[int] = typer.Option(None, "--older-than", help="Age in days (default: the "
                                                   "MAADAN_STALE_DAYS setting, 180)."),
          json_out: bool = common.JSON) -> None:
    """Agreements whose status is not final while their newest source is older than the given age: the
    records a curator should check again."""
    c = common.get()
    days = c.settings.stale_days if older_than is None else older_than
    rows = service.stale_agreements(c.uow(), older_than_days=days)
    if json_out:
        common.print_json({"older_than_days": days, "count": len(rows), "items": [views.stale_row(r) for r in rows]})
        return
    t = Table(title=f"Agreements not final whose newest source is older than {days} days", title_justify="left")
    for col in ("newest source", "days", "status", "id", "title"):
        t.add_column(col)
    for r in rows:
        t.add_row(r.latest_source or "undated", "" if r.age_days is None else str(r.age_days),
                  r.agreement.status or "unknown", r.agreement.id, r.agreement.title)
    c.out.print(t)
    c.out.print(f"{len(rows)} stale.")


# --- partners ------------------------------------------------------------------------------------

@partners_app.command("list")
def partners_list(capability: Optional[str] = typer.Option(None, help="exploration, mining, processing, refining, "
                                                           "recycling, engineering_construction, logistics, finance."),
                  mineral: Optional[str] = MINERAL,
                  region: Optional[str] = typer.Option(None, help="e.g. Balochistan."),
                  ownership: Optional[str] = typer.Option(None, help="state, private, listed or unknown."),
                  json_out: bool = common.JSON) -> None:
    """The directory of organisations with what they do, their minerals and regions."""
    c = common.get()
    rows = partners.list_partners(c.uow(), capability=capability, mineral=mineral, region=region, ownership=ownership)
    if json_out:
        common.print_json({"count": len(rows), "items": [p.as_dict() for p in rows]})
        return
    t = Table(title="Partners", title_justify="left")
    for col in ("id", "name", "ownership", "capabilities", "minerals", "regions", "agreements"):
        t.add_column(col)
    for p in rows:
        t.add_row(p.id, p.organisation.name, p.ownership or "unknown",
                  ", ".join(p.capability_list()) or "unknown", ", ".join(p.minerals) or "unknown",
                  ", ".join(p.regions) or "unknown", str(len(p.agreements)))
    c.out.print(t)
    c.out.print(f"{len(rows)} found.")


@partners_app.command("show")
def partners_show(name: str = typer.Argument(..., help="Organisation id, name or alias (e.g. FWO)."),
                  json_out: bool = common.JSON) -> None:
    """One organisation as a partner: what it does and where (with evidence), agreements, titles, partners."""
    c = common.get()
    d = partners.partner_profile(c.uow(), name)
    p, out = d.profile, c.out
    if json_out:
        common.print_json(p.as_dict() | {"titles": d.titles, "partner_names": d.partner_names})
        return
    o = p.organisation
    out.print(f"[bold]{o.name}[/] ({o.id}) — {o.kind}, {o.country or 'country unknown'}; ownership "
              f"{p.ownership or 'unknown'}" + (f" ({p.ownership_evidence})" if p.ownership_evidence else ""))
    for label, values in (("Capabilities", p.capabilities), ("Minerals", p.minerals), ("Regions", p.regions)):
        out.print(f"[bold]{label}[/]" + ("" if values else ": unknown"))
        for v, evidence in values.items():
            out.print(f"  • {d.mineral_names.get(v, v).replace('_', ' ')} — {'; '.join(evidence)}", markup=False)
    if o.profile_source:
        out.print(f"Profile source: {o.profile_source}", markup=False)
    out.print("Agreements: " + (", ".join(a.id for a in d.agreements) or "none in the registry"))
    out.print("Titles: " + (", ".join(d.titles) or "none in the cadastre"))
    out.print("Partners: " + (", ".join(f"{d.partner_names.get(k, k)} ({', '.join(v)})" for k, v in p.partners.items())
                              or "none in the registry"), markup=False)


@partners_app.command("match")
def partners_match(for_: str = typer.Option(..., "--for", help="The organisation looking for partners."),
                   mineral: Optional[str] = MINERAL,
                   region: Optional[str] = typer.Option(None, help="e.g. Balochistan."),
                   limit: int = typer.Option(10, help="How many candidates (1-100)."),
                   json_out: bool = common.JSON) -> None:
    """Rank counterparts for an organisation, with the reasons for each score (docs/agreements.md)."""
    c = common.get()
    m = partners.match_partners(c.uow(), for_, mineral=mineral, region=region, limit=limit)
    if json_out:
        common.print_json({"for": m.subject.id, "mineral": m.mineral, "region": m.region, "count": len(m.candidates),
                           "items": [{"rank": i, "id": x.profile.id, "name": x.profile.organisation.name,
                                      "score": x.score, "reasons": to_jsonable(x.reasons)}
                                     for i, x in enumerate(m.candidates, 1)]})
        return
    t = Table(title=f"Partners for {m.subject.organisation.name}"
              + (f", {m.mineral_names.get(m.mineral, m.mineral)}" if m.mineral else "")
              + (f", in {m.region}" if m.region else ""), title_justify="left")
    for col in ("#", "organisation", "score", "reasons"):
        t.add_column(col)
    for i, x in enumerate(m.candidates, 1):
        t.add_row(str(i), f"{x.profile.organisation.name} ({x.profile.id})", str(x.score),
                  "\n".join(f"+{r.points} {r.text}" for r in x.reasons))
    c.out.print(t)
    if not m.candidates:
        c.out.print("No candidate fits: no known complementary capability, mineral or region.")


GROUPS = {"agreements": app, "partners": partners_app}
