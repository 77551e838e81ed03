"""OGC API - Features Part 4 on both backends: admins create, replace, update and delete plan features with
the same rules as reports (401/403, If-Match, audit), invalid geometry is refused with its reason."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from layers.models import Feature
from tests.progress_helpers import SCT, logged_in

GEOJSON = {"Accept": "application/geo+json"}
BOWTIE = {"type": "Polygon", "coordinates": [[[105.0, 10.0], [105.1, 10.1], [105.1, 10.0], [105.0, 10.1],
                                               [105.0, 10.0]]]}
SQUARE = {"type": "Polygon", "coordinates": [[[105.0, 10.0], [105.02, 10.0], [105.02, 10.02], [105.0, 10.02],
                                               [105.0, 10.0]]]}
PROPS = {"name": "KCN Thử nghiệm", "kind": "industrial_park", "status": "proposed", "source": "test §1",
         "geometry_precision": "indicative", "location_note": "drawn in QGIS for a test", "planned_area_ha": 48}


@pytest.fixture(scope="module")
def editing_app(settings):
    """An app of its own (these tests write features), with every router as served."""
    from api.app import create_app

    return create_app(settings)


@pytest.fixture(scope="module")
def admin(editing_app, engine):
    c, csrf = logged_in(editing_app, engine, "gis-admin", "admin")
    made = c.post("/api/auth/tokens", json={"name": "qgis"}, headers={"X-CSRF-Token": csrf}).json()
    return TestClient(editing_app, base_url="http://testserver", headers={"Authorization": f"Bearer {made['token']}"})


def feature_count(engine) -> int:
    with Session(engine) as s:
        return s.scalar(select(func.count()).select_from(Feature))


def test_options_advertise_editing_to_admins_only(editing_app, admin):
    anonymous = TestClient(editing_app, base_url="http://testserver")
    items = "/ogc/collections/industrial_parks/items"
    assert "POST" not in anonymous.options(items).headers["allow"]
    assert "POST" in admin.options(items).headers["allow"]
    allow = admin.options(f"{items}/kcn-thanh-loc").headers["allow"]
    assert all(m in allow for m in ("PUT", "PATCH", "DELETE"))
    assert "POST" not in admin.options("/ogc/collections/tasks/items").headers["allow"]


def test_conformance_declares_part_4(editing_app):
    classes = TestClient(editing_app).get("/ogc/conformance").json()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/create-replace-delete" in classes


def test_anonymous_and_non_admin_writes_are_refused(editing_app, engine):
    body = {"type": "Feature", "geometry": SQUARE, "properties": PROPS}
    anonymous = TestClient(editing_app, base_url="http://testserver")
    assert anonymous.post("/ogc/collections/industrial_parks/items", json=body).status_code == 401
    c, csrf = logged_in(editing_app, engine, "sct-reporter", "agency_reporter", SCT)
    r = c.post("/ogc/collections/industrial_parks/items", json=body, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 403


def test_invalid_geometry_is_refused_with_the_reason(admin, engine):
    before = feature_count(engine)
    r = admin.post("/ogc/collections/industrial_parks/items",
                   json={"type": "Feature", "geometry": BOWTIE, "properties": PROPS})
    assert r.status_code == 422 and "Self-intersection[" in r.json()["description"]
    r = admin.post("/ogc/collections/industrial_parks/items",
                   json={"type": "Feature", "geometry": SQUARE, "properties": {**PROPS, "kind": "castle"}})
    assert r.status_code == 422 and "kind" in r.json()["description"]
    swapped = {"type": "Polygon", "coordinates": [[[y, x] for x, y in SQUARE["coordinates"][0]]]}
    r = admin.post("/ogc/collections/industrial_parks/items",
                   json={"type": "Feature", "geometry": swapped, "properties": PROPS})
    assert r.status_code == 422 and "outside Viet Nam" in r.json()["description"]
    point = {"type": "Point", "coordinates": [105.0, 10.0]}
    r = admin.post("/ogc/collections/industrial_parks/items",
                   json={"type": "Feature", "geometry": point, "properties": PROPS})
    assert r.status_code == 422 and "MultiPolygon" in r.json()["description"]  # one geometry type per collection
    r = admin.post("/ogc/collections/industrial_parks/items",
                   json={"type": "Feature", "geometry": SQUARE, "properties": {**PROPS, "colour": "red"}})
    assert r.status_code == 422 and "colour" in r.json()["description"]
    assert admin.post("/ogc/collections/tasks/items", json={}).status_code == 405
    assert feature_count(engine) == before


def test_create_update_replace_delete(admin, engine):
    r = admin.post("/ogc/collections/industrial_parks/items",
                   json={"type": "Feature", "geometry": SQUARE, "properties": PROPS})
    assert r.status_code == 201, r.text
    url = r.headers["location"].replace("http://testserver", "")
    got = admin.get(url, headers=GEOJSON)
    assert got.status_code == 200 and got.json()["properties"]["name"] == "KCN Thử nghiệm"
    etag = got.headers["etag"]

    patched = admin.patch(url, json={"properties": {"name": "KCN Thử nghiệm 2"}}, headers={"If-Match": etag})
    assert patched.status_code == 200, patched.text
    assert admin.get(url, headers=GEOJSON).json()["properties"]["name"] == "KCN Thử nghiệm 2"
    stale = admin.patch(url, json={"properties": {"name": "lost update"}}, headers={"If-Match": etag})
    assert stale.status_code == 412

    whole = admin.get(url, headers=GEOJSON).json()  # QGIS sends back what it read, derived fields included
    whole["properties"]["status"] = "planned"
    put = admin.put(url, json=whole, headers={"If-Match": patched.headers["etag"]})
    assert put.status_code == 200, put.text
    assert admin.get(url, headers=GEOJSON).json()["properties"]["status"] == "planned"

    audit = admin.get("/api/audit", params={"entity": "feature", "entity_id": url.rsplit("/", 1)[-1]}).json()
    assert [e["action"] for e in audit["entries"]] == ["feature.create", "feature.update", "feature.replace"]
    assert audit["entries"][1]["before"]["name"] == "KCN Thử nghiệm"

    assert admin.delete(url).status_code == 204
    assert admin.get(url, headers=GEOJSON).status_code == 404


def test_a_footprint_is_edited_in_its_own_collection(admin):
    """Ham Ninh is drawn as a footprint: its point in industrial_clusters takes no new geometry (409), its
    footprint in industrial_cluster_footprints does, and the point follows."""
    point = {"type": "Point", "coordinates": [104.05, 10.18]}
    r = admin.patch("/ogc/collections/industrial_clusters/items/ccn-ham-ninh", json={"geometry": point})
    assert r.status_code == 409 and "industrial_clusters" in r.json()["description"]
    url = "/ogc/collections/industrial_cluster_footprints/items/ccn-ham-ninh"
    footprint = admin.get(url, headers=GEOJSON)
    moved = [[[x + 0.01, y] for x, y in ring] for ring in footprint.json()["geometry"]["coordinates"][0]]
    r = admin.patch(url, json={"geometry": {"type": "Polygon", "coordinates": moved}},
                    headers={"If-Match": footprint.headers["etag"]})
    try:
        assert r.status_code == 200, r.text
        anchor = admin.get("/ogc/collections/industrial_clusters/items/ccn-ham-ninh", headers=GEOJSON).json()
        x, _ = anchor["geometry"]["coordinates"]
        assert min(p[0] for p in moved[0]) < x < max(p[0] for p in moved[0])
    finally:
        _restore(admin, url, footprint.json())


def _restore(admin, url: str, original: dict) -> None:
    """Put a feature back as it was: the database is shared with other test modules."""
    assert admin.patch(url, json={"geometry": original["geometry"], "properties": {
        "name": original["properties"]["name"]}}).status_code == 200


def test_an_edit_is_seen_by_statistics_exports_and_print_at_once(admin, editing_app):
    """No restart: the edit moves the data version on, which keys every cache and validator."""
    url = "/ogc/collections/economic_zones/items/kkt-cua-khau-ha-tien"
    stats = admin.get("/api/stats/layers", params={"layer": "economic_zones"})
    export = admin.get("/api/exports/economic_zones.geojson")
    sheet = admin.get("/print/district/900.pdf", params={"size": "A4", "lang": "en"})
    assert sheet.headers["x-sheet-cache"] in ("hit", "miss")
    zone = admin.get(url, headers=GEOJSON)
    shrunk = {"type": "Polygon", "coordinates": [[[104.47, 10.37], [104.49, 10.37], [104.49, 10.39],
                                                  [104.47, 10.39], [104.47, 10.37]]]}
    r = admin.patch(url, json={"geometry": shrunk, "properties": {"name": "Khu kinh tế cửa khẩu Hà Tiên (sửa)"}},
                    headers={"If-Match": zone.headers["etag"]})
    try:
        _seen_at_once(admin, r, stats, export, sheet)
    finally:
        _restore(admin, url, zone.json())


def _seen_at_once(admin, r, stats, export, sheet) -> None:
    import io

    from pypdf import PdfReader

    assert r.status_code == 200, r.text
    stats_after = admin.get("/api/stats/layers", params={"layer": "economic_zones"},
                            headers={"If-None-Match": stats.headers["etag"]})
    assert stats_after.status_code == 200
    ha = {row["gso_code"]: row["area_ha"] for row in stats_after.json()}
    before = {row["gso_code"]: row["area_ha"] for row in stats.json()}
    assert ha[900] < before[900]
    export_after = admin.get("/api/exports/economic_zones.geojson", headers={"If-None-Match": export.headers["etag"]})
    assert export_after.status_code == 200 and "(sửa)" in export_after.text
    sheet_after = admin.get("/print/district/900.pdf", params={"size": "A4", "lang": "en"})
    assert sheet_after.headers["x-sheet-cache"] == "miss" and sheet_after.headers["etag"] != sheet.headers["etag"]
    def printed(pdf) -> str:
        return " ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf.content)).pages)

    assert f"{before[900]:,.1f}" in printed(sheet)  # the sheet's layer table: hectares in the district
    assert f"{ha[900]:,.1f}" in printed(sheet_after) and f"{before[900]:,.1f}" not in printed(sheet_after)
