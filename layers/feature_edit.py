"""Admins edit plan features (OGC API - Features Part 4): create, replace, update, delete, each audited.

Writes go through a collection, whose one geometry type a new geometry must have (a Polygon is stored as a
MultiPolygon). Through a collection of representative points (clusters, infrastructure projects, growth poles)
only features drawn as points take a new geometry; a footprint or a route is edited in its own collection.
Geometry arrives as GeoJSON in CRS84 and is checked before it is stored: an invalid one is refused with the
reason shapely gives (``Self-intersection[105.1 10.2]``). Properties the service derives (progress, task ids,
mapped area) are read-only and ignored when a client such as QGIS sends them back; any other property must be
one of the collection's fields.
"""

from __future__ import annotations

import re

from geoalchemy2.shape import from_shape, to_shape
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from shapely.geometry import mapping, shape
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from geo.geometry import anchor_point, geometry_kind, invalid_reason, normalised
from layers import audit
from layers.accounts import Principal
from layers.datafiles import Kind, Precision, Status
from layers.models import SRID, District, Feature, FeatureDistrict
from layers.reporting import ReportError
from layers.store.plan_layers import PROGRESS_FIELDS, PlanLayerProvider
from layers.text import fold

READ_ONLY = {f.name for f in PROGRESS_FIELDS} | {"id", "layer", "mapped_area_ha"}
COLUMNS = ("name", "name_en", "kind", "planned_area_ha", "area_note", "occupancy_pct", "occupancy_note", "phase",
           "plan_period", "status", "source", "geometry_precision", "location_note", "location_note_vi")
GEOJSON_TYPES = {"MultiPolygon": ("Polygon", "MultiPolygon"), "Point": ("Point",), "LineString": ("LineString",)}
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,95}$")


class FeatureAttrs(BaseModel):
    """The attributes a feature must have after a create or replace (as in ``data/plan/features``)."""

    model_config = ConfigDict(extra="allow")  # anything else goes to ``properties``
    name: str = Field(min_length=1, max_length=256)
    name_en: str | None = Field(default=None, max_length=256)
    kind: Kind
    planned_area_ha: float | None = Field(default=None, gt=0)
    area_note: str | None = None
    occupancy_pct: float | None = Field(default=None, ge=0, le=100)
    occupancy_note: str | None = None
    phase: str | None = Field(default=None, max_length=128)
    plan_period: str | None = Field(default=None, max_length=32)
    status: Status = "unknown"
    source: str = Field(min_length=3)
    geometry_precision: Precision
    location_note: str = Field(min_length=3)
    location_note_vi: str | None = None
    district_codes: list[int] | str | None = None


def _fail(problems: list[str]) -> ReportError:
    return ReportError(422, "InvalidFeature", "; ".join(problems))


def _attrs(prov: PlanLayerProvider, props: dict) -> FeatureAttrs:
    clean = {k: v for k, v in props.items() if k not in READ_ONLY}
    unknown = sorted(set(clean) - set(prov.collection.field_names))
    if unknown:
        writable = sorted(set(prov.collection.field_names) - READ_ONLY)
        raise _fail([f"{unknown[0]}: not a property of {prov.collection.id}; its properties: {', '.join(writable)}"])
    try:
        return FeatureAttrs.model_validate(clean)
    except ValidationError as exc:
        raise _fail([f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]) from None


def _geometry(prov: PlanLayerProvider, geojson):
    if not isinstance(geojson, dict):
        raise _fail(["geometry: a GeoJSON geometry is required"])
    wanted = prov.collection.geometry_type
    if geojson.get("type") not in GEOJSON_TYPES[wanted]:
        raise _fail([f"geometry: {prov.collection.id} holds {wanted} geometries, not {geojson.get('type')!r}"])
    try:
        geom = shape(geojson)
    except (ValueError, TypeError, AttributeError, KeyError, IndexError) as exc:
        raise _fail([f"geometry: not a GeoJSON geometry ({exc})"]) from None
    reason = invalid_reason(geom)
    if reason:
        raise _fail([f"geometry: invalid, {reason}"])
    return normalised(geom)


def _codes(session: Session, value) -> list[int] | None:
    if value is None:
        return None
    try:
        codes = [int(c) for c in (value.split(",") if isinstance(value, str) else value) if str(c).strip()]
    except ValueError:
        raise _fail([f"district_codes: {value!r} is not a list of GSO codes"]) from None
    known = set(session.scalars(select(District.gso_code).where(District.gso_code.in_(codes)))) if codes else set()
    if unknown := [c for c in codes if c not in known]:
        raise _fail([f"district_codes: unknown {', '.join(map(str, unknown))}"])
    return codes


def snapshot(f: Feature) -> dict:
    return {"id": f.id, "layer": f.layer, **{c: getattr(f, c) for c in COLUMNS},
            "properties": f.properties or {}, "district_codes": sorted(d.gso_code for d in f.districts),
            "geometry": mapping(to_shape(f.geom))}


