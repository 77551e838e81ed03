"""Users, roles, passwords (argon2id), API tokens (sha256 at rest, shown once) and who may report on what.

Example::

    with Session(engine) as s, s.begin():
        user = create_user(s, "sct-reporter", "a long passphrase", "agency_reporter", "so-cong-thuong")
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from layers import audit
from layers.models import Agency, Task, TaskPartner
from layers.models_accounts import ROLES, ApiToken, LoginSession, User

_hasher = PasswordHasher()
# A hash to verify against when the user is unknown, so timing does not tell which usernames exist.
_DUMMY_HASH = _hasher.hash("not a password")
MIN_PASSWORD = 10
TOKEN_PREFIX = "pm_"
TOKEN_DAYS = 90  # default lifetime of an API token; at most MAX_TOKEN_DAYS
MAX_TOKEN_DAYS = 365


class AccountError(ValueError):
    """Bad account input; the message names the field."""


@dataclass(frozen=True)
class Principal:
    """Who is acting: enough to decide permissions without touching the session again."""

    user_id: int
    username: str
    role: str
    agency_id: str | None

    def at_least(self, role: str) -> bool:
        return ROLES.index(self.role) >= ROLES.index(role)


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)  # SQLite drops the zone


def principal(user: User) -> Principal:
    return Principal(user.id, user.username, user.role, user.agency_id)


def user_summary(user: User) -> dict:
    return {"id": user.id, "username": user.username, "display_name": user.display_name,
            "role": user.role, "agency_id": user.agency_id, "active": user.active}


def create_user(session: Session, username: str, password: str, role: str, agency_id: str | None = None,
                display_name: str | None = None, actor: str = "cli") -> User:
    """Add a user (in the caller's transaction) and audit it; raises AccountError on bad input."""
    username, agency_id = username.strip(), agency_id or None
    if not username or len(username) > 64:
        raise AccountError("username: 1 to 64 characters")
    if role not in ROLES or role == "viewer":
        raise AccountError(f"role: one of {', '.join(ROLES[1:])} (viewers need no account)")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"password: at least {MIN_PASSWORD} characters")
    if role == "agency_reporter" and not agency_id:
        raise AccountError("agency: an agency_reporter needs an agency")
    if agency_id and session.get(Agency, agency_id) is None:
        raise AccountError(f"agency: unknown agency {agency_id!r}")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise AccountError(f"username: {username!r} exists")
    user = User(username=username, display_name=display_name, password_hash=_hasher.hash(password), role=role,
                agency_id=agency_id, active=True, created_at=dt.datetime.now(dt.UTC))
    session.add(user)
    session.flush()
    audit.record(session, actor, "user.add", "user", str(user.id), None, user_summary(user))
    return user


def _user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise AccountError(f"username: no user {username!r}")
    return user


def set_role(session: Session, username: str, role: str, agency_id: str | None = None,
             actor: str = "cli") -> User:
    """Change a user's role (and agency); it holds from the user's next request, logged in or not."""
    user = _user(session, username)
    if role not in ROLES or role == "viewer":
        raise AccountError(f"role: one of {', '.join(ROLES[1:])}")
    agency_id = agency_id or (user.agency_id if role == "agency_reporter" else None)
    if role == "agency_reporter" and (not agency_id or session.get(Agency, agency_id) is None):
        raise AccountError("agency: an agency_reporter needs a known agency")
    before = user_summary(user)
    user.role, user.agency_id = role, agency_id
    audit.record(session, actor, "user.role", "user", str(user.id), before, user_summary(user))
    return user


def remove_user(session: Session, username: str, actor: str = "cli") -> None:
    """Delete a user with their tokens and sessions: their cookie and tokens stop working at once.

    Their reports and audit entries keep the username as text.
    """
    user = _user(session, username)
    before = user_summary(user)
    session.execute(delete(ApiToken).where(ApiToken.user_id == user.id))
    session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
    session.delete(user)
    audit.record(session, actor, "user.remove", "user", str(before["id"]), before, None)


