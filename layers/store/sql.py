"""What differs between PostGIS and SpatiaLite, in one place: providers ask a ``Dialect`` and never branch on the
backend's name themselves.

>>> dialect_of(session).name          # doctest: +SKIP
'postgis'
"""

from __future__ import annotations

import json
from functools import lru_cache

from sqlalchemy import Select, column, func, literal_column, select, table, text
from sqlalchemy.orm import Session

from geo.crs import STORAGE_SRID

GEOJSON_DIGITS = 7  # decimals of degrees in GeoJSON: about 1 cm


class Dialect:
    name = ""

    def envelope(self, bounds: tuple[float, float, float, float]):
        x1, y1, x2, y2 = bounds
        return func.BuildMbr(x1, y1, x2, y2, STORAGE_SRID)

    def geojson(self, geom):
        """The geometry as GeoJSON text (storage CRS, longitude first)."""
        return func.AsGeoJSON(geom, GEOJSON_DIGITS)

    def wkb(self, geom):
        return func.ST_AsBinary(geom)

    def index_hint(self, table_name: str, geom_name: str, geom, bounds):
        """A predicate the spatial index answers for ``bounds`` (lon/lat) on ``geom``."""
        raise NotImplementedError

    def extent(self, session: Session, geom, where: tuple) -> list[float] | None:
        raise NotImplementedError

    def estimate(self, session: Session, stmt: Select) -> int | None:
        """The planner's estimate of the rows ``stmt`` returns (None when the database has no planner estimate)."""
        return None

    def from_text(self, wkt: str):
        return func.ST_GeomFromText(wkt, STORAGE_SRID)


class PostGIS(Dialect):
    name = "postgis"

    def envelope(self, bounds):
        x1, y1, x2, y2 = bounds
        return func.ST_MakeEnvelope(x1, y1, x2, y2, STORAGE_SRID)

    def geojson(self, geom):
        return func.ST_AsGeoJSON(geom, GEOJSON_DIGITS)

    def index_hint(self, table_name, geom_name, geom, bounds):
        return geom.op("&&")(self.envelope(bounds))

    def extent(self, session, geom, where):
        box = func.ST_Extent(geom)
        row = session.execute(select(func.ST_XMin(box), func.ST_YMin(box), func.ST_XMax(box), func.ST_YMax(box))
                              .where(*where)).one()
        return None if row[0] is None else [float(v) for v in row]

    def estimate(self, session, stmt):
        compiled = stmt.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
        plan = session.execute(text(f"EXPLAIN (FORMAT JSON) {compiled}")).scalar()
        plan = plan if isinstance(plan, list) else json.loads(plan)
        return int(plan[0]["Plan"]["Plan Rows"])


class SpatiaLite(Dialect):
    name = "spatialite"

    def index_hint(self, table_name, geom_name, geom, bounds):
        rtree = table("SpatialIndex", column("rowid"), column("f_table_name"), column("f_geometry_column"),
                      column("search_frame"))
        hits = select(rtree.c.rowid).where(
            rtree.c.f_table_name == table_name, rtree.c.f_geometry_column == geom_name,
            rtree.c.search_frame == self.envelope(bounds))
        return literal_column(f'"{table_name}".rowid').in_(hits)

    def extent(self, session, geom, where):
        box = func.Extent(geom)
        row = session.execute(select(func.MbrMinX(box), func.MbrMinY(box), func.MbrMaxX(box), func.MbrMaxY(box))
                              .where(*where)).one()
        return None if row[0] is None else [float(v) for v in row]


@lru_cache(maxsize=None)
def _by_name(name: str) -> Dialect:
    return PostGIS() if name == "postgresql" else SpatiaLite()


def dialect_of(session: Session) -> Dialect:
    """The dialect of the database ``session`` talks to."""
    return _by_name(session.get_bind().dialect.name)
