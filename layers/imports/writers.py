"""Write an imported layer's table in ONE transaction, one writer per backend.

PostGIS: ``COPY`` per batch into a new table, GiST index, then (``replace``) the old table is dropped and the new
one renamed, all before the commit, so readers keep the old table until then. SpatiaLite: the geometry column
is registered with ``AddGeometryColumn`` and indexed with ``CreateSpatialIndex`` (R*Tree); SQLite has a single
writer, so a replaced table is dropped and rebuilt inside the same transaction.
Either way a failure rolls everything back: no table, the old one intact, no registry row.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import numpy as np
import psycopg
import pysqlite3.dbapi2 as sqlite
import shapely
from sqlalchemy import Engine

from layers.store import version
from layers.imports.tables import Column

PG_TYPES = {"integer": "integer", "bigint": "bigint", "double": "double precision", "boolean": "boolean",
            "text": "text", "date": "date", "timestamp": "timestamp", "time": "time", "binary": "bytea"}
SQLITE_TYPES = {"integer": "INTEGER", "bigint": "INTEGER", "double": "REAL", "boolean": "BOOLEAN", "text": "TEXT",
                "date": "DATE", "timestamp": "TIMESTAMP", "time": "TIME", "binary": "BLOB"}
REGISTRY_COLUMNS = ("id", "title", "source_name", "geometry_type", "fields", "row_count", "bbox", "landuse_field",
                    "source_crs", "text_encoding", "imported_at", "imported_by")


class TableClash(ValueError):
    """The layer's table exists and may not be written (not imported, or no ``replace``)."""


@dataclass(frozen=True)
class TableSpec:
    table: str
    columns: list[Column]
    geometry_type: str  # MultiPolygon | MultiLineString | MultiPoint


def _q(name: str) -> str:
    """A quoted identifier (names are checked to be [a-z0-9_] before they get here)."""
    return f'"{name}"'


def _registry_values(row: dict) -> list:
    values = dict(row, fields=json.dumps(row["fields"], ensure_ascii=False), bbox=json.dumps(row["bbox"]))
    return [values[c] for c in REGISTRY_COLUMNS]


class PostgisWriter:
    # A value the database refuses (too large a number, a duplicate feature id): the file's fault, not ours.
    data_errors = (psycopg.errors.DataError, psycopg.errors.IntegrityError)

    def __init__(self, engine: Engine) -> None:
        self._raw = engine.raw_connection()
        self.conn = self._raw.driver_connection  # psycopg: the transaction opens on the first statement
        self.spec: TableSpec | None = None
        self.target = ""

    def _exists(self, table: str) -> bool:
        return self.conn.execute("SELECT to_regclass(%s) IS NOT NULL", (f'public."{table}"',)).fetchone()[0]

    def _registered(self, table: str) -> bool:
        return self.conn.execute("SELECT count(*) FROM imported_layers WHERE id = %s", (table,)).fetchone()[0] > 0

    def open(self, table: str, replace: bool) -> None:
        """Check that ``table`` may be written; TableClash if not."""
        if self._exists(table):
            if not self._registered(table):
                raise TableClash(f"a table {table!r} exists that is not an imported layer: choose another id")
            if not replace:
                raise TableClash(f"layer {table!r} exists: use --replace to replace it")
            self.conn.execute(f"LOCK TABLE {_q(table)} IN SHARE MODE")  # no writer may slip in meanwhile
        self.target = f"{table}__importing" if replace else table

    def create(self, spec: TableSpec) -> None:
        self.spec = spec
        columns = "".join(f", {_q(c.column)} {PG_TYPES[c.type]}" for c in spec.columns)
        self.conn.execute(f"CREATE TABLE {_q(self.target)} (fid bigint NOT NULL{columns}, "
                          f"geom geometry({spec.geometry_type}, 4326) NOT NULL, "
                          f"CONSTRAINT {_q(self.target + '_pkey')} PRIMARY KEY (fid))")

    @staticmethod
    def encode(geoms: np.ndarray) -> list[str]:
        return shapely.to_wkb(shapely.set_srid(geoms, 4326), hex=True, include_srid=True).tolist()

    def write(self, fids: list, columns: list[list], geoms: list[str]) -> None:
        """One batch; ``geoms`` as hex EWKB with SRID 4326."""
        names = ", ".join(["fid", *(_q(c.column) for c in self.spec.columns), "geom"])
        with self.conn.cursor() as cur, cur.copy(f"COPY {_q(self.target)} ({names}) FROM STDIN") as copy:
            for row in zip(fids, *columns, geoms):
                copy.write_row(row)

    def finish(self, registry_row: dict) -> None:
        table, target = self.spec.table, self.target
        self.conn.execute(f"CREATE INDEX {_q(target + '_geom_idx')} ON {_q(target)} USING gist (geom)")
        if target != table:
            self.conn.execute(f"DROP TABLE IF EXISTS {_q(table)}")
            self.conn.execute(f"ALTER TABLE {_q(target)} RENAME TO {_q(table)}")
            self.conn.execute(f"ALTER INDEX {_q(target + '_geom_idx')} RENAME TO {_q(table + '_geom_idx')}")
            self.conn.execute(f"ALTER TABLE {_q(table)} RENAME CONSTRAINT {_q(target + '_pkey')} "
                              f"TO {_q(table + '_pkey')}")
        self.conn.execute("DELETE FROM imported_layers WHERE id = %s", (table,))
        marks = ", ".join("%s::json" if c in ("fields", "bbox") else "%s" for c in REGISTRY_COLUMNS)
        self.conn.execute(f"INSERT INTO imported_layers ({', '.join(REGISTRY_COLUMNS)}) VALUES ({marks})",
                          _registry_values(registry_row))
        self.conn.execute(f"ANALYZE {_q(table)}")
        self.conn.execute(version.BUMP_SQL)  # an import is a write: caches and collections move on
        self.conn.commit()
        self._raw.close()

    def abort(self) -> None:
        self.conn.rollback()
        self._raw.close()


