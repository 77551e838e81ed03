"""``planmap import`` and ``POST /api/imports`` on both backends, with files the tests write through GDAL:
every format, legacy Vietnamese text, VN-2000 input, repair and rejection, one transaction, spatial index."""

from __future__ import annotations

import math
import unicodedata
import uuid
import zipfile
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import shapely
from fastapi.testclient import TestClient
from pyproj import Transformer
from shapely.geometry import MultiPolygon, Point, Polygon, box
from sqlalchemy import text
from typer.testing import CliRunner

from layers.imports.importer import ImportFailure, ImportOptions, import_file
from layers.imports import reader
from tests.conftest import own_database_fixtures
from tests.progress_helpers import logged_in

NAMES = ["Đất trồng lúa nước", "Thành phố Rạch Giá", "Khu công nghiệp Thạnh Lộc"]
# Near Rạch Giá, lon/lat
SQUARES = [box(105.08 + i * 0.01, 10.01, 105.085 + i * 0.01, 10.015) for i in range(3)]

# a database of this module's own: the layers it imports become collections no other module expects
own, engine, app = own_database_fixtures()


def layer_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:8]}"


def frame(geoms=SQUARES, crs: int = 4326, **extra) -> gpd.GeoDataFrame:
    n = len(geoms)
    data = {"ten": NAMES[:n], "so_thua": list(range(101, 101 + n)), "dien_tich": [1250.5 + i for i in range(n)],
            "mdsd": ["LUC", "CLN", "SKK"][:n]} | extra
    return gpd.GeoDataFrame(data, geometry=list(geoms), crs=crs)


def stored(engine, table: str) -> list[dict]:
    """The rows of an imported table, geometry as shapely, by fid."""
    wkb = "ST_AsBinary(geom)" if engine.dialect.name == "postgresql" else "AsBinary(geom)"
    with engine.connect() as conn:
        rows = conn.execute(text(f'SELECT *, {wkb} AS wkb FROM "{table}" ORDER BY fid')).mappings().all()
    return [dict(r) | {"shape": shapely.from_wkb(bytes(r["wkb"]))} for r in rows]


def registry(engine, table: str) -> dict | None:
    with engine.connect() as conn:
        row = conn.execute(text("SELECT * FROM imported_layers WHERE id = :id"), {"id": table}).mappings().first()
    return dict(row) if row else None


def table_exists(engine, table: str) -> bool:
    sql = ("SELECT count(*) FROM pg_tables WHERE tablename = :t" if engine.dialect.name == "postgresql"
           else "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = :t")
    with engine.connect() as conn:
        return conn.execute(text(sql), {"t": table}).scalar() == 1


def field_types(engine, table: str) -> dict[str, str]:
    import json

    fields = registry(engine, table)["fields"]
    fields = json.loads(fields) if isinstance(fields, str) else fields
    return {f["column"]: f["type"] for f in fields}


def write(gdf: gpd.GeoDataFrame, path: Path, driver: str, **kwargs) -> Path:
    pyogrio.write_dataframe(gdf, path, driver=driver, **kwargs)
    return path


def shapefile_zip(gdf: gpd.GeoDataFrame, folder: Path, name: str, **kwargs) -> Path:
    write(gdf, folder / f"{name}.shp", "ESRI Shapefile", **kwargs)
    archive = folder / f"{name}.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for part in folder.glob(f"{name}.*"):
            if part.suffix != ".zip":
                z.write(part, part.name)
    return archive


def csv_with_wkt(gdf: gpd.GeoDataFrame, path: Path) -> Path:
    table = gdf.drop(columns="geometry").assign(wkt=[g.wkt for g in gdf.geometry])
    table.to_csv(path, index=False)
    return path


