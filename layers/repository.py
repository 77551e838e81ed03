"""Items of the published collections: filters, keyset paging, capped counts; both SpatiaLite and PostGIS.

The API asks here and never writes SQL. Paging follows the id (keyset) in both directions, so a page deep in
a table of 100,000 parcels costs the same as the first; with ``sortby`` the token carries an offset instead.
``numberMatched`` is counted up to ``COUNT_CAP`` rows and left out beyond it.

>>> page = list_items(session, COLLECTIONS["industrial_parks"], ItemQuery(limit=2))   # doctest: +SKIP
>>> [i.id for i in page.items], page.next_token is not None                         # doctest: +SKIP
(['kcn-a', 'kcn-b'], True)
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from geoalchemy2.shape import to_shape
from shapely.geometry.base import BaseGeometry
from sqlalchemy import Select, and_, column, func, literal_column, select, table
from sqlalchemy.orm import Session

from geo.crs import STORAGE_SRID, CrsInfo, lookup
from geo.transform import reproject, swap_xy
from layers import cql
from layers.catalog import COLLECTIONS, Collection
from layers.db import backend_name
from layers.models import District, Feature, Task
from layers.progress import district_progress, feature_progress, task_states

COUNT_CAP = 10_000  # beyond this numberMatched is omitted: counting a big table on every page is too slow
DISTRICT_NOTE = "former district (before 1 July 2025)"


class QueryError(ValueError):
    """A query the client got wrong; ``param`` names the query parameter."""

    def __init__(self, param: str, message: str):
        super().__init__(f"{param}: {message}")
        self.param = param


@dataclass
class ItemQuery:
    limit: int = 10
    offset: int | None = None
    token: str | None = None
    bbox: tuple[float, float, float, float] | None = None  # lon/lat, storage CRS
    interval: tuple[dt.date | None, dt.date | None] | None = None  # inclusive; None end = open
    properties: dict[str, Any] = field(default_factory=dict)  # queryable -> typed value (equality)
    cql: Any = None  # parsed CQL2 AST
    filter_crs: CrsInfo = field(default_factory=lambda: lookup("CRS84"))
    sortby: list[tuple[str, bool]] = field(default_factory=list)  # (queryable, descending)


@dataclass
class Item:
    id: str | int
    geometry: BaseGeometry | None
    properties: dict[str, Any]


@dataclass
class Page:
    items: list[Item]
    number_matched: int | None
    next_token: str | None
    prev_token: str | None


@dataclass(frozen=True)
class _Source:
    model: Any
    id_col: Any
    geom_col: Any
    where: tuple
    columns: cql.Columns


def _source(coll: Collection) -> _Source:
    if coll.source == "features":
        model, where = Feature, (Feature.layer == coll.layer,)
    elif coll.source == "districts":
        model, where = District, ((District.raw_material.is_(True),) if coll.raw_material_only else ())
    else:
        model, where = Task, ()
    id_col = District.gso_code if model is District else model.id
    geom = getattr(model, "geom", None)
    columns = {name: (getattr(model, name), schema) for name, schema in coll.queryables.items()}
    return _Source(model, id_col, geom, where, columns)


# --- spatial predicates -------------------------------------------------------------------------------------

def _index_hint(session: Session, src: _Source, bounds: tuple[float, float, float, float]):
    """A bounding-box predicate the spatial index answers (GiST on PostGIS, the R*Tree on SpatiaLite)."""
    x1, y1, x2, y2 = bounds
    if backend_name(session.get_bind()) == "postgis":
        return src.geom_col.op("&&")(func.ST_MakeEnvelope(x1, y1, x2, y2, STORAGE_SRID))
    name = src.model.__tablename__
    rtree = table("SpatialIndex", column("rowid"), column("f_table_name"), column("f_geometry_column"),
                  column("search_frame"))
    hits = select(rtree.c.rowid).where(
        rtree.c.f_table_name == name, rtree.c.f_geometry_column == "geom",
        rtree.c.search_frame == func.BuildMbr(x1, y1, x2, y2, STORAGE_SRID))
    return literal_column(f"{name}.rowid").in_(hits)


def _spatial(session: Session, src: _Source, crs: CrsInfo):
    """The CQL evaluator's hook: a spatial predicate for a literal given in ``crs``."""
    def make(op: str, geom: BaseGeometry):
        if crs.lat_first:
            geom = swap_xy(geom)
        stored = reproject(geom, crs.code, STORAGE_SRID)
        literal = func.ST_GeomFromText(stored.wkt, STORAGE_SRID)
        pred = getattr(func, f"ST_{op.capitalize()}")(src.geom_col, literal)
        return pred if op == "disjoint" else and_(_index_hint(session, src, stored.bounds), pred)
    return make


