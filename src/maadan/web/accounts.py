"""Signing in and out of the web app: the sign-in form (with its own CSRF token, since there is no
session yet) and sign-out, which ends the session."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from maadan.auth import service as auth
from maadan.auth.model import AuthError, TooManyAttempts
from maadan.http.deps import WriteUoW
from maadan.http.errors import PAGE_TAG
from maadan.http.security import (
    clear_session_cookie,
    client_address,
    csrf_protect,
    identify,
    known_device,
    login_csrf,
    login_csrf_ok,
    now,
    set_device_cookie,
    set_login_cookie,
    set_session_cookie,
)
from maadan.web.templating import render

router = APIRouter(include_in_schema=False, tags=[PAGE_TAG])


def _safe_next(target: str | None) -> str:
    """Only a path on this site: no scheme, no host, no protocol-relative '//' or '/\\'."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    return target


def _login_page(request: Request, target: str, username: str, error: str | None, status: int = 200,
                headers: dict[str, str] | None = None) -> Response:
    nonce, token = login_csrf(request)
    response = render(request, "login.html", {"next": target, "username": username, "error": error,
                                              "login_token": token}, status_code=status, headers=headers)
    set_login_cookie(response, request, nonce)
    return response


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> Response:
    return _login_page(request, _safe_next(next), "", None)


@router.post("/login")
def login(request: Request, uow: WriteUoW, username: Annotated[str, Form(max_length=200)] = "",
          password: Annotated[str, Form(max_length=1024)] = "", next: Annotated[str, Form(max_length=500)] = "/",
          csrf_token: Annotated[str, Form(max_length=200)] = "") -> Response:
    target = _safe_next(next)

    def again(message: str, status: int, headers: dict[str, str] | None = None) -> Response:
        return _login_page(request, target, username, message, status, headers)

    if not login_csrf_ok(request, csrf_token):
        return again("This sign-in form has expired or did not come from this site; sign in again.", 403)
    if not username.strip() or not password:
        return again("Enter your username and your password.", 422)
    try:  # the form is shown again with what went wrong, not an error page
        user = auth.authenticate(uow, username, password, client_address(request), now=now(request),
                                 known_device=known_device(request, username))
    except TooManyAttempts as exc:
        return again(f"Too many failed sign-in attempts. Try again in {max(1, exc.retry_after_s // 60)} minutes.",
                     429, {"Retry-After": str(exc.retry_after_s)})
    except AuthError as exc:
        return again("Wrong username or password." if exc.message == auth.BAD_CREDENTIALS
                     else f"Cannot sign in: {exc.message}.", 401)
    token, _csrf, expires_at = auth.start_session(uow, user, now=now(request))
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(response, request, token, expires_at)
    set_device_cookie(response, request, user.username)
    return response


@router.post("/logout", dependencies=[Depends(csrf_protect)])
def logout(request: Request, uow: WriteUoW) -> Response:
    ident = identify(request)
    if ident.via == "session" and ident.token:
        auth.end_session(uow, ident.token)
    response = RedirectResponse("/", status_code=303)
    clear_session_cookie(response, request)
    return response
