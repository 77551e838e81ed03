"""The published collections, each with its provider: the one reader items, tiles, exports, statistics, the map
and the print sheets use.

>>> provider("industrial_clusters").collection.geometry_type
'Point'
>>> [c.id for c in collections()][:3]
['districts', 'industrial_parks', 'industrial_clusters']
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from layers.store.admin2025 import COMMUNE_FIELDS, CROSSWALK_FIELDS, CommuneProvider, CrosswalkProvider
from layers.store.imported import imported_providers
from layers.store.model import Collection
from layers.store.plan_layers import DISTRICT_FIELDS, DistrictProvider, PlanLayerProvider, plan_fields
from layers.store.table import TableProvider
from layers.store.tasks import TASK_FIELDS, TaskProvider

FEATURE_TILE_FIELDS = ("name", "name_en", "kind", "status", "geometry_precision", "planned_area_ha")
DISTRICT_TILE_FIELDS = ("gso_code", "name", "short_name", "type", "raw_material")
PRECISION = ("Geometry precision is given per feature: indicative footprints around known points, or schematic "
             "points and routes; nothing here is surveyed.")
SOURCES = "Kiên Giang's industrialisation plans (2024 plan, 000; 2022 plan, 001)"


def _plan(cid: str, layer: str, vi: str, en: str, geometry_type: str, geometry: str = "geom",
          kinds: tuple[str, ...] | None = None, about: str = "") -> PlanLayerProvider:
    coll = Collection(cid, vi, en, f"{en} of {SOURCES}. {about}{PRECISION}", geometry_type, plan_fields(layer),
                      writable=True, tile_fields=FEATURE_TILE_FIELDS)
    return PlanLayerProvider(coll, layer, geometry, kinds)


def _district(cid: str, vi: str, en: str, description: str, raw_only: bool) -> DistrictProvider:
    coll = Collection(cid, vi, en, description, "MultiPolygon", DISTRICT_FIELDS, tile_fields=DISTRICT_TILE_FIELDS,
                      id_type="integer")
    return DistrictProvider(coll, raw_only)


AT_A_POINT = "Every feature at one representative point (the middle of a route, a point inside a footprint). "
_PROVIDERS: list[TableProvider] = [
    _district("districts", "Huyện, thành phố (trước 01/7/2025)", "Former districts",
              "Former district-level units of Kiên Giang (before 1 July 2025); areas in EPSG:9207.", False),
    _plan("industrial_parks", "industrial_parks", "Khu công nghiệp", "Industrial parks", "MultiPolygon",
          kinds=("polygon",)),
    _plan("industrial_clusters", "industrial_clusters", "Cụm công nghiệp", "Industrial clusters", "Point",
          "anchor", about=AT_A_POINT + "Footprints are in industrial_cluster_footprints. "),
    _plan("industrial_cluster_footprints", "industrial_clusters", "Cụm công nghiệp (ranh giới dự kiến)",
          "Industrial cluster footprints", "MultiPolygon", kinds=("polygon",),
          about="The clusters whose planned area is drawn as a footprint. "),
    _plan("economic_zones", "economic_zones", "Khu kinh tế", "Economic zones", "MultiPolygon", kinds=("polygon",)),
    _plan("growth_poles", "growth_poles", "Cực tăng trưởng", "Growth poles", "Point", "anchor",
          about="The three growth poles the 2024 plan names (000 §III.3.a): Rạch Giá, Phú Quốc, Hà Tiên. "),
    _plan("dynamic_regions", "dynamic_regions", "Tiểu vùng (thay cho 04 vùng động lực)", "Dynamic regions",
          "MultiPolygon", kinds=("polygon",),
          about="The plan's \"04 vùng động lực\" (000 §III.3.a) are not named in the document; these are the "
                "province's four sub-regions (QĐ 1289/QĐ-TTg, facts §4) standing in for them. "),
    _district("raw_material_districts", "Vùng nguyên liệu", "Raw-material districts",
              "Former districts the plans name as raw-material areas for processing industry (000, footnote 2).",
              True),
    _plan("infrastructure_projects", "infrastructure_projects", "Dự án hạ tầng", "Infrastructure projects",
          "Point", "anchor", about=AT_A_POINT + "Routes are in infrastructure_routes. "),
    _plan("infrastructure_routes", "infrastructure_projects", "Tuyến hạ tầng", "Infrastructure routes",
          "LineString", kinds=("line",), about="The infrastructure projects drawn as routes. "),
    CommuneProvider(Collection(
        "communes_2025", "Xã, phường, đặc khu (từ 01/7/2025)", "Communes of An Giang (from 1 July 2025)",
        "The commune-level units of the new An Giang province (code 91) that cover former Kiên Giang: the 48 "
        "formed from its communes (Resolution 1654/NQ-UBTVQH15) and three border slivers of former-An Giang units; "
        "polygons from sapnhap.bando.com.vn via thanglequoc/vietnamese-provinces-database (MIT), areas computed in "
        "EPSG:9207. Known defects are stated per unit (geometry_note).", "MultiPolygon", COMMUNE_FIELDS,
        tile_fields=("name", "type", "full_name", "formed_from_kien_giang"))),
    CrosswalkProvider(Collection(
        "district_commune_crosswalk", "Huyện cũ – xã mới", "Former district × 2025 commune",
        "One piece per former district and 2025 commune, split by intersection in EPSG:9207, with the share of "
        "each; a district's pieces (with the part no 2025 polygon covers) add up to it.", "MultiPolygon",
        CROSSWALK_FIELDS, tile_fields=("district_code", "commune_code", "share_of_district_pct"))),
    TaskProvider(Collection(
        "tasks", "Nhiệm vụ", "Plan tasks",
        "Tasks of the 2022 and 2024 plans, one per document item, with lead agencies, deadline and reported "
        "progress; no geometry: join on feature_ids or district_codes.", None, TASK_FIELDS, temporal="deadline")),
]
_BY_ID = {p.collection.id: p for p in _PROVIDERS}


def collections(session: Session | None = None) -> list[Collection]:
    """Every published collection, in the order the API lists them: the service's own, then (given a session)
    the layers imported into this database."""
    own = [p.collection for p in _PROVIDERS]
    return own if session is None else own + [p.collection for p in imported_providers(session)]


def provider(collection_id: str, session: Session | None = None) -> TableProvider:
    """The provider of ``collection_id`` (an imported layer's too, given a session); KeyError when none."""
    if collection_id in _BY_ID:
        return _BY_ID[collection_id]
    for imported in imported_providers(session) if session is not None else ():
        if imported.collection.id == collection_id:
            return imported
    raise KeyError(collection_id)


def plan_layer_providers(layer: str) -> list[PlanLayerProvider]:
    """The collections that publish plan layer ``layer`` (its points, and its footprints or routes)."""
    return [p for p in _PROVIDERS if isinstance(p, PlanLayerProvider) and p.layer == layer]


_WHOLE_LAYERS: dict[str, PlanLayerProvider] = {}


def plan_layer(layer: str) -> PlanLayerProvider:
    """Every feature of plan layer ``layer`` with its drawn geometry (points, lines and polygons together).

    Not a published collection (a collection has one geometry type): the reader statistics, print sheets and the
    map panel use for a whole layer.
    """
    if layer not in _WHOLE_LAYERS:
        published = plan_layer_providers(layer)[0].collection
        whole = Collection(layer, published.title_vi, published.title_en, published.description, "Geometry",
                           plan_fields(layer))
        _WHOLE_LAYERS[layer] = PlanLayerProvider(whole, layer, "geom")
    return _WHOLE_LAYERS[layer]