def _filtered(session: Session, coll: Collection, src: _Source, q: ItemQuery) -> Select:
    stmt = select(src.model).where(*src.where)
    if q.bbox is not None and src.geom_col is not None:
        x1, y1, x2, y2 = q.bbox
        envelope = func.ST_GeomFromText(f"POLYGON(({x1} {y1},{x2} {y1},{x2} {y2},{x1} {y2},{x1} {y1}))",
                                        STORAGE_SRID)
        stmt = stmt.where(_index_hint(session, src, q.bbox), func.ST_Intersects(src.geom_col, envelope))
    if q.interval is not None and coll.temporal:
        col = getattr(src.model, coll.temporal)
        start, end = q.interval
        stmt = stmt.where(col.is_not(None))
        stmt = stmt.where(col >= start) if start else stmt
        stmt = stmt.where(col <= end) if end else stmt
    for name, value in q.properties.items():
        stmt = stmt.where(src.columns[name][0] == value)
    if q.cql is not None:
        spatial = _spatial(session, src, q.filter_crs) if src.geom_col is not None else None
        try:
            stmt = stmt.where(cql.to_sql(q.cql, src.columns, spatial))
        except cql.CqlError as exc:
            raise QueryError("filter", str(exc)) from None
    return stmt


# --- paging ---------------------------------------------------------------------------------------------------

