"""The reader of one SQL source: items with filters and keyset paging, one item, extent, whole-table reads.

A provider describes its rows as a ``Source`` (table or join, id, geometry, SQL expression of each field) and how
to finish their properties (derived values such as progress). Everything else is here, the same for the plan
layers, the districts, the tasks, the 2025 communes and imported layers, on PostGIS and SpatiaLite alike.

The page is built in the database as far as it helps: the rows, their GeoJSON geometry (CRS84) and a count that
stops at ``COUNT_CAP``; Python adds derived properties and writes the bytes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import shapely
from sqlalchemy import Select, func, literal, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from geo.crs import STORAGE_SRID, CrsInfo
from geo.transform import reproject, swap_xy
from layers import cql
from layers.store import paging
from layers.store.model import Collection, Item, ItemQuery, Page, QueryError
from layers.store.sql import Dialect, dialect_of

COUNT_CAP = 10_000  # numberMatched is exact up to this; beyond it the planner's estimate is given instead
OUTPUT_GRID = {True: 1e-7, False: 1e-3}  # coordinate resolution written: degrees (about 1 cm) or metres (1 mm)


@dataclass(frozen=True)
class Source:
    """How a provider's rows are selected."""

    table_name: str  # the table holding ``geom`` (SpatiaLite's spatial index is per table and column)
    from_: Any  # a Table or a join
    id_col: ColumnElement
    id_type: str  # "string" | "integer"
    geom: ColumnElement | None
    geom_name: str
    where: tuple
    columns: dict[str, ColumnElement]  # field name -> SQL expression (fields computed in SQL)
    extra: tuple[ColumnElement, ...] = ()  # more labelled columns the provider reads to build properties