def _apply(session: Session, f: Feature, attrs: FeatureAttrs, geom, replace: bool) -> None:
    data = attrs.model_dump(exclude_unset=not replace)
    for column in COLUMNS:
        if column in data:
            setattr(f, column, data[column])
    extra = {k: v for k, v in (attrs.model_extra or {}).items() if k not in READ_ONLY}
    f.properties = extra if replace else {**(f.properties or {}), **extra}
    f.search_text = fold(f"{f.name} {f.name_en or ''}")
    if geom is not None:
        f.geom, f.geom_kind = from_shape(geom, srid=SRID), geometry_kind(geom)
        f.anchor = from_shape(anchor_point(geom), srid=SRID)
    codes = _codes(session, data.get("district_codes"))
    if codes is not None:
        session.execute(delete(FeatureDistrict).where(FeatureDistrict.feature_id == f.id))
        session.add_all(FeatureDistrict(feature_id=f.id, gso_code=c) for c in dict.fromkeys(codes))


def _admin(who: Principal) -> None:
    if who.role != "admin":
        raise ReportError(403, "Forbidden", "only an admin edits features")


def locked(session: Session, prov: PlanLayerProvider, feature_id: str) -> Feature:
    """The feature, its row locked for the write (404 when the collection has no such item)."""
    where = [Feature.id == feature_id, Feature.layer == prov.layer]
    if prov.kinds:
        where.append(Feature.geom_kind.in_(prov.kinds))
    f = session.scalar(select(Feature).where(*where).with_for_update(of=Feature))
    if f is None:
        raise ReportError(404, "NotFound", f"no item {feature_id!r} in collection {prov.collection.id!r}")
    return f


def _drawn_here(prov: PlanLayerProvider, f: Feature) -> None:
    """A new geometry through a collection of representative points only for features drawn as points."""
    if prov.geometry == "anchor" and f.geom_kind != "point":
        raise ReportError(409, "Conflict", f"{f.id} is drawn as a {f.geom_kind}: change its geometry in the "
                          f"collection of {f.geom_kind}s of layer {prov.layer}")


def _new_id(session: Session, body: dict, name: str) -> str:
    given = body.get("id") or (body.get("properties") or {}).get("id")
    if given is not None:
        if not isinstance(given, str) or not ID_PATTERN.match(given):
            raise _fail(["id: lower-case ASCII, digits and '-', at most 96 characters"])
        if session.get(Feature, given) is not None:
            raise ReportError(409, "Conflict", f"an item {given!r} exists")
        return given
    base = re.sub(r"[^a-z0-9]+", "-", fold(name)).strip("-")[:80] or "feature"
    candidate, n = base, 1
    while session.get(Feature, candidate) is not None:  # QGIS sends no id: make a readable, unique one
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def _body(body) -> tuple[dict, dict | None]:
    if not isinstance(body, dict) or body.get("type") != "Feature":
        raise _fail(["body: a GeoJSON Feature is expected"])
    props = body.get("properties") or {}
    if not isinstance(props, dict):
        raise _fail(["properties: an object is expected"])
    return props, body.get("geometry")


def create(session: Session, who: Principal, prov: PlanLayerProvider, body) -> Feature:
    _admin(who)
    props, geojson = _body(body)
    attrs, geom = _attrs(prov, props), _geometry(prov, geojson)
    f = Feature(id=_new_id(session, body, attrs.name), layer=prov.layer)
    session.add(f)  # before the links: they are written once the row is flushed
    _apply(session, f, attrs, geom, replace=True)
    session.flush()
    session.refresh(f)
    audit.record(session, who.username, "feature.create", "feature", f.id, None, snapshot(f))
    return f


def replace(session: Session, who: Principal, prov: PlanLayerProvider, feature_id: str, body) -> Feature:
    _admin(who)
    props, geojson = _body(body)
    attrs, geom = _attrs(prov, props), _geometry(prov, geojson)
    f = locked(session, prov, feature_id)
    _drawn_here(prov, f)
    before = snapshot(f)
    _apply(session, f, attrs, geom, replace=True)
    return _done(session, who, f, "feature.replace", before)


def update(session: Session, who: Principal, prov: PlanLayerProvider, feature_id: str, body) -> Feature:
    """A partial change: only the properties (and geometry) given; ``null`` clears an optional property."""
    _admin(who)
    if not isinstance(body, dict):
        raise _fail(["body: a JSON object is expected"])
    props = body.get("properties") or {}
    if not isinstance(props, dict):
        raise _fail(["properties: an object is expected"])
    geom = _geometry(prov, body["geometry"]) if body.get("geometry") is not None else None
    f = locked(session, prov, feature_id)
    if geom is not None:
        _drawn_here(prov, f)
    before = snapshot(f)
    merged = {c: getattr(f, c) for c in COLUMNS} | props
    attrs = _attrs(prov, merged)
    attrs = attrs.model_copy(update={})  # validated whole, applied in part:
    for field in set(COLUMNS) - set(props):
        attrs.__pydantic_fields_set__.discard(field)
    _apply(session, f, attrs, geom, replace=False)
    return _done(session, who, f, "feature.update", before)


def _done(session: Session, who: Principal, f: Feature, action: str, before: dict) -> Feature:
    session.flush()
    session.refresh(f)
    audit.record(session, who.username, action, "feature", f.id, before, snapshot(f))
    return f


def remove(session: Session, who: Principal, prov: PlanLayerProvider, feature_id: str) -> None:
    _admin(who)
    f = locked(session, prov, feature_id)
    before = snapshot(f)
    session.delete(f)
    session.flush()
    audit.record(session, who.username, "feature.delete", "feature", feature_id, before, None)
