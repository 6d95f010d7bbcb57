"""The applicant's portal pages around accounts: registering as an applicant of an organisation,
asking for and using a password reset link (forms under /login, like sign-in, with the same
cookie-bound CSRF token since there is no session yet), the account's e-mail preferences, and the
officers' page confirming applicants' organisations. Thin adapters over maadan.portal."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path as PathParam, Request
from fastapi.responses import RedirectResponse, Response

from maadan.auth.model import AuthError, User
from maadan.errors import MaadanError
from maadan.http.deps import UoW, WriteUoW
from maadan.http.errors import PAGE_TAG
from maadan.http.security import (
    client_address,
    csrf_protect,
    login_csrf,
    login_csrf_ok,
    now,
    require_role,
    set_login_cookie,
)
from maadan.portal import service as portal
from maadan.portal.model import TooManyResetRequests
from maadan.web.templating import NavLink, render

router = APIRouter(include_in_schema=False, tags=[PAGE_TAG])
NAV = (NavLink(110, "/account", "Account", ("applicant", "officer")),
       NavLink(106, "/cadastre/accounts", "Applicants", ("officer",)))
CSRF = [Depends(csrf_protect)]
Anyone = Annotated[User, Depends(require_role("applicant", "officer", "admin"))]
Officer = Annotated[User, Depends(require_role("officer"))]
EXPIRED_FORM = "This form has expired or did not come from this site; try again."
SENT_ALREADY = "Links already sent still work for an hour: look for them in your e-mail (and its spam folder)."
SENT = ("If an account has that username or e-mail address, a link to choose a new password is on its way "
        "to the account's e-mail address. It works once, within an hour.")


def _public_form(request: Request, template: str, context: dict, status: int = 200) -> Response:
    """A form shown before signing in, with its cookie-bound CSRF token (as the sign-in form)."""
    nonce, token = login_csrf(request)
    response = render(request, template, {"form_token": token, **context}, status_code=status)
    set_login_cookie(response, request, nonce)
    return response


# --- registering -------------------------------------------------------------------------------

def _register_page(request: Request, uow: UoW, values: dict, error: str | None = None, field: str | None = None,
                   status: int = 200, done: bool = False) -> Response:
    return _public_form(request, "applicant_register.html", {"organisations": portal.directory(uow), "v": values,
                                                   "error": error, "field": field, "done": done}, status)


@router.get("/login/register")
def register_form(request: Request, uow: UoW) -> Response:
    return _register_page(request, uow, {})


@router.post("/login/register")
def register(request: Request, uow: WriteUoW, read: UoW,
             username: Annotated[str, Form(max_length=200)] = "", email: Annotated[str, Form(max_length=300)] = "",
             password: Annotated[str, Form(max_length=1024)] = "", password2: Annotated[str, Form(max_length=1024)] = "",
             organisation: Annotated[str, Form(max_length=80)] = "",
             proposed_organisation: Annotated[str, Form(max_length=300)] = "",
             csrf_token: Annotated[str, Form(max_length=200)] = "") -> Response:
    values = {"username": username, "email": email, "organisation": organisation,
              "proposed_organisation": proposed_organisation}
    if not login_csrf_ok(request, csrf_token):
        return _register_page(request, read, values, EXPIRED_FORM, None, 403)
    if password != password2:
        return _register_page(request, read, values, "password: the two passwords differ", "password", 422)
    try:
        portal.register(uow, username, password, email, organisation_id=organisation or None,
                        proposed_organisation=proposed_organisation or None, now=now(request))
    except MaadanError as exc:
        field = (exc.details or {}).get("field") if isinstance(exc.details, dict) else None
        return _register_page(request, read, values, exc.message, field, exc.status)
    return _register_page(request, read, values, done=True)


# --- password reset ----------------------------------------------------------------------------

@router.get("/login/forgot")
def forgot_form(request: Request) -> Response:
    return _public_form(request, "password_forgot.html", {"error": None, "sent": None, "who": ""})


@router.post("/login/forgot")
def forgot(request: Request, uow: WriteUoW, who: Annotated[str, Form(max_length=300)] = "",
           csrf_token: Annotated[str, Form(max_length=200)] = "") -> Response:
    if not login_csrf_ok(request, csrf_token):
        return _public_form(request, "password_forgot.html", {"error": EXPIRED_FORM, "sent": None, "who": who}, 403)
    if not who.strip():
        return _public_form(request, "password_forgot.html",
                            {"error": "Enter your username or your e-mail address.", "sent": None, "who": who}, 422)
    try:  # the same answer whether the account exists or not
        portal.request_reset(uow, who, now=now(request), client=client_address(request))
    except TooManyResetRequests as exc:
        response = _public_form(request, "password_forgot.html", {
            "error": f"Too many requests for a reset link. {SENT_ALREADY} Try again in "
                     f"{max(1, -(-exc.retry_after_s // 60))} minutes.", "sent": None, "who": who}, 429)
        response.headers.update(exc.headers)
        return response
    return _public_form(request, "password_forgot.html", {"error": None, "sent": SENT, "who": ""})


def _reset_page(request: Request, token: str, error: str | None = None, status: int = 200,
                done: bool = False) -> Response:
    response = _public_form(request, "password_reset.html", {"token": token, "error": error, "done": done}, status)
    response.headers["Referrer-Policy"] = "no-referrer"  # the token is in this page's address
    return response


@router.get("/login/reset")
def reset_form(request: Request, token: str = "") -> Response:
    return _reset_page(request, token[:200])


@router.post("/login/reset")
def reset(request: Request, uow: WriteUoW, token: Annotated[str, Form(max_length=200)] = "",
          password: Annotated[str, Form(max_length=1024)] = "", password2: Annotated[str, Form(max_length=1024)] = "",
          csrf_token: Annotated[str, Form(max_length=200)] = "") -> Response:
    if not login_csrf_ok(request, csrf_token):
        return _reset_page(request, token, EXPIRED_FORM, 403)
    if password != password2:
        return _reset_page(request, token, "password: the two passwords differ", 422)
    try:
        portal.reset_password(uow, token, password, now=now(request))
    except AuthError as exc:
        return _reset_page(request, "", f"Cannot reset the password: {exc.message}.", 400)
    except MaadanError as exc:
        return _reset_page(request, token, exc.message, exc.status)
    return _reset_page(request, "", done=True)


# --- the account's preferences ------------------------------------------------------------------

def _account(request: Request, user: User, uow: UoW, error: str | None = None, status: int = 200,
             saved: bool = False) -> Response:
    return render(request, "account.html", {"p": portal.profile(uow, user), "error": error, "saved": saved},
                  status_code=status)


@router.get("/account")
def account(request: Request, user: Anyone, uow: UoW, saved: str | None = None) -> Response:
    return _account(request, user, uow, saved=bool(saved))


@router.post("/account", dependencies=CSRF)
def account_save(request: Request, user: Anyone, uow: WriteUoW, read: UoW,
                 email: Annotated[str, Form(max_length=300)] = "",
                 email_opt_out: Annotated[str, Form(max_length=5)] = "") -> Response:
    try:
        portal.set_preferences(uow, user, email, email_opt_out == "on")
    except MaadanError as exc:
        return _account(request, user, read, exc.message, exc.status)
    return RedirectResponse("/account?saved=1", status_code=303)


# --- officers: applicants waiting for their organisation to be confirmed ---------------------------

def _accounts(request: Request, uow: UoW, error: str | None = None, status: int = 200,
              done: str | None = None) -> Response:
    return render(request, "accounts_pending.html", {"pending": portal.pending_links(uow), "error": error,
                                                     "done": done, "proposals": portal.pending_proposals(uow),
                                                     "organisations": portal.directory(uow)}, status_code=status)


@router.get("/cadastre/accounts")
def accounts(request: Request, _: Officer, uow: UoW, done: str | None = None) -> Response:
    return _accounts(request, uow, done=(done or "")[:80] or None)


@router.post("/cadastre/accounts/{username}", dependencies=CSRF)
def confirm(request: Request, user: Officer, uow: WriteUoW, read: UoW,
            username: Annotated[str, PathParam(max_length=64)], action: Annotated[str, Form(max_length=10)] = "") -> Response:
    if action not in ("confirm", "refuse"):
        return _accounts(request, read, "action must be confirm or refuse", 422)
    try:
        portal.confirm_link(uow, username, user.actor, confirm=action == "confirm", now=now(request))
    except MaadanError as exc:
        return _accounts(request, read, exc.message, exc.status)
    return RedirectResponse(f"/cadastre/accounts?done={username}", status_code=303)


@router.post("/cadastre/proposals/{proposal_id}", dependencies=CSRF)
def decide_proposal(request: Request, user: Officer, uow: WriteUoW, read: UoW,
                    proposal_id: Annotated[str, PathParam(max_length=80)],
                    action: Annotated[str, Form(max_length=10)] = "",
                    into: Annotated[str, Form(max_length=80)] = "") -> Response:
    """Confirm a proposed organisation (it joins the directory) or merge it into one listed."""
    if action not in ("confirm", "merge"):
        return _accounts(request, read, "action must be confirm or merge", 422)
    if action == "merge" and not into:
        return _accounts(request, read, "into: choose the organisation of the directory to merge it into", 422)
    try:
        portal.decide_proposal(uow, proposal_id, user.actor, into=into if action == "merge" else None,
                               now=now(request))
    except MaadanError as exc:
        return _accounts(request, read, exc.message, exc.status)
    return RedirectResponse(f"/cadastre/accounts?done={proposal_id}", status_code=303)
