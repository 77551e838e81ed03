"""``/api/stats/…``: area statistics by former district, raw-material districts and park/cluster occupancy.

Every endpoint answers JSON (``?f=json``, the default) or CSV (``?f=csv``, UTF-8 with a BOM so that Excel shows
Vietnamese). Numbers come from ``layers.stats`` only, the same ones the web map panel and printed maps show.
Responses carry a strong ETag derived from the data version and the query, and ``304`` answers a matching
``If-None-Match``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from typing import Literal

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.orm import Session

from api import conditional
from api.deps import Db
from api.errors import ApiError, responses
from api.params import DistrictCode
from layers import stats
from layers.plan import FEATURE_LAYERS
from layers.store import version

router = APIRouter(prefix="/api/stats", tags=["statistics"])

Format = Literal["json", "csv"]
DATA_CACHE = "public, max-age=300"  # changes only when the plan data is reloaded
LIVE_CACHE = "no-cache"  # task progress changes any time: revalidate (a 304 is cheap)
CSV_FORMAT = {"csv": "text/csv; charset=utf-8"}


# -- response models (the OpenAPI documents them) ------------------------------------------------------------

class LayerDistrictArea(BaseModel):
    layer: str
    gso_code: int
    district: str
    district_area_ha: float
    area_ha: float
    share_pct: float | None
    feature_count: int
    polygon_count: int
    point_count: int
    line_count: int


class DistrictFields(BaseModel):
    """What every statistics row says of a former district."""

    gso_code: int
    name: str
    short_name: str
    type: str
    area_ha: float
    raw_material: bool


class DistrictEntry(DistrictFields):
    hectares: dict[str, float]


class Totals(BaseModel):
    districts: int
    area_ha: float
    hectares: dict[str, float]


class LayerTotal(BaseModel):
    layer: str
    feature_count: int
    polygon_count: int
    point_count: int
    line_count: int
    indicative_count: int
    mapped_area_ha: float
    in_districts_ha: float
    outside_districts_ha: float


class ProvinceInfo(BaseModel):
    code: str
    name: str
    outline_area_ha: float


class ProvinceSummary(BaseModel):
    districts: list[DistrictEntry]
    totals: Totals
    layers: list[LayerTotal]
    province: ProvinceInfo | None


class OccupancyItem(BaseModel):
    id: str
    layer: str
    name: str
    name_en: str | None
    status: str
    districts: list[int]
    planned_area_ha: float | None
    mapped_area_ha: float | None
    geometry_type: str
    geometry_precision: str
    indicative: bool
    occupancy_pct: float | None
    occupancy_note: str | None
    above_threshold: bool | None


class DistrictOccupancyItem(OccupancyItem):
    area_in_district_ha: float | None


class TargetOut(BaseModel):
    id: str
    name: str
    name_en: str | None
    unit: str | None
    comparator: str
    value: float | None
    value_min: float | None
    value_max: float | None
    year: int
    source: str
    threshold_pct: float | None


class OccupancyGroup(BaseModel):
    layer: str
    threshold_pct: float
    required: int
    rule_basis: str
    rule_source: str
    features: int
    occupancy_known: int
    occupancy_unknown: int
    above_threshold: int
    target_state: Literal["met", "not_met", "unknown"]
    planned_area_ha: float
    mapped_area_ha: float
    targets: list[TargetOut]


class Occupancy(BaseModel):
    features: list[OccupancyItem]
    groups: list[OccupancyGroup]


class DistrictTaskCounts(BaseModel):
    """A former district's tasks counted the three ways ``layers.progress`` defines."""

    tasks_direct: int
    tasks_via_features: int
    tasks_linked: int


class Progress(BaseModel):
    """Progress of the district's linked tasks (``tasks_linked``)."""

    tasks: int
    done: int
    overdue: int
    reported: int
    mean_percent: float | None
    state: str
    task_ids: list[str]


