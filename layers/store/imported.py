"""Providers of imported layers (``planmap import``): each table a collection with everything the plan layers
have — items, filters, CRS, vector tiles, exports — read through the same ``TableProvider``.

The table's columns come from the registry (``imported_layers.fields``), not from reflecting the database on every
request; the providers are rebuilt when the data version moves (an import is a write).
"""

from __future__ import annotations

import datetime as dt

from geoalchemy2 import Geometry
from sqlalchemy import BigInteger, Boolean, Column, Date, DateTime, Float, Integer, MetaData, Table, Text, Time
from sqlalchemy.orm import Session

from layers.imports.models import ImportedLayer, imported_layers
from layers.store.model import Collection, Field
from layers.store.table import Source, TableProvider
from layers.store.version import VersionedCache

# registry type -> (SQL type, JSON type of the field)
TYPES = {"integer": (Integer, "integer"), "bigint": (BigInteger, "integer"), "double": (Float, "number"),
         "boolean": (Boolean, "boolean"), "text": (Text, "string"), "date": (Date, "date"),
         "timestamp": (DateTime, "string"), "time": (Time, "string")}
TILE_ZOOM_ROWS = 50_000  # a layer this large is drawn from tiles from zoom 12 on (a z12 tile is about 10 km)
LARGE_LAYER_MIN_ZOOM = 12


def _table(row: ImportedLayer) -> Table:
    columns = [Column("fid", BigInteger, primary_key=True),
               Column("geom", Geometry(row.geometry_type.upper(), srid=4326, spatial_index=False))]
    columns += [Column(f["column"], TYPES[f["type"]][0]) for f in row.fields if f["type"] in TYPES]
    return Table(row.id, MetaData(), *columns)


def _collection(row: ImportedLayer) -> Collection:
    fields = tuple(Field(f["column"], TYPES[f["type"]][1], f"'{f['name']}' in {row.source_name}")
                   for f in row.fields if f["type"] in TYPES)
    tile_fields = tuple(f.name for f in fields if f.name == row.landuse_field) or tuple(f.name for f in fields[:3])
    description = (f"Imported from {row.source_name} ({row.row_count:,} features, source CRS {row.source_crs}) by "
                   f"{row.imported_by} on {row.imported_at:%Y-%m-%d}." +
                   (f" Land-use codes in '{row.landuse_field}'." if row.landuse_field else ""))
    return Collection(row.id, row.title, row.title, description, row.geometry_type, fields, tile_fields=tile_fields,
                      min_zoom=LARGE_LAYER_MIN_ZOOM if row.row_count > TILE_ZOOM_ROWS else 0, id_type="integer")


class ImportedLayerProvider(TableProvider):
    """One imported table."""

    def __init__(self, row: ImportedLayer):
        self.collection, self.table = _collection(row), _table(row)
        self.landuse_field = row.landuse_field

    def source(self, session: Session, today: dt.date) -> Source:
        c = self.table.c
        return Source(self.table.name, self.table, c.fid, "integer", c.geom, "geom", (),
                      {f.name: c[f.name] for f in self.collection.fields})


_PROVIDERS = VersionedCache("imported_providers")


def imported_providers(session: Session) -> list[ImportedLayerProvider]:
    """A provider per imported layer, by id; rebuilt when the data version moves."""
    return _PROVIDERS.get(session, lambda s: [ImportedLayerProvider(row) for row in imported_layers(s)])
