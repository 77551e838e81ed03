"""Exports downloaded from the real server and opened back with GDAL (pyogrio, ogrinfo) and openpyxl, compared
with the database on both backends."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import zipfile

import httpx
import pyogrio
import pytest
import shapely
from shapely import STRtree
from openpyxl import load_workbook
from sqlalchemy import bindparam, func, select, text
from sqlalchemy.orm import Session

from tests.reference import epsg_6960_transformer
from layers.exports import SHP_FIELDS
from layers.models import District, Task

COLLECTIONS = ["districts", "industrial_parks", "industrial_clusters", "industrial_cluster_footprints",
               "economic_zones", "growth_poles", "dynamic_regions", "raw_material_districts",
               "infrastructure_projects", "infrastructure_routes", "communes_2025", "district_commune_crosswalk"]


# What each collection holds, in the database's own terms: layer, which geometry column, which kinds.
HOLDS = {
    "industrial_parks": ("industrial_parks", "geom", ("polygon",)),
    "industrial_clusters": ("industrial_clusters", "anchor", ("point", "line", "polygon")),
    "industrial_cluster_footprints": ("industrial_clusters", "geom", ("polygon",)),
    "economic_zones": ("economic_zones", "geom", ("polygon",)),
    "growth_poles": ("growth_poles", "anchor", ("point", "line", "polygon")),
    "dynamic_regions": ("dynamic_regions", "geom", ("polygon",)),
    "infrastructure_projects": ("infrastructure_projects", "anchor", ("point", "line", "polygon")),
    "infrastructure_routes": ("infrastructure_projects", "geom", ("line",)),
}


@pytest.fixture(scope="module")
def source(engine) -> dict[str, dict[str, tuple[str, object]]]:
    """Each collection's (name, lon/lat geometry) by id, read from the tables with plain SQL."""
    out = {}
    with Session(engine) as s:
        for cid, (layer, column, kinds) in HOLDS.items():
            rows = s.execute(text(f"SELECT id, name, ST_AsBinary({column}) FROM features WHERE layer = :layer "
                                  "AND geom_kind IN :kinds").bindparams(bindparam("kinds", expanding=True)),
                             {"layer": layer, "kinds": list(kinds)})
            out[cid] = {fid: (name, shapely.from_wkb(bytes(wkb))) for fid, name, wkb in rows}
        for cid, where in (("districts", ""), ("raw_material_districts", " WHERE raw_material")):
            rows = s.execute(text(f"SELECT gso_code, name, ST_AsBinary(geom) FROM districts{where}"))
            out[cid] = {str(code): (name, shapely.from_wkb(bytes(wkb))) for code, name, wkb in rows}
        rows = s.execute(text("SELECT code, name, ST_AsBinary(geom) FROM communes_2025"))
        out["communes_2025"] = {code: (name, shapely.from_wkb(bytes(wkb))) for code, name, wkb in rows}
        rows = s.execute(text("SELECT x.id, d.name, ST_AsBinary(x.geom) FROM district_commune_crosswalk x "
                              "JOIN districts d ON d.gso_code = x.district_code"))
        out["district_commune_crosswalk"] = {i: (name, shapely.from_wkb(bytes(wkb))) for i, name, wkb in rows}
    assert all(out.values()), {k: len(v) for k, v in out.items()}
    return out


def download(base: str, path: str, tmp_path, **params):
    r = httpx.get(f"{base}{path}", params=params, timeout=60)
    assert r.status_code == 200, r.text
    name = r.headers["content-disposition"].split('filename="')[1].rstrip('"')
    target = tmp_path / name
    target.write_bytes(r.content)
    return target, r


def read_any(path):
    """The features of a downloaded file (a shapefile zip holds one shapefile: one geometry type)."""
    if path.name.endswith(".shp.zip"):
        folder = path.with_suffix("").with_suffix("")
        zipfile.ZipFile(path).extractall(folder)
        (shp,) = sorted(folder.glob("*.shp"))
        return pyogrio.read_dataframe(shp)
    options = {"GEOM_POSSIBLE_NAMES": "WKT", "KEEP_GEOM_COLUMNS": "NO"} if path.suffix == ".csv" else {}
    return pyogrio.read_dataframe(path, **options)


