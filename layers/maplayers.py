"""The geometry the web map draws, made light for the browser: a backdrop and layers, not datasets.

Four bundles, each computed once per data version (and day, where progress colours them):

- ``base_map``: neighbouring provinces, Kiên Giang's outline (its coast) and the former districts;
- ``plan_layers``: every plan layer in one answer, read through the published collections' providers (so the
  map shows the properties GIS clients see), with only the properties the map uses;
- ``communes_outline``: the 2025 units of An Giang over former Kiên Giang (the stored polygons have a vertex
  every 7 m; drawn here simplified as a coverage, so neighbours keep sharing their edges);
- ``imported_overlays``: the layers imported with ``planmap import``, described for the layer list and the legend
  (the browser draws them from their vector tiles: no geometry here).

Geometries are simplified and their coordinates rounded (5 decimals is about 1 m, 4 about 11 m); the full
geometries are in OGC API - Features.
"""

from __future__ import annotations

import datetime as dt

import shapely
from geoalchemy2.shape import to_shape
from shapely.geometry import mapping
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from layers.admin2025.models import Commune2025
from layers.imports.models import imported_layers
from layers.models import District, Province
from layers.store.catalog import provider
from layers.store.imported import imported_providers
from layers.store.version import VersionedCache

NEIGHBOUR_TOLERANCE_DEG = 0.003  # Douglas-Peucker, about 330 m: the backdrop around the province
# Coverage simplification (Visvalingam-Whyatt; about the side of the triangles removed): neighbours keep one shared
# edge. 0.002° leaves about as many vertices as a 90 m Douglas-Peucker would; a unit of small islands that this
# would shrink by more than AREA_KEPT is drawn from the finer pass instead (islands share no edge).
COVERAGE_TOLERANCE_DEG = (0.002, 0.0004)
AREA_KEPT = 0.02
# Per published collection: (simplification tolerance in degrees, decimals kept). Parks and cluster footprints are
# a kilometre across and are looked at closely; the sub-regions are district outlines seen at province zoom.
COLLECTION_DETAIL = {
    "industrial_parks": (0.00005, 5), "industrial_cluster_footprints": (0.00005, 5),
    "economic_zones": (0.0002, 5), "dynamic_regions": (0.0015, 4), "infrastructure_routes": (0.0002, 5),
}
POINT_DECIMALS = 5
# What the map reads of a plan feature (popups fetch the rest).
MAP_PROPERTIES = ("name", "name_en", "kind", "status", "geometry_precision", "planned_area_ha", "district_codes",
                  "communes_2025", "communes_2025_basis", "progress_state", "tasks_total", "tasks_done",
                  "tasks_overdue", "mean_percent", "task_ids")


def round_coords(obj, digits: int):
    """Round every coordinate of a GeoJSON-like structure.

    >>> round_coords({"type": "Point", "coordinates": (104.123456, 10.987654)}, 4)
    {'type': 'Point', 'coordinates': [104.1235, 10.9877]}
    """
    if isinstance(obj, float):
        return round(obj, digits)
    if isinstance(obj, (list, tuple)):
        return [round_coords(v, digits) for v in obj]
    if isinstance(obj, dict):
        return {k: round_coords(v, digits) for k, v in obj.items()}
    return obj


def light(shape, tolerance: float, digits: int) -> dict:
    """GeoJSON of ``shape`` simplified (topology kept) and put on a grid of ``digits`` decimals, still valid."""
    if tolerance and shape.geom_type != "Point":
        shape = shape.simplify(tolerance, preserve_topology=True)
    return gridded(shape, digits)


def gridded(shape, digits: int) -> dict:
    """GeoJSON of ``shape`` on a grid of ``digits`` decimals; polygons stay valid (rounding alone can make a ring
    cross itself)."""
    if shape.geom_type in ("Polygon", "MultiPolygon"):
        shape = shapely.set_precision(shape, 10.0**-digits)
    return round_coords(mapping(shape), digits)


def focus_bbox(shape) -> list[float]:
    """The bbox a map zooms to: the main land parts, not far islets (Phú Quốc's Thổ Châu, 100 km away)."""
    parts = list(getattr(shape, "geoms", [shape]))
    largest = max(p.area for p in parts)
    main = [p for p in parts if p.area >= 0.1 * largest]
    xs0, ys0, xs1, ys1 = zip(*(p.bounds for p in main), strict=True)
    return round_coords([min(xs0), min(ys0), max(xs1), max(ys1)], 5)


def _label_point(shape) -> list[float]:
    """Where a polygon's label goes: a point inside its largest part."""
    parts = list(getattr(shape, "geoms", [shape]))
    point = max(parts, key=lambda p: p.area).point_on_surface()
    return round_coords([point.x, point.y], 4)


def simplify_coverage(shapes: list) -> list:
    """Polygons that share edges, simplified together (they keep sharing them); each keeps its area within
    ``AREA_KEPT``."""
    coarse, fine = (shapely.coverage_simplify(shapes, tol) for tol in COVERAGE_TOLERANCE_DEG)
    return [c if abs(c.area / s.area - 1) <= AREA_KEPT else f for s, c, f in zip(shapes, coarse, fine, strict=True)]


