"""`maadan cadastre competition ...` and `maadan cadastre notices`: same-day competition groups
(rule 10) and the notices the queue sends. Thin: parse, call the cadastre service, format."""

from __future__ import annotations

import re
from pathlib import Path
from typing import List, Optional

import typer
from rich.table import Table

from maadan.cadastre import competition as comp
from maadan.cadastre import notices as notice_service
from maadan.cadastre.queue_views import notice_json
from maadan.cadastre.views import group_json
from maadan.cli import common
from maadan.cli.cadastre import documents
from maadan.errors import InvalidInput

app = typer.Typer(help="Competition groups: overlapping applications received the same day (rule 10).",
                  no_args_is_help=True)
JURISDICTION = typer.Option(None, "--jurisdiction", "-j", help="Jurisdiction, when the group is written G3.")
STATES = ("open", "decided", "merged", "dissolved", "all")


def _numbers(text: str | None, option: str) -> list[int] | None:
    if not text:
        return None
    out = []
    for part in re.split(r"[,\s]+", text.strip()):
        m = re.fullmatch(r"(?:[A-Z]{2}(?:-[A-Z0-9]{1,3})?/)?A?(\d{1,9})", part.strip().upper())
        if not m:
            raise InvalidInput(f"{option}: {part!r} is not an application number (e.g. 7 or PK-BA/A7)")
        out.append(int(m.group(1)))
    return out


@app.command("list")
def list_cmd(state: str = typer.Option("open", help="open | decided | merged | dissolved | all"),
             jurisdiction: Optional[str] = typer.Option(None, "--jurisdiction", "-j"), json_out: bool = common.JSON) -> None:
    """Competition groups, oldest first (open ones by default)."""
    c = common.get()
    if state not in STATES:
        raise InvalidInput(f"--state must be one of {', '.join(STATES)}")
    views = comp.list_groups(c.uow(), jurisdiction, None if state == "all" else [state])
    items = [group_json(v, everything=True) for v in views]
    if json_out:
        common.print_json({"count": len(items), "items": items})
        return
    t = Table(title=f"Competition groups ({state})")
    for col in ("group", "day", "state", "members", "method", "decidable from", "seed / bids"):
        t.add_column(col)
    for v, item in zip(views, items):
        extra = ""
        if item.get("bid_deadline"):
            extra = f"{item['bids']['received']} sealed bid(s), deadline {item['bid_deadline'][:16]}"
        elif v.rule.method == "ballot":
            extra = f"seed {v.seed.ref}" if v.seed else f"seed from {item['seed_time'][:16]}"
        t.add_row(v.ref, item["local_date"], v.group.state, ", ".join(m["ref"] for m in item["members"]),
                  v.rule.method + ("" if v.rule.verified else " (unverified)"), item["decidable_from"][:16], extra)
    c.out.print(t)


@app.command("show")
def show_cmd(group: str = typer.Argument(..., help="Group, e.g. PK-BA/G3."), jurisdiction: Optional[str] = JURISDICTION,
             json_out: bool = common.JSON) -> None:
    """One group: members, method and its legal basis, seed or bids, and the decision (a ballot's draw is re-run)."""
    c = common.get()
    jur, number = comp.parse_group_ref(group, jurisdiction)
    item = group_json(comp.show_group(c.uow(), jur, number), everything=True)
    if json_out:
        common.print_json(item)
        return
    m = item["method"]
    c.out.print(f"[bold]{item['ref']}[/] ({item['state']}): received {item['local_date']} ({item['timezone']})")
    for mem in item["members"]:
        c.out.print(f"  {mem['ref']}  {mem['type']}  {mem['state']}  {mem['area_km2']:,.3f} km²  "
                    f"{', '.join(mem['applicants'])}")
    c.out.print(f"Method: {m['method']}, losers {m['losers']} ({m['legal_basis']}"
                f"{'' if m['verified'] else '; unverified'}); rules {m['rules']}")
    c.out.print(f"Decidable from {item['decidable_from']}; ballot seed fixed at {item['seed_time']}"
                + (f": {item['seed']['value']} ({item['seed']['ref']})" if item["seed"] else " (not yet)"))
    if "bids" in item:
        c.out.print(f"Sealed bids: {item['bids']['received']} received; deadline {item['bid_deadline']}")
    if "merged_into" in item:
        c.out.print(f"Merged into {item['merged_into']}")
    d = item.get("decision")
    if d:
        c.out.print(f"Decided by {d['decided_by']} ({d['method']}); winner "
                    + (f"{item['jurisdiction']}/A{d['winner']}" if d.get("winner") else "none"))
        for r in d["results"]:
            c.out.print(f"  #{r['rank']} {item['jurisdiction']}/A{r['application']}: {r['result']}"
                        + (f" ({r['area_after_km2']:,.3f} of {r['area_before_km2']:,.3f} km²)" if "area_after_km2" in r else ""))
        if d.get("reason"):
            c.out.print(f"Reasons: {d['reason']}")
        if "draw_reproduced" in d:
            c.out.print("Draw re-run from its seed: " + ("[green]same order[/]" if d["draw_reproduced"] else "[red]DIFFERENT[/]"))