def test_every_collection_with_geometry_is_exported(client):
    published = [c["id"] for c in client.get("/ogc/collections").json()["collections"] if "geometryType" in c]
    assert published == COLLECTIONS
    assert set(client.get("/api/exports").json()["layers"]) == set(COLLECTIONS)


@pytest.mark.parametrize("fmt", ["gpkg", "geojson", "shp", "csv"])
@pytest.mark.parametrize("collection", COLLECTIONS)
def test_layer_export_opens_with_gdal_and_matches_the_source(live_server, client, source, tmp_path, collection,
                                                              fmt):
    path, r = download(live_server, f"/api/exports/{collection}.{fmt}", tmp_path)
    frame = read_any(path)
    want = source[collection]
    assert sorted(frame["id"].astype(str)) == sorted(want)  # same features, same ids
    label = "name" if "name" in frame else SHP_FIELDS["district_name"] if fmt == "shp" else "district_name"
    names = dict(zip(frame["id"].astype(str), frame[label], strict=True))
    assert names == {fid: name for fid, (name, _) in want.items()}  # Vietnamese intact (shapefile through .cpg)
    declared = client.get(f"/ogc/collections/{collection}").json()["geometryType"]
    for fid, geom in zip(frame["id"].astype(str), frame.geometry, strict=True):
        assert geom.geom_type == declared or fmt == "shp" and declared == "MultiPolygon", (fid, geom.geom_type)
        assert same_shape(geom, want[fid][1]), fid


def same_shape(got, want, tolerance: float = 1e-6) -> bool:
    """The same vertices, each within ``tolerance`` degrees of one of the other's, whatever order of parts, ring
    start and orientation the format chose (shapefiles turn outer rings clockwise), and whether it made a one-part
    MultiPolygon of a Polygon. Nearest vertices through an R-tree: a Hausdorff distance on 20,000-vertex coasts
    takes seconds per feature."""
    got, want = (g.geoms[0] if g.geom_type.startswith("Multi") and len(g.geoms) == 1 else g for g in (got, want))
    if got.geom_type != want.geom_type or shapely.get_num_coordinates(got) != shapely.get_num_coordinates(want):
        return False
    ours, theirs = (shapely.points(shapely.get_coordinates(g)) for g in (got, want))
    for points, tree in ((ours, STRtree(theirs)), (theirs, STRtree(ours))):
        _, distance = tree.query_nearest(points, return_distance=True, all_matches=False)
        if distance.max() > tolerance:
            return False
    return True


@pytest.mark.parametrize("collection", ["industrial_parks", "infrastructure_routes", "growth_poles"])
def test_kml_keeps_the_names(live_server, source, tmp_path, collection):
    path, _ = download(live_server, f"/api/exports/{collection}.kml", tmp_path)
    frame = read_any(path)
    assert sorted(frame["Name"]) == sorted(name for name, _ in source[collection].values())


def test_shapefile_zip_has_prj_and_utf8_cpg(live_server, tmp_path):
    path, r = download(live_server, "/api/exports/industrial_clusters.shp", tmp_path, crs=9207)
    assert r.headers["content-type"] == "application/zip"
    names = zipfile.ZipFile(path).namelist()
    stems = {n.rsplit(".", 1)[0] for n in names}
    assert stems == {"industrial_clusters"}  # one geometry type: one shapefile
    for stem in stems:
        for suffix in ("shp", "shx", "dbf", "prj", "cpg"):
            assert f"{stem}.{suffix}" in names
        assert zipfile.ZipFile(path).read(f"{stem}.cpg").decode().strip().upper() in ("UTF-8", "UTF8")
        assert "VN-2000_TM-3_104-30" in zipfile.ZipFile(path).read(f"{stem}.prj").decode()


