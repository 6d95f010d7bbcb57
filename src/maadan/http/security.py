"""Who is asking: FastAPI dependencies for the current user, role checks and CSRF protection.

A request is authenticated by `Authorization: Bearer <token>` (an API token; a bad one is a 401)
or else by the web's session cookie (a bad one counts as anonymous); otherwise it is the public.
Cookie-authenticated writes must carry the session's CSRF token; Bearer requests are exempt,
since a browser never attaches that header on its own."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Callable

from fastapi import Depends, Request, Response
from fastapi.security import OAuth2PasswordBearer
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from maadan.auth import service
from maadan.auth.model import ROLES, AuthError, Forbidden, TooManyAttempts, User
from maadan.errors import MaadanError
from maadan.store.uow import UnitOfWork

SESSION_COOKIE = "maadan_session"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
SIGN_IN_HINT = "sign in first: send Authorization: Bearer <token> (from POST /api/auth/token)"

# Only declares the scheme in OpenAPI (the docs' "Authorize" button); identify() reads the header.
_openapi_scheme = OAuth2PasswordBearer(tokenUrl="/api/auth/token", auto_error=False)


@dataclass(frozen=True)
class Identity:
    """How the request was authenticated: via "bearer", "session" or None (the public)."""

    user: User | None
    via: str | None = None
    token: str | None = None
    csrf_token: str | None = None


def http_error(exc: MaadanError, *, token_given: bool = False) -> StarletteHTTPException:
    """The same JSON error as http/errors.py renders for `exc`, plus the headers HTTP asks for:
    WWW-Authenticate on a 401 (RFC 9110 §11.6.1) and Retry-After on a 429. (The MaadanError
    handler sends no headers; the HTTPException handler sends the same {error, message} body.)"""
    headers: dict[str, str] = {}
    if isinstance(exc, AuthError):
        headers["WWW-Authenticate"] = 'Bearer error="invalid_token"' if token_given else "Bearer"
    if isinstance(exc, TooManyAttempts):
        headers["Retry-After"] = str(exc.retry_after_s)
    return StarletteHTTPException(exc.status, exc.message, headers=headers or None)


def bearer_token(request: Request) -> str | None:
    """The token of an `Authorization: Bearer` header ("" when empty), or None without one."""
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def client_address(request: Request) -> str | None:
    """The client's address: the TCP peer, unless the peer is a trusted proxy
    (MAADAN_TRUSTED_PROXIES); then the nearest X-Forwarded-For address that is not itself one.
    Without trusted proxies the header is ignored: a client could write anything in it."""
    peer = request.client.host if request.client else None
    settings = getattr(request.app.state, "settings", None)
    trusted = settings.trusted_proxies if settings is not None else frozenset()
    if peer is None or peer not in trusted:
        return peer
    hops = [h.strip() for h in ",".join(request.headers.getlist("x-forwarded-for")).split(",") if h.strip()]
    for hop in reversed(hops):
        if hop not in trusted:
            return hop[:64]
    return peer


def now(request: Request) -> datetime | None:
    """The app's clock, when one is set (tests move time: `app.state.clock = lambda: t`); None
    means the real time."""
    clock = getattr(request.app.state, "clock", None)
    return clock() if clock is not None else None


def identify(request: Request) -> Identity:
    """Authenticate the request once (the result is kept on request.state)."""
    cached = getattr(request.state, "maadan_identity", None)
    if cached is not None:
        return cached
    engine = request.app.state.engine
    token = bearer_token(request)
    if token is not None:
        try:
            user = service.user_for_token(UnitOfWork(engine), token, now=now(request))
        except AuthError as exc:
            raise http_error(exc, token_given=True) from None
        ident = Identity(user, "bearer", token)
    else:
        ident = Identity(None)
        cookie = request.cookies.get(SESSION_COOKIE)
        if cookie:
            try:
                user, csrf = service.session_user(UnitOfWork(engine), cookie, now=now(request))
                ident = Identity(user, "session", cookie, csrf)
            except AuthError:
                pass  # a stale cookie: the public, so public pages keep working
    request.state.maadan_identity = ident
    return ident


def identity_is_free(request: Request) -> bool:
    """Whether identifying the request needs no database: it has been identified already, or it
    carries neither a Bearer token nor a session cookie (the public)."""
    if getattr(request.state, "maadan_identity", None) is not None:
        return True
    return bearer_token(request) is None and not request.cookies.get(SESSION_COOKIE)


async def identity(request: Request) -> Identity:
    """`identify` for a coroutine: on the event loop when that reads no database (the public, or a
    request identified already), else in the thread pool (a token or session is looked up)."""
    if identity_is_free(request):
        return identify(request)
    return await run_in_threadpool(identify, request)


async def current_user(request: Request, _: Annotated[str | None, Depends(_openapi_scheme)] = None) -> User | None:
    """The signed-in user, or None for the public; 401 for a bad Bearer token."""
    return (await identity(request)).user


CurrentUser = Annotated[User | None, Depends(current_user)]


def require_role(*roles: str) -> Callable[..., User]:
    """A dependency giving the signed-in user when it holds one of `roles` (admins pass every
    check): 401 for the public, 403 for another role."""
    unknown = [r for r in roles if r not in ROLES]
    if not roles or unknown:
        raise ValueError(f"require_role: roles must be among {ROLES}, got {roles}")

    async def dependency(user: CurrentUser) -> User:
        if user is None:
            raise http_error(AuthError(SIGN_IN_HINT))
        if not user.has_role(*roles):
            raise Forbidden(f"this needs the {' or '.join(roles)} role; you are signed in as {user.role}")
        return user

    dependency.__name__ = "require_" + "_or_".join(roles)
    return dependency


async def csrf_protect(request: Request) -> None:
    """For POST/PUT/PATCH/DELETE authenticated by the session cookie: the X-CSRF-Token header or
    the csrf_token form field must equal the session's CSRF token, else 403."""
    if request.method not in UNSAFE_METHODS or bearer_token(request) is not None:
        return
    if not request.cookies.get(SESSION_COOKIE):
        return
    ident = await identity(request)
    if ident.via != "session":
        return
    sent = request.headers.get(CSRF_HEADER)
    if not sent:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            value = (await request.form()).get(CSRF_FIELD)
            sent = value if isinstance(value, str) else None
    if not sent or not ident.csrf_token or not hmac.compare_digest(sent.encode(), ident.csrf_token.encode()):
        raise Forbidden("missing or invalid CSRF token")


