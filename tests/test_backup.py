"""`planmap backup` / `planmap restore`: one GeoPackage that GDAL opens; a round trip between the backends
(SpatiaLite -> PostGIS and back) gives the same OGC items, statistics, reports and audit log; secrets only
when asked; a backup from a newer schema is refused; a failed restore leaves the database as it was."""

from __future__ import annotations

import hashlib
import sqlite3
from types import SimpleNamespace

import pyogrio
import pytest
import shapely.geometry
from fastapi.testclient import TestClient
from sqlalchemy import inspect
from typer.testing import CliRunner

from api.app import create_app
from api.cli import app as cli
from layers.db import make_engine
from layers.load import load
from layers.schema import upgrade
from tests.conftest import BACKENDS, make_settings
from tests.progress_helpers import PASSWORD, SCT, led_by, logged_in
from tests.test_progress import PDF

REPORT_TEXT = "Đã khởi công hạ tầng kỹ thuật"


def planmap(*args: str):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture(scope="module")
def source(backend, fresh_database, cache_dir):
    """A database of its own with two accounts, a token, reports (one with an attachment, one returned)."""
    settings = make_settings(fresh_database(backend), cache_dir)
    engine = make_engine(settings.database_url)
    upgrade(engine)
    load(engine, settings)
    app = create_app(settings)
    c, csrf = logged_in(app, engine, "bk-reporter", "agency_reporter", SCT)
    coord, coord_csrf = logged_in(app, engine, "bk-coordinator", "coordinator")
    tasks = led_by(engine, SCT)[:2]
    first = c.post(f"/api/tasks/{tasks[0]}/reports", headers={"X-CSRF-Token": csrf},
                   json={"status": "in_progress", "percent": 40, "text": REPORT_TEXT})
    second = c.post(f"/api/tasks/{tasks[1]}/reports", data={"status": "done", "percent": "100", "csrf_token": csrf},
                    files={"attachment": ("bien-ban.pdf", PDF, "application/pdf")})
    assert first.status_code == second.status_code == 201, (first.text, second.text)
    returned = coord.post(f"/api/reports/{first.json()['id']}/return", json={"note": "số liệu chưa đúng"},
                          headers={"X-CSRF-Token": coord_csrf})
    assert returned.status_code == 200, returned.text
    token = c.post("/api/auth/tokens", json={"name": "script"}, headers={"X-CSRF-Token": csrf}).json()["token"]
    yield SimpleNamespace(settings=settings, engine=engine, app=app, tasks=tasks, token=token,
                          attachment=second.json()["attachment"]["href"])
    engine.dispose()


class _Geometry:
    """A GeoJSON geometry compared within 1e-7 degrees (1 cm): SpatiaLite and PostGIS write the same stored
    coordinate to 7 decimals with different rounding."""

    def __init__(self, geojson: dict | None):
        self.geom = None if geojson is None else shapely.geometry.shape(geojson)

    def __eq__(self, other) -> bool:
        if self.geom is None or other.geom is None:
            return self.geom is other.geom
        return self.geom.geom_type == other.geom.geom_type and self.geom.equals_exact(other.geom, 1.5e-7)

    def __repr__(self) -> str:
        return f"_Geometry({self.geom and self.geom.wkt[:60]})"


def _views(app, tasks: list[str], attachment: str) -> dict:
    """What users see: every OGC collection's items, the statistics, progress, the tasks with their reports,
    an attachment; and, as the coordinator, the audit log and the returned report."""
    c = TestClient(app, base_url="http://testserver")
    out = {}
    for coll in c.get("/ogc/collections").json()["collections"]:
        items = c.get(f"/ogc/collections/{coll['id']}/items", params={"limit": 10000})
        assert items.status_code == 200, items.text
        body = items.json()
        for feature in body["features"]:
            feature["geometry"] = _Geometry(feature["geometry"])
        out[coll["id"]] = body | {"timeStamp": None}
    out["/api/stats/districts"] = c.get("/api/stats/districts").json()
    out["/api/progress"] = c.get("/api/progress").json()
    login = c.post("/api/auth/login", json={"username": "bk-coordinator", "password": PASSWORD})
    if login.status_code == 200:
        out["attachment"] = c.get(attachment).content
        out["/api/audit"] = c.get("/api/audit").json()
        out["/api/tasks"] = [c.get(f"/api/tasks/{t}").json() for t in tasks]
    return out


def _restored(url: str, cache_dir):
    return create_app(make_settings(url, cache_dir))


def test_backup_is_a_geopackage_gdal_opens(source, tmp_path):
    path = tmp_path / "planmap.gpkg"
    result = planmap("backup", path, "--database-url", source.settings.database_url)
    assert result.exit_code == 0, result.output
    layers = dict(pyogrio.list_layers(path))
    assert layers["districts"] == layers["provinces"] == "MultiPolygon" and layers["features"] is not None
    assert {"tasks", "task_partners", "agencies", "targets", "progress_reports", "users", "audit_log"} <= set(layers)
    districts = pyogrio.read_dataframe(path, layer="districts")
    assert len(districts) == 15 and districts.crs.to_epsg() == 4326
    assert {"Gò Quao", "Phú Quốc"} <= set(districts["short_name"])
    reports = pyogrio.read_dataframe(path, layer="progress_reports")
    assert REPORT_TEXT in set(reports["text"])


def test_every_table_of_the_database_is_in_the_backup(source, tmp_path):
    """Whatever tables the migrations made (a new one included), all are backed up, but login sessions."""
    path = tmp_path / "all.gpkg"
    assert planmap("backup", path, "--database-url", source.settings.database_url).exit_code == 0
    names = set(inspect(source.engine).get_table_names())
    if source.engine.dialect.name == "sqlite":  # SpatiaLite's own tables and R*Tree indexes
        system = set(_fresh_spatialite_tables(tmp_path)) | {n for n in names if n.startswith("idx_")}
    else:
        system = {"spatial_ref_sys"}
    ours = names - system - {"alembic_version"}
    assert ours - set(dict(pyogrio.list_layers(path))) == {"login_sessions"}


