"""Real clients against the real server: OWSLib, GDAL 3.12 (pyogrio's wheel) and Debian's GDAL 3.6 through their
OAPIF drivers, and headless QGIS 3.22 (Debian's python3-qgis). Each is compared with what the API or pyproj says."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
import threading
import time

import httpx
import pyogrio
import pytest
import shapely
import shapely.geometry
import uvicorn
from owslib.ogcapi.features import Features

from tests.reference import epsg_6960_transformer

IDS = ["districts", "industrial_parks", "industrial_clusters", "industrial_cluster_footprints", "economic_zones",
       "growth_poles", "dynamic_regions", "raw_material_districts", "infrastructure_projects",
       "infrastructure_routes", "communes_2025", "district_commune_crosswalk", "tasks"]
SPATIAL = [c for c in IDS if c != "tasks"]
QGIS_PYTHON = "/usr/bin/python3"  # Debian's, where python3-qgis installs


def gdal(*args: str) -> subprocess.CompletedProcess:
    done = subprocess.run(args, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    return done


READER = textwrap.dedent("""
    import json, sys
    import pyogrio
    url, layer, options = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    frame = pyogrio.read_dataframe(url, layer=layer, **options)
    print(json.dumps({"epsg": frame.crs.to_epsg() if frame.crs else None,
                      "features": json.loads(frame.to_json(drop_id=True))["features"]}))
