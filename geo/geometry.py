"""Geometry checks and constructions: validity with a reason, footprints of a given area."""

from __future__ import annotations

import math

from shapely import make_valid as _make_valid
from shapely.geometry import MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

from geo.crs import STORAGE_SRID, VN2000_TM3
from geo.transform import reproject

VN_BOUNDS = (102.0, 8.0, 110.0, 24.0)  # lon/lat box around Viet Nam: catches swapped axes


def invalid_reason(geom: BaseGeometry) -> str | None:
    """Why ``geom`` cannot be stored, or None when it is fine.

    >>> invalid_reason(Point(105.1, 10.0)) is None
    True
    >>> invalid_reason(Point(10.0, 105.1))
    'coordinates outside Viet Nam (lon/lat swapped?): 10, 105.1'
    """
    if geom is None or geom.is_empty:
        return "empty geometry"
    if not geom.is_valid:
        return explain_validity(geom)
    minx, miny, maxx, maxy = geom.bounds
    x0, y0, x1, y1 = VN_BOUNDS
    if minx < x0 or maxx > x1 or miny < y0 or maxy > y1:
        return f"coordinates outside Viet Nam (lon/lat swapped?): {minx:g}, {miny:g}"
    return None


def repaired(geom: BaseGeometry) -> BaseGeometry:
    """A valid version of ``geom`` keeping only its polygonal parts for polygon input."""
    fixed = _make_valid(geom)
    if isinstance(geom, (Polygon, MultiPolygon)) and fixed.geom_type == "GeometryCollection":
        polys = [g for g in fixed.geoms if isinstance(g, (Polygon, MultiPolygon))]
        fixed = MultiPolygon([p for g in polys for p in getattr(g, "geoms", [g])])
    return fixed


def as_multipolygon(geom: BaseGeometry) -> MultiPolygon:
    """Polygon or MultiPolygon as MultiPolygon (one storage type per column)."""
    return geom if isinstance(geom, MultiPolygon) else MultiPolygon([geom])


def footprint(center_lonlat: tuple[float, float], area_ha: float, segments: int = 64) -> Polygon:
    """A circle around an indicative point whose EPSG:9207 area equals ``area_ha``.

    The radius is corrected for the polygon's inscribed shape, so the area matches to well under 0.1 %.

    >>> from geo.area import hectares
    >>> round(hectares(footprint((105.28, 9.73), 70.0)), 2)
    70.0
    """
    centre = reproject(Point(center_lonlat), STORAGE_SRID, VN2000_TM3)
    n = segments * 4  # shapely's quad_segs is per quarter circle
    polygon_to_circle = (n / (2 * math.pi)) * math.sin(2 * math.pi / n)
    radius = math.sqrt(area_ha * 10_000 / (math.pi * polygon_to_circle))
    circle = centre.buffer(radius, quad_segs=segments)
    return reproject(circle, VN2000_TM3, STORAGE_SRID)


def geometry_kind(geom: BaseGeometry) -> str:
    """``point``, ``line`` or ``polygon``: the family a geometry belongs to (multi-parts included)."""
    family = geom.geom_type.removeprefix("Multi")
    return {"Point": "point", "LineString": "line", "Polygon": "polygon"}[family]


def normalised(geom: BaseGeometry) -> BaseGeometry:
    """The stored form: polygons as MultiPolygon (one type per polygon collection), others as given."""
    return as_multipolygon(geom) if isinstance(geom, Polygon) else geom


def anchor_point(geom: BaseGeometry) -> Point:
    """A representative point of ``geom``: itself for a point, the middle of a line, a point inside a polygon.

    >>> from shapely.geometry import LineString
    >>> anchor_point(LineString([(0, 0), (2, 0)])).coords[0]
    (1.0, 0.0)
    """
    if isinstance(geom, Point):
        return geom
    if geometry_kind(geom) == "line":
        return geom.interpolate(0.5, normalized=True) if geom.geom_type == "LineString" else anchor_point(
            max(geom.geoms, key=lambda g: g.length))
    if geometry_kind(geom) == "point":
        return geom.centroid
    return geom.representative_point()