def _sqlite_value(value):
    return value.isoformat() if isinstance(value, (dt.date, dt.time)) else value


class SpatialiteWriter:
    data_errors = (sqlite.DataError, sqlite.IntegrityError)

    def __init__(self, engine: Engine) -> None:
        self._raw = engine.raw_connection()
        self.conn = self._raw.driver_connection
        self._isolation = self.conn.isolation_level
        self.conn.isolation_level = None  # we say BEGIN and COMMIT ourselves: DDL included
        self.conn.execute("BEGIN IMMEDIATE")
        self.spec: TableSpec | None = None

    def _one(self, sql: str, params: tuple = ()):
        return self.conn.execute(sql, params).fetchone()[0]

    def open(self, t: str, replace: bool) -> None:
        """Check that table ``t`` may be written (TableClash if not); drop the old one when replacing."""
        if self._one("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?", (t,)):
            if not self._one("SELECT count(*) FROM imported_layers WHERE id = ?", (t,)):
                raise TableClash(f"a table {t!r} exists that is not an imported layer: choose another id")
            if not replace:
                raise TableClash(f"layer {t!r} exists: use --replace to replace it")
            self.conn.execute("SELECT DisableSpatialIndex(?, 'geom')", (t,))
            self.conn.execute(f"DROP TABLE IF EXISTS {_q('idx_' + t + '_geom')}")
            self.conn.execute("SELECT DiscardGeometryColumn(?, 'geom')", (t,))
            self.conn.execute(f"DROP TABLE {_q(t)}")

    def create(self, spec: TableSpec) -> None:
        self.spec = spec
        t = spec.table
        columns = "".join(f", {_q(c.column)} {SQLITE_TYPES[c.type]}" for c in spec.columns)
        self.conn.execute(f"CREATE TABLE {_q(t)} (fid INTEGER PRIMARY KEY{columns})")
        if not self._one("SELECT AddGeometryColumn(?, 'geom', 4326, ?, 'XY', 1)", (t, spec.geometry_type.upper())):
            raise RuntimeError(f"SpatiaLite refused the geometry column of {t!r}")

    @staticmethod
    def encode(geoms: np.ndarray) -> list[bytes]:
        return shapely.to_wkb(geoms).tolist()

    def write(self, fids: list, columns: list[list], geoms: list[bytes]) -> None:
        """One batch; ``geoms`` as WKB."""
        names = ", ".join(["fid", *(_q(c.column) for c in self.spec.columns), "geom"])
        marks = ", ".join(["?"] * (len(self.spec.columns) + 1) + ["GeomFromWKB(?, 4326)"])
        rows = zip(fids, *([_sqlite_value(v) for v in col] for col in columns), geoms)
        self.conn.executemany(f"INSERT INTO {_q(self.spec.table)} ({names}) VALUES ({marks})", rows)

    def finish(self, registry_row: dict) -> None:
        t = self.spec.table
        if not self._one("SELECT CreateSpatialIndex(?, 'geom')", (t,)):
            raise RuntimeError(f"SpatiaLite could not index {t!r}")
        self.conn.execute("DELETE FROM imported_layers WHERE id = ?", (t,))
        values = _registry_values(registry_row)
        values[REGISTRY_COLUMNS.index("imported_at")] = (
            registry_row["imported_at"].astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f"))
        self.conn.execute(f"INSERT INTO imported_layers ({', '.join(REGISTRY_COLUMNS)}) "
                          f"VALUES ({', '.join('?' * len(REGISTRY_COLUMNS))})", values)
        self.conn.execute(version.BUMP_SQL)  # an import is a write: caches and collections move on
        self.conn.execute("COMMIT")
        self._close()

    def abort(self) -> None:
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")
        self._close()

    def _close(self) -> None:
        self.conn.isolation_level = self._isolation
        self._raw.close()


def writer_for(engine: Engine) -> PostgisWriter | SpatialiteWriter:
    return SpatialiteWriter(engine) if engine.dialect.name == "sqlite" else PostgisWriter(engine)
