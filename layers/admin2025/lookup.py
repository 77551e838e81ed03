"""Geometries, plan features and former districts -> 2025 units. Pure functions of an ``AdminIndex``.

>>> index = admin_index(session)                                   # doctest: +SKIP
>>> [(s.commune.name, round(s.share_of_district_pct, 1))
...  for s in communes_of_district(index, 907).communes]           # doctest: +SKIP
[('Định Hòa', 32.4), ('Vĩnh Tuy', 26.3), ('Vĩnh Hòa Hưng', 21.8), ('Gò Quao', 19.1)]
>>> communes_of_feature(index, cai_tu.geom, "schematic", [907]).basis    # doctest: +SKIP
'district'
"""

from __future__ import annotations

from collections.abc import Iterable

import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy import select
from sqlalchemy.orm import Session

from geo.area import M2_PER_HA
from layers.admin2025.index import AdminIndex, admin_index, to_tm3
from layers.admin2025.results import (
    CommuneShare,
    DistrictCommunes,
    DistrictShare,
    FeatureCommunes,
    UncoveredPart,
)
from layers.store.version import VersionedCache

POLYGONAL = ("Polygon", "MultiPolygon")
LINEAR = ("LineString", "MultiLineString")
# A piece under 0.1 % of a feature is a seam, not a share: a feature drawn from the pre-2025 district outlines
# (a sub-region) meets the 2025 units around it along boundaries the two datasets draw a little differently.
MIN_SHARE_PCT = 0.1
SAME_POINT_DEG = 1e-9  # a stored point equal to a district's representative point (exact after a WKB round trip)


def communes_of_geometry(index: AdminIndex, geom: BaseGeometry) -> FeatureCommunes:
    """The 2025 units a geometry (EPSG:4326, lon/lat) lies in.

    Polygons: each unit with the share of the polygon's area inside it (EPSG:9207); lines: share of the length;
    units under ``MIN_SHARE_PCT`` are left out; ``outside_pct`` is the part in no unit at all. Points: the
    unit(s) the point touches (two on a shared border), without a share.
    """
    g = to_tm3(geom)
    shares: list[CommuneShare] = []
    if geom.geom_type in POLYGONAL or geom.geom_type in LINEAR:
        polygonal = geom.geom_type in POLYGONAL
        total = g.area if polygonal else g.length
        inside = 0.0
        for code in index.communes_hit(g):
            part = g.intersection(index.commune_geoms[code])
            size = part.area if polygonal else part.length
            inside += size
            if 100 * size / total >= MIN_SHARE_PCT:
                shares.append(CommuneShare(commune=index.communes[code], share_pct=100 * size / total,
                                           area_ha=size / M2_PER_HA if polygonal else None))
        shares.sort(key=lambda s: (-(s.share_pct or 0), s.commune.code))
        return FeatureCommunes(basis="geometry", candidates=False, communes=shares,
                               outside_pct=max(0.0, 100 * (1 - inside / total)), districts=[])
    shares = [CommuneShare(commune=index.communes[c], share_pct=None, area_ha=None) for c in index.communes_hit(g)]
    return FeatureCommunes(basis="geometry", candidates=len(shares) > 1, communes=shares,
                           outside_pct=None, districts=[])


def placed_at_district(index: AdminIndex, geom: BaseGeometry, districts: Iterable[int]) -> list[int]:
    """The former districts (of ``districts``) whose representative point ``geom`` is: the ``district_point``
    form of data/plan, used when a feature's location is not known."""
    if geom.geom_type != "Point":
        return []
    return [d for d in districts if d in index.district_points
            and geom.distance(index.district_points[d]) < SAME_POINT_DEG]


def communes_of_feature(index: AdminIndex, geom: BaseGeometry, precision: str,
                        districts: Iterable[int]) -> FeatureCommunes:
    """The 2025 units of a plan feature: its stored geometry (EPSG:4326), ``geometry_precision`` and former
    districts (the ``districts`` of data/plan).

    A schematic point drawn at its district's representative point says nothing about where in the district the
    feature is: the answer is then the units formed from that district, as candidates (``basis="district"``),
    never one unit picked by the drawn point. Everything else is intersected (``communes_of_geometry``).
    """
    at = placed_at_district(index, geom, districts) if precision == "schematic" else []
    if not at:
        return communes_of_geometry(index, geom)
    seen: dict[str, CommuneShare] = {}
    for code in at:
        for row in communes_of_district(index, code).communes:
            seen.setdefault(row.commune.code, CommuneShare(commune=row.commune, share_pct=None, area_ha=None))
    return FeatureCommunes(basis="district", candidates=True, communes=list(seen.values()), outside_pct=None,
                           districts=at)


def communes_of_district(index: AdminIndex, code: int) -> DistrictCommunes:
    """A former district's 2025 units from the crosswalk, largest share first. KeyError for an unknown code."""
    district = index.districts[code]
    formed, other, uncovered = [], [], None
    for row in index.crosswalk:
        if row.district != code:
            continue
        if row.commune is None:
            uncovered = UncoveredPart(area_ha=row.area_ha, share_of_district_pct=row.share_of_district_pct,
                                      reason=row.reason or "")
            continue
        share = DistrictShare(commune=index.communes[row.commune], area_ha=row.area_ha,
                              share_of_district_pct=row.share_of_district_pct,
                              share_of_commune_pct=row.share_of_commune_pct or 0.0)
        (formed if row.formed_from_district else other).append(share)
    return DistrictCommunes(district=district, communes=sorted(formed, key=_largest_first),
                            other_overlaps=sorted(other, key=_largest_first), uncovered=uncovered)


def _largest_first(share: DistrictShare) -> tuple[float, str]:
    return -share.share_of_district_pct, share.commune.code


def plan_feature_communes(session: Session) -> dict[str, FeatureCommunes]:
    """The 2025 units of every plan feature (its drawn geometry), by feature id; once per data version."""
    return _FEATURES.get(session, _read_feature_communes)


def _read_feature_communes(session: Session) -> dict[str, FeatureCommunes]:
    from layers.models import Feature, FeatureDistrict  # the plan's own tables

    index = admin_index(session)
    districts: dict[str, list[int]] = {}
    for fid, code in session.execute(select(FeatureDistrict.feature_id, FeatureDistrict.gso_code)):
        districts.setdefault(fid, []).append(code)
    rows = session.execute(select(Feature.id, Feature.geometry_precision, Feature.geom.ST_AsBinary()))
    return {fid: communes_of_feature(index, shapely.from_wkb(bytes(wkb)), precision, districts.get(fid, []))
            for fid, precision, wkb in rows}


_FEATURES = VersionedCache("plan_feature_communes")
