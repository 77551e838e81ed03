"""Areas in hectares: planar in EPSG:9207 (the official VN-2000 / TM-3 104°30') or geodesic on WGS 84.

Never in degrees or Web Mercator (which inflates areas here by about 3.8 %).
"""

from __future__ import annotations

from pyproj import Geod
from shapely.geometry.base import BaseGeometry

from geo.crs import STORAGE_SRID, VN2000_TM3
from geo.transform import reproject

_GEOD = Geod(ellps="WGS84")
M2_PER_HA = 10_000.0


def hectares(geom_lonlat: BaseGeometry) -> float:
    """Planar area in EPSG:9207 of a lon/lat geometry, in hectares.

    >>> from shapely.geometry import box
    >>> round(hectares(box(105.0, 10.0, 105.01, 10.01)), 1)
    121.3
    """
    return reproject(geom_lonlat, STORAGE_SRID, VN2000_TM3).area / M2_PER_HA


def geodesic_hectares(geom_lonlat: BaseGeometry) -> float:
    """Geodesic area on the WGS 84 ellipsoid of a lon/lat geometry, in hectares."""
    area, _ = _GEOD.geometry_area_perimeter(geom_lonlat)
    return abs(area) / M2_PER_HA