def set_password(session: Session, username: str, password: str, actor: str = "cli") -> User:
    """Give ``username`` a new password (in the caller's transaction), audited without the password."""
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"password: at least {MIN_PASSWORD} characters")
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise AccountError(f"username: no user {username!r}")
    user.password_hash = _hasher.hash(password)
    audit.record(session, actor, "user.password", "user", str(user.id), None, {"password": "set"})
    return user


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with this password, or None."""
    user = session.scalar(select(User).where(User.username == username))
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    return user if user and user.active else None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, user: User, name: str, days: int = TOKEN_DAYS) -> tuple[ApiToken, str]:
    """A new token for ``user``, valid ``days``: returns (row, the token text, never stored nor shown again)."""
    name = name.strip()[:128] or "token"
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = dt.datetime.now(dt.UTC)
    row = ApiToken(user_id=user.id, name=name, token_hash=_digest(token), created_at=now,
                   expires_at=now + dt.timedelta(days=days))
    session.add(row)
    session.flush()
    audit.record(session, user.username, "token.create", "api_token", str(row.id), None,
                 {"user_id": user.id, "name": name, "expires_at": row.expires_at.isoformat(timespec="seconds")})
    return row, token


def user_for_token(session: Session, token: str) -> User | None:
    """The active user of a token that is neither revoked nor expired."""
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token),
                                                ApiToken.revoked_at.is_(None)))
    if row is None or (row.expires_at is not None and _utc(row.expires_at) <= dt.datetime.now(dt.UTC)):
        return None
    user = session.get(User, row.user_id)
    return user if user and user.active else None


def revoke_token(session: Session, actor: Principal, token_id: int) -> bool:
    """Revoke one of the actor's tokens (an admin may revoke anyone's); False when there is none."""
    row = session.get(ApiToken, token_id)
    if row is None or row.revoked_at is not None or (row.user_id != actor.user_id and actor.role != "admin"):
        return False
    row.revoked_at = dt.datetime.now(dt.UTC)
    audit.record(session, actor.username, "token.revoke", "api_token", str(row.id),
                 {"revoked": False}, {"revoked": True})
    return True


def tokens_of(session: Session, user_id: int) -> list[dict]:
    rows = session.scalars(select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id))
    return [{"id": r.id, "name": r.name, "created_at": _utc(r.created_at).isoformat(timespec="seconds"),
             "expires_at": _utc(r.expires_at).isoformat(timespec="seconds") if r.expires_at else None,
             "revoked": r.revoked_at is not None} for r in rows]


def open_session(session: Session, user: User, seconds: int) -> str:
    """A new login session for ``user``; returns its id (for the signed cookie; only the hash is stored)."""
    sid = secrets.token_urlsafe(32)
    now = dt.datetime.now(dt.UTC)
    session.add(LoginSession(id_hash=_digest(sid), user_id=user.id, created_at=now,
                             expires_at=now + dt.timedelta(seconds=seconds)))
    return sid


def user_for_session(session: Session, sid: str) -> User | None:
    """The active user of a live (not revoked, not expired) login session."""
    row = session.get(LoginSession, _digest(sid))
    if row is None or row.revoked_at is not None or _utc(row.expires_at) < dt.datetime.now(dt.UTC):
        return None
    user = session.get(User, row.user_id)
    return user if user and user.active else None


def close_session(session: Session, sid: str) -> None:
    row = session.get(LoginSession, _digest(sid))
    if row is not None and row.revoked_at is None:
        row.revoked_at = dt.datetime.now(dt.UTC)


def may_report(session: Session, who: Principal, task: Task) -> bool:
    """Coordinators and admins report anywhere; a reporter only where their agency leads or partners."""
    if who.at_least("coordinator"):
        return True
    if who.role != "agency_reporter" or not who.agency_id:
        return False
    if who.agency_id in {a.id for a in task.leads}:
        return True
    return session.scalar(select(TaskPartner.task_id).where(
        TaskPartner.task_id == task.id, TaskPartner.agency_id == who.agency_id)) is not None
