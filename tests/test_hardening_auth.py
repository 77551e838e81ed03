"""Abuse and expiry on both backends: failed logins and new tokens are throttled per account and per address,
for every server worker alike, and audited; expired or revoked credentials, a removed user and a new role count
from the very next request."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from api.user_cli import user_app
from layers.models_accounts import ApiToken, AuditEntry, LoginSession, ThrottleEvent, User
from tests.progress_helpers import PASSWORD, SCT, ensure_user, led_by

_addresses = itertools.count(1)


def client_at(app, address: str | None = None) -> TestClient:
    """A client from an address of its own, so throttling here never touches the other tests' clients."""
    return TestClient(app, base_url="http://testserver", client=(address or f"10.77.0.{next(_addresses)}", 4000))


def login(c: TestClient, username: str, password: str):
    return c.post("/api/auth/login", json={"username": username, "password": password})


def audit_of(engine, action: str, entity_id: str | None = None) -> list[AuditEntry]:
    with Session(engine) as s:
        query = select(AuditEntry).where(AuditEntry.action == action)
        if entity_id:
            query = query.where(AuditEntry.entity_id == entity_id)
        return list(s.scalars(query))


def age_throttle(engine, seconds: int) -> None:
    """Move every counted attempt ``seconds`` into the past, as if that time had gone by."""
    with Session(engine) as s, s.begin():
        s.execute(update(ThrottleEvent).values(at=ThrottleEvent.at - dt.timedelta(seconds=seconds)))


def test_five_failures_a_minute_then_429_for_the_account(app, engine):
    ensure_user(engine, "throttle-me", "agency_reporter", SCT)
    c = client_at(app)
    assert [login(c, "throttle-me", f"wrong {i}").status_code for i in range(5)] == [401] * 5
    refused = login(c, "throttle-me", PASSWORD)  # even the right password waits
    assert refused.status_code == 429 and refused.json()["code"] == "TooManyAttempts"
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    # per account: from another address too
    assert login(client_at(app), "Throttle-Me", PASSWORD).status_code == 429
    entries = audit_of(engine, "login.throttled", "throttle-me") + audit_of(engine, "login.throttled", "Throttle-Me")
    assert len(entries) >= 2 and entries[-1].after["retry_after"] >= 1 and entries[-1].after["address"]
    age_throttle(engine, 61)
    assert login(c, "throttle-me", PASSWORD).status_code == 200


def test_twenty_failures_a_minute_then_429_for_the_address(app, engine):
    ensure_user(engine, "from-a-busy-office", "agency_reporter", SCT)
    office = client_at(app, "10.88.0.1")
    assert all(login(office, f"nobody-{i}", "wrong password").status_code == 401 for i in range(20))
    assert login(office, "from-a-busy-office", PASSWORD).status_code == 429
    assert login(client_at(app), "from-a-busy-office", PASSWORD).status_code == 200  # another address


def test_every_worker_sees_the_same_count(settings, engine):
    """Two app instances on one database stand for two server workers."""
    from api.app import create_app

    ensure_user(engine, "two-workers", "agency_reporter", SCT)
    first, second = create_app(settings), create_app(settings)
    for i in range(5):
        assert login(client_at(first if i % 2 else second), "two-workers", "wrong").status_code == 401
    assert login(client_at(second), "two-workers", PASSWORD).status_code == 429
    first.state.engine.dispose()
    second.state.engine.dispose()


def test_token_creation_is_throttled_and_audited(app, engine):
    ensure_user(engine, "token-maker", "agency_reporter", SCT)
    c = client_at(app)
    csrf = login(c, "token-maker", PASSWORD).json()["csrf_token"]
    made = [c.post("/api/auth/tokens", json={"name": f"t{i}"}, headers={"X-CSRF-Token": csrf}) for i in range(6)]
    assert [r.status_code for r in made] == [201] * 5 + [429]
    assert 1 <= int(made[-1].headers["retry-after"]) <= 60
    assert [e.actor for e in audit_of(engine, "token.throttled")][-1] == "token-maker"


