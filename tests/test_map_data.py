"""The web map's JSON over HTTP, on both backends: the light layer bundle, the 2025 units, the task browser's data,
popups that say where a feature is before and after 1 July 2025, the statistics, and answers addressed by the data
version. Expected values come from data/plan, OGC API - Features (the published collections) and pyproj."""

from __future__ import annotations

import json

import pytest
import shapely
from pyproj import Geod
from shapely.geometry import shape

from layers.plan import read_plan
from tests.progress_helpers import SCT, logged_in

GEOD = Geod(ellps="WGS84")
MAP_LAYERS = {"industrial_parks": ("industrial_parks",),
              "industrial_clusters": ("industrial_cluster_footprints", "industrial_clusters"),
              "economic_zones": ("economic_zones",), "growth_poles": ("growth_poles",),
              "dynamic_regions": ("dynamic_regions",),
              "infrastructure_projects": ("infrastructure_routes", "infrastructure_projects")}


def _ogc(client, collection: str) -> dict:
    return client.get(f"/ogc/collections/{collection}/items", params={"limit": 1000, "f": "json"}).json()


def _coordinates(geometry) -> list[float]:
    flat, stack = [], [geometry["coordinates"]]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        else:
            flat.append(item)
    return flat


def test_layer_bundle_holds_every_feature_of_every_collection_lighter(client):
    bundle = client.get("/api/map/layers")
    data = bundle.json()
    total_ogc = 0
    for layer, collections in MAP_LAYERS.items():
        for cid in collections:
            ogc = _ogc(client, cid)
            total_ogc += len(json.dumps(ogc))
            drawn = {f["id"]: f for f in data[layer][cid]["features"]}
            assert set(drawn) == {f["id"] for f in ogc["features"]}, cid
            for f in ogc["features"]:  # the colours the map draws are those GIS clients read
                assert drawn[f["id"]]["properties"]["progress_state"] == f["properties"]["progress_state"]
    assert len(bundle.content) < total_ogc / 2
    for collections in data.values():
        for fc in collections.values():
            for f in fc["features"]:
                assert all(round(c, 5) == c for c in _coordinates(f["geometry"]))


def test_drawn_parks_keep_their_area(client):
    """Simplified for the browser, a park's footprint keeps its mapped area (EPSG:9207, from OGC) within 1 %."""
    drawn = {f["id"]: f for f in client.get("/api/map/layers").json()["industrial_parks"]["industrial_parks"]["features"]}
    for f in _ogc(client, "industrial_parks")["features"]:
        geodesic_ha = abs(GEOD.geometry_area_perimeter(shape(drawn[f["id"]]["geometry"]))[0]) / 10_000
        assert geodesic_ha == pytest.approx(f["properties"]["mapped_area_ha"], rel=0.01), f["id"]


def test_2025_units_are_drawn_simplified_with_their_area(client):
    units = {f["id"]: f for f in _ogc(client, "communes_2025")["features"]}
    drawn = client.get("/api/map/communes").json()["features"]
    assert {f["properties"]["code"] for f in drawn} == set(units)
    for f in drawn:
        geom = shape(f["geometry"])
        assert geom.is_valid
        full = shapely.get_num_coordinates(shape(units[f["properties"]["code"]]["geometry"]))
        assert shapely.get_num_coordinates(geom) < full
        ha = abs(GEOD.geometry_area_perimeter(geom)[0]) / 10_000
        assert ha == pytest.approx(units[f["properties"]["code"]]["properties"]["area_ha"], rel=0.03)


def test_versioned_answers_are_kept_until_the_data_changes(client):
    page = client.get("/").text
    url = next(part.split('"')[0] for part in page.split('href="') if part.startswith("/api/map/layers?v="))
    current = client.get(url.replace("&amp;", "&"))
    assert "immutable" in current.headers["cache-control"]
    stale = client.get("/api/map/layers", params={"v": "0@2000-01-01"})
    assert stale.headers["cache-control"] == "no-cache"
    again = client.get("/api/map/layers", headers={"If-None-Match": stale.headers["etag"]})
    assert again.status_code == 304
    assert client.get("/api/map/layers", params={"x": "1"}).status_code == 400  # one rule for parameters


def test_task_browser_has_every_task_with_its_state(client):
    tasks = {t["id"]: t for t in client.get("/api/map/tasks").json()["tasks"]}
    ogc = client.get("/ogc/collections/tasks/items", params={"limit": 1000, "f": "json"}).json()["features"]
    assert set(tasks) == {f["id"] for f in ogc}
    for f in ogc:
        p, t = f["properties"], tasks[f["id"]]
        assert (t["status"], t["percent"], t["overdue"], t["deadline"]) == (
            p["status"], p["percent"], p["overdue"], p["deadline"])
        assert t["leads"] == p["lead_ids"].split(",")


