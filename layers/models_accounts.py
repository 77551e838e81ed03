"""Accounts, API tokens, the audit log, report attachments and throttled attempts, on ``layers.models.Base``.

Importing this module registers the tables on ``Base.metadata`` (migrations ``0002`` and ``0100`` create them).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from layers.models import Base

ROLES = ("viewer", "agency_reporter", "coordinator", "admin")


class User(Base):
    """A person who logs in; an ``agency_reporter`` belongs to exactly one agency."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(128))
    password_hash: Mapped[str] = mapped_column(Text)  # argon2id, never the password
    role: Mapped[str] = mapped_column(String(16))
    agency_id: Mapped[str | None] = mapped_column(ForeignKey("agencies.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class ApiToken(Base):
    """A bearer token for scripts: only its sha256 is kept; revoked tokens stay for the record."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(128))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))  # None: made before expiry


class AuditEntry(Base):
    """One change: who, when, what, and the record before and after. Append-only."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(48))  # report.submit, report.accept, user.add, …
    entity: Mapped[str] = mapped_column(String(32))  # progress_report, user, api_token, task, feature
    entity_id: Mapped[str] = mapped_column(String(96))
    before: Mapped[Any | None] = mapped_column(JSON)
    after: Mapped[Any | None] = mapped_column(JSON)


Index("ix_audit_entity", AuditEntry.entity, AuditEntry.entity_id)


class ReportAttachment(Base):
    """Evidence for a report (PDF or image), kept in the database so it is written in the report's transaction.

    Its URL names ``token`` (random), never the sequential id.
    """

    __tablename__ = "report_attachments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("progress_reports.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class LoginSession(Base):
    """A web login: the cookie carries the id, only its sha256 is kept; logout revokes it at once."""

    __tablename__ = "login_sessions"
    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class ThrottleEvent(Base):
    """One counted attempt (a failed login, a new API token) under a key such as ``login:account`` + a name.

    In the database, not in memory, so that every server worker counts the same attempts.
    """

    __tablename__ = "throttle_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    scope: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(160))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)


Index("ix_throttle_scope_key_at", ThrottleEvent.scope, ThrottleEvent.key, ThrottleEvent.at)
