"""Login for the web (signed session cookie + CSRF token) and bearer API tokens for scripts.

Routes: ``POST /api/auth/login``, ``POST /api/auth/logout``, ``GET /api/auth/me``, ``GET|POST /api/auth/tokens``,
``DELETE /api/auth/tokens/{id}``, ``POST /api/auth/users`` (admin). Dependencies for other routers:
``current_user`` (a Principal or None) and ``require_role(role)`` (401 anonymous, 403 too low a role).
Failed logins and new tokens are throttled per account and per address (``layers.throttle``): 429 with
``Retry-After``, and an audit entry for each refused attempt.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from itsdangerous import BadSignature, URLSafeTimedSerializer
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from api import body
from api.deps import primary
from api.errors import ApiError, responses
from layers import accounts, audit, throttle
from layers.accounts import MAX_TOKEN_DAYS, MIN_PASSWORD, TOKEN_DAYS, AccountError, Principal
from layers.models_accounts import User

router = APIRouter(tags=["auth"])
COOKIE = "planmap_session"
SESSION_AGE = 12 * 3600  # a working day; then log in again
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
AUTH_RESPONSES = responses(401, 403)


class LoginBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=1, max_length=128)
    password: str = Field(min_length=1, max_length=1024)


class LogoutBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    csrf_token: str | None = Field(None, max_length=128, description="the session's CSRF token (forms); "
                                                                      "or send it as X-CSRF-Token")


class TokenBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field("token", max_length=128, description="what the token is for")
    expires_in_days: int = Field(TOKEN_DAYS, ge=1, le=MAX_TOKEN_DAYS)


class UserBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=MIN_PASSWORD, max_length=1024)
    role: Literal["agency_reporter", "coordinator", "admin"]
    agency_id: str | None = Field(None, max_length=64, description="required for an agency_reporter")
    display_name: str | None = Field(None, max_length=128)


def _serializer(request: Request) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(request.app.state.settings.secret_key, salt="planmap-session")


def csrf_token(request: Request, sid: str) -> str:
    """Tied to the session id, so a page of another site cannot know it."""
    key = request.app.state.settings.secret_key.encode()
    return hmac.new(key, f"csrf:{sid}".encode(), hashlib.sha256).hexdigest()


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _cookie_flags(request: Request) -> dict:
    """The cookie's flags: the same when it is set and when it is cleared, or a browser keeps it."""
    return {"path": "/", "httponly": True, "samesite": "lax", "secure": request.url.scheme == "https"}


def _cookie_session(request: Request) -> dict | None:
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        data = _serializer(request).loads(raw, max_age=SESSION_AGE)
    except BadSignature:
        return None
    return data if isinstance(data, dict) and "uid" in data and "sid" in data else None


def _load(request: Request, finder) -> Principal | None:
    with primary(request) as session:  # its own session: the route's stays free for its write
        user = finder(session)
        return accounts.principal(user) if user else None


def current_user(request: Request) -> Principal | None:
    """The caller from ``Authorization: Bearer`` or the session cookie; None when anonymous.

    Read from the database on every request: a revoked token, a deleted user or a new role counts at once.
    """
    if hasattr(request.state, "principal"):
        return request.state.principal
    header = request.headers.get("authorization", "")
    who, via = None, None
    if header.lower().startswith("bearer "):
        token = header[7:].strip()
        who = _load(request, lambda s: accounts.user_for_token(s, token))
        if who is None:
            raise ApiError(401, "Unauthorized", "the API token is unknown, expired or revoked",
                           {"WWW-Authenticate": 'Bearer error="invalid_token"'})
        via = "token"
    elif (data := _cookie_session(request)) is not None:
        who = _load(request, lambda s: accounts.user_for_session(s, data["sid"]))
        if who is not None and who.user_id == data["uid"]:
            via, request.state.sid = "cookie", data["sid"]
        else:
            who = None
    request.state.principal, request.state.auth_via = who, via
    return who


