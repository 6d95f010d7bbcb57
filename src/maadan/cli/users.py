"""`maadan users ...`: create, list, disable and enable accounts, and reset passwords. Whoever
can run the CLI against the database administers it, so the first admin is made here."""

from __future__ import annotations

import sys
from typing import Optional

import typer
from rich.table import Table

from maadan.auth import passwords, service
from maadan.auth.model import ROLES, User, check_role, normalise_username
from maadan.cli import common
from maadan.errors import InvalidInput

app = typer.Typer(help="User accounts: applicants, officers and admins.", no_args_is_help=True)

PASSWORD_STDIN = typer.Option(False, "--password-stdin",
                              help="Read the password from the first line of standard input instead of prompting.")


def _json(u: User) -> dict:
    return {"id": u.id, "username": u.username, "role": u.role, "organisation_id": u.organisation_id,
            "active": u.active, "created_at": u.created_at}


def _read_password(from_stdin: bool, username: str) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise InvalidInput("password: nothing on standard input (--password-stdin reads one line)")
    else:
        password = typer.prompt(f"Password for {username}", hide_input=True, confirmation_prompt=True)
    passwords.check_policy(password, username)
    return password


@app.command("create")
def create(username: str = typer.Argument(..., help="Login name (3-64 characters: letters, digits, . _ @ + -)."),
           role: str = typer.Option(..., "--role", "-r", help=f"One of: {', '.join(ROLES)}."),
           organisation: Optional[str] = typer.Option(None, "--organisation", "--org",
                                                      help="Organisation id; required for applicants."),
           password_stdin: bool = PASSWORD_STDIN,
           json_out: bool = common.JSON) -> None:
    """Create an account (prompts twice for the password, hidden)."""
    c = common.get()
    name = normalise_username(username)
    check_role(role, organisation)  # before asking for a password
    uow = c.uow(write=True)
    password = _read_password(password_stdin, name)
    user = service.create_user(uow, name, password, role, organisation)
    if json_out:
        common.print_json(_json(user))
        return
    org = f" for {user.organisation_id}" if user.organisation_id else ""
    c.err.print(f"Created {user.role} {user.username}{org}.", markup=False)


@app.command("list")
def list_(json_out: bool = common.JSON) -> None:
    """Every account, its role, organisation and whether it is active."""
    c = common.get()
    users = service.list_users(c.uow())
    if json_out:
        common.print_json([_json(u) for u in users])
        return
    t = Table(title=f"{len(users)} accounts")
    for col in ("username", "role", "organisation", "active", "created"):
        t.add_column(col)
    for u in users:
        t.add_row(u.username, u.role, u.organisation_id or "", "yes" if u.active else "DISABLED",
                  u.created_at.strftime("%Y-%m-%d %H:%M") if u.created_at else "")
    c.out.print(t)


def _set_active(username: str, active: bool, json_out: bool) -> None:
    c = common.get()
    user = service.set_active(c.uow(write=True), username, active)
    if json_out:
        common.print_json(_json(user))
        return
    c.err.print(f"{user.username} is {'active' if active else 'disabled'}.", markup=False)


@app.command("disable")
def disable(username: str = typer.Argument(..., help="Login name."), json_out: bool = common.JSON) -> None:
    """Disable an account: its tokens and sessions stop working at once."""
    _set_active(username, False, json_out)


@app.command("enable")
def enable(username: str = typer.Argument(..., help="Login name."), json_out: bool = common.JSON) -> None:
    """Enable a disabled account again."""
    _set_active(username, True, json_out)


@app.command("password")
def password(username: str = typer.Argument(..., help="Login name."),
             password_stdin: bool = PASSWORD_STDIN) -> None:
    """Set a new password; every token and session of the account is revoked."""
    c = common.get()
    uow = c.uow(write=True)
    user = service.get_user(c.uow(), username)
    service.set_password(uow, user.username, _read_password(password_stdin, user.username))
    c.err.print(f"Password of {user.username} changed; its tokens and sessions are revoked.", markup=False)


GROUPS = {"users": app}
