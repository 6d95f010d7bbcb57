"""What each audience sees of the queue: an application's place (priority, group, competitors,
what it waits on), a competition group, a notice. One place, used by the CLI, REST and the web."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from maadan.cadastre import visibility
from maadan.cadastre.model import Application
from maadan.cadastre.queue_model import Notice

if TYPE_CHECKING:
    from maadan.cadastre.competition import GroupView


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


def _member(a: Application, viewer: visibility.Viewer | None, everything: bool) -> dict[str, Any]:
    """A member as the viewer may see it. An application the viewer may not see (refused, withdrawn
    or decided, and not its own) keeps only its number, which the decision's draw and ranking need
    so that anyone can re-run them: its applicants, area and dates are withheld."""
    if not everything and not visibility.can_see(a, viewer):
        return {"ref": a.ref, "number": a.number, "withheld": True}
    full = everything or visibility.full_view(a, viewer)
    out = {"ref": a.ref, "number": a.number, "type": a.title_type, "state": a.state, "priority": a.priority,
           "received_at": a.received_at.isoformat(), "area_km2": a.area_km2,
           "applicants": [h.name for h in a.holders], "synthetic": a.synthetic}
    if full:
        out["applicant_org"] = a.applicant_org
    return out


def group_json(v: "GroupView", viewer: visibility.Viewer | None = None, *, everything: bool = False) -> dict[str, Any]:
    """A group as `viewer` may see it (None: the public; `everything`: the operator's CLI). Members
    follow the applications' visibility (officers and the applicant's organisation also see the
    applicant organisation). Sealed bid amounts appear only once the group is decided (then with
    their salts, so commitments can be checked)."""
    g = v.group
    out: dict[str, Any] = {
        "ref": g.ref, "jurisdiction": g.jurisdiction, "number": g.number, "state": g.state,
        "local_date": g.local_date.isoformat(), "timezone": g.timezone, "formed_at": g.formed_at.isoformat(),
        "members": [_member(a, viewer, everything) for a in v.members],
        "method": {"method": v.rule.method, "losers": v.rule.losers, "legal_basis": v.rule.legal_basis,
                   "verified": v.rule.verified, "bid_days": v.rule.bid_days, "note": v.rule.note,
                   "rules": f"{v.rules_name} {v.rules_version}"},
        "decidable_from": v.decidable_from.isoformat(), "seed_time": v.seed_time.isoformat(),
        "seed": {"value": v.seed.value, "source": v.seed.source, "ref": v.seed.ref,
                 "fixed_at": v.seed.fixed_at.isoformat()} if v.seed else None,
    }
    if v.bid_deadline is not None:
        out["bid_deadline"] = v.bid_deadline.isoformat()
        out["bids"] = {"received": len(v.bid_commitments), "commitments": v.bid_commitments}
    if g.state == "merged":
        out["merged_into"] = f"{g.jurisdiction}/G{g.merged_into}"
    if g.closed_at:
        out["closed_at"] = g.closed_at.isoformat()
    if g.state == "decided" and g.outcome:
        out["decision"] = {k: g.outcome.get(k) for k in ("winner", "ranking", "results", "reason", "draw", "bids",
                                                           "bid_deadline", "rules_version") if k in g.outcome}
        out["decision"]["decided_by"] = g.decided_by
        out["decision"]["method"] = g.method
        if v.draw_check is not None:
            out["decision"]["draw_reproduced"] = v.draw_check
    return out


def notice_json(n: Notice) -> dict[str, Any]:
    return {"id": n.id, "jurisdiction": n.jurisdiction, "subject": n.subject, "kind": n.kind, "message": n.message,
            "application": f"{n.jurisdiction}/A{n.application_number}" if n.application_number else None,
            "group": f"{n.jurisdiction}/G{n.group_number}" if n.group_number else None,
            "action_needed": n.action_needed, "created_at": n.created_at.isoformat(), "event_seq": n.event_seq,
            "read_at": n.read_at.isoformat() if n.read_at else None, "recipient_org": n.recipient_org}
