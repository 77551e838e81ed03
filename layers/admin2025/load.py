"""The ``planmap load`` step of the 2025 units: read and compute (before the load's transaction), then replace
the three tables (inside it). Idempotent: the tables end up the same however often it runs; an error anywhere
raises and the caller's transaction rolls everything back.
"""

from __future__ import annotations

from dataclasses import dataclass

from geoalchemy2.shape import from_shape
from sqlalchemy import delete
from sqlalchemy.orm import Session

from geo.area import M2_PER_HA
from layers.admin2025 import build
from layers.admin2025.models import Commune2025, DistrictCommune, FormerCommune
from layers.admin2025.sources import read_sources
from layers.models import SRID
from layers.settings import Settings


@dataclass(frozen=True)
class Admin2025Rows:
    communes: list[dict]
    former_communes: list[dict]
    crosswalk: list[dict]


def compute(settings: Settings, districts: dict, step=lambda _: None) -> Admin2025Rows:
    """Every row of the three tables from the upstream files and the former districts ({code: EPSG:4326})."""
    src = read_sources(settings, step)
    step("communes 2025: areas and crosswalk (EPSG:9207)")
    geoms = build.commune_geometries(src)
    communes_tm3 = {code: build.tm3(g) for code, g in geoms.items()}
    districts_tm3 = {code: build.tm3(g) for code, g in districts.items()}
    pieces = build.intersections(communes_tm3, districts_tm3)
    inside: dict[str, float] = {}
    for p in pieces:
        if p.commune:
            inside[p.commune] = inside.get(p.commune, 0.0) + p.area_ha
    communes = build.commune_rows(src, geoms, inside)
    crosswalk = build.crosswalk_rows(
        pieces, {c: g.area / M2_PER_HA for c, g in districts_tm3.items()},
        {c: g.area / M2_PER_HA for c, g in communes_tm3.items()}, build.formed_from_districts(communes))
    return Admin2025Rows(communes, build.former_commune_rows(src, set(geoms)), crosswalk)


def write(session: Session, rows: Admin2025Rows) -> None:
    """Replace the three tables' content with ``rows`` (units merged by code, the other two rebuilt)."""
    session.execute(delete(DistrictCommune))
    session.execute(delete(FormerCommune))
    codes = [r["code"] for r in rows.communes]
    session.execute(delete(Commune2025).where(Commune2025.code.not_in(codes)))
    for r in rows.communes:
        session.merge(Commune2025(**{**r, "geom": from_shape(r["geom"], srid=SRID)}))
    session.flush()
    session.add_all(FormerCommune(**r) for r in rows.former_communes)
    session.add_all(DistrictCommune(**{**r, "geom": from_shape(r["geom"], srid=SRID)}) for r in rows.crosswalk)
    session.flush()