class DistrictSummary(DistrictFields):
    raw_material_source: str | None
    layers: list[LayerDistrictArea]
    parks_and_clusters: list[DistrictOccupancyItem]
    tasks: DistrictTaskCounts
    progress: Progress


class RawMaterialDistrict(BaseModel):
    gso_code: int
    name: str
    area_ha: float
    share_pct: float
    source: str | None


class RawMaterialTotals(BaseModel):
    districts: int
    area_ha: float
    province_area_ha: float
    share_pct: float | None
    hectares: dict[str, float]


class RawMaterial(BaseModel):
    districts: list[RawMaterialDistrict]
    totals: RawMaterialTotals


# -- caching -------------------------------------------------------------------------------------------------

def cached(request: Request, session: Session, progress: bool, cache: str,
           build: Callable[[dict], Response]) -> Response:
    """``304`` when the client holds this representation, else the response ``build`` makes, with validators.

    The validator is the data version (and the day, when task progress is shown: overdue changes at midnight),
    the path and the query."""
    stamp = version.stamp(session) if progress else str(version.current(session))
    tag = conditional.strong_tag(stamp, request.url.path, sorted(request.query_params.multi_items()))
    headers = {"ETag": tag, "Cache-Control": cache}
    if conditional.not_modified(request, tag):
        return Response(status_code=304, headers=headers)
    return build(headers)


# -- rendering -----------------------------------------------------------------------------------------------

def csv_bytes(rows: Iterable[dict]) -> bytes:
    """CSV in UTF-8 with a BOM (Excel), header from the first row; lists joined with ``;``."""
    rows = list(rows)
    out = io.StringIO()
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\r\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: ";".join(map(str, v)) if isinstance(v, list) else v for k, v in row.items()})
    return out.getvalue().encode("utf-8-sig")


def render(request: Request, session: Session, f: Format, name: str, model: type[BaseModel],
           payload: Callable[[], dict | list], csv_rows: Callable[[dict | list], list[dict]],
           progress: bool = False) -> Response:
    """JSON (validated against ``model``) or CSV of ``payload()``, computed only when the client needs it."""
    def build(headers: dict) -> Response:
        data = payload()
        if f == "csv":
            headers["Content-Disposition"] = f'inline; filename="{name}.csv"'
            return Response(csv_bytes(csv_rows(data)), media_type=CSV_FORMAT["csv"], headers=headers)
        body = [model.model_validate(d).model_dump(mode="json") for d in data] if isinstance(data, list) \
            else model.model_validate(data).model_dump(mode="json")
        return JSONResponse(body, headers=headers)

    return cached(request, session, progress, LIVE_CACHE if progress else DATA_CACHE, build)


def _flat_district(d: dict) -> dict:
    row = {k: v for k, v in d.items() if k != "hectares"}
    return row | {f"{layer}_ha": ha for layer, ha in d["hectares"].items()}


FORMAT_QUERY = Query("json", description="`json` (default) or `csv` (UTF-8 with BOM)")
RESPONSES = {200: {"content": {"text/csv": {}}, "description": "JSON, or CSV with `?f=csv`"},
             304: {"description": "Not modified (If-None-Match)"}}


# -- routes --------------------------------------------------------------------------------------------------

@router.get("/layers", response_model=list[LayerDistrictArea], responses=RESPONSES,
            summary="Hectares of each layer by former district")
