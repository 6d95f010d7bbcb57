"""`maadan news ...`: review what was read from news texts and commit it to the agreements registry."""

from __future__ import annotations

from typing import Any, Optional

import typer
from rich.markup import escape
from rich.table import Table

from maadan import actors
from maadan.cli import common
from maadan.news.review import NewsDocument, Proposal, status_changes
from maadan.errors import InvalidInput
from maadan.agreements.service import add_or_corroborate, add_status_change, find_agreements
from maadan.news import views
from maadan.news.views import document_json, parse_value, proposal_json  # noqa: F401 (used by ingest)
from maadan.news.service import commit_document, list_documents, review_proposals, show_document

app = typer.Typer(help="Review proposals read from news texts; commit them to the agreements registry.",
                  no_args_is_help=True)


def _short(value: Any, width: int = 70) -> str:
    if value is None:
        return "unresolved"
    if isinstance(value, dict):
        if "amount" in value:
            return f"{value['amount']:,.0f} {value.get('currency') or '(currency unresolved)'}"
        if "publisher" in value:
            return f"{value['publisher']} ({value.get('date') or 'no date'})"
        if "role" in value and "organisation_id" in value:
            link = value["organisation_id"] or "new"
            return f"{value['name']} [{link}] as {value['role']}"
    text = str(value)
    return text if len(text) <= width else text[:width - 1] + "…"


def _evidence(p: Proposal) -> str:
    if not p.evidence:
        return "—"
    parts = [f"“{_short(e['text'], 50)}” @{e['start']}–{e['end']}" for e in p.evidence[:2]]
    more = f" (+{len(p.evidence) - 2})" if len(p.evidence) > 2 else ""
    return "; ".join(parts) + more


def print_document(doc: NewsDocument, *, mentions: bool = True) -> None:
    c = common.get()
    pub = f"{doc.published} ({doc.published_from})" if doc.published else "unknown"
    c.out.print(f"Document {doc.id[:12]}  {doc.filename}  {doc.format}, {doc.encoding}, published {pub}, "
                f"language {doc.language}, {doc.status}", markup=False)
    for w in doc.warnings:
        c.out.print(f"warning: {w}", markup=False)
    if mentions:
        t = Table(title="Mentions", title_justify="left")
        for col in ("kind", "text", "offsets", "value", "linked"):
            t.add_column(col)
        for m in doc.extraction.get("mentions", []):
            value = m["value"]
            if isinstance(value, dict):
                value = ", ".join(f"{k}={v}" for k, v in value.items() if v is not None)
            shown = "unresolved" if not m["resolved"] else str(value)
            if m.get("note"):
                shown += f" ({m['note']})"
            t.add_row(m["kind"], escape(m["text"]), f"{m['start']}–{m['end']}", escape(shown), m["linked"] or "")
        c.out.print(t)
        for r in doc.extraction.get("projects", []):
            c.out.print(f"Project {r['project_id']} (“{r['name']['text']}”): operators "
                        f"{', '.join(o for o, _ in r['operators']) or 'none named'}; minerals "
                        f"{', '.join(m for m, _ in r['minerals']) or 'none named'}; places "
                        f"{', '.join(p for p, _ in r['places']) or 'none named'}", markup=False)
    by_no: dict[int, list[Proposal]] = {}
    for p in doc.proposals:
        by_no.setdefault(p.agreement_no, []).append(p)
    if not by_no:
        c.out.print("No agreement proposed (no singular agreement cue such as “an MoU” or “a trade deal”).")
    for no, props in sorted(by_no.items()):
        t = Table(title=f"Proposed agreement {no}", title_justify="left")
        for col in ("id", "field", "value", "evidence", "status", "note"):
            t.add_column(col)
        for p in props:
            value = _short(p.final_value)
            t.add_row(str(p.id), p.field, escape(value), escape(_evidence(p)), p.status, escape(p.note or ""))
        c.out.print(t)