def _feature(geometry: dict, properties: dict, fid=None) -> dict:
    out = {"type": "Feature", "geometry": geometry, "properties": properties}
    return out if fid is None else {"type": "Feature", "id": fid} | {k: out[k] for k in ("geometry", "properties")}


_BASE = VersionedCache("webmap_base")


def base_map(session: Session) -> dict:
    """The offline base: neighbouring provinces, Kiên Giang's outline (its coast) and its former districts."""
    return _BASE.get(session, _read_base)


def _read_base(session: Session) -> dict:
    features = [_feature(light(to_shape(p.geom), NEIGHBOUR_TOLERANCE_DEG, 4),
                         {"kind": "province", "role": p.role, "code": p.code, "name": p.name})
                for p in session.scalars(select(Province).order_by(Province.code))]
    districts = list(session.scalars(select(District).order_by(District.gso_code)))
    shapes = [to_shape(d.geom) for d in districts]
    drawn = simplify_coverage(shapes)
    for d, shape, geom in zip(districts, shapes, drawn, strict=True):
        features.append(_feature(gridded(geom, 4), {
            "kind": "district", "gso_code": d.gso_code, "name": d.name, "short_name": d.short_name,
            "type": d.type, "area_ha": round(d.area_ha, 1), "raw_material": d.raw_material,
            "bbox": focus_bbox(shape), "label_at": _label_point(shape)}))
    return {"type": "FeatureCollection", "features": features}


_LAYERS = VersionedCache("webmap_layers", per_day=True)


def plan_layers(session: Session, layers: dict[str, tuple[str, ...]], today: dt.date | None = None) -> dict:
    """Every map layer's features from its collections in order: ``{layer: {collection: FeatureCollection}}``.

    ``layers`` maps a map layer to its collections (footprints or routes first, then the points): the map draws
    a feature once, from the first collection that has it.
    """
    key = tuple(sorted((k, v) for k, v in layers.items()))
    cached = _LAYERS.get(session, lambda s: {}, today)
    if key not in cached:
        cached[key] = {layer: {cid: _collection(session, cid, today) for cid in cids} for layer, cids in layers.items()}
    return cached[key]


def _collection(session: Session, collection_id: str, today: dt.date | None) -> dict:
    tolerance, digits = COLLECTION_DETAIL.get(collection_id, (0, POINT_DECIMALS))
    features = [_feature(light(geom, tolerance, digits), {k: props.get(k) for k in MAP_PROPERTIES}, fid)
                for fid, props, geom in provider(collection_id).records(session, today=today)]
    return {"type": "FeatureCollection", "features": features}


_COMMUNES = VersionedCache("webmap_communes")


def communes_outline(session: Session) -> dict:
    """The 2025 units over former Kiên Giang, simplified for the browser, with a label point each."""
    return _COMMUNES.get(session, _read_communes)


def _read_communes(session: Session) -> dict:
    units = list(session.scalars(select(Commune2025).order_by(Commune2025.code)))
    shapes = [to_shape(u.geom) for u in units]
    drawn = simplify_coverage(shapes)
    features = []
    for u, shape, geom in zip(units, shapes, drawn, strict=True):
        features.append(_feature(gridded(geom, 4), {
            "code": u.code, "name": u.name, "type": u.type, "full_name": u.full_name,
            "formed_from_kien_giang": bool(u.formed_from_kien_giang),
            "former_districts": [d["code"] for d in u.former_districts or []],
            "bbox": focus_bbox(shape), "label_at": _label_point(shape)}))
    return {"type": "FeatureCollection", "features": features}


_IMPORTED = VersionedCache("webmap_imported")
GEOMETRY_KINDS = {"MultiPolygon": "polygon", "Polygon": "polygon", "MultiLineString": "line", "LineString": "line",
                  "MultiPoint": "point", "Point": "point"}


def imported_overlays(session: Session) -> list[dict]:
    """Each imported layer as the map shows it: id, title, geometry kind (polygon, line, point), the zoom from which
    its tiles are drawn, its fields (name in the file -> column), and for a land-use layer its field and the codes
    present (trimmed, upper case, as the statistics group them), by id.

    >>> imported_overlays(session)[0]["codes"]  # doctest: +SKIP
    ['CLN', 'LUA', 'LUK', 'ONT']
    """
    return _IMPORTED.get(session, _read_imported)


def _read_imported(session: Session) -> list[dict]:
    providers = {p.collection.id: p for p in imported_providers(session)}
    out = []
    for row in imported_layers(session):
        prov = providers[row.id]
        out.append({"id": row.id, "title": row.title, "geometry": GEOMETRY_KINDS.get(row.geometry_type, "polygon"),
                    "rows": row.row_count, "bbox": row.bbox, "min_zoom": prov.collection.min_zoom,
                    "fields": [{"name": f["name"], "column": f["column"]} for f in row.fields],
                    "landuse_field": row.landuse_field,
                    "codes": _codes_present(session, prov.table.c[row.landuse_field]) if row.landuse_field else []})
    return out


def _codes_present(session: Session, column) -> list[str]:
    code = func.upper(func.trim(column))
    return sorted(c for c in session.scalars(select(code).where(column.is_not(None)).distinct()) if c)