def layer_areas(request: Request, session: Db, f: Format = FORMAT_QUERY,
                layer: str | None = Query(None, max_length=48, description="only this layer: a plan layer or an "
                                          "imported one")) -> Response:
    """Polygon features intersected with each former district (EPSG:9207 hectares), the district's area, the
    share in percent, and the count of features (points and lines by the districts the plan names); then each
    imported layer (its features split by intersection, those meeting the district counted)."""
    imported = stats.imported_layer_ids(session)
    if layer is not None and layer not in FEATURE_LAYERS and layer not in imported:
        raise ApiError(400, "InvalidParameterValue",
                       f"no layer {layer!r}; layers: {', '.join([*FEATURE_LAYERS, *imported])}")

    def rows() -> list[dict]:
        plan = stats.layer_district_areas(session, layer) if layer is None or layer in FEATURE_LAYERS else []
        others = [layer] if layer in imported else (imported if layer is None else [])
        cache = request.app.state.settings.cache_dir
        return plan + [r for lid in others for r in stats.imported_district_areas(session, lid, cache)]

    return render(request, session, f, "layer-district-areas", LayerDistrictArea, rows, lambda rows: rows)


class LandUseArea(BaseModel):
    gso_code: int
    district: str
    code: str | None = None
    name_vi: str | None
    name_en: str | None
    group: str | None
    hectares: float
    features: int


class LandUseInFeature(BaseModel):
    feature_id: str
    layer: str
    name: str
    code: str | None = None
    name_vi: str | None
    name_en: str | None
    group: str | None
    hectares: float
    features: int


def _landuse_layer(session: Session, layer: str) -> str:
    from layers.imports.stats import NoLandUse, landuse_column

    if layer not in stats.imported_layer_ids(session):
        raise ApiError(404, "NotFound", f"no imported layer {layer!r}; see /api/stats/layers")
    try:
        landuse_column(session.get_bind(), layer)
    except NoLandUse as exc:
        raise ApiError(404, "NotFound", str(exc)) from exc
    return layer


@router.get("/landuse/{layer}", response_model=list[LandUseArea], responses=RESPONSES | responses(404),
            summary="Hectares of each land-use code by former district")
def landuse(request: Request, session: Db, layer: str = Path(max_length=48, description="an imported land-use layer"),
            f: Format = FORMAT_QUERY) -> Response:
    """Parcels split by intersection with each former district (EPSG:9207): hectares per land-use code (the
    national codes, data/landuse_codes.yaml) and how many parcels meet the district."""
    name = _landuse_layer(session, layer)
    return render(request, session, f, f"landuse-{name}", LandUseArea,
                  lambda: stats.landuse_by_district(session, name, request.app.state.settings.cache_dir),
                  lambda rows: rows)


@router.get("/landuse/{layer}/overlay", response_model=list[LandUseInFeature], responses=RESPONSES | responses(404),
            summary="Hectares of each land-use code inside each park, cluster and economic zone")
def landuse_overlay(request: Request, session: Db, layer: str = Path(max_length=48, description="an imported land-use layer"),
                    feature: str | None = Query(None, max_length=96, description="only this feature"),
                    f: Format = FORMAT_QUERY) -> Response:
    """What a planned park, cluster or zone would convert: for each one drawn as a polygon, the hectares of each
    land-use code inside it (e.g. LUA, paddy land), parcels cut at its boundary, areas in EPSG:9207."""
    name = _landuse_layer(session, layer)
    return render(request, session, f, f"landuse-overlay-{name}", LandUseInFeature,
                  lambda: stats.landuse_overlay(session, name, feature, request.app.state.settings.cache_dir),
                  lambda rows: rows)


@router.get("/districts", response_model=ProvinceSummary, responses=RESPONSES,
            summary="Former districts: area and hectares by layer, with province totals")
def districts(request: Request, session: Db, f: Format = FORMAT_QUERY) -> Response:
    """Every former district with its area and the hectares of each layer inside it; the totals are the sums of
    the districts. CSV: one row per district."""
    return render(request, session, f, "districts", ProvinceSummary, lambda: stats.province_summary(session),
                  lambda p: [_flat_district(d) for d in p["districts"]])


@router.get("/districts/{gso_code}", response_model=DistrictSummary, responses=RESPONSES | {
    404: {"description": "No former district with this GSO code"}}, summary="One former district")
