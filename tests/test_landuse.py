"""Land-use layers on both backends: the national codes file, the code field recognised, unknown codes kept and
reported, and the statistics (hectares per code per former district; per park, cluster and economic zone)
equal to a shapely + pyproj computation made here."""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
import uuid
from collections import defaultdict

import geopandas as gpd
import mapbox_vector_tile
import morecantile
import pyogrio
import pytest
import shapely
import shapely.geometry
import yaml
from pyproj import Transformer
from shapely.geometry import box
from sqlalchemy import text

from layers.imports.importer import ImportFailure, ImportOptions, import_file
from layers.imports.stats import landuse_by_district, landuse_overlay
from layers.settings import REPO_ROOT
from tests.conftest import own_database_fixtures
from tests.reference import epsg_6960_transformer

REQUIRED = ("LUA LUC LUK LUN HNK CLN RSX RPH RDD NTS LMU NKH ONT ODT SKK SKN SKC TMD DGT DTL SON MNC NTD BCS "
            "DCS NCS").split()
CELL = 0.004  # degrees, about 440 m
# A code column as cadastral files have it: mostly known codes, spacing and case not clean, one unknown code.
CODES = ["LUA", "CLN", " luc", "ONT", "NTS", "LUA", "SKK", "DGT", "XYZ", "LUK", "RSX", "ODT"]
TO_TM3 = Transformer.from_crs("EPSG:4326", "EPSG:9207", always_xy=True)  # PROJ's own choice: areas only

# a database of this module's own: the layers it imports become collections no other module expects
own, engine, app = own_database_fixtures()


def test_codes_file_lists_the_national_codes():
    data = yaml.safe_load((REPO_ROOT / "data" / "landuse_codes.yaml").read_text(encoding="utf-8"))
    codes = data["codes"]
    assert set(REQUIRED) <= set(codes)
    for code, row in codes.items():
        assert re.fullmatch(r"[A-Z]{3}", code) and row["group"] in data["groups"], code
        assert row["vi"] and row["en"] and row["status"] in ("current", "legacy", "aggregate"), code
        assert row.get("parent") is None or row["parent"] in codes, code
        assert row["colour"] is None or re.fullmatch(r"#[0-9a-f]{6}", row["colour"]), code
        assert "colour_verified" in row, f"{code}: say whether its colour is checked against the circular"
    assert codes["LUC"]["parent"] == "LUA" and codes["LUA"]["group"] == "NNP" and codes["ODT"]["group"] == "PNN"
    assert codes["BCS"]["group"] == "CSD"


def _districts_and_zones(engine) -> tuple[dict, dict]:
    wkb = "ST_AsBinary(geom)" if engine.dialect.name == "postgresql" else "AsBinary(geom)"
    with engine.connect() as conn:
        districts = {r[0]: shapely.from_wkb(bytes(r[1]))
                     for r in conn.execute(text(f"SELECT gso_code, {wkb} FROM districts"))}
        zones = {r[0]: shapely.from_wkb(bytes(r[1])) for r in conn.execute(text(
            f"SELECT id, {wkb} FROM features WHERE layer IN ('industrial_parks', 'industrial_clusters', "
            "'economic_zones')"))}
    return districts, {k: g for k, g in zones.items() if g.geom_type in ("Polygon", "MultiPolygon")}


def _grid(x0: float, y0: float, nx: int, ny: int) -> list:
    return [box(x0 + i * CELL, y0 + j * CELL, x0 + (i + 1) * CELL, y0 + (j + 1) * CELL)
            for i in range(nx) for j in range(ny)]


