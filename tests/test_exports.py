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
from geoalchemy2.shape import to_shape
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from geo.area import hectares
from geo.transform import reproject
from layers.models import District, Feature, Task
from layers.plan import FEATURE_LAYERS


@pytest.fixture(scope="module")
def source(engine) -> dict[str, dict[str, Feature]]:
    """The database's features by layer and id."""
    with Session(engine) as s:
        rows = list(s.scalars(select(Feature)))
        s.expunge_all()
    out: dict[str, dict[str, Feature]] = {layer: {} for layer in FEATURE_LAYERS}
    for f in rows:
        out[f.layer][f.id] = f
    return out


def download(base: str, path: str, tmp_path, **params):
    r = httpx.get(f"{base}{path}", params=params, timeout=60)
    assert r.status_code == 200, r.text
    name = r.headers["content-disposition"].split('filename="')[1].rstrip('"')
    target = tmp_path / name
    target.write_bytes(r.content)
    return target, r


def read_any(path):
    """Every feature of a downloaded file as one GeoDataFrame (a shapefile zip may hold one per geometry type)."""
    import pandas as pd

    if path.name.endswith(".shp.zip"):
        folder = path.with_suffix("").with_suffix("")
        zipfile.ZipFile(path).extractall(folder)
        frames = [pyogrio.read_dataframe(p) for p in sorted(folder.glob("*.shp"))]
        return pd.concat(frames, ignore_index=True) if frames else frames
    options = {"GEOM_POSSIBLE_NAMES": "WKT", "KEEP_GEOM_COLUMNS": "NO"} if path.suffix == ".csv" else {}
    return pyogrio.read_dataframe(path, **options)


def same_shape(got, want, tolerance: float) -> bool:
    """Same geometry up to ``tolerance`` (Polygon and MultiPolygon of one part count as the same: GDAL promotes
    mixed layers to multi)."""
    family = {"Multi" + t: t for t in ("Point", "LineString", "Polygon")}
    kind = family.get(got.geom_type, got.geom_type)
    return kind == family.get(want.geom_type, want.geom_type) and got.hausdorff_distance(want) <= tolerance


@pytest.mark.parametrize("fmt", ["gpkg", "geojson", "shp", "csv", "kml"])
@pytest.mark.parametrize("layer", FEATURE_LAYERS)
def test_layer_export_opens_with_gdal_and_matches_the_source(live_server, source, tmp_path, layer, fmt):
    path, r = download(live_server, f"/api/exports/{layer}.{fmt}", tmp_path)
    frame = read_any(path)
    want = source[layer]
    if not want:
        return
    if fmt == "kml":  # KML keeps the name, not the id
        assert sorted(frame["Name"]) == sorted(f.name for f in want.values())
        return
    assert sorted(frame["id"]) == sorted(want)  # same features, same ids
    names = dict(zip(frame["id"], frame["name"], strict=True))
    assert names == {fid: f.name for fid, f in want.items()}  # Vietnamese intact (shapefile through .cpg)
    for fid, geom in zip(frame["id"], frame.geometry, strict=True):
        assert same_shape(geom, to_shape(want[fid].geom), 1e-6), fid


def test_shapefile_zip_has_prj_and_utf8_cpg(live_server, tmp_path):
    path, r = download(live_server, "/api/exports/industrial_clusters.shp", tmp_path, crs=9207)
    assert r.headers["content-type"] == "application/zip"
    names = zipfile.ZipFile(path).namelist()
    stems = {n.rsplit(".", 1)[0] for n in names}
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
    for fid, geom in zip(frame["id"], frame.geometry, strict=True):
        expected = reproject(to_shape(source["industrial_parks"][fid].geom), 4326, 9207)
        assert same_shape(geom, expected, 0.01), fid  # centimetres, in metres
        if geom.geom_type in ("Polygon", "MultiPolygon"):  # a footprint's area is the planned area
            assert geom.area / 10_000 == pytest.approx(hectares(to_shape(source["industrial_parks"][fid].geom)))


def test_ogrinfo_reads_the_geopackage(live_server, source, tmp_path):
    if not shutil.which("ogrinfo"):
        pytest.skip("ogrinfo (gdal-bin) not installed")
    path, _ = download(live_server, "/api/exports/industrial_parks.gpkg", tmp_path, crs=9207)
    out = subprocess.run(["ogrinfo", "-so", "-al", str(path)], capture_output=True, text=True, check=True).stdout
    assert f"Feature Count: {len(source['industrial_parks'])}" in out
    assert "TM-3 104" in out


def test_plan_bundle_has_every_layer_and_the_tasks(live_server, source, engine, tmp_path):
    path, r = download(live_server, "/api/exports/plan.gpkg", tmp_path)
    assert r.headers["content-type"] == "application/geopackage+sqlite3"
    layers = dict(pyogrio.list_layers(path))
    assert {"districts", "tasks", "targets", "agencies", *FEATURE_LAYERS} <= set(layers)
    assert layers["tasks"] is None and layers["districts"] is not None
    with Session(engine) as s:
        tasks = s.scalar(select(func.count()).select_from(Task))
        districts = s.scalar(select(func.count()).select_from(District))
    assert len(pyogrio.read_dataframe(path, layer="tasks", read_geometry=False)) == tasks
    assert len(pyogrio.read_dataframe(path, layer="districts")) == districts
    for layer in FEATURE_LAYERS:
        assert sorted(pyogrio.read_dataframe(path, layer=layer)["id"]) == sorted(source[layer])


def test_tasks_csv_and_xlsx(live_server, engine, tmp_path):
    with Session(engine) as s:
        texts = dict(s.execute(select(Task.id, Task.text)).all())
    csv_path, r = download(live_server, "/api/exports/tasks.csv", tmp_path)
    raw = csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert {row["id"]: row["text"] for row in rows} == texts
    assert {"section", "lead", "partners", "deadline", "status", "percent", "overdue"} <= set(rows[0])
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
