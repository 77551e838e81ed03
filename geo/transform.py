"""Reproject shapely geometries with the registry's pinned transformers, honouring OGC axis order."""

from __future__ import annotations

import shapely
from shapely.geometry.base import BaseGeometry

from geo.crs import STORAGE_SRID, CrsInfo, transformer


def reproject(geom: BaseGeometry, src: int, dst: int) -> BaseGeometry:
    """Reproject ``geom`` from EPSG ``src`` to EPSG ``dst`` (both x-first).

    >>> from shapely.geometry import Point
    >>> round(reproject(Point(105.08, 10.01), 4326, 9207).x)
    563388
    """
    if src == dst:
        return geom
    return shapely.transform(geom, transformer(src, dst).transform, interleaved=False)


def swap_xy(geom: BaseGeometry) -> BaseGeometry:
    """Swap the two axes (for CRSs whose URI mandates latitude/northing first)."""
    return shapely.transform(geom, lambda x, y: (y, x), interleaved=False)


def to_output(geom: BaseGeometry, crs: CrsInfo) -> BaseGeometry:
    """Storage geometry to what a client asked for in ``crs``, axis order included."""
    out = reproject(geom, STORAGE_SRID, crs.code)
    return swap_xy(out) if crs.lat_first else out


def bbox_to_storage(bbox: tuple[float, float, float, float], crs: CrsInfo) -> tuple[float, float, float, float]:
    """A bbox given in ``crs`` (in its axis order) as lon/lat in storage, densified so edges stay inside."""
    from shapely.geometry import box

    x1, y1, x2, y2 = bbox
    if crs.lat_first:
        x1, y1, x2, y2 = y1, x1, y2, x2
    poly = box(min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)).segmentize(
        max(abs(x2 - x1), abs(y2 - y1)) / 16 or 1
    )
    return reproject(poly, crs.code, STORAGE_SRID).bounds