def _parcels(districts: dict, zones: dict) -> gpd.GeoDataFrame:
    """Cells over the border of two neighbouring districts and over an industrial park."""
    a, b = districts[899], districts[905]  # Rạch Giá and Châu Thành share a border
    border = shapely.intersection(a.boundary, b.boundary)
    assert border.length > 0.01
    bx, by = border.interpolate(0.5, normalized=True).coords[0]
    park = zones["kcn-thanh-loc"]
    px0, py0, px1, py1 = park.bounds
    cells = _grid(bx - 3 * CELL, by - 3 * CELL, 6, 6)
    cells += _grid(px0 - CELL, py0 - CELL, math.ceil((px1 - px0) / CELL) + 2, math.ceil((py1 - py0) / CELL) + 2)
    codes = [CODES[i % len(CODES)] for i in range(len(cells))]
    return gpd.GeoDataFrame({"ma_dat": codes, "so_thua": range(1, len(cells) + 1)}, geometry=cells, crs=4326)


def _tm3_ha(geom) -> float:
    return shapely.transform(geom, lambda x, y: TO_TM3.transform(x, y), interleaved=False).area / 10_000


def _expected(parcels: gpd.GeoDataFrame, zones: dict) -> dict:
    sums: dict = defaultdict(float)
    for code, cell in zip(parcels["ma_dat"], parcels.geometry):
        for key, zone in zones.items():
            if cell.intersects(zone):
                sums[(key, code.strip().upper())] += _tm3_ha(cell.intersection(zone))
    return {k: v for k, v in sums.items() if v > 1e-9}


@pytest.fixture(scope="module")
def landuse_layer(engine, tmp_path_factory):
    districts, zones = _districts_and_zones(engine)
    parcels = _parcels(districts, zones)
    path = tmp_path_factory.mktemp("landuse") / "hien_trang.gpkg"
    pyogrio.write_dataframe(parcels, path, driver="GPKG")
    layer = f"landuse_{uuid.uuid4().hex[:8]}"
    result = import_file(engine, path, ImportOptions(layer=layer))  # the code field recognised, not named
    return layer, result, parcels, districts, zones


def test_code_field_is_recognised_and_unknown_codes_kept(engine, landuse_layer):
    layer, result, parcels, *_ = landuse_layer
    assert result.landuse_field == "ma_dat"
    n_unknown = sum(code == "XYZ" for code in parcels["ma_dat"])
    first = list(parcels["ma_dat"]).index("XYZ") + 1
    assert result.unknown_codes == [f"'XYZ' ({n_unknown} rows, first row {first})"]
    with engine.connect() as conn:
        kept = conn.execute(text(f"SELECT count(*) FROM \"{layer}\" WHERE ma_dat = 'XYZ'")).scalar()
    assert kept == n_unknown  # reported, not dropped


def test_a_named_field_must_exist(engine, tmp_path):
    gdf = gpd.GeoDataFrame({"loai": ["LUA"]}, geometry=[box(105.0, 10.0, 105.01, 10.01)], crs=4326)
    path = tmp_path / "one.geojson"
    pyogrio.write_dataframe(gdf, path, driver="GeoJSON")
    with pytest.raises(ImportFailure, match="no such field; fields: loai"):
        import_file(engine, path, ImportOptions(layer=f"named_{uuid.uuid4().hex[:8]}", landuse_field="mdsd"))
    result = import_file(engine, path, ImportOptions(layer=f"named_{uuid.uuid4().hex[:8]}", landuse_field="loai"))
    assert result.landuse_field == "loai" and result.unknown_codes == []


def _close(actual: dict, expected: dict) -> None:
    assert set(actual) == set(expected)
    for key, ha in expected.items():
        assert math.isclose(actual[key], ha, rel_tol=1e-6, abs_tol=1e-6), (key, actual[key], ha)


def test_hectares_per_code_per_district(engine, landuse_layer):
    layer, _, parcels, districts, _ = landuse_layer
    rows = landuse_by_district(engine, layer, version=uuid.uuid4().hex)
    actual = {(r["gso_code"], r["code"]): r["hectares"] for r in rows if r["hectares"] > 1e-9}
    expected = _expected(parcels, districts)
    assert {gso for gso, _ in expected} >= {899, 905}  # the cells straddle the border: split between both
    assert ("XYZ" in {code for _, code in expected}) and ("LUC" in {code for _, code in expected})
    _close(actual, expected)


