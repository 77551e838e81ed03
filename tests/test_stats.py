"""Area statistics (/api/stats and layers.stats) on both backends: sums, splits, raw material, occupancy, CSV,
ETags. Expected numbers are recomputed here from the stored geometries, not restated."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import httpx
import pytest
from geoalchemy2.shape import to_shape
from shapely.ops import unary_union
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from geo.area import hectares
from layers import stats
from layers.models import District, Feature, ProgressReport, Task, TaskDistrict
from layers.plan import FEATURE_LAYERS, read_plan


@pytest.fixture(scope="module")
def session(engine):
    with Session(engine) as s:
        yield s


@pytest.fixture(scope="module")
def geoms(session):
    """Stored geometries: districts by code and polygon features by id."""
    districts = {d.gso_code: to_shape(d.geom) for d in session.scalars(select(District))}
    polygons = {}
    for f in session.scalars(select(Feature)):
        g = to_shape(f.geom)
        if g.geom_type in ("Polygon", "MultiPolygon"):
            polygons[f.id] = (f.layer, g)
    return districts, polygons


def test_districts_sum_to_the_province(client, session):
    body = client.get("/api/stats/districts").json()
    rows = body["districts"]
    assert len(rows) == session.scalar(select(func.count()).select_from(District)) == 15
    assert body["totals"]["area_ha"] == pytest.approx(sum(r["area_ha"] for r in rows), abs=0.01 * len(rows))
    for layer in FEATURE_LAYERS:
        assert body["totals"]["hectares"][layer] == pytest.approx(sum(r["hectares"][layer] for r in rows), abs=0.01)
    # the districts' polygons cover the provincial outline up to the seams of the upstream data
    assert body["totals"]["area_ha"] == pytest.approx(body["province"]["outline_area_ha"], rel=0.01)


def test_layer_totals_equal_the_polygon_area_of_the_layer(client, geoms):
    """Summed over districts, each layer gives its polygons' area inside the province (within 0.5 %): nothing
    lost, nothing doubled; what lies outside every district (indicative footprints reaching into the sea) is
    reported, so that inside + outside = the mapped area."""
    districts, polygons = geoms
    land = unary_union(list(districts.values()))
    rows = client.get("/api/stats/layers").json()
    totals = {t["layer"]: t for t in client.get("/api/stats/districts").json()["layers"]}
    for layer in FEATURE_LAYERS:
        shapes = [g for lay, g in polygons.values() if lay == layer]
        mapped = sum(hectares(g) for g in shapes)
        inside = sum(hectares(g.intersection(land)) for g in shapes)
        split = sum(r["area_ha"] for r in rows if r["layer"] == layer)
        assert split == pytest.approx(inside, rel=0.005, abs=0.05), layer
        assert totals[layer]["mapped_area_ha"] == pytest.approx(mapped, abs=0.01)
        assert totals[layer]["in_districts_ha"] + totals[layer]["outside_districts_ha"] == pytest.approx(mapped,
                                                                                                      abs=0.02)


def test_straddling_polygons_are_split_by_intersection(session, geoms):
    districts, polygons = geoms
    pieces = stats.snapshot(session).pieces
    straddling = 0
    for fid, (_, g) in polygons.items():
        inside = {c: hectares(g.intersection(d)) for c, d in districts.items() if g.intersects(d)}
        inside = {c: ha for c, ha in inside.items() if ha >= stats.SLIVER_HA}
        got = {c: ha for (f, c), ha in pieces.items() if f == fid}
        assert got.keys() == inside.keys(), fid
        for code, ha in inside.items():
            assert got[code] == pytest.approx(ha, rel=1e-6), (fid, code)
        if sum(ha > 0.01 * hectares(g) for ha in inside.values()) >= 2:
            straddling += 1
            assert max(got.values()) < 0.99 * hectares(g)  # not assigned whole
    assert straddling >= 1, "the plan data has no polygon over two districts: the split is untested"


def test_a_zone_covering_a_whole_district_equals_that_district(client, session, geoms):
    districts, polygons = geoms
    rows = client.get("/api/stats/layers", params={"layer": "economic_zones"}).json()
    whole = [(fid, code) for fid, (lay, g) in polygons.items() if lay == "economic_zones"
             for code, d in districts.items() if g.symmetric_difference(d).area < 1e-9 * d.area]
    assert whole, "no economic zone covers exactly one whole district (Phú Quốc EZ = district 911?)"
    for _, code in whole:
        row = next(r for r in rows if r["gso_code"] == code)
        assert row["area_ha"] == pytest.approx(row["district_area_ha"], rel=1e-4)
        assert row["share_pct"] == pytest.approx(100, abs=0.01)


def test_points_and_lines_are_counted_not_given_hectares(client, session):
    """Growth poles are points only, infrastructure mixes points and routes: no hectares from either, and every
    point or route is counted in the districts the plan names for it."""
    rows = client.get("/api/stats/layers").json()
    assert all(r["area_ha"] == 0 for r in rows if r["layer"] == "growth_poles")
    for layer in ("growth_poles", "infrastructure_projects"):
        features = session.scalars(select(Feature).where(Feature.layer == layer)).all()
        named = sum(len(f.districts) for f in features if to_shape(f.geom).geom_type != "MultiPolygon")
        assert named > 0
        counted = sum(r["point_count"] + r["line_count"] for r in rows if r["layer"] == layer)
        assert counted == named, layer


def test_raw_material_totals_cover_the_named_districts(client, settings, session):
    named = {r.gso for _, r in read_plan(settings.data_dir).raw_material}
    body = client.get("/api/stats/raw-material").json()
    assert {r["gso_code"] for r in body["districts"]} == named
    assert body["totals"]["districts"] == len(named) == 10
    areas = dict(session.execute(select(District.gso_code, District.area_ha)).all())
    assert body["totals"]["area_ha"] == pytest.approx(sum(areas[c] for c in named), abs=0.01)
    assert body["totals"]["share_pct"] == pytest.approx(100 * sum(areas[c] for c in named) / sum(areas.values()),
                                                        abs=0.001)


def _plan_occupancy_targets() -> dict[str, tuple[int, float]]:
    """From the 2024 plan's words: "có ít nhất 02 khu công nghiệp có tỷ lệ lấp đầy đạt trên 85% và ít nhất 03
    cụm công nghiệp đạt trên 60%" -> layer: (at least how many, above what percent)."""
    from tests.reference import PLAN_2024

    words = " ".join(PLAN_2024.read_text(encoding="utf-8").split())
    parks = re.search(r"ít nhất (\d+) khu công nghiệp có tỷ lệ lấp đầy đạt trên (\d+)%", words)
    clusters = re.search(r"ít nhất (\d+) cụm công nghiệp đạt trên (\d+)%", words)
    return {"industrial_parks": (int(parks[1]), float(parks[2])),
            "industrial_clusters": (int(clusters[1]), float(clusters[2]))}