class TableProvider:
    """Items of one collection read from SQL; subclasses give ``source`` and may override ``finish``."""

    collection: Collection

    def source(self, session: Session, today: dt.date) -> Source:
        raise NotImplementedError

    def finish(self, session: Session, rows: list, today: dt.date) -> list[dict]:
        """The properties of ``rows`` in the collection's field order (derived values added by subclasses)."""
        names = self.collection.field_names
        if not rows:
            return []
        keys = rows[0]._fields
        at = [(n, keys.index(n)) if n in keys else (n, None) for n in names]
        return [{n: None if i is None else _plain(r[i]) for n, i in at} for r in rows]

    # -- filters ---------------------------------------------------------------------------------------------

    def _conditions(self, session: Session, src: Source, q: ItemQuery) -> list:
        """Every predicate of ``q`` on ``src`` (bounds, dates, property values, CQL2), with the source's own."""
        d = dialect_of(session)
        conds = list(src.where)
        if q.bbox is not None and src.geom is not None:
            conds += self._intersects(d, src, shapely.box(*q.bbox))
        if q.interval is not None and self.collection.temporal:
            col = src.columns[self.collection.temporal]
            start, end = q.interval
            conds.append(col.is_not(None))
            conds += ([col >= start] if start else []) + ([col <= end] if end else [])
        columns = {name: (src.id_col if name == "id" else src.columns[name], schema)
                   for name, schema in self.collection.queryables.items()}
        conds += [columns[name][0] == value for name, value in q.properties.items()]
        if q.cql is not None:
            spatial = self._spatial(d, src, q.filter_crs) if src.geom is not None else None
            try:
                conds.append(cql.to_sql(q.cql, columns, spatial))
            except cql.CqlError as exc:
                raise QueryError("filter", str(exc)) from None
        return conds

    def _intersects(self, d: Dialect, src: Source, geom) -> tuple:
        return (d.index_hint(src.table_name, src.geom_name, src.geom, geom.bounds),
                func.ST_Intersects(src.geom, d.from_text(geom.wkt)))

    def _spatial(self, d: Dialect, src: Source, crs: CrsInfo):
        """The CQL evaluator's hook: a spatial predicate for a literal given in ``crs`` (its axis order)."""
        def make(op: str, geom):
            stored = reproject(swap_xy(geom) if crs.lat_first else geom, crs.code, STORAGE_SRID)
            pred = getattr(func, f"ST_{op.capitalize()}")(src.geom, d.from_text(stored.wkt))
            if op == "disjoint":
                return pred
            return d.index_hint(src.table_name, src.geom_name, src.geom, stored.bounds) & pred
        return make

    # -- pages -----------------------------------------------------------------------------------------------

    def _keyset(self, src: Source, q: ItemQuery) -> paging.Keyset:
        keys = []
        for name, desc in q.sortby:
            f = self.collection.field(name)
            if f is None or not f.queryable or name not in src.columns:
                sortable = ", ".join(f.name for f in self.collection.fields if f.queryable and f.name in src.columns)
                raise QueryError("sortby", f"unknown property {name!r}; sortable: {sortable}")
            keys.append((src.columns[name], desc, f.type))
        return paging.Keyset(keys, src.id_col, src.id_type)

    def _columns(self, d: Dialect, src: Source, crs: CrsInfo) -> list:
        cols = [src.id_col.label("_id")] + [e.label(n) for n, e in src.columns.items()] + list(src.extra)
        if src.geom is not None:
            fast = crs.code == STORAGE_SRID and not crs.lat_first
            cols.append((d.geojson(src.geom) if fast else d.wkb(src.geom)).label("_geom"))
            cols.append(literal(fast).label("_geojson"))
        return cols

    def query(self, session: Session, q: ItemQuery) -> Page:
        """One page of items matching ``q``; QueryError names a parameter the client got wrong."""
        src = self.source(session, q.today)
        d = dialect_of(session)
        conds = self._conditions(session, src, q)
        keyset = self._keyset(src, q)
        position = paging.decode(q.token) if q.token else {}
        backwards = "before" in position
        stmt = select(*self._columns(d, src, q.crs), *keyset.columns()).select_from(src.from_).where(*conds)
        if position:
            stmt = stmt.where(keyset.beyond(next(iter(position.values())), backwards))
        stmt = stmt.order_by(*keyset.order_by(backwards)).limit(q.limit + 1)
        if q.offset and not position:
            stmt = stmt.offset(q.offset)
        rows = list(session.execute(stmt))
        more = len(rows) > q.limit
        rows = rows[: q.limit]
        if backwards:
            rows.reverse()
        first_page = not position and not q.offset
        nxt = paging.encode({"after": keyset.values(rows[-1])}) if rows and (more or backwards) else None
        prev = paging.encode({"before": keyset.values(rows[0])}) if rows and (position and (
            not backwards or more)) else None
        ids = select(src.id_col).select_from(src.from_).where(*conds)
        matched, estimate = self._count(session, d, ids, known=len(rows) if first_page and not more else None)
        return Page(self._items(session, rows, q), matched, nxt, prev, estimate)

    def _count(self, session: Session, d: Dialect, ids: Select, known: int | None) -> tuple[int | None, int | None]:
        if known is not None:
            return known, None
        n = session.scalar(select(func.count()).select_from(ids.limit(COUNT_CAP + 1).subquery()))
        if n <= COUNT_CAP:
            return n, None
        try:
            return None, d.estimate(session, ids)
        except Exception:  # an estimate is a courtesy: a plan the database cannot explain gives none
            return None, None

    def _items(self, session: Session, rows: list, q: ItemQuery) -> list[Item]:
        props = self.finish(session, rows, q.today)
        if self.collection.geometry_type is None:
            return [Item(_plain(r._id), p) for r, p in zip(rows, props, strict=True)]
        if rows and rows[0]._geojson:
            return [Item(_plain(r._id), p, geojson=r._geom) for r, p in zip(rows, props, strict=True)]
        geoms = output_geometries([r._geom for r in rows], q.crs)
        return [Item(_plain(r._id), p, geojson=g) for r, p, g in zip(rows, props, geoms, strict=True)]

    def get(self, session: Session, item_id: str, crs: CrsInfo, today: dt.date | None = None) -> Item | None:
        """One item by the id written in its URL, or None."""
        src = self.source(session, today or dt.date.today())
        key: Any = item_id
        if src.id_type == "integer":
            if not item_id.isdigit() or len(item_id) > 18:
                return None
            key = int(item_id)
        stmt = select(*self._columns(dialect_of(session), src, crs)).select_from(src.from_).where(
            *src.where, src.id_col == key)
        rows = list(session.execute(stmt))
        if not rows:
            return None
        return self._items(session, rows, ItemQuery(crs=crs, today=today or dt.date.today()))[0]

    def extent(self, session: Session) -> list[float] | None:
        """Lon/lat bounds of the collection's geometries (one aggregate in the database)."""
        src = self.source(session, dt.date.today())
        if src.geom is None:
            return None
        return dialect_of(session).extent(session, src.geom, src.where)

    def temporal_extent(self, session: Session) -> list[str | None] | None:
        if not self.collection.temporal:
            return None
        src = self.source(session, dt.date.today())
        col = src.columns[self.collection.temporal]
        first, last = session.execute(select(func.min(col), func.max(col)).select_from(src.from_)
                                      .where(*src.where)).one()
        return [_plain(first), _plain(last)]

    def records(self, session: Session, bbox: tuple[float, float, float, float] | None = None,
                today: dt.date | None = None) -> list[tuple]:
        """Every row as (id, properties, lon/lat shapely geometry): for exports, statistics and print sheets."""
        today = today or dt.date.today()
        src = self.source(session, today)
        d = dialect_of(session)
        cols = [src.id_col.label("_id")] + [e.label(n) for n, e in src.columns.items()] + list(src.extra)
        if src.geom is not None:
            cols.append(d.wkb(src.geom).label("_geom"))
        stmt = select(*cols).select_from(src.from_).where(*src.where).order_by(src.id_col)
        if bbox is not None and src.geom is not None:
            stmt = stmt.where(*self._intersects(d, src, shapely.box(*bbox)))
        rows = list(session.execute(stmt))
        props = self.finish(session, rows, today)
        geoms = shapely.from_wkb([bytes(r._geom) for r in rows]) if src.geom is not None else [None] * len(rows)
        return [(_plain(r._id), p, g) for r, p, g in zip(rows, props, geoms, strict=True)]


def output_geometries(wkbs: list, crs: CrsInfo) -> list[str]:
    """WKB in storage CRS to GeoJSON text in ``crs``, axis order as PROJ defines it, rounded to the grid."""
    geoms = [reproject(g, STORAGE_SRID, crs.code) for g in shapely.from_wkb([bytes(w) for w in wkbs])]
    if crs.lat_first:
        geoms = [swap_xy(g) for g in geoms]
    grid = OUTPUT_GRID[crs.crs.is_geographic]
    return list(shapely.to_geojson(shapely.set_precision(geoms, grid, mode="pointwise")))


def _plain(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value