FORMATS = {
    "gpkg": lambda gdf, d: write(gdf, d / "layer.gpkg", "GPKG"),
    "shapefile-zip": lambda gdf, d: shapefile_zip(gdf, d, "layer"),
    "geojson": lambda gdf, d: write(gdf, d / "layer.geojson", "GeoJSON"),
    "flatgeobuf": lambda gdf, d: write(gdf, d / "layer.fgb", "FlatGeobuf"),
    "kml": lambda gdf, d: write(gdf.rename(columns={"ten": "Name"}), d / "layer.kml", "KML"),
    "csv-wkt": lambda gdf, d: csv_with_wkt(gdf, d / "layer.csv"),
}


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_format_imports_rows_types_and_coordinates(fmt, engine, tmp_path):
    path = FORMATS[fmt](frame(), tmp_path)
    layer = layer_id(fmt.replace("-", "_"))
    crs = "EPSG:4326" if fmt == "csv-wkt" else None  # a CSV does not say its CRS
    result = import_file(engine, path, ImportOptions(layer=layer, crs=crs))
    assert result.rows == 3 and result.geometry_type == "MultiPolygon"
    name_column = "name" if fmt == "kml" else "ten"
    rows = sorted(stored(engine, layer), key=lambda r: NAMES.index(r[name_column]))  # FlatGeobuf reorders
    assert sorted(r["fid"] for r in rows) == [1, 2, 3]
    assert [r[name_column] for r in rows] == NAMES
    for row, square in zip(rows, SQUARES):
        assert row["shape"].geom_type == "MultiPolygon"
        assert row["shape"].symmetric_difference(square).area < 1e-12  # same coordinates
    types = field_types(engine, layer)
    if fmt != "kml":  # KML has text fields only
        assert types["so_thua"] in ("integer", "bigint") and types["dien_tich"] == "double"
        assert [r["so_thua"] for r in rows] == [101, 102, 103]
        assert [r["dien_tich"] for r in rows] == [1250.5, 1251.5, 1252.5]
    assert types[name_column] == "text"
    assert registry(engine, layer)["row_count"] == 3


def test_shapefile_folder_honours_prj_and_cpg(engine, tmp_path):
    folder = tmp_path / "thua_dat"
    folder.mkdir()
    write(frame(), folder / "thua_dat.shp", "ESRI Shapefile", encoding="UTF-8")
    assert (folder / "thua_dat.cpg").read_text().strip().upper() in ("UTF-8", "UTF8")
    layer = layer_id("folder")
    result = import_file(engine, folder, ImportOptions(layer=layer))
    assert result.rows == 3 and result.source_crs == "EPSG:4326"
    assert [r["ten"] for r in stored(engine, layer)] == NAMES


# Legacy bytes written by hand, letter by letter (TCVN3: Đ=A7 ấ=CA ồ=E5 ú=F3 ư=AD ớ=ED à=B5 ố=E8 ạ=B9 á=B8;
# VNI: Đ=D1, then base letter + mark: a+E1=ấ o+E0=ồ u+F9=ú, ư=F6, ơ=F4 + F9=ớ, a+F8=à o+E1=ố a+EF=ạ a+F9=á).
LEGACY = {
    "tcvn3": [b"\xa7\xcat tr\xe5ng l\xf3a n\xad\xedc", b"Th\xb5nh ph\xe8 R\xb9ch Gi\xb8"],
    "vni": [b"\xd1a\xe1t tro\xe0ng lu\xf9a n\xf6\xf4\xf9c", b"Tha\xf8nh pho\xe1 Ra\xefch Gia\xf9"],
    # Windows-1258: Đ=D0, â=E2 + combining acute EC, ô=F4 + combining grave CC, u + acute EC, ư=FD, ơ=F5 + EC
    "cp1258": [b"\xd0\xe2\xect tr\xf4\xccng lu\xeca n\xfd\xf5\xecc", b"Tha\xccnh ph\xf4\xec Ra\xf2ch Gia\xec"],
}


def legacy_shapefile(folder: Path, encoded: list[bytes]) -> Path:
    """A shapefile whose DBF holds exactly ``encoded`` (no .cpg, as legacy cadastral files come)."""
    gdf = frame(SQUARES[:2], ten=[b.decode("latin-1") for b in encoded])
    shp = write(gdf, folder / "legacy.shp", "ESRI Shapefile", encoding="ISO-8859-1")
    (folder / "legacy.cpg").unlink(missing_ok=True)
    return shp