""")


def gdal_read(url: str, layer: str, **options) -> tuple[int | None, list[dict]]:
    """A layer read by GDAL >= 3.9 (pyogrio's wheel), in a process of its own: the server under test runs in a
    thread of this one, and GDAL holds the interpreter while it waits for the server."""
    done = subprocess.run([sys.executable, "-c", READER, url, layer, json.dumps(options)], capture_output=True,
                          text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    out = json.loads(done.stdout)
    return out["epsg"], out["features"]


def matched(base: str, collection: str) -> int:
    return httpx.get(f"{base}/ogc/collections/{collection}/items", params={"limit": 1}).json()["numberMatched"]


class RequestLog:
    """The app behind a recorder of every request's path and query: what a client really asked the server."""

    def __init__(self, app):
        self.app, self.seen = app, []

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            self.seen.append((scope["path"], scope["query_string"].decode()))
        await self.app(scope, receive, send)


@pytest.fixture(scope="module")
def logged_server(app):
    """A second real server whose requests are recorded (base URL, log)."""
    log = RequestLog(app)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(log, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    yield base, log
    server.should_exit = True
    thread.join(timeout=10)


def test_owslib_lists_and_reads_every_collection(live_server):
    api = Features(f"{live_server}/ogc")
    assert [c["id"] for c in api.collections()["collections"]] == IDS
    assert any(c.endswith("conf/features-filter") for c in api.conformance()["conformsTo"])
    for cid in IDS:
        items = api.collection_items(cid, limit=1000)
        assert items["numberReturned"] == matched(live_server, cid) > 0
    one = items["features"][0]
    assert api.collection_item("tasks", one["id"])["id"] == one["id"]


@pytest.mark.parametrize("collection", SPATIAL)
def test_gdal_reads_epsg_9207_as_pyproj_transforms_crs84(live_server, collection):
    """GDAL >= 3.9 asks for ``crs=…/9207`` (open option CRS) and takes the axes as PROJ defines them: every vertex
    equals pyproj's EPSG:6960 transform of the CRS84 read, to 0.1 m."""
    url = f"OAPIF:{live_server}/ogc"
    _, lonlat = gdal_read(url, collection)
    epsg, vn = gdal_read(url, collection, CRS="EPSG:9207")
    assert epsg == 9207 and len(vn) == len(lonlat) == matched(live_server, collection)
    official = epsg_6960_transformer(9207)
    want = {f["properties"]["id"]: shapely.get_coordinates(shapely.geometry.shape(f["geometry"])) for f in lonlat}
    for f in vn:
        fid, got = f["properties"]["id"], shapely.get_coordinates(shapely.geometry.shape(f["geometry"]))
        x, y = official.transform(want[fid][:, 0], want[fid][:, 1])
        assert got.shape == want[fid].shape
        assert abs(got[:, 0] - x).max() < 0.1 and abs(got[:, 1] - y).max() < 0.1, fid


def test_gdal_sends_where_to_the_server_as_cql2(logged_server):
    """GDAL pushes a ``where`` to the server when /ogc/api declares the collection's queryables as parameters of
    its items. GDAL 3.12 still names CQL2 text by its draft name (``filter-lang=cql-text``: the only filter
    language its OAPIF driver knows), which the server reads as CQL2 text."""
    base, log = logged_server
    url = f"OAPIF:{base}/ogc"
    log.seen.clear()
    areas = sorted(f["properties"]["planned_area_ha"] for f in httpx.get(
        f"{base}/ogc/collections/industrial_parks/items").json()["features"])
    cut = areas[len(areas) // 2]
    _, big = gdal_read(url, "industrial_parks", where=f"planned_area_ha > {cut}")
    asked = [q for path, q in log.seen if path == "/ogc/collections/industrial_parks/items"]
    assert any("filter=planned_area_ha" in q and "filter-lang=cql-text" in q for q in asked), asked
    server = httpx.get(f"{base}/ogc/collections/industrial_parks/items",
                       params={"filter": f"planned_area_ha > {cut}"}).json()["features"]
    assert sorted(f["properties"]["id"] for f in big) == sorted(f["id"] for f in server) and 0 < len(server) < 5


def test_debian_gdal_3_6_reads_queryables_and_filters(logged_server):
    """GDAL 3.6 asks for the queryables with Accept: application/json; it gets JSON and filters."""
    base, log = logged_server
    log.seen.clear()
    out = gdal("ogrinfo", "-ro", "-al", "-q", f"OAPIF:{base}/ogc", "industrial_parks", "-where",
               "planned_area_ha > 100")
    assert "Unexpected Content-Type" not in out.stderr
    assert any(path.endswith("/queryables") for path, _ in log.seen)
    expected = httpx.get(f"{base}/ogc/collections/industrial_parks/items",
                         params={"filter": "planned_area_ha > 100"}).json()["numberMatched"]
    assert out.stdout.count("OGRFeature(industrial_parks)") == expected > 0


def test_gdal_summary_shows_the_five_parks_with_fields(live_server):
    out = gdal("ogrinfo", "-ro", "-so", f"OAPIF:{live_server}/ogc", "industrial_parks").stdout
    assert "Feature Count: 5" in out and "Geometry: Multi Polygon" in out
    for field in ("name: String", "planned_area_ha: Real", "district_codes: String", "status: String"):
        assert field in out


def test_gdal_copies_every_collection_to_a_geopackage(live_server, tmp_path):
    gpkg = tmp_path / "plan.gpkg"
    gdal("ogr2ogr", "-f", "GPKG", str(gpkg), f"OAPIF:{live_server}/ogc", "-oo", "PAGE_SIZE=4")
    for cid, geometry_type in pyogrio.list_layers(gpkg):
        declared = httpx.get(f"{live_server}/ogc/collections/{cid}").json().get("geometryType", "Unknown")
        assert geometry_type == declared, cid  # tasks: GDAL cannot tell "no geometry" from a collection
        assert len(pyogrio.read_dataframe(gpkg, layer=cid, read_geometry=False)) == matched(live_server, cid)
    assert sorted(name for name, _ in pyogrio.list_layers(gpkg)) == sorted(IDS)


QGIS_SCRIPT = textwrap.dedent("""
    import json, os, sys
    from qgis.core import QgsApplication, QgsVectorLayer, QgsWkbTypes
    app = QgsApplication([], False)
    app.initQgis()
    base, ids = sys.argv[1], sys.argv[2:]
    out = {}
    for cid in ids:
        layer = QgsVectorLayer(f"url='{base}/ogc' typename='{cid}' pagingEnabled='true'", cid, "OAPIF")
        types = [QgsWkbTypes.displayString(f.geometry().wkbType()) for f in layer.getFeatures() if f.hasGeometry()]
        features = list(layer.getFeatures())
        out[cid] = {"valid": layer.isValid(), "count": layer.featureCount(), "read": len(features),
                    "layer_type": QgsWkbTypes.displayString(layer.wkbType()),
                    "drawn": sum(1 for f in features if f.hasGeometry() and
                                 QgsWkbTypes.geometryType(f.geometry().wkbType()) == layer.geometryType()),
                    "keys": sorted({len(f.attributes()) for f in features})}
    print(json.dumps(out), flush=True)
    os._exit(0)  # QGIS 3.22's own teardown crashes offscreen once the layers are gone
""")


def test_qgis_loads_every_collection_and_draws_every_feature(live_server, tmp_path):
    """QGIS 3.22 gives a layer one geometry type: every feature of every collection has it (so it is drawn), and
    the layer counts what the API matched."""
    assert os.path.exists(QGIS_PYTHON), "make test installs python3-qgis"
    script = tmp_path / "qgis_check.py"
    script.write_text(QGIS_SCRIPT)
    # Debian's QGIS with Debian's PROJ: none of this process's settings (pyproj's PROJ_DATA would crash it)
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "QT_QPA_PLATFORM": "offscreen",
           "XDG_RUNTIME_DIR": str(tmp_path), "LANG": "C.UTF-8"}
    done = subprocess.run([QGIS_PYTHON, str(script), live_server, *IDS], capture_output=True, text=True,
                          timeout=300, env=env, cwd=tmp_path)
    assert done.returncode == 0, (done.returncode, done.stdout[-1000:], done.stderr[-2000:])
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    for cid in IDS:
        layer, n = seen[cid], matched(live_server, cid)
        assert layer["valid"] and layer["count"] == layer["read"] == n, (cid, layer)
        assert len(layer["keys"]) == 1, (cid, layer)  # every feature with every field
        if cid in SPATIAL:
            declared = httpx.get(f"{live_server}/ogc/collections/{cid}").json()["geometryType"]
            assert layer["layer_type"] == declared and layer["drawn"] == n, (cid, layer)