def test_task_browser_links_a_district_directly_or_through_a_feature(client, settings):
    """Gò Quao's tasks: those whose item names it and those linked to a feature the plan places there."""
    plan = read_plan(settings.data_dir)
    in_go_quao = {f.id for _, _, f in plan.all_features() if 907 in f.districts}
    expected = {t.id for _, t in plan.tasks if 907 in t.districts or in_go_quao & set(t.features)}
    tasks = client.get("/api/map/tasks").json()["tasks"]
    assert {t["id"] for t in tasks if 907 in t["districts"]} == expected
    panel = client.get("/api/map/districts/907").json()
    assert panel["counts"]["tasks_linked"] == len(expected)


def test_a_task_on_go_quao_falls_on_its_four_2025_units(client, settings):
    """Issue 13: a task on "Gò Quao" -> Định Hòa, Vĩnh Tuy, Vĩnh Hòa Hưng, Gò Quao."""
    data = client.get("/api/map/tasks").json()
    named = [t for t in data["tasks"] if 907 in t["districts_named"]]
    assert named
    for task in named:
        names = {data["communes"][c]["name"] for c in task["communes"]}
        assert {"Định Hòa", "Vĩnh Tuy", "Vĩnh Hòa Hưng", "Gò Quao"} <= names, task["id"]


def test_popup_says_where_cai_tu_was_and_is(client):
    """Cái Tư is placed at its district (location unknown): candidates, never one invented commune."""
    detail = client.get("/api/map/features/ccn-cai-tu").json()
    assert [d["short_name"] for d in detail["districts"]] == ["Gò Quao"]
    units = detail["communes_2025"]
    assert units["basis"] == "district" and units["candidates"] is True
    assert {c["name"] for c in units["communes"]} == {"Định Hòa", "Vĩnh Tuy", "Vĩnh Hòa Hưng", "Gò Quao"}
    assert detail["source"][0]["document"] in ("000", "001", "facts")


def test_commune_panel_lists_its_tasks(client):
    tasks = client.get("/api/map/tasks").json()["tasks"]
    code = next(t["communes"][0] for t in tasks if t["communes"])
    panel = client.get(f"/api/map/communes/{code}").json()
    assert {t["id"] for t in panel["tasks"]} == {t["id"] for t in tasks if code in t["communes"]}
    assert client.get("/api/map/communes/nope").status_code == 404


def test_stats_say_planned_and_mapped_park_hectares_apart(client, settings):
    stats = client.get("/api/map/stats").json()
    plan = read_plan(settings.data_dir)
    planned = sum(f.planned_area_ha or 0 for layer, _, f in plan.all_features() if layer == "industrial_parks")
    mapped = sum(f["properties"]["mapped_area_ha"] for f in _ogc(client, "industrial_parks")["features"])
    assert stats["hectares_by_layer"]["industrial_parks"] == pytest.approx(planned, abs=0.1)
    assert stats["mapped_hectares_by_layer"]["industrial_parks"] == pytest.approx(mapped, abs=0.1)


def test_latest_accepted_report_shows_its_note_and_date(app, engine, client):
    c, csrf = logged_in(app, engine, "map-data-sct", "agency_reporter", SCT)
    task = next(t for t in client.get("/api/map/tasks").json()["tasks"] if SCT in t["leads"])
    r = c.post(f"/api/tasks/{task['id']}/reports", headers={"X-CSRF-Token": csrf},
               json={"status": "in_progress", "percent": 35, "reported_on": "2026-01-15", "text": "Đã khảo sát"})
    assert r.status_code == 201, r.text
    again = next(t for t in client.get("/api/map/tasks").json()["tasks"] if t["id"] == task["id"])
    assert again["report"]["note"] == "Đã khảo sát" and again["report"]["reported_on"] == "2026-01-15"


def test_review_on_submit_pending_waits_for_a_coordinator(settings, engine):
    """The province's setting: with "pending", a new report does not move the task until it is accepted."""
    from fastapi.testclient import TestClient

    from api.app import create_app

    pending = create_app(settings.model_copy(update={"review_on_submit": "pending"}))
    c, csrf = logged_in(pending, engine, "map-data-pending", "agency_reporter", SCT)
    with TestClient(pending) as plain:
        task = next(t for t in plain.get("/api/map/tasks").json()["tasks"] if SCT in t["leads"] and t["percent"] is None)
        r = c.post(f"/api/tasks/{task['id']}/reports", headers={"X-CSRF-Token": csrf},
                   json={"status": "in_progress", "percent": 20})
        assert r.status_code == 201 and r.json()["review"] == "pending"
        assert plain.get(f"/api/tasks/{task['id']}").json()["state"]["percent"] is None
        boss, boss_csrf = logged_in(pending, engine, "map-data-boss", "coordinator")
        assert boss.post(f"/api/reports/{r.json()['id']}/accept", headers={"X-CSRF-Token": boss_csrf},
                         json={}).status_code == 200
        assert plain.get(f"/api/tasks/{task['id']}").json()["state"]["percent"] == 20
