"""The CRS registry: every coordinate reference system the service speaks, and how to transform between them.

All CRS logic lives here. Geometries are stored in EPSG:4326 with longitude first (OGC CRS84 axis order).
The axis order a client sees for each CRS is the one PROJ defines for it (``CRS.axis_info``): latitude first
for EPSG:4326 and EPSG:4756 named by URI, longitude first for CRS84, Easting then Northing for EPSG:9207,
3405 and 3857. (Vietnamese surveyors write X for the northing: a label habit, not the CRS's axis order.)

Between WGS 84 and VN-2000 the official transformation EPSG:6960 ("VN-2000 to WGS 84 (2)", Department of
Survey and Mapping) is pinned: PROJ's default here picks EPSG:5194, an academic set about 0.8 m away.

>>> to_crs(9207).transform(105.08, 10.01)  # doctest: +ELLIPSIS
(563387.60..., 1107017.52...)
>>> lookup("EPSG:9207").lat_first, lookup("EPSG:4326").lat_first, lookup("CRS84").lat_first
(False, True, False)
"""

from __future__ import annotations

import threading
import warnings
from dataclasses import dataclass
from functools import lru_cache

from pyproj import CRS, Transformer
from pyproj.transformer import TransformerGroup

CRS84_URI = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG_URI = "http://www.opengis.net/def/crs/EPSG/0/{code}"
OFFICIAL_VN2000_TO_WGS84 = "VN-2000 to WGS 84 (2)"  # EPSG:6960
STORAGE_SRID = 4326
VN2000_TM3 = 9207  # VN-2000 / TM-3 104°30': the official system for Kiên Giang


@dataclass(frozen=True)
class CrsInfo:
    """One CRS the service offers: its EPSG code, OGC URI, name and axis order as PROJ defines it."""

    code: int  # EPSG code; 4326 with lon-lat order is called CRS84 by its URI
    uri: str
    name: str
    lat_first: bool  # first axis points north (latitude or northing)

    @property
    def crs(self) -> CRS:
        return _proj_crs(self.uri)


@lru_cache(maxsize=None)
def _proj_crs(uri: str) -> CRS:
    return CRS.from_user_input("OGC:CRS84" if uri == CRS84_URI else f"EPSG:{uri.rsplit('/', 1)[1]}")


def _info(uri: str) -> CrsInfo:
    """The registry entry of ``uri``, its name and axis order read from PROJ."""
    proj = _proj_crs(uri)
    first_axis = proj.axis_info[0].direction.lower()
    return CrsInfo(proj.to_epsg() or STORAGE_SRID, uri, proj.name, first_axis in ("north", "south"))


REGISTRY: dict[str, CrsInfo] = {
    uri: _info(uri)
    for uri in (CRS84_URI, *(EPSG_URI.format(code=c) for c in (4326, 3857, 4756, 9207, 3405)))
}
SUPPORTED_URIS = list(REGISTRY)


def lookup(uri_or_code: str | int) -> CrsInfo:
    """Find a CRS by OGC URI, ``EPSG:n`` or bare code; raise KeyError if the service does not offer it.

    A bare 4326 or ``EPSG:4326`` means what GIS users mean by it: longitude first (CRS84); the URI
    ``…/EPSG/0/4326`` means latitude first, as the EPSG registry defines it.
    """
    if isinstance(uri_or_code, int) or str(uri_or_code).isdigit():
        code = int(uri_or_code)
        return REGISTRY[CRS84_URI if code == STORAGE_SRID else EPSG_URI.format(code=code)]
    text = str(uri_or_code).strip().strip("<>")
    if text.upper() in ("CRS84", "OGC:CRS84"):
        return REGISTRY[CRS84_URI]
    if text.upper().startswith("EPSG:"):
        number = text.split(":", 1)[1]
        if not number.isdigit():
            raise KeyError(text)
        return lookup(int(number))
    return REGISTRY[text]


@lru_cache(maxsize=None)
def is_vn2000(code: int) -> bool:
    """True for VN-2000 and every CRS built on it (UTM, TM-3 zones such as 5897-5899 and 9205-9218).

    >>> is_vn2000(9207), is_vn2000(5898), is_vn2000(4326)
    (True, True, False)
    """
    return CRS.from_epsg(code).geodetic_crs.name == "VN-2000"


_THREAD = threading.local()


def transformer(src: int, dst: int) -> Transformer:
    """A transformer from ``src`` to ``dst`` (EPSG codes), always x=easting/longitude first.

    Any path that crosses VN-2000 and WGS 84 uses the official EPSG:6960 operation. One per thread: the
    transformers a ``TransformerGroup`` lists are not thread-safe (pyproj's ``TransformerUnsafe``), and two
    requests transforming with the same one at once crashed a server worker.
    """
    made = getattr(_THREAD, "transformers", None)
    if made is None:
        made = _THREAD.transformers = {}
    if (src, dst) not in made:
        made[(src, dst)] = _make_transformer(src, dst)
    return made[(src, dst)]


def _make_transformer(src: int, dst: int) -> Transformer:
    if is_vn2000(src) != is_vn2000(dst):  # the path crosses the VN-2000 datum
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


@lru_cache(maxsize=None)
def vn2000_tm3_proj_string() -> str:
    """EPSG:9207 as a PROJ string bound to WGS 84 by the official EPSG:6960 (``+towgs84``, position vector):
    what SQL transforms with, so a database needs no EPSG:9207 row (PostGIS 3.3 has none, and a managed
    database's role may not add one). Both read from PROJ's database: EPSG:6960 is a coordinate-frame rotation,
    whose rotations change sign in the position-vector convention of ``+towgs84``.
    """
    from pyproj._crs import CoordinateOperation

    op = CoordinateOperation.from_epsg(6960)
    if op.method_name != "Coordinate Frame rotation (geog2D domain)":
        raise RuntimeError(f"EPSG:6960 changed in PROJ's database: {op.method_name}")
    tx, ty, tz, rx, ry, rz, ds = (p.value for p in op.params)
    towgs84 = ",".join(repr(v) for v in (tx, ty, tz, -rx, -ry, -rz, ds))
    with warnings.catch_warnings():  # "you will likely lose information": the datum shift is added below
        warnings.simplefilter("ignore", UserWarning)
        base = CRS.from_epsg(VN2000_TM3).to_dict()
    base.pop("type", None)
    base.pop("no_defs", None)
    return " ".join(f"+{k}={v}" for k, v in base.items()) + f" +towgs84={towgs84} +no_defs"
