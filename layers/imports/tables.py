"""Names and column types of an imported layer's table.

>>> check_layer_id("parcels_2024")
'parcels_2024'
>>> column_names(["Mã đất", "Diện tích", "fid", "mã đất"])
['ma_dat', 'dien_tich', 'fid_1', 'ma_dat_1']
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyarrow as pa

from layers.text import fold

LAYER_ID = re.compile(r"[a-z][a-z0-9_]{0,47}")
# Tables of PostGIS, SpatiaLite and SQLite themselves: never a layer id.
SYSTEM_TABLES = frozenset({
    "spatial_ref_sys", "geometry_columns", "geography_columns", "raster_columns", "raster_overviews",
    "alembic_version", "spatialite_history", "sql_statements_log", "geometry_columns_auth",
    "geometry_columns_statistics", "geometry_columns_field_infos", "geometry_columns_time", "views_geometry_columns",
    "virts_geometry_columns", "vector_layers", "data_licenses", "spatial_ref_sys_aux", "topology", "layer",
})
SYSTEM_PREFIXES = ("sqlite_", "idx_", "pg_", "spatialite", "views_", "virts_", "vector_layers", "rl2_", "se_",
                   "iso_metadata", "wms_", "networks", "elementarygeometries", "knn")
RESERVED_COLUMNS = ("fid", "geom")


class LayerIdError(ValueError):
    """A layer id that cannot name a table."""


def service_names() -> set[str]:
    """The service's own tables and collection ids: a layer may not take any of them."""
    import layers.admin2025.models  # noqa: F401  (registers the 2025 unit tables)
    import layers.imports.models  # noqa: F401  (registers imported_layers)
    import layers.models_accounts  # noqa: F401
    from layers.models import Base
    from layers.store.catalog import collections

    return set(Base.metadata.tables) | {c.id for c in collections()}


def check_layer_id(layer_id: str) -> str:
    """``layer_id`` if it can name an imported layer's table; LayerIdError saying why not otherwise."""
    if not LAYER_ID.fullmatch(layer_id):
        raise LayerIdError(f"layer id {layer_id!r}: use 1-48 lower-case ASCII letters, digits and '_', "
                           "starting with a letter")
    if layer_id in SYSTEM_TABLES or layer_id.startswith(SYSTEM_PREFIXES):
        raise LayerIdError(f"layer id {layer_id!r} is the name of a database system table: choose another")
    if layer_id in service_names():
        raise LayerIdError(f"layer id {layer_id!r} is taken by the service's own data: choose another")
    return layer_id


def default_layer_id(stem: str) -> str:
    """A layer id made from a file name: ``"Hiện trạng 2024"`` -> ``"hien_trang_2024"``."""
    base = _identifier(stem)[:48]
    return base if base[:1].isalpha() else f"layer_{base}"[:48]


def _identifier(name: str) -> str:
    text = re.sub(r"[^a-z0-9]+", "_", fold(name).replace("đ", "d")).strip("_")
    return text or "field"


def column_names(names: list[str]) -> list[str]:
    """SQL-safe, unique column names for the file's field names (``fid`` and ``geom`` are the table's own)."""
    out: list[str] = []
    taken = set(RESERVED_COLUMNS)
    for name in names:
        base = _identifier(name)[:56]
        base = base if base[:1].isalpha() else f"f_{base}"
        column, n = base, 0
        while column in taken:
            n += 1
            column = f"{base}_{n}"
        taken.add(column)
        out.append(column)
    return out


@dataclass(frozen=True)
class Column:
    name: str  # as in the file
    column: str  # in the table
    type: str  # integer | bigint | double | boolean | text | date | timestamp | time | binary


def column_type(arrow_type: pa.DataType) -> str:
    """The portable type of an Arrow column (what the registry lists)."""
    checks = (
        (pa.types.is_boolean, "boolean"),
        (lambda t: pa.types.is_integer(t) and t.bit_width <= 32, "integer"),
        (pa.types.is_integer, "bigint"),
        (pa.types.is_floating, "double"),
        (pa.types.is_decimal, "double"),
        (pa.types.is_date, "date"),
        (pa.types.is_timestamp, "timestamp"),
        (pa.types.is_time, "time"),
        (lambda t: pa.types.is_binary(t) or pa.types.is_large_binary(t), "binary"),
    )
    return next((name for check, name in checks if check(arrow_type)), "text")


def columns_of(schema: pa.Schema, geometry_column: str) -> list[Column]:
    """The table's columns for the fields of ``schema`` (the geometry column left out)."""
    fields = [f for f in schema if f.name != geometry_column]
    return [Column(f.name, c, column_type(f.type)) for f, c in zip(fields, column_names([f.name for f in fields]))]