@pytest.mark.parametrize("encoding", LEGACY)
@pytest.mark.parametrize("named", [False, True], ids=["recognised", "named"])
def test_legacy_vietnamese_text_becomes_unicode_nfc(encoding, named, engine, tmp_path):
    shp = legacy_shapefile(tmp_path, LEGACY[encoding])
    assert LEGACY[encoding][0] in (tmp_path / "legacy.dbf").read_bytes()  # the DBF holds the legacy bytes
    layer = layer_id(encoding)
    result = import_file(engine, shp, ImportOptions(layer=layer, encoding=encoding if named else None))
    assert result.text_encoding == encoding
    names = [r["ten"] for r in stored(engine, layer)]
    assert names == ["Đất trồng lúa nước", "Thành phố Rạch Giá"]
    assert all(unicodedata.is_normalized("NFC", n) for n in names)


def _official_vn2000_to_wgs84(x: float, y: float) -> tuple[float, float]:
    """EPSG:9207 -> WGS 84 built here from PROJ's own EPSG:6960 operation (not through geo.crs)."""
    lon, lat = Transformer.from_crs("EPSG:9207", "EPSG:4756", always_xy=True).transform(x, y)
    helmert = Transformer.from_pipeline("urn:ogc:def:coordinateOperation:EPSG::6960")
    lat84, lon84 = helmert.transform(lat, lon)  # EPSG axis order: latitude first
    return lon84, lat84


def test_vn2000_input_is_transformed_with_the_official_operation(engine, tmp_path):
    corners = [(563000.0, 1107000.0), (563250.0, 1107000.0), (563250.0, 1107180.0), (563000.0, 1107180.0)]
    gdf = frame([Polygon(corners)], crs=9207)
    layer = layer_id("vn2000")
    result = import_file(engine, write(gdf, tmp_path / "vn2000.gpkg", "GPKG"), ImportOptions(layer=layer))
    assert result.source_crs == "EPSG:9207"
    ring = list(stored(engine, layer)[0]["shape"].geoms[0].exterior.coords)
    for (x, y), (lon, lat) in zip(corners, ring):
        ref_lon, ref_lat = _official_vn2000_to_wgs84(x, y)
        dx = (lon - ref_lon) * 111_320 * math.cos(math.radians(lat))
        dy = (lat - ref_lat) * 110_574
        assert math.hypot(dx, dy) < 0.1, (x, y, dx, dy)


def test_z_coordinates_are_dropped(engine, tmp_path):
    cubes = [shapely.force_3d(g, 2.5) for g in SQUARES]
    layer = layer_id("threed")
    import_file(engine, write(frame(cubes), tmp_path / "z.geojson", "GeoJSON"), ImportOptions(layer=layer))
    shapes = [r["shape"] for r in stored(engine, layer)]
    assert not any(shapely.has_z(shapes)) and shapes[0].symmetric_difference(SQUARES[0]).area < 1e-12


def test_crs_option_overrides_a_file_without_crs(engine, tmp_path):
    gdf = frame([Polygon([(563000, 1107000), (563100, 1107000), (563100, 1107100)])], crs=9207)
    path = csv_with_wkt(gdf, tmp_path / "vn2000.csv")
    layer = layer_id("csvcrs")
    with pytest.raises(ImportFailure, match="--crs"):
        import_file(engine, path, ImportOptions(layer=layer))
    assert import_file(engine, path, ImportOptions(layer=layer, crs="EPSG:9207")).source_crs == "EPSG:9207"
    lon, lat = stored(engine, layer)[0]["shape"].centroid.coords[0]
    assert 105.0 < lon < 105.2 and 9.9 < lat < 10.1


BOWTIE = Polygon([(105.0, 10.0), (105.01, 10.01), (105.01, 10.0), (105.0, 10.01), (105.0, 10.0)])
FLAT = Polygon([(105.0, 10.0), (105.01, 10.0), (105.01, 10.0), (105.0, 10.0)])  # no area: a line when made valid