def district(request: Request, session: Db, gso_code: DistrictCode, f: Format = FORMAT_QUERY) -> Response:
    """Area, raw-material flag, hectares by layer, parks and clusters (planned area, occupancy) and the progress
    of the district's linked tasks. CSV: one row per layer."""
    return render(request, session, f, f"district-{gso_code}", DistrictSummary,
                  lambda: stats.district_summary(session, gso_code), lambda s: s["layers"], progress=True)


@router.get("/raw-material", response_model=RawMaterial, responses=RESPONSES,
            summary="Raw-material districts and their totals")
def raw_material(request: Request, session: Db, f: Format = FORMAT_QUERY) -> Response:
    """The former districts the plans name as raw-material areas, their area and share of the province."""
    return render(request, session, f, "raw-material", RawMaterial, lambda: stats.raw_material_totals(session),
                  lambda p: p["districts"])


@router.get("/occupancy", response_model=Occupancy, responses=RESPONSES,
            summary="Parks and clusters: planned area, occupancy and the 2030 occupancy targets")
def occupancy(request: Request, session: Db, f: Format = FORMAT_QUERY) -> Response:
    """Planned area (the plan's figure) and mapped area (polygon in EPSG:9207; indicative footprints are drawn to
    the planned area), occupancy where a source gives it ("occupancy unknown" otherwise), and how many parks are
    above 85 % and clusters above 60 % against the targets. CSV: one row per park or cluster."""
    return render(request, session, f, "occupancy", Occupancy, lambda: stats.occupancy_targets(session),
                  lambda p: p["features"])


class CommuneTaskCounts(BaseModel):
    """A 2025 unit's tasks counted the three ways ``layers.stats_2025`` defines."""

    tasks_via_district: int
    tasks_via_features: int
    tasks_linked: int


class CommuneStats(BaseModel):
    code: str
    name: str
    type: str
    full_name: str
    formed_from_kien_giang: bool
    area_ha: float
    former_district_codes: list[int]
    hectares: dict[str, float]
    tasks: CommuneTaskCounts
    progress: dict


def _flat_commune(c: dict) -> dict:
    row = {k: v for k, v in c.items() if k not in ("hectares", "tasks", "progress")}
    return row | {f"{layer}_ha": ha for layer, ha in c["hectares"].items()} | c["tasks"] | {
        f"progress_{k}": v for k, v in c["progress"].items()}


@router.get("/communes", response_model=list[CommuneStats], responses=RESPONSES,
            summary="The 2025 communes: area, hectares of each plan layer, tasks and progress")
def communes(request: Request, session: Db, f: Format = FORMAT_QUERY) -> Response:
    """Every unit of An Giang (from 1 July 2025) that covers former Kiên Giang: its area in EPSG:9207, the former
    districts it was formed from, the hectares of each plan layer inside it (split by intersection) and its
    tasks (through those districts or through features in it) with their progress. CSV: one row per unit."""
    from layers.stats_2025 import commune_summary

    return render(request, session, f, "communes-2025", CommuneStats, lambda: commune_summary(session),
                  lambda rows: [_flat_commune(r) for r in rows], progress=True)


@router.get("/communes/{code}", response_model=CommuneStats, responses=RESPONSES | responses(404),
            summary="One 2025 commune")
def one_commune(request: Request, session: Db, code: str = Path(pattern=r"^\d{5}$", description="GSO code, e.g. 30958"),
                f: Format = FORMAT_QUERY) -> Response:
    from layers.stats_2025 import commune_summary

    def one() -> dict:
        found = [r for r in commune_summary(session) if r["code"] == code]
        if not found:
            raise ApiError(404, "NotFound", f"no 2025 commune {code} covers former Kiên Giang; see "
                           "/api/stats/communes")
        return found[0]

    one()  # 404 before any validator is computed
    return render(request, session, f, f"commune-{code}", CommuneStats, one, lambda r: [_flat_commune(r)],
                  progress=True)
