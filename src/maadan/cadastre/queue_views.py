"""What each audience sees of the queue: an application's place (priority, group, competitors,
what it waits on) and a notice. One place, used by the CLI, REST and the web (a competition group,
whose members follow the visibility rule, is `cadastre/views.py`'s `group_json`)."""

from __future__ import annotations

from typing import Any

from maadan.cadastre.model import Application
from maadan.cadastre.queue_model import Notice


def queue_fields(a: Application) -> dict[str, Any]:
    """priority, the group and its other members, and the earlier claims it waits on."""
    out: dict[str, Any] = {"priority": a.priority, "competition_group": a.group_ref if a.priority == "competing" else None,
                           "competing_with": [f"{a.jurisdiction}/A{n}" for n in a.competing_with]
                           if a.priority == "competing" else [],
                           "waits_on": [{"kind": k, "ref": r} for k, r in a.waits_on]}
    if a.converts_title:
        out["converts"] = a.converts_title
    return out


def describe_place(a: Application) -> str:
    """One sentence for a receipt or a listing."""
    if a.priority == "competing":
        others = ", ".join(f"{a.jurisdiction}/A{n}" for n in a.competing_with)
        text = (f"competing in group {a.group_ref} with {others}: received the same day and overlapping, so "
                "simultaneous (rule 10); the group is decided before any member is offered")
    elif a.priority == "behind":
        text = "behind " + "; ".join(f"{k} {r}" for k, r in a.waits_on) + ", earlier claims on its ground"
    else:
        text = "clear: first on its ground"
    if a.priority == "competing" and a.waits_on:
        text += "; the group is also behind " + "; ".join(f"{k} {r}" for k, r in a.waits_on)
    return text


def notice_json(n: Notice) -> dict[str, Any]:
    return {"id": n.id, "jurisdiction": n.jurisdiction, "subject": n.subject, "kind": n.kind, "message": n.message,
            "application": f"{n.jurisdiction}/A{n.application_number}" if n.application_number else None,
            "group": f"{n.jurisdiction}/G{n.group_number}" if n.group_number else None,
            "action_needed": n.action_needed, "created_at": n.created_at.isoformat(), "event_seq": n.event_seq,
            "read_at": n.read_at.isoformat() if n.read_at else None, "recipient_org": n.recipient_org}
