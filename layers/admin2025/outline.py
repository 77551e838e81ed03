"""How far the outline of the 48 units formed from former Kiên Giang differs from the pre-2025 district outlines.

The two come from different sources (sapnhap.bando.com.vn 2025/2026, gis.chinhphu.vn via dvhcvn 2025-03) and
differ by about 1.4 % of the area (1.7 % with the published Thổ Châu polygon): coastal strips, islands, and a
19.9 km² strip near 105.29 E 9.41 N that the old data put in Hồng Dân (Bạc Liêu). Reported, never smoothed over.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

from geo.area import M2_PER_HA
from geo.crs import STORAGE_SRID, VN2000_TM3
from geo.transform import reproject
from layers.admin2025.index import AdminIndex


class OutlinePiece(BaseModel):
    kind: Literal["new_not_old", "old_not_new"]
    area_ha: float
    lon: float  # a point inside the piece
    lat: float


class OutlineDifference(BaseModel):
    """Areas in hectares (EPSG:9207); the percentage is of the pre-2025 area."""

    old_ha: float
    new_ha: float
    new_not_old_ha: float
    old_not_new_ha: float
    symmetric_difference_ha: float
    symmetric_difference_pct: float
    largest: list[OutlinePiece]


def _pieces(kind: str, geom: BaseGeometry) -> list[OutlinePiece]:
    out = []
    for part in getattr(geom, "geoms", [geom]):
        if part.is_empty or part.area == 0:
            continue
        inside = reproject(part.representative_point(), VN2000_TM3, STORAGE_SRID)
        out.append(OutlinePiece(kind=kind, area_ha=part.area / M2_PER_HA, lon=round(inside.x, 4),
                                lat=round(inside.y, 4)))
    return out


def outline_difference(index: AdminIndex, largest: int = 5) -> OutlineDifference:
    """The symmetric difference of the two outlines and its ``largest`` pieces (computed once per index)."""
    key = ("outline", largest)
    if key not in index.memo:
        new = unary_union([g for c, g in index.commune_geoms.items() if index.communes[c].formed_from_kien_giang])
        old = unary_union(list(index.district_geoms.values()))
        new_only, old_only = new.difference(old), old.difference(new)
        pieces = _pieces("new_not_old", new_only) + _pieces("old_not_new", old_only)
        sym = (new_only.area + old_only.area) / M2_PER_HA
        index.memo[key] = OutlineDifference(
            old_ha=old.area / M2_PER_HA, new_ha=new.area / M2_PER_HA, new_not_old_ha=new_only.area / M2_PER_HA,
            old_not_new_ha=old_only.area / M2_PER_HA, symmetric_difference_ha=sym,
            symmetric_difference_pct=100 * sym / (old.area / M2_PER_HA),
            largest=sorted(pieces, key=lambda p: -p.area_ha)[:largest])
    return index.memo[key]