def test_invalid_geometry_is_repaired_with_its_row(engine, tmp_path):
    gdf = frame([SQUARES[0], BOWTIE, MultiPolygon([SQUARES[2]])])  # mixed single/multi as well
    layer = layer_id("repair")
    result = import_file(engine, write(gdf, tmp_path / "r.geojson", "GeoJSON"), ImportOptions(layer=layer))
    assert len(result.repaired) == 1 and result.repaired[0].startswith("row 2: repaired (Self-intersection")
    rows = stored(engine, layer)
    assert {r["shape"].geom_type for r in rows} == {"MultiPolygon"}
    assert rows[1]["shape"].is_valid and math.isclose(rows[1]["shape"].area, 0.01 * 0.01 / 2, rel_tol=1e-9)


def test_unrepairable_and_foreign_geometries_are_rejected_with_row_numbers(engine, tmp_path):
    gdf = frame([SQUARES[0], FLAT, Point(105.1, 10.0)])
    layer = layer_id("reject")
    with pytest.raises(ImportFailure) as failed:
        import_file(engine, write(gdf, tmp_path / "bad.geojson", "GeoJSON"), ImportOptions(layer=layer))
    problems = failed.value.problems
    assert problems[0].startswith("row 2: invalid geometry that cannot be repaired")
    assert problems[1].startswith("row 3: Point in a layer of polygon geometries")
    assert not table_exists(engine, layer) and registry(engine, layer) is None


def test_swapped_axes_are_rejected(engine, tmp_path):
    swapped = [shapely.transform(g, lambda xy: xy[:, ::-1]) for g in SQUARES]
    layer = layer_id("swapped")
    with pytest.raises(ImportFailure, match="row 1: coordinates outside Viet Nam"):
        import_file(engine, write(frame(swapped), tmp_path / "s.gpkg", "GPKG"), ImportOptions(layer=layer))


def _many(n: int) -> gpd.GeoDataFrame:
    squares = [box(105.0 + i * 0.001, 10.0, 105.0005 + i * 0.001, 10.0005) for i in range(n)]
    return gpd.GeoDataFrame({"n": list(range(n))}, geometry=squares, crs=4326)


def test_failure_mid_import_leaves_no_table(engine, tmp_path, monkeypatch):
    monkeypatch.setattr(reader, "BATCH_ROWS", 2)
    path = write(_many(6), tmp_path / "six.gpkg", "GPKG")
    layer = layer_id("midway")
    seen = []

    def interrupt(done, total):
        seen.append(done)
        if done >= 4:  # two batches are written by now
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        import_file(engine, path, ImportOptions(layer=layer), interrupt)
    assert seen == [2, 4]
    assert not table_exists(engine, layer) and registry(engine, layer) is None


def test_replace_keeps_the_old_table_when_the_new_file_fails(engine, tmp_path, monkeypatch):
    layer = layer_id("keep")
    import_file(engine, write(_many(3), tmp_path / "three.gpkg", "GPKG"), ImportOptions(layer=layer))
    with pytest.raises(ImportFailure, match="--replace"):
        import_file(engine, write(_many(5), tmp_path / "five.gpkg", "GPKG"), ImportOptions(layer=layer))
    monkeypatch.setattr(reader, "BATCH_ROWS", 2)
    broken = _many(5)
    broken.loc[4, "geometry"] = FLAT
    with pytest.raises(ImportFailure, match="row 5"):
        import_file(engine, write(broken, tmp_path / "broken.gpkg", "GPKG"), ImportOptions(layer=layer, replace=True))
    assert len(stored(engine, layer)) == 3 and registry(engine, layer)["row_count"] == 3
    import_file(engine, tmp_path / "five.gpkg", ImportOptions(layer=layer, replace=True))
    assert len(stored(engine, layer)) == 5 and registry(engine, layer)["row_count"] == 5
    assert has_spatial_index(engine, layer)


def has_spatial_index(engine, table: str) -> bool:
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            defs = conn.execute(text("SELECT indexdef FROM pg_indexes WHERE tablename = :t"), {"t": table}).scalars()
            return any("USING gist (geom)" in d for d in defs)
        enabled = conn.execute(text("SELECT spatial_index_enabled FROM geometry_columns "
                                    "WHERE f_table_name = :t AND f_geometry_column = 'geom'"), {"t": table}).scalar()
        return enabled == 1 and conn.execute(text("SELECT CheckSpatialIndex(:t, 'geom')"), {"t": table}).scalar() == 1


