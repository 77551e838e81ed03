"""The collections the service publishes (OGC API - Features): ids, titles, geometry, queryables, source table.

A collection is a *view* of one table: the five plan layers are rows of ``features`` with one ``layer`` value,
``raw_material_districts`` is the districts flagged as raw-material areas, ``tasks`` has no geometry.

>>> COLLECTIONS["industrial_parks"].source
'features'
>>> sorted(COLLECTIONS["tasks"].queryables)[:3]
['deadline', 'deadline_text', 'id']
"""

from __future__ import annotations

from dataclasses import dataclass, field

from layers.plan import FEATURE_LAYERS

# JSON Schema of each queryable: type (and format for dates).
STRING, NUMBER, INTEGER, BOOLEAN, DATE = (
    {"type": "string"}, {"type": "number"}, {"type": "integer"}, {"type": "boolean"},
    {"type": "string", "format": "date"},
)

FEATURE_QUERYABLES = {
    "id": STRING, "name": STRING, "name_en": STRING, "kind": STRING, "planned_area_ha": NUMBER,
    "occupancy_pct": NUMBER, "phase": STRING, "plan_period": STRING, "status": STRING, "source": STRING,
    "geometry_precision": STRING,
}
DISTRICT_QUERYABLES = {
    "gso_code": INTEGER, "name": STRING, "short_name": STRING, "type": STRING, "area_ha": NUMBER,
    "raw_material": BOOLEAN,
}
TASK_QUERYABLES = {
    "id": STRING, "plan": STRING, "section": STRING, "item": STRING, "lead_id": STRING, "deadline": DATE,
    "deadline_text": STRING, "text": STRING, "summary_en": STRING, "source": STRING,
}


@dataclass(frozen=True)
class Collection:
    id: str
    title_vi: str
    title_en: str
    description: str
    source: str  # "features" | "districts" | "tasks"
    geometry_type: str | None  # OGC/GeoJSON type name; None: no geometry
    queryables: dict[str, dict] = field(default_factory=dict)
    temporal: str | None = None  # the date property ``datetime`` filters on
    layer: str | None = None  # features.layer value
    raw_material_only: bool = False

    @property
    def has_geometry(self) -> bool:
        return self.geometry_type is not None


def _layer(layer: str, vi: str, en: str, geometry_type: str = "Geometry") -> Collection:
    return Collection(
        id=layer, title_vi=vi, title_en=en, source="features", geometry_type=geometry_type, layer=layer,
        description=f"{en} of Kiên Giang's industrialisation plans (2022, 2024). Geometry precision is given "
        "per feature: indicative points/footprints or schematic district points and routes.",
        queryables=FEATURE_QUERYABLES,
    )


_ALL = [
    Collection(
        id="districts", title_vi="Huyện, thành phố (trước 01/7/2025)", title_en="Former districts",
        description="Former district-level units of Kiên Giang (before 1 July 2025); areas in EPSG:9207.",
        source="districts", geometry_type="MultiPolygon", queryables=DISTRICT_QUERYABLES,
    ),
    _layer("industrial_parks", "Khu công nghiệp", "Industrial parks"),
    _layer("industrial_clusters", "Cụm công nghiệp", "Industrial clusters"),
    _layer("economic_zones", "Khu kinh tế", "Economic zones"),
    _layer("growth_poles", "Cực tăng trưởng", "Growth poles"),
    Collection(
        id="raw_material_districts", title_vi="Vùng nguyên liệu", title_en="Raw-material districts",
        description="Former districts the plans name as raw-material areas for processing industry.",
        source="districts", geometry_type="MultiPolygon", raw_material_only=True,
        queryables=DISTRICT_QUERYABLES | {"raw_material_source": STRING},
    ),
    _layer("infrastructure_projects", "Dự án hạ tầng", "Infrastructure projects"),
    Collection(
        id="tasks", title_vi="Nhiệm vụ", title_en="Plan tasks",
        description="Tasks of the 2022 and 2024 plans with lead agency, deadline and reported progress; no "
        "geometry: join on feature_ids or district_codes.",
        source="tasks", geometry_type=None, queryables=TASK_QUERYABLES, temporal="deadline",
    ),
]
COLLECTIONS: dict[str, Collection] = {c.id: c for c in _ALL}
assert {c.layer for c in _ALL if c.layer} == set(FEATURE_LAYERS)


def get_collection(collection_id: str) -> Collection | None:
    return COLLECTIONS.get(collection_id)
