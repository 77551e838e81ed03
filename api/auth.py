"""Login for the web (signed session cookie + CSRF token) and bearer API tokens for scripts.

Routes: ``POST /api/auth/login``, ``POST /api/auth/logout``, ``GET /api/auth/me``, ``GET|POST /api/auth/tokens``,
``DELETE /api/auth/tokens/{id}``, ``POST /api/auth/users`` (admin). Dependencies for other routers:
``current_user`` (a Principal or None) and ``require_role(role)`` (401 anonymous, 403 too low a role).
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.concurrency import run_in_threadpool

from api.errors import ApiError
from layers import accounts
from layers.accounts import AccountError, Principal
from layers.models_accounts import User

router = APIRouter(tags=["auth"])
COOKIE = "planmap_session"
SESSION_AGE = 12 * 3600  # a working day; then log in again
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def _serializer(request: Request) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(request.app.state.settings.secret_key, salt="planmap-session")


def csrf_token(request: Request, sid: str) -> str:
    """Tied to the session id, so a page of another site cannot know it."""
    key = request.app.state.settings.secret_key.encode()
    return hmac.new(key, f"csrf:{sid}".encode(), hashlib.sha256).hexdigest()


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
    with request.app.state.sessions() as session:  # its own session: the route's stays free for its write
        user = finder(session)
        return accounts.principal(user) if user else None


def current_user(request: Request) -> Principal | None:
    """The caller from ``Authorization: Bearer`` or the session cookie; None when anonymous."""
    if hasattr(request.state, "principal"):
        return request.state.principal
    header = request.headers.get("authorization", "")
    who, via = None, None
    if header.lower().startswith("bearer "):
        token = header[7:].strip()
        who = _load(request, lambda s: accounts.user_for_token(s, token))
        if who is None:
            raise ApiError(401, "Unauthorized", "the API token is unknown or revoked",
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
    if given is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
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


async def _credentials(request: Request) -> dict:
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            body = await request.json()
        except ValueError as exc:
            raise ApiError(400, "InvalidBody", "the body is not JSON") from exc
        return body if isinstance(body, dict) else {}
    return dict(await request.form())


def _open(request: Request, username: str, password: str) -> tuple[Principal | None, str]:
    """(who, session id) for good credentials; argon2 takes ~50 ms, so this runs in a worker thread."""
    if not (username and password):
        return None, ""
    with request.app.state.sessions() as session, session.begin():
        user = accounts.authenticate(session, username, password)
        return (accounts.principal(user), accounts.open_session(session, user, SESSION_AGE)) if user else (None, "")


@router.post("/api/auth/login")
async def login(request: Request):
    """Check username and password; set the session cookie. A form post is redirected to ``next``."""
    body = await _credentials(request)
    is_form = not request.headers.get("content-type", "").startswith("application/json")
    username, password = str(body.get("username") or ""), str(body.get("password") or "")
    who, sid = await run_in_threadpool(_open, request, username, password)
    nxt = str(body.get("next") or "/report")
    nxt = nxt if nxt.startswith("/") and not nxt.startswith("//") else "/report"  # no open redirect
    if who is None:
        if is_form:
            return RedirectResponse(f"/login?error=1&next={nxt}", 303)
        raise ApiError(401, "LoginFailed", "wrong username or password")
    response: Response = RedirectResponse(nxt, 303) if is_form else JSONResponse(
        {"user": who.__dict__, "csrf_token": csrf_token(request, sid)})
    response.set_cookie(COOKIE, _serializer(request).dumps({"uid": who.user_id, "sid": sid}),
                        max_age=SESSION_AGE, httponly=True, samesite="lax",
                        secure=request.url.scheme == "https", path="/")
    return response


@router.post("/api/auth/logout")
def logout(request: Request):
    is_form = not request.headers.get("content-type", "").startswith("application/json")
    if (data := _cookie_session(request)) is not None:
        with request.app.state.sessions() as session, session.begin():
            accounts.close_session(session, data["sid"])
    response: Response = RedirectResponse("/login", 303) if is_form else JSONResponse({"logged_out": True})
    response.delete_cookie(COOKIE, path="/")
    return response


@router.get("/api/auth/me")
def me(request: Request, who: MaybeUser):
    if who is None:
        return {"user": None, "role": "viewer"}
    sid = getattr(request.state, "sid", None)
    return {"user": who.__dict__, "role": who.role, "csrf_token": csrf_token(request, sid) if sid else None}


@router.get("/api/auth/tokens")
def list_tokens(request: Request, who: Reporter):
    with request.app.state.sessions() as session:
        return {"tokens": accounts.tokens_of(session, who.user_id)}


@router.post("/api/auth/tokens", status_code=201)
async def new_token(request: Request, who: Reporter):
    """A new API token; the response is the only time it is shown."""
    body = await _credentials(request)

    def make() -> dict:
        with request.app.state.sessions() as session, session.begin():
            row, token = accounts.create_token(session, session.get(User, who.user_id), str(body.get("name") or ""))
            return {"id": row.id, "name": row.name, "token": token}

    return await run_in_threadpool(make)


@router.delete("/api/auth/tokens/{token_id}", status_code=204)
def delete_token(token_id: int, request: Request, who: Reporter):
    with request.app.state.sessions() as session, session.begin():
        if not accounts.revoke_token(session, who, token_id):
            raise ApiError(404, "NotFound", f"no active token {token_id} of yours")
    return Response(status_code=204)


@router.post("/api/auth/users", status_code=201)
async def add_user(request: Request, who: Admin):
    body = await _credentials(request)

    def make() -> dict:
        with request.app.state.sessions() as session, session.begin():
            user = accounts.create_user(session, str(body.get("username") or ""), str(body.get("password") or ""),
                                        str(body.get("role") or ""), body.get("agency_id") or None,
                                        body.get("display_name"), actor=who.username)
            return accounts.user_summary(user)

    try:
        return await run_in_threadpool(make)
    except AccountError as exc:
        raise ApiError(422, "InvalidUser", str(exc)) from exc
