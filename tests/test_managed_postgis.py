"""A managed PostGIS: the service's role owns its database but is no superuser, so it may neither install PostGIS
nor write ``spatial_ref_sys``. ``planmap init`` says in one line what an administrator must do, or works and says
what is missing; loading and the land-use statistics in EPSG:9207 work without the EPSG:9207 row."""

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
