"""Real clients against the real server: OWSLib's OGC API Features client and GDAL's OAPIF driver."""

from __future__ import annotations

import subprocess

import httpx
import pytest
from owslib.ogcapi.features import Features
from shapely.geometry import shape

from geo.crs import to_crs

IDS = ["districts", "industrial_parks", "industrial_clusters", "economic_zones", "growth_poles",
       "raw_material_districts", "infrastructure_projects", "tasks"]


def gdal(*args: str, log: bool = False) -> str:
    done = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout + (done.stderr if log else "")


def matched(base: str, collection: str) -> int:
    return httpx.get(f"{base}/ogc/collections/{collection}/items", params={"limit": 1}).json()["numberMatched"]


def test_owslib_lists_and_reads_every_collection(live_server):
    api = Features(f"{live_server}/ogc")
    assert [c["id"] for c in api.collections()["collections"]] == IDS
    assert any(c.endswith("conf/features-filter") for c in api.conformance()["conformsTo"])
    for cid in IDS:
        items = api.collection_items(cid, limit=1000)
        assert items["numberReturned"] == matched(live_server, cid) > 0
    one = items["features"][0]
    assert api.collection_item("tasks", one["id"])["id"] == one["id"]


def test_owslib_coordinates_in_epsg_9207(live_server):
    api = Features(f"{live_server}/ogc")
    lonlat = api.collection_items("industrial_parks", limit=100)["features"]
    vn = api.collection_items("industrial_parks", limit=100, crs="http://www.opengis.net/def/crs/EPSG/0/9207")
    by_id = {f["id"]: shape(f["geometry"]).representative_point() for f in lonlat}
    for f in vn["features"]:
        if f["geometry"]["type"] != "Point":
            continue
        northing, easting = f["geometry"]["coordinates"]
        assert (easting, northing) == pytest.approx(to_crs(9207).transform(by_id[f["id"]].x, by_id[f["id"]].y),
                                                    abs=0.01)


def test_gdal_summary_shows_the_five_parks_with_fields(live_server):
    out = gdal("ogrinfo", "-ro", "-so", f"OAPIF:{live_server}/ogc", "industrial_parks")
    assert "Feature Count: 5" in out
    for field in ("name: String", "planned_area_ha: Real", "district_codes: String", "status: String"):
        assert field in out


def test_gdal_copies_every_collection_to_a_geopackage(live_server, tmp_path):
    gpkg = tmp_path / "plan.gpkg"
    gdal("ogr2ogr", "-f", "GPKG", str(gpkg), f"OAPIF:{live_server}/ogc", "-oo", "PAGE_SIZE=4")
    listing = gdal("ogrinfo", "-ro", "-so", "-al", str(gpkg))
    for cid in IDS:
        assert f"Layer name: {cid}\n" in listing
        block = listing.split(f"Layer name: {cid}\n", 1)[1]
        assert f"Feature Count: {matched(live_server, cid)}\n" in block.split("Layer name:", 1)[0]


def test_gdal_attribute_filter(live_server):
    # GDAL 3.6 detects CQL text from /ogc/api but still filters on the client; newer GDAL sends filter=.
    out = gdal("ogrinfo", "-ro", "-al", "-q", f"OAPIF:{live_server}/ogc", "industrial_parks",
               "-where", "planned_area_ha > 0", "--debug", "on")
    features = httpx.get(f"{live_server}/ogc/collections/industrial_parks/items").json()["features"]
    expected = sum(1 for f in features if (f["properties"]["planned_area_ha"] or 0) > 0)
    assert out.count("OGRFeature(industrial_parks)") == expected