def test_table_has_a_primary_key_and_spatial_index(engine, tmp_path):
    layer = layer_id("indexed")
    import_file(engine, write(frame(), tmp_path / "i.gpkg", "GPKG"), ImportOptions(layer=layer))
    assert has_spatial_index(engine, layer)
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            pk = conn.execute(text("SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
                                   "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = CAST(:t AS regclass) "
                                   "AND i.indisprimary"), {"t": layer}).scalars().all()
        else:
            pk = [r[1] for r in conn.execute(text(f'PRAGMA table_info("{layer}")')) if r[5]]
    assert pk == ["fid"]


@pytest.mark.parametrize("bad", ["Parcels", "1parcels", "thửa", "districts", "industrial_parks",
                                 "spatial_ref_sys", "sqlite_x"])
def test_layer_ids_are_checked(bad, engine, tmp_path):
    path = write(frame(), tmp_path / "x.gpkg", "GPKG")
    with pytest.raises(ImportFailure):
        import_file(engine, path, ImportOptions(layer=bad))


def test_cli_prints_rows_per_second_and_fails_with_the_row(settings, tmp_path):
    from api.cli import app

    good = write(frame(), tmp_path / "good.geojson", "GeoJSON")
    bad = write(frame([SQUARES[0], FLAT]), tmp_path / "bad.geojson", "GeoJSON")
    runner = CliRunner()
    args = ["--database-url", settings.database_url]
    ok = runner.invoke(app, ["import", str(good), "--layer", layer_id("cli"), "--title", "Thửa đất", *args])
    assert ok.exit_code == 0, ok.output
    assert "imported 3 rows" in ok.output and "rows/s" in ok.output
    failed = runner.invoke(app, ["import", str(bad), "--layer", layer_id("clibad"), *args])
    assert failed.exit_code == 1 and "row 2: invalid geometry" in failed.output