@pytest.mark.parametrize("layer", ["industrial_parks", "industrial_clusters"])
def test_occupancy_counts_against_the_2030_targets(client, settings, layer):
    required, threshold = _plan_occupancy_targets()[layer]
    figures = [f.occupancy_pct for lay, _, f in read_plan(settings.data_dir).all_features() if lay == layer]
    body = client.get("/api/stats/occupancy").json()
    group = next(g for g in body["groups"] if g["layer"] == layer)
    assert (group["required"], group["threshold_pct"]) == (required, threshold)
    assert group["features"] == len(figures) > 0
    above = sum(p is not None and p > threshold for p in figures)  # "trên 85%": strictly above
    assert group["above_threshold"] == above
    assert group["occupancy_unknown"] == sum(p is None for p in figures)
    for item in (i for i in body["features"] if i["layer"] == layer):
        if item["occupancy_pct"] is None:  # never invented
            assert item["occupancy_note"] == "occupancy unknown" and item["above_threshold"] is None
        else:
            assert item["above_threshold"] == (item["occupancy_pct"] > threshold)


def test_occupancy_state_says_whether_the_unknown_figures_could_still_decide(client):
    """met: enough above; not_met: not enough even if every unknown figure were above; unknown: in between."""
    for g in client.get("/api/stats/occupancy").json()["groups"]:
        above, unknown, required = g["above_threshold"], g["occupancy_unknown"], g["required"]
        possible = {"met": above >= required, "not_met": above + unknown < required,
                    "unknown": above < required <= above + unknown}
        assert [state for state, holds in possible.items() if holds] == [g["target_state"]], g