def test_tokens_expire(app, engine):
    ensure_user(engine, "expiring", "agency_reporter", SCT)
    c = client_at(app)
    csrf = login(c, "expiring", PASSWORD).json()["csrf_token"]
    h = {"X-CSRF-Token": csrf}
    assert c.post("/api/auth/tokens", json={"expires_in_days": 0}, headers=h).status_code == 422
    assert c.post("/api/auth/tokens", json={"expires_in_days": 366}, headers=h).status_code == 422
    made = c.post("/api/auth/tokens", json={"name": "nightly", "expires_in_days": 30}, headers=h).json()
    expires = dt.datetime.fromisoformat(made["expires_at"])
    assert abs(expires - dt.datetime.now(dt.UTC) - dt.timedelta(days=30)) < dt.timedelta(minutes=5)
    script = client_at(app)
    script.headers["Authorization"] = f"Bearer {made['token']}"
    assert script.get("/api/auth/me").json()["user"]["username"] == "expiring"
    with Session(engine) as s, s.begin():
        s.get(ApiToken, made["id"]).expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    r = script.get("/api/auth/me")
    assert r.status_code == 401 and "expired" in r.json()["description"]


def test_an_expired_session_is_anonymous_at_once(app, engine):
    ensure_user(engine, "session-ends", "coordinator")
    c = client_at(app)
    assert login(c, "session-ends", PASSWORD).status_code == 200
    assert c.get("/api/audit").status_code == 200
    with Session(engine) as s, s.begin():
        user_id = s.scalar(select(User.id).where(User.username == "session-ends"))
        s.execute(update(LoginSession).where(LoginSession.user_id == user_id)
                  .values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)))
    assert c.get("/api/auth/me").json()["user"] is None
    assert c.get("/api/audit").status_code == 401


def test_a_removed_user_loses_session_and_tokens_at_once(app, engine, settings):
    ensure_user(engine, "leaving", "agency_reporter", SCT)
    c = client_at(app)
    csrf = login(c, "leaving", PASSWORD).json()["csrf_token"]
    token = c.post("/api/auth/tokens", json={"name": "script"}, headers={"X-CSRF-Token": csrf}).json()["token"]
    task = led_by(engine, SCT)[0]
    r = CliRunner().invoke(user_app, ["remove", "leaving", "--database-url", settings.database_url])
    assert r.exit_code == 0, r.output
    assert c.get("/api/auth/me").json()["user"] is None
    assert c.post(f"/api/tasks/{task}/reports", json={"status": "in_progress", "percent": 1},
                  headers={"X-CSRF-Token": csrf}).status_code == 401
    r = client_at(app).get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401
    assert audit_of(engine, "user.remove")[-1].before["username"] == "leaving"


@pytest.mark.parametrize("before, after, agency", [("coordinator", "agency_reporter", SCT),
                                                   ("agency_reporter", "coordinator", None)])
def test_a_new_role_counts_from_the_next_request(app, engine, settings, before, after, agency):
    name = f"changing-{before}"
    ensure_user(engine, name, before, SCT)
    c = client_at(app)
    assert login(c, name, PASSWORD).status_code == 200
    allowed = {"coordinator": 200, "agency_reporter": 403}
    assert c.get("/report/dashboard", follow_redirects=False).status_code == allowed[before]
    args = ["set-role", name, after] + (["--agency", agency] if agency else [])
    r = CliRunner().invoke(user_app, [*args, "--database-url", settings.database_url])
    assert r.exit_code == 0, r.output
    assert c.get("/report/dashboard", follow_redirects=False).status_code == allowed[after]
    assert c.get("/api/auth/me").json()["role"] == after
    entry = audit_of(engine, "user.role")[-1]
    assert (entry.before["role"], entry.after["role"]) == (before, after)


def test_cli_refuses_unknown_users_and_roles(settings, engine):
    ensure_user(engine, "throttle-me", "agency_reporter", SCT)
    runner = CliRunner()
    r = runner.invoke(user_app, ["set-role", "nobody-at-all", "admin", "--database-url", settings.database_url])
    assert r.exit_code == 1 and "no user 'nobody-at-all'" in r.output
    r = runner.invoke(user_app, ["set-role", "throttle-me", "emperor", "--database-url", settings.database_url])
    assert r.exit_code == 1 and "role:" in r.output