async def _check_csrf(request: Request) -> None:
    """Cookie-authenticated writes must carry the session's CSRF token (header or form field)."""
    given = request.headers.get("x-csrf-token")
    if given is None and body.media_type(request) in (body.FORM, body.MULTIPART):
        given = (await request.form()).get("csrf_token")
    if not given or not hmac.compare_digest(str(given), csrf_token(request, request.state.sid)):
        raise ApiError(403, "CsrfFailed", "missing or wrong CSRF token: reload the page and try again")


def require_role(role: str):
    """A dependency: the caller, who must hold at least ``role``."""

    async def dependency(request: Request, who: Annotated[Principal | None, Depends(current_user)]) -> Principal:
        if who is None:
            raise ApiError(401, "Unauthorized", "log in or send an API token to write",
                           {"WWW-Authenticate": "Bearer"})
        if request.state.auth_via == "cookie" and request.method in UNSAFE:
            await _check_csrf(request)
        if not who.at_least(role):
            raise ApiError(403, "Forbidden", f"this needs the role {role}; {who.username} is {who.role}")
        return who

    return dependency


MaybeUser = Annotated[Principal | None, Depends(current_user)]
Reporter = Annotated[Principal, Depends(require_role("agency_reporter"))]
Coordinator = Annotated[Principal, Depends(require_role("coordinator"))]
Admin = Annotated[Principal, Depends(require_role("admin"))]


def throttled(seconds: int, what: str) -> ApiError:
    return ApiError(429, "TooManyAttempts", f"too many {what}: try again in {seconds} seconds",
                    {"Retry-After": str(seconds)})


@dataclass(frozen=True)
class SignIn:
    """What a login attempt gave: the user and session id, or a wait in seconds when throttled."""

    who: Principal | None = None
    sid: str = ""
    retry_after: int = 0


def _sign_in(request: Request, username: str, password: str) -> SignIn:
    address = client_address(request)
    keys = [(throttle.LOGIN_ACCOUNT, username), (throttle.LOGIN_ADDRESS, address)]
    with primary(request) as session, session.begin():
        if seconds := throttle.wait(session, keys):
            audit.record(session, "anonymous", "login.throttled", "login", username[:96], None,
                         {"address": address, "retry_after": seconds})
            return SignIn(retry_after=seconds)
        user = accounts.authenticate(session, username, password)
        if user is None:
            throttle.count(session, keys)
            return SignIn()
        throttle.forget(session, throttle.LOGIN_ACCOUNT, username)
        return SignIn(accounts.principal(user), accounts.open_session(session, user, SESSION_AGE))


async def sign_in(request: Request, username: str, password: str) -> SignIn:
    """Check a password under the throttle; argon2 takes ~50 ms, so this runs in a worker thread."""
    return await run_in_threadpool(_sign_in, request, username, password)


def set_session_cookie(response: Response, request: Request, attempt: SignIn) -> None:
    value = _serializer(request).dumps({"uid": attempt.who.user_id, "sid": attempt.sid})
    response.set_cookie(COOKIE, value, max_age=SESSION_AGE, **_cookie_flags(request))


@router.post("/api/auth/login", openapi_extra=body.document(LoginBody, forms=False),
             responses=responses(401, 429))
async def login(request: Request):
    """Check username and password; set the session cookie and return the CSRF token for writes.

    After 5 failures a minute for an account (20 for an address) the answer is 429 with ``Retry-After``.
    The login page (``/login``) posts its form to ``/login``."""
    credentials = await body.read(request, LoginBody, forms=False)
    attempt = await sign_in(request, credentials.username, credentials.password)
    if attempt.retry_after:
        raise throttled(attempt.retry_after, "failed logins")
    if attempt.who is None:
        raise ApiError(401, "LoginFailed", "wrong username or password")
    response = JSONResponse({"user": attempt.who.__dict__, "csrf_token": csrf_token(request, attempt.sid)})
    set_session_cookie(response, request, attempt)
    return response