def test_overlay_hectares_per_code_in_each_park_cluster_and_zone(engine, landuse_layer):
    layer, _, parcels, _, zones = landuse_layer
    rows = landuse_overlay(engine, layer, version=uuid.uuid4().hex)
    actual = {(r["feature_id"], r["code"]): r["hectares"] for r in rows if r["hectares"] > 1e-9}
    expected = _expected(parcels, zones)
    park_total = sum(ha for (zone, _), ha in expected.items() if zone == "kcn-thanh-loc")
    assert math.isclose(park_total, _tm3_ha(zones["kcn-thanh-loc"]), rel_tol=1e-6)  # the grid covers the park
    assert {r["layer"] for r in rows if r["feature_id"] == "kcn-thanh-loc"} == {"industrial_parks"}
    _close(actual, expected)


def test_statistics_are_cached_by_version(engine, landuse_layer, tmp_path):
    _, _, parcels, _, _ = landuse_layer
    path = tmp_path / "cached.gpkg"
    pyogrio.write_dataframe(parcels, path, driver="GPKG")
    layer = f"cached_{uuid.uuid4().hex[:8]}"
    import_file(engine, path, ImportOptions(layer=layer))
    version = uuid.uuid4().hex
    first = landuse_overlay(engine, layer, version)
    with engine.begin() as conn:
        conn.execute(text(f"UPDATE \"{layer}\" SET ma_dat = 'LUA' WHERE ma_dat = 'CLN'"))
    assert landuse_overlay(engine, layer, version) is first  # same version: no recomputation
    fresh = landuse_overlay(engine, layer, uuid.uuid4().hex)
    assert "CLN" in {r["code"] for r in first} and "CLN" not in {r["code"] for r in fresh}


