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
    swapped = {"type": "Point", "coordinates": [10.0, 105.0]}
    r = admin.post("/ogc/collections/industrial_parks/items",
                   json={"type": "Feature", "geometry": swapped, "properties": PROPS})
    assert r.status_code == 422 and "outside Viet Nam" in r.json()["description"]
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