@app.command("list")
def news_list(json_out: bool = common.JSON) -> None:
    """Documents read so far, with their review counts."""
    c = common.get()
    docs = list_documents(c.uow())
    if json_out:
        common.print_json({"count": len(docs), "items": [views.document_row(d) for d in docs]})
        return
    t = Table(title=f"{len(docs)} news document(s)", title_justify="left")
    for col in ("id", "file", "published", "status", "pending", "accepted", "edited", "rejected"):
        t.add_column(col)
    for d in docs:
        n = d.counts()
        t.add_row(d.id[:12], escape(d.filename), d.published or "unknown", d.status, str(n["pending"]), str(n["accepted"]),
                  str(n["edited"]), str(n["rejected"]))
    c.out.print(t)


@app.command("show")
def news_show(document: str = typer.Argument(..., help="Document id (at least 6 characters)."),
              text: bool = typer.Option(False, "--text", help="Include the cleaned text (JSON) or print it."),
              json_out: bool = common.JSON) -> None:
    """A document's mentions and proposals with their evidence and review state."""
    c = common.get()
    doc = show_document(c.uow(), document)
    if json_out:
        common.print_json(document_json(doc, text=text))
        return
    print_document(doc)
    if text:
        c.out.print(doc.text, markup=False)


def parse_ids(spec: str) -> list[int]:
    """"4", "1-9" or "1-9,12" -> proposal ids, in order, without repeats."""
    out: list[int] = []
    for part in spec.split(","):
        part = part.strip()
        try:
            if "-" in part:
                a, b = (int(x) for x in part.split("-", 1))
                if b < a or b - a > 10000:
                    raise ValueError
                ids = list(range(a, b + 1))
            else:
                ids = [int(part)]
        except ValueError:
            raise InvalidInput(f"proposal {spec!r}: give ids like 4, 1-9 or 1-9,12 (bad part {part!r})",
                               details={"field": "proposal"}) from None
        out += [i for i in ids if i not in out]
    return out


@app.command("review")
def news_review(proposals: str = typer.Argument(..., help="Proposal id(s): 4, 1-9 or 1-9,12 (see `maadan news show`)."),
                decision: str = typer.Argument(..., help="accept, edit or reject."),
                value: Optional[str] = typer.Option(None, "--value",
                                                    help="The new value for edit: text, or JSON for objects."),
                reviewer: Optional[str] = typer.Option(None, "--actor", "--reviewer",
                                                       help="Who reviews, recorded as cli:NAME (default: your login name)."),
                json_out: bool = common.JSON) -> None:
    """Accept, edit or reject proposals (several ids: all saved or none)."""
    c = common.get()
    done = review_proposals(c.uow(write=True), parse_ids(proposals), decision, parse_value(value),
                            reviewer=common.actor(reviewer))
    if json_out:
        common.print_json({"count": len(done), "items": [proposal_json(p) for p in done]})
        return
    for p in done:
        c.out.print(f"proposal {p.id} ({p.field}): {p.status} by {actors.name_of(p.reviewer)}: {_short(p.final_value)}",
                    markup=False)


@app.command("commit")
def news_commit(document: str = typer.Argument(..., help="Document id (at least 6 characters)."),
                actor: Optional[str] = common.ACTOR,
                json_out: bool = common.JSON) -> None:
    """Add the reviewed agreements of a document to the registry (refused while anything is pending)."""
    c = common.get()
    held = {a.id for a in find_agreements(c.uow())}
    ids = commit_document(c.uow(write=True), document, actor=common.actor(actor),
                          add_agreement=add_or_corroborate,
                          add_status_change=add_status_change)
    changes = status_changes(show_document(c.uow(), document))
    changed = {x["agreement"] for x in changes}
    added = [i for i in ids if i not in held]
    corroborated = [i for i in ids if i in held and i not in changed]
    if json_out:
        common.print_json({"document": document, "agreements": ids, "added": added, "corroborated": corroborated,
                           "status_changes": changes})
        return
    if not ids:
        c.out.print("No agreement committed: every proposed agreement was rejected.", markup=False)
    if added:
        c.out.print(f"{len(added)} agreement(s) added: {', '.join(added)}", markup=False)
    for x in changes:
        c.out.print(f"status change recorded on {x['agreement']}: {x['status']} on {x['date']}", markup=False)
    if corroborated:
        c.out.print(f"{len(corroborated)} agreement(s) already in the registry, this text added to their sources: "
                    f"{', '.join(corroborated)}", markup=False)


GROUPS = {"news": app}
