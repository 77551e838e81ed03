"""Geometry of one batch: parse, reproject to storage (EPSG:4326), repair or reject, promote to one multi type.

Vectorised with shapely 2 over the whole batch; only invalid rows are handled one by one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely.validation import explain_validity

from geo.crs import STORAGE_SRID, transformer
from geo.geometry import VN_BOUNDS, repaired

# shapely type id -> family; 2 (LinearRing) cannot come from a file, 7 (GeometryCollection) fits no family.
FAMILY = {0: "point", 4: "point", 1: "line", 5: "line", 3: "polygon", 6: "polygon"}
MULTI = {"point": "MultiPoint", "line": "MultiLineString", "polygon": "MultiPolygon"}
_BUILD = {"point": shapely.multipoints, "line": shapely.multilinestrings, "polygon": shapely.multipolygons}
DECLARED = {"point": "point", "multipoint": "point", "linestring": "line", "multilinestring": "line",
            "polygon": "polygon", "multipolygon": "polygon"}
TYPE_NAMES = {0: "Point", 1: "LineString", 3: "Polygon", 4: "MultiPoint", 5: "MultiLineString",
              6: "MultiPolygon", 7: "GeometryCollection"}


def declared_family(gdal_type: str) -> str | None:
    """The family a layer declares (``"3D Polygon"`` -> ``"polygon"``); None for Unknown/Geometry."""
    name = gdal_type.lower().replace("3d ", "").replace(" z", "").replace(" m", "").strip()
    return DECLARED.get(name)


@dataclass
class GeometryCheck:
    """The state of the checks over the whole file: the layer's family and what was repaired or rejected."""

    src_epsg: int
    family: str | None  # decided by the declared type, else by the first geometry
    family_row: int | None = None
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (row, reason)
    repaired: list[str] = field(default_factory=list)
    bounds: np.ndarray = field(default_factory=lambda: np.array([np.inf, np.inf, -np.inf, -np.inf]))

    def _reject(self, rows: np.ndarray, reason: str) -> None:
        self.rejected.extend((int(r), reason) for r in rows)

    def _family_of(self, types: np.ndarray, rows: np.ndarray) -> str | None:
        if self.family is None:
            known = [i for i, t in enumerate(types) if t in FAMILY]
            if known:
                self.family, self.family_row = FAMILY[types[known[0]]], int(rows[known[0]])
        return self.family

    def _repair(self, geoms: np.ndarray, rows: np.ndarray, bad: np.ndarray) -> np.ndarray:
        """Invalid rows repaired (make_valid) when that keeps the family; rejected otherwise."""
        ok = np.ones(len(geoms), dtype=bool)
        for i in np.flatnonzero(bad):
            reason = explain_validity(geoms[i])
            fixed = repaired(geoms[i])
            if fixed.is_empty or FAMILY.get(shapely.get_type_id(fixed)) != self.family:
                self._reject(rows[i:i + 1], f"invalid geometry that cannot be repaired ({reason})")
                ok[i] = False
                continue
            geoms[i] = fixed
            self.repaired.append(f"row {rows[i]}: repaired ({reason})")
        return ok

    def check(self, wkb: list, first_row: int) -> np.ndarray | None:
        """Storage geometries (one multi type, EPSG:4326) for a batch, or None where a row was rejected."""
        rows = np.arange(first_row, first_row + len(wkb))
        geoms = shapely.from_wkb(np.asarray(wkb, dtype=object), on_invalid="ignore")
        missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
        self._reject(rows[missing], "no geometry")
        types = shapely.get_type_id(geoms)
        family = self._family_of(types, rows)
        wrong = ~missing & np.array([FAMILY.get(t) != family for t in types], dtype=bool)
        where = f"first one at row {self.family_row}" if self.family_row else "as the file declares"
        for i in np.flatnonzero(wrong):
            self._reject(rows[i:i + 1], f"{TYPE_NAMES.get(types[i], 'geometry')} in a layer of {family} "
                                        f"geometries ({where}): one geometry type per layer")
        ok = ~missing & ~wrong
        if shapely.has_z(geoms).any():  # GDAL cannot drop Z when it streams Arrow: the tables are 2D
            geoms[ok] = shapely.force_2d(geoms[ok])
        if self.src_epsg != STORAGE_SRID and ok.any():
            geoms[ok] = shapely.transform(geoms[ok], transformer(self.src_epsg, STORAGE_SRID).transform,
                                          interleaved=False)
        invalid = ok & ~shapely.is_valid(geoms)
        ok &= self._repair(geoms, rows, invalid)
        return self._finish(geoms, rows, ok)

    def _finish(self, geoms: np.ndarray, rows: np.ndarray, ok: np.ndarray) -> np.ndarray | None:
        x0, y0, x1, y1 = VN_BOUNDS
        box = shapely.bounds(geoms)
        outside = ok & ((box[:, 0] < x0) | (box[:, 2] > x1) | (box[:, 1] < y0) | (box[:, 3] > y1))
        for i in np.flatnonzero(outside):
            self._reject(rows[i:i + 1], f"coordinates outside Viet Nam after reprojecting from "
                                        f"EPSG:{self.src_epsg} ({box[i, 0]:g}, {box[i, 1]:g}): wrong --crs?")
        ok &= ~outside
        if self.rejected or not ok.any():
            return None
        self.bounds = np.concatenate([np.minimum(self.bounds[:2], box[:, :2].min(axis=0)),
                                      np.maximum(self.bounds[2:], box[:, 2:].max(axis=0))])
        parts, index = shapely.get_parts(geoms, return_index=True)
        return _BUILD[self.family](parts, indices=index)

    @property
    def problems(self) -> list[str]:
        """``row N: reason`` for each rejected row, in row order."""
        return [f"row {row}: {reason}" for row, reason in sorted(self.rejected, key=lambda p: p[0])]

    @property
    def geometry_type(self) -> str | None:
        return MULTI.get(self.family) if self.family else None
