"""Providers of the plan's own layers (table ``features``) and of the former districts (table ``districts``).

A plan layer is published as collections of one geometry type each: every feature at a representative point
(``anchor``) where the layer mixes points, lines and polygons (clusters, infrastructure, growth poles), and the
polygons or lines themselves as their own collections (cluster footprints, infrastructure routes). Every feature
of a collection carries the same keys, in the order of its fields, null where unknown.
"""

from __future__ import annotations

import datetime as dt

import shapely
from sqlalchemy import select
from sqlalchemy.orm import Session

from geo.area import hectares
from layers import progress
from layers.admin2025.index import admin_index
from layers.admin2025.lookup import communes_of_district, plan_feature_communes
from layers.admin2025.results import FeatureCommunes
from layers.models import District, Feature
from layers.store.model import Collection, Field
from layers.store.table import Source, TableProvider
from layers.store.version import VersionedCache

DISTRICT_NOTE = "former district (before 1 July 2025)"

def _extra(name: str, kind: str) -> Field:
    return Field(name, kind, queryable=False)  # extras live in a JSON column: shown, not filtered


# Properties the plan's records carry beyond the common ones, per layer (data/plan/features/<layer>.yaml).
LAYER_EXTRAS: dict[str, tuple[Field, ...]] = {
    "industrial_parks": (_extra("phase1_area_ha", "number"), _extra("phase2_area_ha", "number"),
                         _extra("status_note", "string"), _extra("plan_spelling", "string")),
    "industrial_clusters": (_extra("investment_period", "string"), _extra("plan_phase", "string"),
                            _extra("established", "string"), _extra("plan_spelling", "string"),
                            _extra("name_note", "string"), _extra("note_area", "string"), _extra("note", "string")),
    "economic_zones": (_extra("legal_basis", "string"), _extra("type", "string")),
    "growth_poles": (_extra("role_en", "string"),),
    "dynamic_regions": (_extra("role_en", "string"), _extra("note", "string")),
    "infrastructure_projects": (
        _extra("project", "string"), _extra("park", "string"), _extra("length_km", "number"),
        _extra("length_km_total", "number"), _extra("length_note", "string"), _extra("lanes", "integer"),
        _extra("design_speed_kmh", "integer"), _extra("works_count", "integer"), _extra("dike_length_note", "string"),
        _extra("kind_note", "string"), _extra("status_note", "string"), _extra("note", "string")),
}

_COLUMNS = ("name", "name_en", "kind", "planned_area_ha", "area_note", "occupancy_pct", "occupancy_note", "phase",
            "plan_period", "status", "geometry_precision", "source", "location_note", "location_note_vi")
FEATURE_FIELDS = (
    Field("name", "string", "name as the plan writes it (Vietnamese)"),
    Field("name_en", "string"),
    Field("kind", "string"),
    Field("district_codes", "string", "GSO codes of the former districts the plan names, comma-separated", False),
    Field("planned_area_ha", "number", "area the plan gives, hectares"),
    Field("mapped_area_ha", "number", "area of the drawn polygon in EPSG:9207, hectares", False),
    Field("area_note", "string"),
    Field("occupancy_pct", "number"),
    Field("occupancy_note", "string"),
    Field("phase", "string"),
    Field("plan_period", "string"),
    Field("status", "string"),
    Field("geometry_precision", "string", "surveyed, indicative or schematic"),
    Field("source", "string", "document and section"),
    Field("location_note", "string"),
    Field("location_note_vi", "string"),
    Field("communes_2025", "string", "GSO codes of the units of An Giang (from 1 July 2025) it lies in", False),
    Field("communes_2025_names", "string", "their names, with the share of the feature in each", False),
    Field("communes_2025_basis", "string", "geometry (intersected) or district (location unknown: the units "
          "formed from its former district, as candidates)", False),
)
PROGRESS_FIELDS = (
    Field("progress_state", "string", "no_tasks, not_reported, in_progress, overdue or done", False),
    Field("tasks_total", "integer", queryable=False),
    Field("tasks_done", "integer", queryable=False),
    Field("tasks_overdue", "integer", queryable=False),
    Field("mean_percent", "number", queryable=False),
    Field("task_ids", "string", "linked tasks, comma-separated", False),
)
DISTRICT_FIELDS = (
    Field("gso_code", "integer"), Field("name", "string"), Field("short_name", "string"), Field("type", "string"),
    Field("area_ha", "number", "area in EPSG:9207, hectares"), Field("raw_material", "boolean"),
    Field("raw_material_source", "string"), Field("note", "string", queryable=False), Field("source", "string"),
    Field("tasks_direct", "integer", "tasks whose document item names the district", False),
    Field("tasks_via_features", "integer", "tasks linked to a plan feature in the district", False),
    Field("tasks_linked", "integer", "tasks linked either way (listed on the panel and the sheet)", False),
    *PROGRESS_FIELDS[:1], *PROGRESS_FIELDS[2:],
    Field("communes_2025", "string", "GSO codes of the units formed from its communes (Resolution 1654)", False),
)


