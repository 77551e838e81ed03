"""What a collection is (its fields, one geometry type) and what a provider answers (items, pages).

>>> Field("planned_area_ha", "number").schema()
{'type': 'number', 'title': 'planned_area_ha'}
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from shapely.geometry.base import BaseGeometry

from geo.crs import CrsInfo, lookup

JSON_TYPES = {"string": {"type": "string"}, "number": {"type": "number"}, "integer": {"type": "integer"},
              "boolean": {"type": "boolean"}, "date": {"type": "string", "format": "date"}}
# GeoJSON geometry type -> the ``format`` of the geometry queryable (OGC API - Features Part 3)
GEOMETRY_FORMATS = {"Point": "geometry-point", "LineString": "geometry-linestring",
                    "MultiLineString": "geometry-multilinestring", "Polygon": "geometry-polygon",
                    "MultiPolygon": "geometry-multipolygon"}


@dataclass(frozen=True)
class Field:
    """One property of a collection's features, in the order every feature carries it."""

    name: str
    type: str  # string | number | integer | boolean | date
    description: str = ""
    queryable: bool = True  # usable in filters, property=value and sortby

    def schema(self) -> dict:
        out = dict(JSON_TYPES[self.type]) | {"title": self.name}
        return out | {"description": self.description} if self.description else out


@dataclass(frozen=True)
class Collection:
    """A published collection: exactly one geometry type (or none), and the same property keys on every item."""

    id: str
    title_vi: str
    title_en: str
    description: str
    geometry_type: str | None  # GeoJSON type name every item has; None: no geometry
    fields: tuple[Field, ...]
    temporal: str | None = None  # the date field ``datetime`` filters on
    writable: bool = False  # OGC API - Features Part 4 (admins)
    tile_fields: tuple[str, ...] = ()  # properties carried in vector tiles
    min_zoom: int = 0  # below this zoom the web map does not ask for tiles (large layers)
    id_type: str = "string"  # of the items' ids (``id`` is queryable too, though not a property)

    @property
    def has_geometry(self) -> bool:
        return self.geometry_type is not None

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    @property
    def queryables(self) -> dict[str, dict]:
        """Every queryable and its JSON Schema: the item id, then the queryable fields."""
        own = {"id": dict(JSON_TYPES[self.id_type]) | {"title": "id", "description": "the item's id"}}
        return own | {f.name: f.schema() for f in self.fields if f.queryable}

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)


class QueryError(ValueError):
    """A query the client got wrong; ``param`` names the query parameter."""

    def __init__(self, param: str, message: str):
        super().__init__(f"{param}: {message}")
        self.param, self.message = param, message


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
    crs: CrsInfo = field(default_factory=lambda: lookup("CRS84"))  # of the geometries returned
    today: dt.date = field(default_factory=dt.date.today)  # derived properties (overdue) are as of this day


@dataclass
class Item:
    id: str | int
    properties: dict[str, Any]
    geometry: BaseGeometry | None = None  # in the query's CRS and axis order, when not ``geojson``
    geojson: str | None = None  # the geometry already written as GeoJSON text (fast path)


@dataclass
class Page:
    items: list[Item]
    number_matched: int | None  # exact, or None when counting would cost too much
    next_token: str | None
    prev_token: str | None
    matched_estimate: int | None = None  # the database planner's estimate when not counted exactly