def _overlay_codes_in_another_process(url: str, layer: str, version: str, cache_dir) -> set[str]:
    """What a second worker process answers (its own memory empty)."""
    code = ("import json, sys; from layers.db import make_engine; from layers.imports.stats import landuse_overlay; "
            "from pathlib import Path; u, l, v, c = sys.argv[1:]; "
            "print(json.dumps(sorted({r['code'] for r in landuse_overlay(make_engine(u), l, v, Path(c))})))")
    done = subprocess.run([sys.executable, "-c", code, url, layer, version, str(cache_dir)], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return set(json.loads(done.stdout))


def test_workers_share_the_statistics_of_a_version(engine, landuse_layer, tmp_path):
    """Computed once per data version for all the server's processes (a million parcels take seconds), and
    computed again for a new version."""
    _, _, parcels, _, _ = landuse_layer
    path = tmp_path / "shared.gpkg"
    pyogrio.write_dataframe(parcels, path, driver="GPKG")
    layer = f"shared_{uuid.uuid4().hex[:8]}"
    import_file(engine, path, ImportOptions(layer=layer))
    version, cache = uuid.uuid4().hex, tmp_path / "cache"
    first = {r["code"] for r in landuse_overlay(engine, layer, version, cache)}
    assert "CLN" in first
    with engine.begin() as conn:
        conn.execute(text(f"UPDATE \"{layer}\" SET ma_dat = 'LUA' WHERE ma_dat = 'CLN'"))
    url = engine.url.render_as_string(hide_password=False)
    assert _overlay_codes_in_another_process(url, layer, version, cache) == first  # read, not recomputed
    assert "CLN" not in _overlay_codes_in_another_process(url, layer, uuid.uuid4().hex, cache)


@pytest.fixture(scope="module")
def client(app):
    from fastapi.testclient import TestClient

    with TestClient(app, base_url="http://testserver") as c:
        yield c


def test_an_imported_layer_is_a_collection_like_the_plans(client, landuse_layer):
    """Items with filters and CRS, vector tiles, exports: the layer is served as every collection is."""
    layer, _, parcels, *_ = landuse_layer
    listed = {c["id"]: c for c in client.get("/ogc/collections").json()["collections"]}
    assert listed[layer]["geometryType"] == "MultiPolygon"
    queryables = client.get(f"/ogc/collections/{layer}/queryables").json()["properties"]
    assert {"ma_dat", "so_thua"} <= set(queryables)
    items = client.get(f"/ogc/collections/{layer}/items", params={"limit": 1000}).json()
    assert items["numberMatched"] == len(parcels) == len(items["features"])
    lua = client.get(f"/ogc/collections/{layer}/items", params={"filter": "ma_dat = 'LUA'", "limit": 1000}).json()
    assert lua["numberMatched"] == sum(c == "LUA" for c in parcels["ma_dat"]) > 0
    official = epsg_6960_transformer(9207)
    one = client.get(f"/ogc/collections/{layer}/items/1",
                     params={"crs": "http://www.opengis.net/def/crs/EPSG/0/9207"}).json()
    x, y = shapely.geometry.shape(one["geometry"]).geoms[0].exterior.coords[0]
    lon, lat = parcels.geometry.iloc[0].exterior.coords[0]
    assert (x, y) == pytest.approx(official.transform(lon, lat), abs=0.01)
    cell = parcels.geometry.iloc[0].centroid
    tile = morecantile.tms.get("WebMercatorQuad").tile(cell.x, cell.y, 14)
    mvt = client.get(f"/ogc/collections/{layer}/tiles/WebMercatorQuad/14/{tile.y}/{tile.x}")
    decoded = mapbox_vector_tile.decode(mvt.content)
    assert mvt.status_code == 200 and decoded[layer]["features"]
    assert {f["properties"].get("ma_dat") for f in decoded[layer]["features"]} <= set(parcels["ma_dat"])
    export = client.get(f"/api/exports/{layer}.gpkg", params={"crs": 9207})
    assert export.status_code == 200 and export.content[:16] == b"SQLite format 3\x00"


def test_land_use_statistics_over_http(client, landuse_layer):
    """The same numbers as the land-use functions, by district and inside each park, named by the codes file;
    and the layer beside the plan layers in /api/stats/layers."""
    layer, _, parcels, districts, zones = landuse_layer
    by_district = client.get(f"/api/stats/landuse/{layer}").json()
    expected = _expected(parcels, districts)
    got = {(r["gso_code"], r["code"]): r["hectares"] for r in by_district if r["hectares"] > 1e-9}
    assert set(got) == set(expected)
    assert all(math.isclose(got[k], v, rel_tol=1e-4, abs_tol=1e-4) for k, v in expected.items())
    assert {r["name_vi"] for r in by_district if r["code"] == "LUA"} == {"Đất trồng lúa"}
    overlay = client.get(f"/api/stats/landuse/{layer}/overlay", params={"feature": "kcn-thanh-loc"}).json()
    paddy = sum(r["hectares"] for r in overlay if r["code"] in ("LUA", "LUC", "LUK"))
    want = sum(ha for (zone, code), ha in _expected(parcels, zones).items()
               if zone == "kcn-thanh-loc" and code in ("LUA", "LUC", "LUK"))
    assert paddy == pytest.approx(want, rel=1e-4) and paddy > 0
    rows = client.get("/api/stats/layers", params={"layer": layer}).json()
    assert len(rows) == 15
    per_district = defaultdict(float)
    for (gso, _), ha in expected.items():
        per_district[gso] += ha
    assert {r["gso_code"]: r["area_ha"] for r in rows if r["area_ha"]} == pytest.approx(dict(per_district), rel=1e-4)
    assert client.get("/api/stats/landuse/not_a_layer").status_code == 404