@app.command("decide")
def decide_cmd(group: str = typer.Argument(..., help="Group, e.g. PK-BA/G3."),
               winner: Optional[str] = typer.Option(None, help="Officer's decision: the winning application."),
               order: Optional[str] = typer.Option(None, help="Officer's decision: every member ranked, winner first "
                                                   "(who gets a remainder first), e.g. '4,2,9'."),
               reason: Optional[str] = typer.Option(None, help="Written reasons (required for an officer's decision)."),
               document: Optional[List[Path]] = typer.Option(None, "--document", help="File attached (SHA-256 recorded)."),
               jurisdiction: Optional[str] = JURISDICTION, actor: Optional[str] = common.ACTOR,
               json_out: bool = common.JSON) -> None:
    """Resolve a group by the method its rules give: officer's decision, public ballot or sealed bids."""
    c = common.get()
    jur, number = comp.parse_group_ref(group, jurisdiction)
    won = _numbers(winner, "--winner")
    if won and len(won) != 1:
        raise InvalidInput("--winner: name one application")
    v = comp.decide_group(c.uow(write=True), jur, number, common.actor(actor), winner=won[0] if won else None,
                          order=_numbers(order, "--order"), reason=reason, documents=documents(document))
    item = group_json(v, everything=True)
    if json_out:
        common.print_json(item)
        return
    d = item["decision"]
    c.out.print(f"{item['ref']} decided ({d['method']}): winner "
                + (f"{jur}/A{d['winner']}" if d.get("winner") else "none"))
    for r in d["results"]:
        c.out.print(f"  {jur}/A{r['application']}: {r['result']}")


@app.command("bid")
def bid_cmd(group: str = typer.Argument(...), application: str = typer.Option(..., help="The bidding member."),
            amount: float = typer.Option(..., help="The bid."), currency: Optional[str] = typer.Option(None),
            jurisdiction: Optional[str] = JURISDICTION, actor: Optional[str] = common.ACTOR,
            json_out: bool = common.JSON) -> None:
    """Record a sealed bid (hidden until the group is decided; its SHA-256 commitment goes in the register)."""
    c = common.get()
    jur, number = comp.parse_group_ref(group, jurisdiction)
    app_no = _numbers(application, "--application")
    bid = comp.submit_bid(c.uow(write=True), jur, number, app_no[0], amount, common.actor(actor), currency=currency)
    data = {"group": f"{jur}/G{number}", "application": f"{jur}/A{bid.application_number}",
            "commitment": bid.commitment, "salt": bid.salt, "submitted_at": bid.submitted_at}
    if json_out:
        common.print_json(data)
    else:
        c.out.print(f"Sealed bid recorded for {data['application']} in {data['group']}: commitment {bid.commitment} "
                    f"(keep the salt {bid.salt} to check it when the bids are opened)")


@app.command("remainder")
def remainder_cmd(group: str = typer.Argument(...), application: str = typer.Argument(...),
                  answer: str = typer.Argument(..., help="accept | decline"),
                  jurisdiction: Optional[str] = JURISDICTION, actor: Optional[str] = common.ACTOR,
                  json_out: bool = common.JSON) -> None:
    """Accept or decline the reduced area offered to a member that lost a competition."""
    c = common.get()
    if answer not in ("accept", "decline"):
        raise InvalidInput("answer must be accept or decline")
    jur, number = comp.parse_group_ref(group, jurisdiction)
    app_no = _numbers(application, "application")
    a = comp.answer_remainder(c.uow(write=True), jur, number, app_no[0], answer == "accept", common.actor(actor))
    data = {"application": a.ref, "state": a.state, "area_km2": a.area_km2}
    if json_out:
        common.print_json(data)
    else:
        c.out.print(f"{a.ref}: remainder {answer}ed; the application is {a.state}")


notices_app = typer.Typer(help="Notices to applicants: queue promotions, competition, remainder offers.",
                          no_args_is_help=False, invoke_without_command=True)


@notices_app.callback()
def notices_cmd(ctx: typer.Context, organisation: Optional[str] = typer.Option(None, "--org", help="One organisation's."),
                jurisdiction: Optional[str] = typer.Option(None, "--jurisdiction", "-j"),
                unread: bool = typer.Option(False, "--unread", help="Only unread."), json_out: bool = common.JSON) -> None:
    """Notices, oldest first."""
    if ctx.invoked_subcommand:
        return
    c = common.get()
    items = [notice_json(n) for n in notice_service.notices(c.uow(), organisation=organisation,
                                                            jurisdiction=jurisdiction, unread_only=unread)]
    if json_out:
        common.print_json({"count": len(items), "items": items})
        return
    t = Table(title="Notices")
    for col in ("id", "created (UTC)", "about", "kind", "message", "read"):
        t.add_column(col)
    for n in items:
        t.add_row(str(n["id"]), n["created_at"][:19], n["subject"], n["kind"], n["message"],
                  "yes" if n["read_at"] else ("[yellow]answer needed[/]" if n["action_needed"] else ""))
    c.out.print(t)


@notices_app.command("read")
def notice_read(notice_id: int = typer.Argument(..., min=1), actor: Optional[str] = common.ACTOR,
                json_out: bool = common.JSON) -> None:
    """Mark a notice read (it leaves `maadan cadastre due`)."""
    c = common.get()
    n = notice_service.mark_read(c.uow(write=True), notice_id, common.actor(actor))
    if json_out:
        common.print_json(notice_json(n))
    else:
        c.out.print(f"Notice {n.id} read.")


GROUPS = {"cadastre competition": app, "cadastre notices": notices_app}
