"""Fixtures: every test runs on both backends, real SpatiaLite and real PostGIS, loaded from data/.

PostGIS: a fresh database per test session on the server named by ``PLANMAP_TEST_POSTGRES`` (default
``postgresql://postgres@127.0.0.1:5432/postgres``), created here and dropped at the end. ``make test`` makes
sure that server runs.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import psycopg
import pytest
import uvicorn
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from layers.db import make_engine
from layers.load import load
from layers.schema import upgrade
from layers.settings import REPO_ROOT, Settings

# The browser fixtures (one shared Chromium, the two screens) for every browser test module.
pytest_plugins = ["tests.map_pages", "tests.print_sheets"]

# The tests never reach out of the machine: no online basemap.
os.environ["PLANMAP_BASEMAP_URL"] = ""

BACKENDS = ("spatialite", "postgis")
PG_SERVER = os.environ.get("PLANMAP_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
MIRROR = os.environ.get("PLANMAP_MIRROR") or str(REPO_ROOT.parent / "shared" / "mirror")


def _pg_admin(sql: str) -> None:
    with psycopg.connect(PG_SERVER, autocommit=True) as conn:
        conn.execute(sql)


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("upstream-cache")


def make_settings(database_url: str, cache_dir: Path, **overrides) -> Settings:
    return Settings(database_url=database_url, mirror=Path(MIRROR), cache_dir=cache_dir, **overrides)


@pytest.fixture(scope="session")
def fresh_database(tmp_path_factory):
    """A factory of empty databases: ``fresh_database("postgis")`` -> URL; dropped at session end."""
    created: list[str] = []

    def make(backend: str) -> str:
        if backend == "spatialite":
            return f"sqlite:///{tmp_path_factory.mktemp('db') / 'planmap.sqlite'}"
        name = f"planmap_test_{uuid.uuid4().hex[:10]}"
        _pg_admin(f'CREATE DATABASE "{name}"')
        created.append(name)
        return str(make_url(PG_SERVER).set(database=name))

    yield make
    for name in created:
        _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture(scope="session")
def settings(backend, fresh_database, cache_dir) -> Settings:
    """Settings of a database of ``backend``, migrated and loaded with everything in data/."""
    return own_database(backend, fresh_database, cache_dir)


def own_database(backend: str, fresh_database, cache_dir: Path) -> Settings:
    """Settings of a database of a test module's own, migrated and loaded: for modules whose writes other
    modules must not see (an imported layer becomes a collection)."""
    s = make_settings(fresh_database(backend), cache_dir)
    eng = make_engine(s.database_url)
    upgrade(eng)
    load(eng, s)
    eng.dispose()
    return s


def own_database_fixtures():
    """``own, engine, app = own_database_fixtures()`` in a test module: module fixtures over a database of its own
    (``own_database``) under the names the shared ones have, so its tests ask for ``engine`` and ``app`` as all do."""

    @pytest.fixture(scope="module")
    def own(backend, fresh_database, cache_dir) -> Settings:
        return own_database(backend, fresh_database, cache_dir)

    @pytest.fixture(scope="module")
    def engine(own) -> Iterator[Engine]:
        eng = make_engine(own.database_url)
        yield eng
        eng.dispose()

    @pytest.fixture(scope="module")
    def app(own):
        from api.app import create_app

        return create_app(own)

    return own, engine, app


@pytest.fixture(scope="session")
def engine(settings) -> Iterator[Engine]:
    eng = make_engine(settings.database_url)
    yield eng
    eng.dispose()


@pytest.fixture(scope="session")
def app(settings):
    from api.app import create_app

    return create_app(settings)


@pytest.fixture(scope="session")
def client(app):
    """In-process HTTP client (httpx over ASGI) for endpoint tests."""
    from fastapi.testclient import TestClient

    with TestClient(app, base_url="http://testserver") as c:
        yield c


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answers(url: str, seconds: float, alive=lambda: True) -> bool:
    """Whether ``url`` answers 200 within ``seconds`` while ``alive()`` (the server has not exited)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and alive():
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return True
        except httpx.HTTPError:
            time.sleep(0.1)
    return False


@contextmanager
def serve(app) -> Iterator[str]:
    """``app`` on a real server (uvicorn) on a local port, with its lifespan; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    if not answers(f"{base}/health", 30, thread.is_alive):
        raise RuntimeError("server did not start")
    try:
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_server(app) -> Iterator[str]:
    """The real server (uvicorn) on a local port; yields its base URL, e.g. ``http://127.0.0.1:40123``."""
    with serve(app) as base:
        yield base