@router.post("/api/auth/logout", openapi_extra=body.document(LogoutBody, required=False),
             responses=AUTH_RESPONSES | {303: {"description": "a form's logout: to the login page"}})
async def logout(request: Request, who: MaybeUser):
    """End the session (it needs the CSRF token, so another site cannot log a user out) and clear the cookie."""
    await body.read(request, LogoutBody)
    if who is not None and request.state.auth_via == "cookie":
        await _check_csrf(request)
        with primary(request) as session, session.begin():
            accounts.close_session(session, request.state.sid)
    is_form = body.media_type(request) in (body.FORM, body.MULTIPART)
    response: Response = RedirectResponse("/login", 303) if is_form else JSONResponse({"logged_out": True})
    response.delete_cookie(COOKIE, **_cookie_flags(request))
    return response


@router.get("/api/auth/me", responses=responses(401))
def me(request: Request, who: MaybeUser):
    if who is None:
        return {"user": None, "role": "viewer"}
    sid = getattr(request.state, "sid", None)
    return {"user": who.__dict__, "role": who.role, "csrf_token": csrf_token(request, sid) if sid else None}


@router.get("/api/auth/tokens", responses=AUTH_RESPONSES)
def list_tokens(request: Request, who: Reporter):
    with primary(request) as session:
        return {"tokens": accounts.tokens_of(session, who.user_id)}


def _make_token(request: Request, who: Principal, wanted: TokenBody) -> dict:
    address = client_address(request)
    keys = [(throttle.TOKEN_ACCOUNT, str(who.user_id)), (throttle.TOKEN_ADDRESS, address)]
    with primary(request) as session, session.begin():
        if seconds := throttle.wait(session, keys):
            audit.record(session, who.username, "token.throttled", "api_token", "-", None,
                         {"address": address, "retry_after": seconds})
            return {"retry_after": seconds}
        throttle.count(session, keys)
        row, token = accounts.create_token(session, session.get(User, who.user_id), wanted.name,
                                           wanted.expires_in_days)
        return {"id": row.id, "name": row.name, "token": token,
                "expires_at": row.expires_at.isoformat(timespec="seconds")}


@router.post("/api/auth/tokens", status_code=201, openapi_extra=body.document(TokenBody, forms=False),
             responses=AUTH_RESPONSES | responses(429))
async def new_token(request: Request, who: Reporter):
    """A new API token, valid ``expires_in_days`` (90 by default); the response is the only time it is shown.

    At most 5 new tokens a minute for an account (20 for an address): then 429 with ``Retry-After``."""
    wanted = await body.read(request, TokenBody, forms=False)
    made = await run_in_threadpool(_make_token, request, who, wanted)
    if "retry_after" in made:
        raise throttled(made["retry_after"], "new API tokens")
    return JSONResponse(made, 201)


@router.delete("/api/auth/tokens/{token_id}", status_code=204, responses=AUTH_RESPONSES | responses(404))
def delete_token(token_id: Annotated[int, Path(ge=1, le=2**31 - 1)], request: Request, who: Reporter):
    with primary(request) as session, session.begin():
        if not accounts.revoke_token(session, who, token_id):
            raise ApiError(404, "NotFound", f"no active token {token_id} of yours")
    return Response(status_code=204)


@router.post("/api/auth/users", status_code=201, openapi_extra=body.document(UserBody, forms=False),
             responses=AUTH_RESPONSES)
async def add_user(request: Request, who: Admin):
    wanted = await body.read(request, UserBody, forms=False, code="InvalidUser")

    def make() -> dict:
        with primary(request) as session, session.begin():
            user = accounts.create_user(session, wanted.username, wanted.password, wanted.role,
                                        wanted.agency_id, wanted.display_name, actor=who.username)
            return accounts.user_summary(user)

    try:
        return JSONResponse(await run_in_threadpool(make), 201)
    except AccountError as exc:
        raise ApiError(422, "InvalidUser", str(exc)) from exc
