"""The application and title lifecycles as explicit state machines. Plain Python."""

from __future__ import annotations

from maadan.errors import Conflict

# Application: received -> accepted | rejected-incomplete -> under-review -> offered -> granted | refused;
# withdrawn from any open state.
RECEIVED, ACCEPTED, REJECTED_INCOMPLETE = "received", "accepted", "rejected-incomplete"
UNDER_REVIEW, OFFERED, GRANTED, REFUSED, WITHDRAWN = "under-review", "offered", "granted", "refused", "withdrawn"

APPLICATION_MOVES: dict[str, dict[str, str]] = {
    # state -> {action: next state}
    RECEIVED: {"accept": ACCEPTED, "reject-incomplete": REJECTED_INCOMPLETE, "withdraw": WITHDRAWN},
    ACCEPTED: {"review": UNDER_REVIEW, "withdraw": WITHDRAWN},
    UNDER_REVIEW: {"offer": OFFERED, "refuse": REFUSED, "withdraw": WITHDRAWN},
    OFFERED: {"grant": GRANTED, "refuse": REFUSED, "withdraw": WITHDRAWN},
    REJECTED_INCOMPLETE: {},
    GRANTED: {},
    REFUSED: {},
    WITHDRAWN: {},
}
PENDING = frozenset({RECEIVED, ACCEPTED, UNDER_REVIEW, OFFERED})

# Title: active until surrendered, expired or revoked. Renewal, transfer and relinquishment keep it active.
ACTIVE, SURRENDERED, EXPIRED, REVOKED = "active", "surrendered", "expired", "revoked"
CONVERTED = "converted"  # its whole area became the converted title (security of tenure); not an action
TITLE_MOVES: dict[str, dict[str, str]] = {
    ACTIVE: {"renew": ACTIVE, "transfer": ACTIVE, "relinquish": ACTIVE, "surrender": SURRENDERED,
             "expire": EXPIRED, "revoke": REVOKED},
    SURRENDERED: {},
    EXPIRED: {},
    REVOKED: {},
    CONVERTED: {},
}


def next_state(moves: dict[str, dict[str, str]], kind: str, current: str, action: str) -> str:
    """The state after `action`, or Conflict naming the current state and what it allows."""
    allowed = moves.get(current)
    if allowed is None:
        raise Conflict(f"{kind} is in unknown state {current!r}")
    if action not in allowed:
        options = ", ".join(sorted(allowed)) or "nothing: it is final"
        known = sorted({a for m in moves.values() for a in m})
        if action not in known:
            raise Conflict(f"unknown action {action!r} for a {kind}; actions: {', '.join(known)}")
        raise Conflict(f"cannot {action} a {kind} that is {current}; from {current} it allows {options}",
                       details={"state": current, "action": action, "allowed": sorted(allowed)})
    return allowed[action]