@pytest.fixture(scope="module")
def upload_files(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("uploads")
    return {"zip": shapefile_zip(frame(), folder, "thua"), "bad": write(frame([FLAT]), folder / "bad.geojson",
                                                                       "GeoJSON")}


def test_admin_uploads_a_layer(app, engine, upload_files):
    c, csrf = logged_in(app, engine, "import-admin", "admin")
    token = c.post("/api/auth/tokens", json={"name": "import"}, headers={"X-CSRF-Token": csrf}).json()["token"]
    admin = TestClient(app, base_url="http://testserver", headers={"Authorization": f"Bearer {token}"})
    layer = layer_id("upload")
    with open(upload_files["zip"], "rb") as f:
        r = admin.post("/api/imports", data={"layer": layer, "title": "Thửa đất"}, files={"file": ("thua.zip", f)})
    assert r.status_code == 201, r.text
    assert r.json()["rows"] == 3 and r.json()["landuse_field"] == "mdsd"
    assert [row["ten"] for row in stored(engine, layer)] == NAMES
    assert layer in {entry["id"] for entry in admin.get("/api/imports").json()["layers"]}
    with open(upload_files["bad"], "rb") as f:
        bad = admin.post("/api/imports", data={"layer": layer_id("badup")}, files={"file": ("bad.geojson", f)})
    assert bad.status_code == 422
    assert bad.json()["code"] == "ImportFailed" and bad.json()["problems"][0].startswith("row 1: invalid")
    for name, content in (("garbage.zip", b"PK not really"), ("broken.gpkg", b"SQLite format 3\0 cut"),
                          ("notes.txt", b"hello")):
        r = admin.post("/api/imports", data={"layer": layer_id("junk")}, files={"file": (name, content)})
        assert r.status_code == 422 and r.json()["code"] == "ImportFailed", (name, r.text)
    assert admin.post("/api/imports", data={"layer": layer_id("none")}).status_code == 400


def test_shapefile_parts_upload_through_the_page_form(app, engine, upload_files, tmp_path):
    c, csrf = logged_in(app, engine, "import-admin", "admin")
    page = c.get("/admin/imports")
    assert page.status_code == 200 and 'name="csrf_token"' in page.text
    with zipfile.ZipFile(upload_files["zip"]) as z:
        z.extractall(tmp_path)
    parts = [("file", (p.name, p.read_bytes())) for p in sorted(tmp_path.glob("thua.*"))]
    layer = layer_id("form")
    r = c.post("/api/imports", data={"layer": layer, "csrf_token": csrf, "respond": "html"}, files=parts)
    assert r.status_code == 201 and layer in r.text
    assert len(stored(engine, layer)) == 3
    replaced = c.post("/api/imports", data={"csrf_token": csrf, "replace": "on"}, files=parts)
    assert replaced.status_code == 201 and replaced.json()["layer"] == "thua"  # named after the .shp


def test_upload_is_for_admins_only(app, engine, upload_files):
    anonymous = TestClient(app, base_url="http://testserver", follow_redirects=False)
    with open(upload_files["zip"], "rb") as f:
        assert anonymous.post("/api/imports", files={"file": ("thua.zip", f)}).status_code == 401
    assert anonymous.get("/admin/imports").status_code == 303
    reporter, csrf = logged_in(app, engine, "import-reporter", "agency_reporter", "so-cong-thuong")
    with open(upload_files["zip"], "rb") as f:
        r = reporter.post("/api/imports", files={"file": ("thua.zip", f)}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 403 and r.json()["code"] == "Forbidden"
    assert reporter.get("/admin/imports").status_code == 403


def _parcels_file(folder: Path, n: int = 12_000) -> Path:
    """A GeoJSON of ``n`` small parcels near Rạch Giá: a few MB, past the 1 MB limit of ordinary writes."""
    cells = [box(105.0 + (i % 120) * 0.001, 10.0 + (i // 120) * 0.001, 105.0009 + (i % 120) * 0.001,
                 10.0009 + (i // 120) * 0.001) for i in range(n)]
    gdf = gpd.GeoDataFrame({"mdsd": ["LUA", "ONT", "CLN"] * (n // 3), "so_thua": range(n)}, geometry=cells, crs=4326)
    return write(gdf, folder / "thua_lon.geojson", "GeoJSON")


def _multipart(path: Path, fields: dict[str, str]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
             for k, v in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{path.name}"\r\n'
                 f"Content-Type: application/geo+json\r\n\r\n".encode() + path.read_bytes() + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def test_a_real_size_upload_streams_and_the_import_limit_holds(own, app, engine, tmp_path):
    """Several MB go through (ordinary writes stop at 1 MB); past ``import_max_mb`` the upload is refused with 413
    while it streams (no Content-Length to trust), and nothing is imported."""
    from api.app import create_app
    from tests.conftest import make_settings

    path = _parcels_file(tmp_path)
    assert path.stat().st_size > 2 * 1024 * 1024
    c, csrf = logged_in(app, engine, "import-admin", "admin")
    layer = layer_id("large")
    body, kind = _multipart(path, {"layer": layer, "csrf_token": csrf})
    r = c.post("/api/imports", content=body, headers={"Content-Type": kind})
    assert r.status_code == 201, r.text[:300]
    assert r.json()["rows"] == 12_000 and len(stored(engine, layer)) == 12_000

    small = create_app(make_settings(own.database_url, own.cache_dir, import_max_mb=2))
    c2, csrf2 = logged_in(small, engine, "import-admin", "admin")
    refused = layer_id("refused")
    body, kind = _multipart(path, {"layer": refused, "csrf_token": csrf2})
    chunks = (body[i:i + 65536] for i in range(0, len(body), 65536))  # chunked: no Content-Length
    r = c2.post("/api/imports", content=chunks, headers={"Content-Type": kind})
    assert r.status_code == 413 and r.json()["code"] == "TooLarge", r.text[:300]
    assert refused not in {entry["id"] for entry in c.get("/api/imports").json()["layers"]}
    small.state.engine.dispose()
