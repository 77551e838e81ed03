"""Accounts on both backends: login with a secure session cookie and CSRF, API tokens shown once and
revocable, argon2 passwords, roles, and ``planmap user add``."""

from __future__ import annotations

import hashlib

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from api.user_cli import user_app
from layers.models import ProgressReport
from layers.models_accounts import ApiToken, User
from tests.progress_helpers import PASSWORD, SCT, ensure_user, led_by, logged_in


def test_login_sets_a_protected_cookie(app, engine):
    ensure_user(engine, "auth-reporter", "agency_reporter", SCT)
    c = TestClient(app, base_url="http://testserver")
    assert c.post("/api/auth/login", json={"username": "auth-reporter", "password": "wrong one!"}).status_code == 401
    assert c.post("/api/auth/login", json={"username": "nobody", "password": PASSWORD}).status_code == 401
    r = c.post("/api/auth/login", json={"username": "auth-reporter", "password": PASSWORD})
    assert r.status_code == 200
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    me = c.get("/api/auth/me").json()
    assert me["role"] == "agency_reporter" and me["user"]["agency_id"] == SCT
    stolen = c.cookies.get("planmap_session")
    # a page of another site cannot log the user out: logout needs the CSRF token too
    assert c.post("/api/auth/logout", json={}).status_code == 403
    assert c.get("/api/auth/me").json()["user"] is not None
    out = c.post("/api/auth/logout", json={}, headers={"X-CSRF-Token": r.json()["csrf_token"]})
    assert out.status_code == 200
    cleared = out.headers["set-cookie"].lower()  # cleared with the flags it was set with, or it stays
    assert cleared.startswith("planmap_session=") and "max-age=0" in cleared
    assert all(flag in cleared for flag in ("httponly", "samesite=lax", "path=/"))
    assert c.get("/api/auth/me").json()["user"] is None
    # logout revokes the session on the server: a copy of the cookie is worthless afterwards
    replay = TestClient(app, base_url="http://testserver", cookies={"planmap_session": stolen})
    assert replay.get("/api/auth/me").json()["user"] is None


def test_forged_cookie_is_anonymous(app):
    c = TestClient(app, base_url="http://testserver", cookies={"planmap_session": "eyJ1aWQiOjF9.forged.sig"})
    assert c.get("/api/auth/me").json()["user"] is None


def test_form_login_redirects_and_never_off_site(app, engine):
    ensure_user(engine, "auth-reporter", "agency_reporter", SCT)
    c = TestClient(app, base_url="http://testserver", follow_redirects=False)
    r = c.post("/login", data={"username": "auth-reporter", "password": PASSWORD, "next": "//evil.example"})
    assert r.status_code == 303 and r.headers["location"] == "/report"
    assert "planmap_session=" in r.headers["set-cookie"]
    bad = c.post("/login?lang=en", data={"username": "auth-reporter", "password": "nope nope nope"})
    assert bad.status_code == 401 and "Wrong username or password" in bad.text
    # the page's logout form carries the CSRF token: a logged-in page logs out in one click
    page = c.get(f"/report/agency/{SCT}")
    csrf = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    out = c.post("/api/auth/logout", data={"csrf_token": csrf})
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert c.get("/api/auth/me").json()["user"] is None


def test_cookie_writes_need_the_csrf_token(app, engine):
    c, _ = logged_in(app, engine, "auth-reporter", "agency_reporter", SCT)
    task = led_by(engine, SCT)[0]
    with Session(engine) as s:
        before = len(s.scalars(select(ProgressReport.id)).all())
    body = {"status": "in_progress", "percent": 5}
    assert c.post(f"/api/tasks/{task}/reports", json=body).status_code == 403
    assert c.post(f"/api/tasks/{task}/reports", json=body, headers={"X-CSRF-Token": "0" * 64}).status_code == 403
    with Session(engine) as s:
        assert len(s.scalars(select(ProgressReport.id)).all()) == before