def encode_token(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_token(token: str) -> dict:
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (ValueError, TypeError):
        raise QueryError("token", "not a token this service issued") from None
    if not isinstance(data, dict) or not ({"a", "b", "o"} & set(data)):
        raise QueryError("token", "not a token this service issued")
    if "o" in data and (not isinstance(data["o"], int) or data["o"] < 0):
        raise QueryError("token", "not a token this service issued")
    return data


def _count(session: Session, stmt: Select, src: _Source) -> int | None:
    capped = stmt.with_only_columns(src.id_col).limit(COUNT_CAP + 1).subquery()
    n = session.scalar(select(func.count()).select_from(capped))
    return None if n > COUNT_CAP else n


def _rows(session: Session, stmt: Select, src: _Source, q: ItemQuery) -> tuple[list, str | None, str | None]:
    """One page of ORM rows and the tokens of the next and previous pages."""
    pos = decode_token(q.token) if q.token else ({"o": q.offset} if q.offset else {})
    n = q.limit
    if q.sortby or "o" in pos:
        order = [(src.columns[k][0].desc() if desc else src.columns[k][0].asc()) for k, desc in q.sortby]
        offset = pos.get("o", 0)
        rows = list(session.scalars(stmt.order_by(*order, src.id_col).offset(offset).limit(n + 1)))
        nxt = encode_token({"o": offset + n}) if len(rows) > n else None
        prev = encode_token({"o": max(0, offset - n)}) if offset else None
        return rows[:n], nxt, prev
    if "b" in pos:  # walking backwards: the n rows before the key, then back in id order
        rows = list(session.scalars(stmt.where(src.id_col < pos["b"]).order_by(src.id_col.desc()).limit(n + 1)))
        page = list(reversed(rows[:n]))
        return page, encode_token({"a": _key(page[-1])}) if page else None, (
            encode_token({"b": _key(page[0])}) if len(rows) > n else None)
    if "a" in pos:
        stmt = stmt.where(src.id_col > pos["a"])
    rows = list(session.scalars(stmt.order_by(src.id_col).limit(n + 1)))
    page = rows[:n]
    nxt = encode_token({"a": _key(page[-1])}) if len(rows) > n else None
    prev = encode_token({"b": _key(page[0])}) if "a" in pos and page else None
    return page, nxt, prev


def _key(row: Any) -> str | int:
    return row.gso_code if isinstance(row, District) else row.id


def list_items(session: Session, coll: Collection, q: ItemQuery) -> Page:
    """One page of ``coll``'s items matching ``q``; QueryError names a parameter the client got wrong."""
    src = _source(coll)
    stmt = _filtered(session, coll, src, q)
    rows, nxt, prev = _rows(session, stmt, src, q)
    return Page(_items(session, coll, rows), _count(session, stmt, src), nxt, prev)


def get_feature(session: Session, collection_id: str, feature_id: str) -> Item | None:
    """One item by its id as written in URLs, or None (unknown collection, id, or an id of another layer)."""
    coll = COLLECTIONS.get(collection_id)
    if coll is None:
        return None
    src = _source(coll)
    key: str | int = feature_id
    if src.id_col is District.gso_code:
        if not feature_id.isdigit() or len(feature_id) > 9:
            return None
        key = int(feature_id)
    row = session.scalars(select(src.model).where(*src.where, src.id_col == key)).first()
    return _items(session, coll, [row])[0] if row is not None else None


# --- rows to items ----------------------------------------------------------------------------------------------

def _codes(values) -> str:
    """A comma list: scalar fields keep GeoPackage and Shapefile exports simple for GIS users."""
    return ",".join(str(v) for v in values)


def _progress(roll) -> dict:
    return {"progress_state": roll.state if roll else "no_tasks", "tasks_total": roll.tasks if roll else 0,
            "tasks_done": roll.done if roll else 0, "tasks_overdue": roll.overdue if roll else 0,
            "mean_percent": roll.mean_percent if roll else None,
            "task_ids": _codes(roll.task_ids) if roll else ""}


def _items(session: Session, coll: Collection, rows: list) -> list[Item]:
    if not rows:
        return []
    if coll.source == "features":
        progress = feature_progress(session)
        return [Item(r.id, to_shape(r.geom), _feature_props(r, progress.get(r.id))) for r in rows]
    if coll.source == "districts":
        progress = district_progress(session)
        return [Item(r.gso_code, to_shape(r.geom), _district_props(r, progress.get(r.gso_code), coll))
                for r in rows]
    states = task_states(session)
    return [Item(r.id, None, _task_props(r, states.get(r.id))) for r in rows]


def _feature_props(f: Feature, roll) -> dict:
    extra = {k: (_codes(v) if isinstance(v, list) else v) for k, v in (f.properties or {}).items()}
    return {
        "name": f.name, "name_en": f.name_en, "kind": f.kind,
        "district_codes": _codes(sorted(d.gso_code for d in f.districts)),
        "planned_area_ha": f.planned_area_ha, "occupancy_pct": f.occupancy_pct, "phase": f.phase,
        "plan_period": f.plan_period, "status": f.status, "source": f.source,
        "geometry_precision": f.geometry_precision, "location_note": f.location_note,
        **_progress(roll), **{k: v for k, v in extra.items() if k not in ("name", "id")},
    }


def _district_props(d: District, roll, coll: Collection) -> dict:
    props = {"gso_code": d.gso_code, "name": d.name, "short_name": d.short_name, "type": d.type,
             "area_ha": round(d.area_ha, 2), "raw_material": d.raw_material,
             "raw_material_source": d.raw_material_source, "note": DISTRICT_NOTE, "source": d.source}
    return props | _progress(roll)


def _task_props(t: Task, state) -> dict:
    return {
        "plan": t.plan, "section": t.section, "item": t.item, "lead_id": t.lead_id, "lead_name": t.lead.name,
        "lead_name_en": t.lead.name_en, "partners": _codes(sorted(a.id for a in t.partners)),
        "deadline": t.deadline.isoformat() if t.deadline else None, "deadline_text": t.deadline_text,
        "status": state.status if state else "not_reported", "percent": state.percent if state else None,
        "overdue": state.overdue if state else False,
        "feature_ids": _codes(sorted(f.id for f in t.features)),
        "district_codes": _codes(sorted(d.gso_code for d in t.districts)),
        "text": t.text, "summary_en": t.summary_en, "source": t.source,
    }


def spatial_extent(session: Session, coll: Collection | None = None) -> list[float]:
    """Lon/lat bounds of ``coll``'s geometries (so QGIS zooms to the layer), or of the former districts.

    One aggregate in the database (``ST_Extent`` / SpatiaLite ``Extent``) over the collection's rows.
    """
    src = _source(coll) if coll is not None else _source(COLLECTIONS["districts"])
    if src.geom_col is None:
        src = _source(COLLECTIONS["districts"])  # tasks have no geometry: they concern the province
    if backend_name(session.get_bind()) == "postgis":
        box = func.ST_Extent(src.geom_col)
        parts = (func.ST_XMin(box), func.ST_YMin(box), func.ST_XMax(box), func.ST_YMax(box))
    else:
        box = func.Extent(src.geom_col)
        parts = (func.MbrMinX(box), func.MbrMinY(box), func.MbrMaxX(box), func.MbrMaxY(box))
    row = session.execute(select(*parts).where(*src.where)).one()
    if row[0] is None:
        return [-180.0, -90.0, 180.0, 90.0]
    return [float(v) for v in row]


def temporal_extent(session: Session, coll: Collection) -> list[str | None] | None:
    """[first, last] of the collection's date property (an indexed column), or None without dates."""
    if not coll.temporal:
        return None
    col = getattr(_source(coll).model, coll.temporal)
    first, last = session.execute(select(func.min(col), func.max(col))).one()
    return [first.isoformat() if first else None, last.isoformat() if last else None]


def bbox_rows(session: Session, coll: Collection, bounds: tuple[float, float, float, float]) -> list:
    """ORM rows of ``coll`` whose geometry meets the lon/lat ``bounds`` (via the spatial index); for tiles."""
    return list(session.scalars(_filtered(session, coll, _source(coll), ItemQuery(bbox=bounds))))
