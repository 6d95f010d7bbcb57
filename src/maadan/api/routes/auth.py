"""Sign-in over HTTP: API tokens (/api/auth/token, /api/auth/logout, /api/auth/me) and the
admins' user management (/api/users). `router` carries both."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from maadan.api.deps import Page, UoW, WriteUoW
from maadan.api.security import (
    SIGN_IN_HINT,
    clear_session_cookie,
    client_address,
    csrf_protect,
    http_error,
    identify,
    now,
    require_role,
)
from maadan.auth import service
from maadan.auth.model import ROLES, AuthError, TooManyAttempts, User
from maadan.errors import InvalidInput

auth_router = APIRouter(prefix="/api/auth", tags=["auth"])
users_router = APIRouter(prefix="/api/users", tags=["users"])

SignedIn = Annotated[User, Depends(require_role(*ROLES))]
Admin = Annotated[User, Depends(require_role("admin"))]
CSRF = [Depends(csrf_protect)]
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


class TokenIn(BaseModel):
    model_config = ConfigDict(extra="ignore")  # OAuth2 forms also send grant_type, scope, client_id
    username: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=1024)


class UserIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024, description="At least 15 characters; not a common password (docs/security.md)")
    role: Literal["applicant", "officer", "admin"]
    organisation_id: str | None = Field(default=None, max_length=80,
                                        description="Required for applicants: the organisation they act for")


class UserPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    active: bool


def user_json(u: User) -> dict[str, Any]:
    return {"id": u.id, "username": u.username, "role": u.role, "organisation_id": u.organisation_id,
            "active": u.active, "created_at": u.created_at.isoformat() if u.created_at else None}


async def credentials(request: Request) -> TokenIn:
    """Username and password from a JSON body or an OAuth2 password-grant form."""
    if request.headers.get("content-type", "").startswith(_FORMS):
        form = await request.form()
        if form.get("grant_type") not in (None, "", "password"):
            raise InvalidInput("grant_type: only 'password' is supported")
        data: Any = {k: v for k, v in form.items() if isinstance(v, str)}
    else:
        try:
            data = json.loads(await request.body() or b"null")
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"body: not valid JSON at line {exc.lineno}, column {exc.colno} (character {exc.pos}): "
                               f'{exc.msg}; send {{"username": "...", "password": "..."}}') from None
        except ValueError:
            raise InvalidInput('body: not valid JSON (UTF-8); send {"username": "...", "password": "..."}') from None
        if not isinstance(data, dict):
            raise InvalidInput('body: send {"username": "...", "password": "..."} as JSON or as a form')
    try:
        return TokenIn.model_validate(data)
    except ValidationError as exc:
        raise RequestValidationError(exc.errors(include_input=False)) from None


_TOKEN_BODY = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": TokenIn.model_json_schema()},
    "application/x-www-form-urlencoded": {"schema": {
        "type": "object", "required": ["username", "password"],
        "properties": {"grant_type": {"type": "string", "enum": ["password"]},
                       "username": {"type": "string"}, "password": {"type": "string", "format": "password"}}}},
}}}


@auth_router.post("/token", openapi_extra=_TOKEN_BODY,
                  summary="Exchange a username and password for a Bearer token (JSON or OAuth2 form)")
def token(request: Request, response: Response, creds: Annotated[TokenIn, Depends(credentials)],
          uow: WriteUoW) -> dict:
    try:
        user = service.authenticate(uow, creds.username, creds.password, client_address(request),
                                    now=now(request))
    except (AuthError, TooManyAttempts) as exc:
        raise http_error(exc) from None
    access_token, expires_at = service.issue_token(uow, user, now=now(request))
    response.headers["Cache-Control"] = "no-store"
    return {"access_token": access_token, "token_type": "bearer", "expires_at": expires_at.isoformat(),
            "expires_in": int(service.TOKEN_TTL.total_seconds())}


@auth_router.post("/logout", status_code=204, dependencies=CSRF, response_class=Response,
                  summary="Revoke the Bearer token of this request (or end the web session)")
def logout(request: Request, uow: WriteUoW) -> Response:
    ident = identify(request)
    if ident.user is None or ident.token is None:
        raise http_error(AuthError(SIGN_IN_HINT))
    service.revoke_token(uow, ident.token)
    response = Response(status_code=204)
    if ident.via == "session":
        clear_session_cookie(response, request)
    return response


@auth_router.get("/me", summary="The signed-in user")
def me(user: SignedIn) -> dict:
    return user_json(user)


@users_router.get("", summary="Every account (admins)")
def list_users(_: Admin, uow: UoW, page: Page) -> dict:
    return page.page([user_json(u) for u in service.list_users(uow)])


@users_router.post("", status_code=201, dependencies=CSRF, summary="Create an account (admins)")
def create_user(body: UserIn, _: Admin, uow: WriteUoW) -> dict:
    return user_json(service.create_user(uow, body.username, body.password, body.role, body.organisation_id))


@users_router.patch("/{username}", dependencies=CSRF, summary="Enable or disable an account (admins)")
def update_user(username: str, body: UserPatch, _: Admin, uow: WriteUoW) -> dict:
    return user_json(service.set_active(uow, username, body.active))


router = APIRouter()
router.include_router(auth_router)
router.include_router(users_router)