def test_api_token_shown_once_hashed_and_revocable(app, engine):
    c, csrf = logged_in(app, engine, "auth-script", "agency_reporter", SCT)
    made = c.post("/api/auth/tokens", json={"name": "nightly import"}, headers={"X-CSRF-Token": csrf})
    assert made.status_code == 201
    token = made.json()["token"]
    listed = c.get("/api/auth/tokens").json()["tokens"]
    assert all("token" not in t for t in listed) and token not in str(listed)
    with Session(engine) as s:
        row = s.get(ApiToken, made.json()["id"])
        assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    script = TestClient(app, base_url="http://testserver", headers={"Authorization": f"Bearer {token}"})
    task = led_by(engine, SCT)[0]
    # a bearer token needs no CSRF token: no cookie, nothing a foreign page could ride on
    assert script.post(f"/api/tasks/{task}/reports", json={"status": "in_progress", "percent": 15}).status_code == 201
    assert c.delete(f"/api/auth/tokens/{made.json()['id']}", headers={"X-CSRF-Token": csrf}).status_code == 204
    r = script.post(f"/api/tasks/{task}/reports", json={"status": "in_progress", "percent": 16})
    assert r.status_code == 401 and "revoked" in r.json()["description"]
    assert script.get("/api/auth/me").status_code == 401  # reads that look at the caller refuse it too


def test_passwords_are_argon2(engine):
    ensure_user(engine, "auth-reporter", "agency_reporter", SCT)
    with Session(engine) as s:
        stored = s.scalar(select(User.password_hash).where(User.username == "auth-reporter"))
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_admin_adds_users_with_clear_errors(app, engine):
    c, csrf = logged_in(app, engine, "auth-admin", "admin")
    h = {"X-CSRF-Token": csrf}
    ok = c.post("/api/auth/users", json={"username": "stc-reporter", "password": PASSWORD,
                                         "role": "agency_reporter", "agency_id": "so-tai-chinh"}, headers=h)
    assert ok.status_code in (201, 422)  # 422 when an earlier run on this database made it
    bad = c.post("/api/auth/users", json={"username": "x", "password": PASSWORD, "role": "emperor"}, headers=h)
    assert bad.status_code == 422 and "role" in bad.json()["description"]
    nope = c.post("/api/auth/users", json={"username": "y", "password": PASSWORD, "role": "agency_reporter",
                                           "agency_id": "so-khong-co"}, headers=h)
    assert nope.status_code == 422 and "unknown agency" in nope.json()["description"]
    reporter, rcsrf = logged_in(app, engine, "auth-reporter", "agency_reporter", SCT)
    assert reporter.post("/api/auth/users", json={}, headers={"X-CSRF-Token": rcsrf}).status_code == 403


def test_cli_user_add(settings, engine, monkeypatch):
    monkeypatch.setenv("PLANMAP_NEW_PASSWORD", PASSWORD)
    runner = CliRunner()
    r = runner.invoke(user_app, ["add", "first-admin", "--role", "admin", "--database-url", settings.database_url])
    assert r.exit_code == 0, r.output
    again = runner.invoke(user_app, ["add", "first-admin", "--database-url", settings.database_url])
    assert again.exit_code == 1 and "exists" in again.output
    with Session(engine) as s:
        assert s.scalar(select(User.role).where(User.username == "first-admin")) == "admin"


def test_migration_0002_goes_up_and_down(backend, fresh_database):
    from sqlalchemy import inspect

    from layers.db import make_engine
    from layers.schema import upgrade

    engine = make_engine(fresh_database(backend))
    try:
        upgrade(engine)
        mine = {"users", "login_sessions", "api_tokens", "audit_log", "report_attachments"}
        assert mine <= set(inspect(engine).get_table_names())
        _downgrade(engine, "0001")
        assert not mine & set(inspect(engine).get_table_names())
        upgrade(engine)
        assert mine <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _downgrade(engine, revision: str) -> None:
    from alembic import command

    from layers.schema import _config

    with engine.begin() as conn:
        command.downgrade(_config(conn), revision)


def test_every_installation_signs_cookies_with_its_own_random_key(tmp_path):
    from layers.settings import _local_secret

    first, second = _local_secret(tmp_path / "a" / "secret_key"), _local_secret(tmp_path / "b" / "secret_key")
    assert len(first) == 64 and first != second
    assert _local_secret(tmp_path / "a" / "secret_key") == first  # kept across restarts
    assert oct((tmp_path / "a" / "secret_key").stat().st_mode & 0o777) == "0o600"
