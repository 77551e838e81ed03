"""The loaded 2025 units, former communes, former districts and crosswalk in memory, with spatial indexes.

Built once per database and data version (``admin_index(session)``) and then only read: every lookup in
``lookup``, ``where`` and ``outline`` is a pure function of an ``AdminIndex``. Geometries are held in EPSG:9207,
so intersections, areas and lengths are planar metres there.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import shapely
from geoalchemy2.shape import to_shape
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry
from sqlalchemy import select
from sqlalchemy.orm import Session

from geo.crs import STORAGE_SRID, VN2000_TM3
from geo.transform import reproject
from layers.admin2025.models import Commune2025, DistrictCommune, FormerCommune
from layers.admin2025.results import CommuneRef, DistrictRef, FormerCommuneRef
from layers.models import District
from layers.store.version import VersionedCache
from layers.text import fold


@dataclass(frozen=True)
class FormerEntry:
    ref: FormerCommuneRef
    folded_name: str  # fold(name): "thanh loc"
    district: int
    commune: str


@dataclass(frozen=True)
class CrosswalkEntry:
    district: int
    commune: str | None
    area_ha: float
    share_of_district_pct: float
    share_of_commune_pct: float | None
    formed_from_district: bool
    reason: str | None


@dataclass
class AdminIndex:
    """Everything the lookups read. ``commune_geoms`` and ``district_geoms`` are in EPSG:9207."""

    communes: dict[str, CommuneRef]
    commune_geoms: dict[str, BaseGeometry]
    districts: dict[int, DistrictRef]
    district_geoms: dict[int, BaseGeometry]
    district_points: dict[int, Point]  # representative point of each district, EPSG:4326 (district_point form)
    former: list[FormerEntry]
    crosswalk: list[CrosswalkEntry]
    memo: dict = field(default_factory=dict)  # derived results computed once (``outline``)

    def __post_init__(self) -> None:
        self._commune_codes = list(self.commune_geoms)
        self._commune_tree = shapely.STRtree([self.commune_geoms[c] for c in self._commune_codes])
        self._district_codes = list(self.district_geoms)
        self._district_tree = shapely.STRtree([self.district_geoms[c] for c in self._district_codes])

    def communes_hit(self, geom_tm3: BaseGeometry) -> list[str]:
        """Codes of the 2025 units whose polygon intersects ``geom_tm3`` (EPSG:9207)."""
        return sorted(self._commune_codes[i] for i in self._commune_tree.query(geom_tm3, predicate="intersects"))

    def districts_hit(self, geom_tm3: BaseGeometry) -> list[int]:
        """Codes of the former districts whose polygon intersects ``geom_tm3`` (EPSG:9207)."""
        return sorted(self._district_codes[i] for i in self._district_tree.query(geom_tm3, predicate="intersects"))


def to_tm3(geom_lonlat: BaseGeometry) -> BaseGeometry:
    return reproject(geom_lonlat, STORAGE_SRID, VN2000_TM3)


def read_index(session: Session) -> AdminIndex:
    """Build an index from the database (use ``admin_index`` for the cached one)."""
    communes, commune_geoms = {}, {}
    for c in session.scalars(select(Commune2025).order_by(Commune2025.code)):
        communes[c.code] = CommuneRef(code=c.code, name=c.name, type=c.type, full_name=c.full_name,
                                      formed_from_kien_giang=c.formed_from_kien_giang)
        commune_geoms[c.code] = to_tm3(to_shape(c.geom))
    districts, district_geoms, district_points = {}, {}, {}
    for d in session.scalars(select(District).order_by(District.gso_code)):
        districts[d.gso_code] = DistrictRef(code=d.gso_code, name=d.name, short_name=d.short_name)
        shape = to_shape(d.geom)
        district_points[d.gso_code] = shape.representative_point()
        district_geoms[d.gso_code] = to_tm3(shape)
    former = [
        FormerEntry(FormerCommuneRef(code=f.code, name=f.name, type=f.type, full_name=f"{f.type} {f.name}"),
                    fold(f.name), f.district_code, f.commune_code)
        for f in session.scalars(select(FormerCommune).order_by(FormerCommune.code))
    ]
    crosswalk = [
        CrosswalkEntry(r.district_code, r.commune_code, r.area_ha, r.share_of_district_pct, r.share_of_commune_pct,
                       r.formed_from_district, r.reason)
        for r in session.scalars(select(DistrictCommune).order_by(DistrictCommune.district_code,
                                                                  DistrictCommune.area_ha.desc()))
    ]
    return AdminIndex(communes, commune_geoms, districts, district_geoms, district_points, former, crosswalk)


_INDEXES = VersionedCache("admin2025_index")


def admin_index(session: Session) -> AdminIndex:
    """The index of this database at its current data version, built on first use and then reused."""
    return _INDEXES.get(session, read_index)