def plan_fields(layer: str) -> tuple[Field, ...]:
    return FEATURE_FIELDS + LAYER_EXTRAS.get(layer, ()) + PROGRESS_FIELDS


_AREAS = VersionedCache("feature_areas")


def _read_areas(session: Session) -> dict[str, float]:
    rows = session.execute(select(Feature.id, Feature.geom.ST_AsBinary()).where(Feature.geom_kind == "polygon"))
    return {fid: round(hectares(shapely.from_wkb(bytes(wkb))), 2) for fid, wkb in rows}


def mapped_areas(session: Session) -> dict[str, float]:
    """Hectares (EPSG:9207) of every polygon feature, by id; computed once per data version."""
    return _AREAS.get(session, _read_areas)


def _communes(found: FeatureCommunes | None) -> dict:
    if found is None:
        return {"communes_2025": "", "communes_2025_names": "", "communes_2025_basis": None}
    names = [c.commune.full_name + (f" ({c.share_pct:.1f} %)" if c.share_pct is not None else "")
             for c in found.communes]
    return {"communes_2025": ",".join(c.commune.code for c in found.communes),
            "communes_2025_names": "; ".join(names), "communes_2025_basis": found.basis}


def _progress(roll: progress.Rollup | None) -> dict:
    return {"progress_state": roll.state if roll else "no_tasks", "tasks_total": roll.tasks if roll else 0,
            "tasks_done": roll.done if roll else 0, "tasks_overdue": roll.overdue if roll else 0,
            "mean_percent": roll.mean_percent if roll else None,
            "task_ids": ",".join(roll.task_ids) if roll else ""}


class PlanLayerProvider(TableProvider):
    """Features of one plan layer, drawn as ``geometry`` ("geom" or "anchor"), of the given ``kinds``."""

    def __init__(self, collection: Collection, layer: str, geometry: str = "geom",
                 kinds: tuple[str, ...] | None = None):
        self.collection, self.layer, self.geometry, self.kinds = collection, layer, geometry, kinds

    def source(self, session: Session, today: dt.date) -> Source:
        where = (Feature.layer == self.layer,) + ((Feature.geom_kind.in_(self.kinds),) if self.kinds else ())
        geom = getattr(Feature, self.geometry)
        return Source("features", Feature.__table__, Feature.id, "string", geom, self.geometry, where,
                      {c: getattr(Feature, c) for c in _COLUMNS},
                      (Feature.properties.label("_extra"),))

    def finish(self, session: Session, rows: list, today: dt.date) -> list[dict]:
        rolls = progress.feature_progress(session, today)
        districts = progress.links(session).district_of_feature
        areas = mapped_areas(session)
        communes = plan_feature_communes(session)
        out = []
        for r in rows:
            m, extra = r._mapping, r._extra or {}
            values = {n: m[n] for n in _COLUMNS} | {
                "district_codes": ",".join(str(c) for c in districts.get(r._id, ())),
                "mapped_area_ha": areas.get(r._id)} | _progress(rolls.get(r._id)) | _communes(communes.get(r._id))
            out.append({f.name: values.get(f.name, extra.get(f.name)) for f in self.collection.fields})
        return out


class DistrictProvider(TableProvider):
    """The former districts (all, or those the plans name as raw-material areas)."""

    def __init__(self, collection: Collection, raw_material_only: bool = False):
        self.collection, self.raw_material_only = collection, raw_material_only

    def source(self, session: Session, today: dt.date) -> Source:
        where = (District.raw_material.is_(True),) if self.raw_material_only else ()
        names = ("gso_code", "name", "short_name", "type", "area_ha", "raw_material", "raw_material_source",
                 "source")
        return Source("districts", District.__table__, District.gso_code, "integer", District.geom, "geom",
                      where, {n: getattr(District, n) for n in names})

    def finish(self, session: Session, rows: list, today: dt.date) -> list[dict]:
        index = admin_index(session)
        out = []
        for r in rows:
            tasks = progress.district_tasks(session, r._id, today)
            roll = _progress(tasks.progress)
            units = communes_of_district(index, r._id).communes if r._id in index.districts else []
            values = dict(r._mapping) | {"area_ha": round(r.area_ha, 2), "raw_material": bool(r.raw_material),
                                         "note": DISTRICT_NOTE, "communes_2025": ",".join(
                                             u.commune.code for u in units)} | tasks.counts() | roll
            out.append({f.name: values.get(f.name) for f in self.collection.fields})
        return out