def test_district_summary(client, session):
    code = 907
    body = client.get(f"/api/stats/districts/{code}").json()
    assert body["gso_code"] == code and len(body["layers"]) == len(FEATURE_LAYERS)
    direct = session.scalar(select(func.count()).select_from(TaskDistrict).where(TaskDistrict.gso_code == code))
    assert body["tasks"]["tasks_direct"] == direct > 0  # every count of all 15 districts: test_numbers.py
    assert body["progress"]["tasks"] == body["tasks"]["tasks_linked"] > direct
    for item in body["parks_and_clusters"]:
        assert code in item["districts"] or item["area_in_district_ha"]
    missing = client.get("/api/stats/districts/950")  # three digits like a GSO code, but no such district
    assert missing.status_code == 404 and "950" in missing.json()["description"]
    assert client.get("/api/stats/districts/12345").status_code == 400  # not a district code at all
    assert client.get("/api/stats/districts/abc").status_code == 400


@pytest.mark.parametrize("path, key", [("/api/stats/layers", None), ("/api/stats/districts", "districts"),
                                       ("/api/stats/raw-material", "districts"), ("/api/stats/occupancy", "features")])
def test_csv_matches_json(client, path, key):
    data = client.get(path).json()
    rows = data[key] if key else data
    r = client.get(path, params={"f": "csv"})
    assert r.headers["content-type"].startswith("text/csv") and r.content.startswith(b"\xef\xbb\xbf")
    parsed = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert len(parsed) == len(rows)
    for got, want in zip(parsed, rows, strict=True):
        for k, v in want.items():
            if isinstance(v, float):
                assert float(got[k]) == pytest.approx(v)
            elif isinstance(v, str):
                assert got[k] == v  # Vietnamese names survive
            elif isinstance(v, dict):
                for layer, ha in v.items():
                    assert float(got[f"{layer}_ha"]) == pytest.approx(ha)
    assert client.get(path, params={"f": "xml"}).status_code == 400


def test_etag_and_304_over_http(live_server):
    url = f"{live_server}/api/stats/districts"
    first = httpx.get(url)
    etag = first.headers["etag"]
    assert etag.startswith('"') and not etag.startswith("W/") and "max-age" in first.headers["cache-control"]
    again = httpx.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    assert httpx.get(url, headers={"If-None-Match": f'"other", W/{etag}'}).status_code == 304
    assert httpx.get(url, params={"f": "csv"}, headers={"If-None-Match": etag}).status_code == 200
    assert httpx.get(url, params={"f": "csv"}).headers["etag"] != etag


def test_a_report_changes_the_validator_of_what_shows_progress(client, session):
    """The statistics' ETag follows the data version: a progress report (a write) changes it at once."""
    from layers import progress

    path = "/api/stats/districts/907"
    before = client.get(path).headers["etag"]
    assert client.get(path, headers={"If-None-Match": before}).status_code == 304
    task = session.scalars(select(Task)).first()
    session.add(ProgressReport(task_id=task.id, reported_on=dt.date.today(), status="in_progress", percent=10,
                               agency_id=task.lead_id, author="test", review="accepted",
                               created_at=dt.datetime.now(dt.UTC)))
    progress.after_write(session, [task.id])
    session.commit()
    after = client.get(path, headers={"If-None-Match": before})
    assert after.status_code == 200 and after.headers["etag"] != before


def test_openapi_documents_the_statistics(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in ("/api/stats/layers", "/api/stats/districts", "/api/stats/districts/{gso_code}",
                 "/api/stats/raw-material", "/api/stats/occupancy"):
        ok = paths[path]["get"]["responses"]["200"]["content"]
        assert "$ref" in str(ok["application/json"]["schema"]) and "text/csv" in ok


