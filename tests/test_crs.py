"""Coordinates and areas: the official VN-2000 transformation is pinned; areas are never in degrees."""

from __future__ import annotations

import subprocess
import sys

import pytest
from pyproj import Transformer
from shapely.geometry import Point, box

from geo import crs
from geo.area import geodesic_hectares, hectares
from geo.geometry import footprint, invalid_reason
from geo.transform import bbox_to_storage, reproject, to_output
from layers.settings import REPO_ROOT
from tests.reference import epsg_6960_transformer


def test_control_point_uses_official_epsg_6960():
    x, y = crs.to_crs(9207).transform(105.08, 10.01)
    assert x == pytest.approx(563387.60, abs=0.02)
    assert y == pytest.approx(1107017.53, abs=0.02)


def test_pinning_matters_proj_default_is_about_0_8_m_away():
    default = Transformer.from_crs(4326, 9207, always_xy=True).transform(105.08, 10.01)
    pinned = crs.to_crs(9207).transform(105.08, 10.01)
    shift = ((default[0] - pinned[0]) ** 2 + (default[1] - pinned[1]) ** 2) ** 0.5
    assert 0.3 < shift < 2.0


def test_the_proj_string_sql_transforms_with_is_the_official_one():
    """PostGIS without an EPSG:9207 row transforms to this string: the same control point to the centimetre."""
    x, y = Transformer.from_crs("EPSG:4326", crs.vn2000_tm3_proj_string(), always_xy=True).transform(105.08, 10.01)
    assert x == pytest.approx(563387.60, abs=0.02)
    assert y == pytest.approx(1107017.53, abs=0.02)


@pytest.mark.parametrize("code", [3857, 4756, 9207, 3405])
def test_round_trip_through_every_registered_crs(code):
    p = Point(104.5, 10.2)
    back = reproject(reproject(p, 4326, code), code, 4326)
    assert back.distance(p) < 1e-8


def test_axis_order_is_the_one_proj_defines():
    p = Point(105.08, 10.01)
    assert to_output(p, crs.lookup("http://www.opengis.net/def/crs/EPSG/0/4326")).coords[0] == (10.01, 105.08)
    assert to_output(p, crs.lookup(crs.CRS84_URI)).coords[0] == (105.08, 10.01)
    # EPSG:9207 is Easting, Northing (EPSG registry, PROJ, GDAL, QGIS): the control point of EPSG:6960
    east, north = to_output(p, crs.lookup("EPSG:9207")).coords[0]
    assert east == pytest.approx(563387.60, abs=0.02) and north == pytest.approx(1107017.53, abs=0.02)


@pytest.mark.parametrize("uri", crs.SUPPORTED_URIS)
def test_every_offered_crs_orders_axes_like_proj(uri):
    """Compare with PROJ's own transformer in the CRS's authority axis order (always_xy=False)."""
    from pyproj import CRS

    target = CRS.from_user_input("OGC:CRS84" if uri == crs.CRS84_URI else "EPSG:" + uri.rsplit("/", 1)[1])
    info = crs.lookup(uri)
    expected = Transformer.from_crs(CRS.from_user_input("OGC:CRS84"), target, always_xy=False).transform(105.08, 10.01)
    got = to_output(Point(105.08, 10.01), info).coords[0]
    assert got == pytest.approx(expected, abs=2.0)  # PROJ's default VN-2000 operation is ~0.8 m off the pinned one


def test_unknown_crs_is_refused():
    with pytest.raises(KeyError):
        crs.lookup("http://www.opengis.net/def/crs/EPSG/0/2154")


def test_bbox_in_9207_maps_back_to_lon_lat():
    x, y = crs.to_crs(9207).transform(105.08, 10.01)
    minx, miny, maxx, maxy = bbox_to_storage((x - 100, y - 100, x + 100, y + 100), crs.lookup(9207))
    assert minx < 105.08 < maxx and miny < 10.01 < maxy


def test_web_mercator_inflates_areas_here_by_about_3_8_percent():
    cell = box(105.0, 10.0, 105.1, 10.1)
    mercator = reproject(cell, 4326, 3857).area / 10_000
    assert mercator / hectares(cell) == pytest.approx(1.038, abs=0.004)
    assert hectares(cell) == pytest.approx(geodesic_hectares(cell), rel=1e-3)


def test_footprint_area_equals_requested_area():
    assert hectares(footprint((105.28, 9.73), 70.0)) == pytest.approx(70.0, rel=1e-3)
    assert hectares(footprint((104.04, 10.18), 59.0)) == pytest.approx(59.0, rel=1e-3)


def test_swapped_coordinates_are_caught():
    assert invalid_reason(Point(10.0, 105.0)) is not None
    bowtie = box(0, 0, 1, 1).exterior  # not a polygon problem: lines are fine
    assert invalid_reason(bowtie) is not None  # but outside Viet Nam


CONCURRENT = """
import sys, threading
import numpy as np
from geo.crs import transformer
lon, lat = np.linspace(104.0, 105.5, 20000), np.linspace(9.5, 10.5, 20000)
wrong = []
def work():
    for _ in range(30):  # requests of a worker's thread pool transforming at the same time
        x, y = transformer(4326, 9207).transform(lon, lat)
        wrong.append(not (np.isfinite(x).all() and np.isfinite(y).all()))
threads = [threading.Thread(target=work) for _ in range(8)]
[t.start() for t in threads]
[t.join() for t in threads]
x, y = transformer(4326, 9207).transform(lon, lat)
print(sum(wrong), repr(float(x[0])), repr(float(y[-1])))
"""


def test_transformers_are_safe_in_concurrent_threads():
    """A server worker answers requests in a thread pool; the official EPSG:6960 transformer (from PROJ's
    TransformerGroup, not thread-safe) shared by those threads crashed the worker (SIGSEGV) under concurrent
    first requests. Eight threads transforming at once must finish with the pinned transformation's numbers."""
    done = subprocess.run([sys.executable, "-c", CONCURRENT], cwd=REPO_ROOT, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, (done.returncode, done.stderr[-2000:])
    wrong, x, y = done.stdout.split()
    official = epsg_6960_transformer(9207)
    assert int(wrong) == 0
    want = official.transform(104.0, 9.5)[0], official.transform(105.5, 10.5)[1]
    assert (float(x), float(y)) == pytest.approx(want, abs=0.01)
