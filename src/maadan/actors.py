"""Who did it, as the audit log and every stored record name them, in one format for every adapter:
`user:NAME` for an account (web, REST) and `cli:NAME` for the command line (NAME is the --actor
given, else the login name). Bundled data is written by `seed`."""

from __future__ import annotations

import getpass

USER, CLI = "user", "cli"


def for_user(username: str) -> str:
    return f"{USER}:{username}"


def for_cli(name: str | None = None) -> str:
    """The command line's actor: `cli:` and the name given (a leading `cli:` is not doubled), or the
    login name; `cli` alone when the machine has no login name (some containers)."""
    name = (name or "").strip().removeprefix(f"{CLI}:")
    if not name:
        try:
            name = getpass.getuser()
        except Exception:  # no login name in some containers
            return CLI
    return f"{CLI}:{name}"


def name_of(actor: str | None) -> str:
    """The name in an actor, for display: 'user:amina' -> 'amina'."""
    kind, sep, name = (actor or "").partition(":")
    return name if sep and kind in (USER, CLI) else (actor or "")