def csrf_token(request: Request) -> str | None:
    """The CSRF token to put in the forms of a page shown to a session user (None otherwise)."""
    return identify(request).csrf_token


# --- login CSRF: the sign-in form has no session yet ----------------------------------------------
# A forged cross-site POST /login could sign a victim into the attacker's account. The form page
# sets a random cookie and the form carries its HMAC under the app's secret key; a sign-in is only
# accepted when the two match (a cross-site page can neither read the cookie nor compute the MAC).

LOGIN_COOKIE = "maadan_login"


def _login_mac(request: Request, nonce: str) -> str:
    key = request.app.state.settings.secret_key.encode()
    return hmac.new(key, nonce.encode(), "sha256").hexdigest()


def login_csrf(request: Request) -> tuple[str, str]:
    """(nonce for the cookie, token for the sign-in form): the browser's nonce when it has one."""
    nonce = request.cookies.get(LOGIN_COOKIE) or ""
    if len(nonce) < 32:
        nonce = secrets.token_urlsafe(32)
    return nonce, _login_mac(request, nonce)


def set_login_cookie(response: Response, request: Request, nonce: str) -> None:
    response.set_cookie(LOGIN_COOKIE, nonce, max_age=3600, path="/login", httponly=True, samesite="strict",
                        secure=_secure(request))


def login_csrf_ok(request: Request, sent: str | None) -> bool:
    nonce = request.cookies.get(LOGIN_COOKIE)
    return bool(nonce and sent) and hmac.compare_digest(_login_mac(request, nonce).encode(), sent.encode())


# --- the device cookie: this browser signed in to this account before ------------------------------
# Lets the account's owner through while others' failed guesses hold the account's throttle
# (auth.model.MAX_ACCOUNT_FAILURES). Sent only to /login.

DEVICE_COOKIE = "maadan_device"
DEVICE_COOKIE_AGE = 180 * 24 * 3600


def known_device(request: Request, username: str) -> bool:
    return service.known_device(request.app.state.settings.secret_key, username, request.cookies.get(DEVICE_COOKIE))


def set_device_cookie(response: Response, request: Request, username: str) -> None:
    response.set_cookie(DEVICE_COOKIE, service.device_token(request.app.state.settings.secret_key, username),
                        max_age=DEVICE_COOKIE_AGE, path="/login", httponly=True, samesite="strict",
                        secure=_secure(request))


# --- the session cookie, for the web's sign-in and sign-out ------------------------------------

def _secure(request: Request) -> bool:
    settings = getattr(request.app.state, "settings", None)
    return bool(settings is not None and settings.production)


def set_session_cookie(response: Response, request: Request, token: str, expires_at: datetime) -> None:
    """HttpOnly, SameSite=Lax, Secure in production; expires with the session."""
    response.set_cookie(SESSION_COOKIE, token, expires=expires_at, path="/", httponly=True,
                        samesite="lax", secure=_secure(request))


def clear_session_cookie(response: Response, request: Request) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=_secure(request))
