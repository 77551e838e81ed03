"""The CRS registry: every coordinate reference system the service speaks, and how to transform between them.

All CRS logic lives here. Geometries are stored in EPSG:4326 with longitude first (OGC CRS84 axis order).

Between WGS 84 and VN-2000 the official transformation EPSG:6960 ("VN-2000 to WGS 84 (2)", Department of
Survey and Mapping) is pinned: PROJ's default here picks EPSG:5194, an academic set about 0.8 m away.

>>> to_crs(9207).transform(105.08, 10.01)  # doctest: +ELLIPSIS
(563387.60..., 1107017.52...)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from pyproj import CRS, Transformer
from pyproj.transformer import TransformerGroup

CRS84_URI = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG_URI = "http://www.opengis.net/def/crs/EPSG/0/{code}"
OFFICIAL_VN2000_TO_WGS84 = "VN-2000 to WGS 84 (2)"  # EPSG:6960


@dataclass(frozen=True)
class CrsInfo:
    """One CRS the service offers, with its OGC URI and whether its first axis is latitude/northing."""

    code: int  # EPSG code; 4326 with lon-lat order is called CRS84 by its URI
    uri: str
    name: str
    lat_first: bool  # axis order the standard mandates for this URI


STORAGE_SRID = 4326
VN2000_TM3 = 9207  # VN-2000 / TM-3 104°30': the official system for Kiên Giang

REGISTRY: dict[str, CrsInfo] = {
    CRS84_URI: CrsInfo(4326, CRS84_URI, "WGS 84 (CRS84, longitude/latitude)", False),
    EPSG_URI.format(code=4326): CrsInfo(4326, EPSG_URI.format(code=4326), "WGS 84 (latitude/longitude)", True),
    EPSG_URI.format(code=3857): CrsInfo(3857, EPSG_URI.format(code=3857), "WGS 84 / Pseudo-Mercator", False),
    EPSG_URI.format(code=4756): CrsInfo(4756, EPSG_URI.format(code=4756), "VN-2000 (latitude/longitude)", True),
    EPSG_URI.format(code=9207): CrsInfo(9207, EPSG_URI.format(code=9207), "VN-2000 / TM-3 104°30'", True),
    EPSG_URI.format(code=3405): CrsInfo(3405, EPSG_URI.format(code=3405), "VN-2000 / UTM zone 48N", False),
}
SUPPORTED_URIS = list(REGISTRY)


def lookup(uri_or_code: str | int) -> CrsInfo:
    """Find a CRS by OGC URI, ``EPSG:n`` or bare code; raise KeyError if the service does not offer it."""
    if isinstance(uri_or_code, int) or str(uri_or_code).isdigit():
        key = EPSG_URI.format(code=int(uri_or_code)) if int(uri_or_code) != 4326 else CRS84_URI
        return REGISTRY[key]
    text = str(uri_or_code).strip().strip("<>")
    if text.upper() in ("CRS84", "OGC:CRS84"):
        return REGISTRY[CRS84_URI]
    if text.upper().startswith("EPSG:"):
        return lookup(int(text.split(":", 1)[1]))
    return REGISTRY[text]


@lru_cache(maxsize=None)
def is_vn2000(code: int) -> bool:
    """True for VN-2000 and every CRS built on it (UTM, TM-3 zones such as 5897-5899 and 9205-9218).

    >>> is_vn2000(9207), is_vn2000(5898), is_vn2000(4326)
    (True, True, False)
    """
    return CRS.from_epsg(code).geodetic_crs.name == "VN-2000"


@lru_cache(maxsize=None)
def transformer(src: int, dst: int) -> Transformer:
    """A transformer from ``src`` to ``dst`` (EPSG codes), always x=easting/longitude first.

    Any path that crosses VN-2000 and WGS 84 uses the official EPSG:6960 operation.
    """
    if (is_vn2000(src) or is_vn2000(dst)) and {src, dst} & {4326, 3857}:
        group = TransformerGroup(CRS.from_epsg(src), CRS.from_epsg(dst), always_xy=True)
        for candidate in group.transformers:
            if OFFICIAL_VN2000_TO_WGS84 in candidate.description:
                return candidate
        raise RuntimeError(f"PROJ offers no {OFFICIAL_VN2000_TO_WGS84} operation for EPSG:{src}->EPSG:{dst}")
    return Transformer.from_crs(CRS.from_epsg(src), CRS.from_epsg(dst), always_xy=True)


def to_crs(dst: int) -> Transformer:
    """Transformer from storage (EPSG:4326, lon/lat) to ``dst``."""
    return transformer(STORAGE_SRID, dst)


def from_crs(src: int) -> Transformer:
    """Transformer from ``src`` to storage (EPSG:4326, lon/lat)."""
    return transformer(src, STORAGE_SRID)