@pytest.mark.parametrize("fmt", ["gpkg", "shp", "geojson"])
def test_coordinates_in_9207_follow_the_pinned_transformation(live_server, source, tmp_path, fmt):
    path, _ = download(live_server, f"/api/exports/industrial_parks.{fmt}", tmp_path, crs=9207)
    frame = read_any(path)
    if fmt != "geojson":
        assert frame.crs.to_epsg() == 9207
    official = epsg_6960_transformer(9207)
    assert len(frame) == len(source["industrial_parks"])
    for fid, geom in zip(frame["id"], frame.geometry, strict=True):
        expected = shapely.transform(source["industrial_parks"][fid][1], lambda xy: list(zip(
            *official.transform(xy[:, 0], xy[:, 1]), strict=True)))
        assert geom.hausdorff_distance(expected) <= 0.01, fid  # centimetres, in metres: EPSG:6960
        assert geom.area / 10_000 == pytest.approx(expected.area / 10_000, rel=1e-6)


def test_ogrinfo_reads_the_geopackage(live_server, source, tmp_path):
    assert shutil.which("ogrinfo"), "make test installs gdal-bin"
    path, _ = download(live_server, "/api/exports/industrial_parks.gpkg", tmp_path, crs=9207)
    out = subprocess.run(["ogrinfo", "-so", "-al", str(path)], capture_output=True, text=True, check=True).stdout
    assert f"Feature Count: {len(source['industrial_parks'])}" in out
    assert "Geometry: Multi Polygon" in out
    assert "TM-3 104" in out


def test_plan_bundle_has_every_layer_and_the_tasks(live_server, source, engine, tmp_path):
    path, r = download(live_server, "/api/exports/plan.gpkg", tmp_path)
    assert r.headers["content-type"] == "application/geopackage+sqlite3"
    layers = dict(pyogrio.list_layers(path))
    assert {"tasks", "targets", "agencies", *COLLECTIONS} == set(layers)
    assert layers["tasks"] is None and layers["districts"] is not None
    with Session(engine) as s:
        tasks = s.scalar(select(func.count()).select_from(Task))
        districts = s.scalar(select(func.count()).select_from(District))
    assert len(pyogrio.read_dataframe(path, layer="tasks", read_geometry=False)) == tasks
    assert len(pyogrio.read_dataframe(path, layer="districts")) == districts
    for collection in COLLECTIONS:
        assert sorted(pyogrio.read_dataframe(path, layer=collection)["id"].astype(str)) == sorted(source[collection])


def test_tasks_csv_and_xlsx(live_server, engine, tmp_path):
    with Session(engine) as s:
        texts = dict(s.execute(select(Task.id, Task.text)).all())
    csv_path, r = download(live_server, "/api/exports/tasks.csv", tmp_path)
    raw = csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert {row["id"]: row["text"] for row in rows} == texts
    assert {"section", "leads", "partners", "deadline", "status", "percent", "overdue"} <= set(rows[0])
    xlsx_path, r = download(live_server, "/api/exports/tasks.xlsx", tmp_path)
    ws = load_workbook(xlsx_path).active
    header = [c.value for c in ws[1]]
    values = [dict(zip(header, (c.value for c in row), strict=True)) for row in ws.iter_rows(min_row=2)]
    assert {v["id"]: v["text"] for v in values} == texts
    assert all(isinstance(v["overdue"], bool) for v in values)
    assert {v["status"] for v in values} <= {"not_reported", "not_started", "in_progress", "done", "cancelled"}


@pytest.mark.parametrize("path, status", [
    ("/api/exports/nowhere.gpkg", 404), ("/api/exports/industrial_parks.dxf", 400),
    ("/api/exports/industrial_parks.gpkg?crs=3857", 400), ("/api/exports/industrial_parks.kml?crs=9207", 400),
    ("/api/exports/industrial_parks.gpkg?crs=abc", 400), ("/api/exports/plan.gpkg?crs=32648", 400),
])
def test_bad_requests_say_why(client, path, status):
    r = client.get(path)
    assert r.status_code == status and r.json()["description"]


def test_export_etag_and_304(client):
    r = client.get("/api/exports/economic_zones.geojson", params={"crs": 9207})
    assert r.headers["content-type"] == "application/geo+json" and "max-age" in r.headers["cache-control"]
    again = client.get("/api/exports/economic_zones.geojson", params={"crs": 9207},
                       headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    other = client.get("/api/exports/economic_zones.geojson", headers={"If-None-Match": r.headers["etag"]})
    assert other.status_code == 200  # another CRS is another representation