def _fresh_spatialite_tables(tmp_path) -> list[str]:
    import pysqlite3.dbapi2 as sqlite_module

    db = sqlite_module.connect(tmp_path / "empty.sqlite")
    db.enable_load_extension(True)
    db.load_extension("mod_spatialite")
    db.execute("SELECT InitSpatialMetaData(1)")
    names = [n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    db.close()
    return names


def test_round_trip_with_secrets_to_both_backends(source, fresh_database, cache_dir, tmp_path):
    path = tmp_path / "secrets.gpkg"
    assert planmap("backup", path, "--with-secrets", "--database-url", source.settings.database_url).exit_code == 0
    expected = _views(source.app, source.tasks, source.attachment)
    assert len(expected["/api/audit"]["entries"]) >= 5 and expected["attachment"] == PDF
    assert any(r["text"] == REPORT_TEXT for t in expected["/api/tasks"] for r in t["reports"])
    for target in BACKENDS:
        url = fresh_database(target)
        result = planmap("restore", path, "--database-url", url)
        assert result.exit_code == 0, result.output
        app = _restored(url, cache_dir)
        assert _views(app, source.tasks, source.attachment) == expected, f"{source.engine.dialect.name} -> {target}"
        script = TestClient(app, base_url="http://testserver", headers={"Authorization": f"Bearer {source.token}"})
        assert script.get("/api/auth/me").json()["user"]["username"] == "bk-reporter"


def test_round_trip_without_secrets_locks_accounts_until_a_password_is_set(
    source, fresh_database, cache_dir, tmp_path, monkeypatch
):
    path = tmp_path / "plain.gpkg"
    made = planmap("backup", path, "--database-url", source.settings.database_url)
    assert made.exit_code == 0 and "without secrets" in made.output, made.output
    data = path.read_bytes()
    assert b"$argon2" not in data and hashlib.sha256(source.token.encode()).hexdigest().encode() not in data
    expected = _views(source.app, source.tasks, source.attachment)
    expected.pop("/api/audit"), expected.pop("/api/tasks"), expected.pop("attachment")
    for target in BACKENDS:
        url = fresh_database(target)
        result = planmap("restore", path, "--database-url", url)
        assert result.exit_code == 0, result.output
        assert "cannot log in until an admin sets one" in result.output
        app = _restored(url, cache_dir)
        assert _views(app, source.tasks, source.attachment) == expected  # no login: no audit, same data
        c = TestClient(app, base_url="http://testserver")
        assert c.post("/api/auth/login", json={"username": "bk-reporter", "password": PASSWORD}).status_code == 401
        bearer = {"Authorization": f"Bearer {source.token}"}
        assert c.get("/api/auth/tokens", headers=bearer).status_code == 401
        monkeypatch.setenv("PLANMAP_NEW_PASSWORD", "a new password 2025")
        assert planmap("user", "password", "bk-reporter", "--database-url", url).exit_code == 0
        login = c.post("/api/auth/login", json={"username": "bk-reporter", "password": "a new password 2025"})
        assert login.status_code == 200


def test_restore_refuses_a_backup_from_a_newer_schema(source, fresh_database, tmp_path):
    path = tmp_path / "future.gpkg"
    assert planmap("backup", path, "--database-url", source.settings.database_url).exit_code == 0
    with sqlite3.connect(path) as gpkg:
        gpkg.execute("UPDATE planmap_backup SET value = '0999_from_the_future' WHERE key = 'alembic_revision'")
    url = fresh_database(source.engine.dialect.name == "sqlite" and "spatialite" or "postgis")
    result = planmap("restore", path, "--database-url", url)
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "newer schema" in lines[0] and "0999_from_the_future" in lines[0], result.output
    assert not set(inspect(make_engine(url)).get_table_names()) & {"tasks", "alembic_version"}


def test_restore_never_overwrites_data_unasked_and_a_failed_one_changes_nothing(source, tmp_path):
    path = tmp_path / "broken.gpkg"
    assert planmap("backup", path, "--database-url", source.settings.database_url).exit_code == 0
    url = source.settings.database_url
    before = _views(source.app, source.tasks, source.attachment)
    refused = planmap("restore", path, "--database-url", url)
    assert refused.exit_code == 1 and "--replace" in refused.output
    with sqlite3.connect(path) as gpkg:  # the last table restored refers to a report that does not exist
        gpkg.execute("UPDATE report_attachments SET report_id = 999999")
    failed = planmap("restore", path, "--replace", "--database-url", url)
    assert failed.exit_code == 1 and "report_attachments" in failed.output, failed.output
    assert _views(source.app, source.tasks, source.attachment) == before


def test_a_restore_gives_the_data_a_version_no_cache_has_seen(source, tmp_path):
    """Printed sheets and statistics are cached on disk by (database, version): restoring over a database, or
    making it again at the same address, must not bring back a version those files were made for."""
    path = tmp_path / "again.gpkg"
    url = source.settings.database_url
    assert planmap("backup", path, "--with-secrets", "--database-url", url).exit_code == 0
    c = TestClient(source.app, base_url="http://testserver")
    before = c.get("/api/stats/districts")
    restored = planmap("restore", path, "--replace", "--database-url", url)
    assert restored.exit_code == 0, restored.output
    after = c.get("/api/stats/districts")
    assert after.json() == before.json() and after.headers["etag"] != before.headers["etag"]
