"""PostGIS as provinces run it. A managed database: the service's role owns its database but is no superuser, so
it may neither install PostGIS nor write ``spatial_ref_sys``; ``planmap init`` says in one line what an administrator
must do, or works and says what is missing, and loading and the land-use statistics in EPSG:9207 work without the
EPSG:9207 row. A read replica named by ``PLANMAP_DATABASE_READ_URL`` takes the reads. A restarted server costs one
503, not a 500."""

from __future__ import annotations

import uuid

import pyogrio
import pytest
import psycopg
from sqlalchemy import make_url, text
from typer.testing import CliRunner

from api.cli import app as cli
from layers.db import make_engine
from layers.imports.importer import ImportOptions, import_file
from layers.imports.stats import landuse_by_district
from tests.conftest import PG_SERVER
from tests.test_landuse import _close, _districts_and_zones, _expected, _parcels


def _admin(database: str, *statements: str) -> None:
    """As the superuser, in ``database``."""
    with psycopg.connect(make_url(PG_SERVER).set(database=database).render_as_string(hide_password=False),
                         autocommit=True) as conn:
        for sql in statements:
            conn.execute(sql)


@pytest.fixture(scope="module")
def managed():
    """A role that owns one empty database and nothing else; dropped afterwards."""
    role, database = f"managed_{uuid.uuid4().hex[:8]}", f"planmap_managed_{uuid.uuid4().hex[:8]}"
    _admin("postgres", f"CREATE ROLE {role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE",
           f'CREATE DATABASE "{database}" OWNER {role}')
    yield role, database, str(make_url(PG_SERVER).set(username=role, password=None, database=database))
    _admin("postgres", f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)', f"DROP ROLE IF EXISTS {role}")


def planmap(*args: str):
    return CliRunner().invoke(cli, list(args))


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    with engine.connect() as conn:
        names = set(conn.scalars(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")))
    engine.dispose()
    return names


def test_init_as_a_managed_role(managed, tmp_path, monkeypatch):
    role, database, url = managed
    monkeypatch.setenv("PLANMAP_CACHE_DIR", str(tmp_path / "cache"))
    refused = planmap("init", "--database-url", url)
    lines = refused.output.strip().splitlines()
    assert refused.exit_code == 1 and len(lines) == 1, refused.output
    assert "CREATE EXTENSION postgis" in lines[0] and role in lines[0] and database in lines[0]
    assert _tables(url) == set()  # nothing half-made

    _admin(database, "CREATE EXTENSION postgis")  # what the administrator was asked to do
    done = planmap("init", "--database-url", url)
    assert done.exit_code == 0, done.output
    notes = [line for line in done.output.splitlines() if line.startswith("note:")]
    assert len(notes) == 1 and f"GRANT INSERT ON spatial_ref_sys TO {role}" in notes[0], done.output
    assert {"tasks", "features", "alembic_version"} <= _tables(url)

    loaded = planmap("load", "--database-url", url)
    assert loaded.exit_code == 0, loaded.output

    engine = make_engine(url)
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM spatial_ref_sys WHERE srid = 9207")) == 0
    districts, zones = _districts_and_zones(engine)
    parcels = _parcels(districts, zones)
    path = tmp_path / "hien_trang.gpkg"
    pyogrio.write_dataframe(parcels, path, driver="GPKG")
    import_file(engine, path, ImportOptions(layer="hien_trang"))
    rows = landuse_by_district(engine, "hien_trang", version=uuid.uuid4().hex)
    engine.dispose()
    actual = {(r["gso_code"], r["code"]): r["hectares"] for r in rows if r["hectares"] > 1e-9}
    _close(actual, _expected(parcels, districts))


def test_reads_go_to_the_read_replica_and_writes_to_the_primary(fresh_database, cache_dir):
    """``PLANMAP_DATABASE_READ_URL``: the routes that only read use it; logins and reports use the primary. The
    replica here is a snapshot of the primary (CREATE DATABASE … TEMPLATE), then told apart by one name."""
    from api.app import create_app
    from layers.load import load
    from layers.schema import upgrade
    from tests.conftest import make_settings
    from tests.progress_helpers import SCT, led_by, logged_in

    primary_url = fresh_database("postgis")
    engine = make_engine(primary_url)
    upgrade(engine)
    load(engine, make_settings(primary_url, cache_dir))
    engine.dispose()
    replica = f"planmap_replica_{uuid.uuid4().hex[:8]}"
    _admin("postgres", f'CREATE DATABASE "{replica}" TEMPLATE "{make_url(primary_url).database}"')
    try:
        replica_url = str(make_url(primary_url).set(database=replica))
        _admin(replica, "UPDATE features SET name = 'Cái Tư (bản sao đọc)' WHERE id = 'ccn-cai-tu'")
        app = create_app(make_settings(primary_url, cache_dir, database_read_url=replica_url))
        primary = make_engine(primary_url)
        client, csrf = logged_in(app, primary, "replica-reporter", "agency_reporter", SCT)  # no such user on the replica
        item = client.get("/ogc/collections/industrial_clusters/items/ccn-cai-tu")
        assert item.status_code == 200 and item.json()["properties"]["name"] == "Cái Tư (bản sao đọc)"
        task = led_by(primary, SCT)[0]
        sent = client.post(f"/api/tasks/{task}/reports", headers={"X-CSRF-Token": csrf},
                           json={"status": "in_progress", "percent": 30, "text": "báo cáo trên bản chính"})
        assert sent.status_code == 201, sent.text
        assert [r["text"] for r in client.get(f"/api/tasks/{task}").json()["reports"]] == ["báo cáo trên bản chính"]
        counts = {}
        for name, url in (("primary", primary_url), ("replica", replica_url)):
            eng = make_engine(url)
            with eng.connect() as conn:
                counts[name] = conn.scalar(text("SELECT count(*) FROM progress_reports"))
            eng.dispose()
        assert counts == {"primary": 1, "replica": 0}
        primary.dispose()
        app.state.read_engine.dispose()
        app.state.engine.dispose()
    finally:
        _admin("postgres", f'DROP DATABASE IF EXISTS "{replica}" WITH (FORCE)')


def test_a_restarted_database_costs_one_503_not_a_500(fresh_database, cache_dir):
    """The read connections are not pinged before use (a round trip per request): when the server drops them
    (a restart, a failover), the request that finds out answers 503 with Retry-After, and the next one works."""
    from fastapi.testclient import TestClient

    from api.app import create_app
    from layers.schema import upgrade
    from tests.conftest import make_settings

    url = fresh_database("postgis")
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    app = create_app(make_settings(url, cache_dir))
    client = TestClient(app, base_url="http://testserver")
    items = "/ogc/collections/districts/items"
    assert client.get(items).status_code == 200  # a pooled connection now exists
    _admin("postgres", "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                       f"WHERE datname = '{make_url(url).database}' AND pid <> pg_backend_pid()")
    lost = client.get(items)
    assert lost.status_code == 503 and lost.headers["Retry-After"] == "1", lost.text
    assert lost.json()["code"] == "DatabaseUnavailable"
    assert client.get(items).status_code == 200
    app.state.read_engine.dispose()
    app.state.engine.dispose()
