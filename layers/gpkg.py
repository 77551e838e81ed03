"""A small GeoPackage (OGC 12-128r18) writer and reader on sqlite3: feature and attribute tables with typed
columns, GeoPackage geometry blobs, and JSON columns marked by the schema extension (``gpkg_data_columns``).

GDAL reads what this writes (``tests/test_backup.py`` opens it with pyogrio); this module reads it back
exactly, NULLs and types included, which GDAL's tabular model would not.

>>> with Writer(path) as gpkg:                                   # doctest: +SKIP
...     gpkg.add_table("sites", [Column("id", "text"), Column("geom", "geometry", "POINT", 4326)], rows)
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import struct
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Self

import shapely
from pyproj import CRS
from shapely.geometry.base import BaseGeometry

APPLICATION_ID = 0x47504B47  # "GPKG"
USER_VERSION = 10400  # 1.4.0
SQL_TYPES = {"integer": "INTEGER", "real": "DOUBLE", "text": "TEXT", "boolean": "BOOLEAN", "date": "DATE",
             "datetime": "DATETIME", "json": "TEXT", "blob": "BLOB"}
JSON_MIME = "application/json"
WKB_MIME = "application/vnd.ogc.wkb"  # a second geometry column: plain WKB, its type and SRID in gpkg_data_columns
FID = "fid"  # GeoPackage tables need an integer primary key of their own
_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}

_CORE = """
CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL,
  organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);
CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL,
  identifier TEXT UNIQUE, description TEXT DEFAULT '',
  last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE,
  srs_id INTEGER REFERENCES gpkg_spatial_ref_sys(srs_id));
CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL,
  geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
  PRIMARY KEY (table_name, column_name), UNIQUE (table_name));
CREATE TABLE gpkg_extensions (table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL,
  definition TEXT NOT NULL, scope TEXT NOT NULL, UNIQUE (table_name, column_name, extension_name));
CREATE TABLE gpkg_data_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, name TEXT, title TEXT,
  description TEXT, mime_type TEXT, constraint_name TEXT, PRIMARY KEY (table_name, column_name));
INSERT INTO gpkg_spatial_ref_sys VALUES
  ('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', NULL),
  ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', NULL);
INSERT INTO gpkg_extensions VALUES
  ('gpkg_data_columns', NULL, 'gpkg_schema', 'http://www.geopackage.org/spec/#extension_schema', 'read-write');
"""


class GpkgError(ValueError):
    """The file is not a GeoPackage this module can read."""


@dataclass(frozen=True)
class Column:
    """``kind``: one of ``SQL_TYPES``, or ``geometry`` (a table's one GeoPackage geometry) or ``wkb`` (any other
    geometry column of the table), both with ``geometry_type`` and ``srid``."""

    name: str
    kind: str
    geometry_type: str | None = None
    srid: int | None = None


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def encode_geometry(geom: BaseGeometry | None, srid: int) -> bytes | None:
    """A GeoPackage binary: header (magic, flags, srs id, xy envelope) then ISO WKB, little-endian."""
    if geom is None:
        return None
    if geom.is_empty:
        return b"GP\x00" + bytes([0b10001]) + struct.pack("<i", srid) + shapely.to_wkb(geom, byte_order=1, flavor="iso")
    minx, miny, maxx, maxy = geom.bounds
    header = b"GP\x00" + bytes([0b11]) + struct.pack("<i4d", srid, minx, maxx, miny, maxy)
    return header + shapely.to_wkb(geom, byte_order=1, flavor="iso")


def decode_geometry(blob: bytes | None) -> BaseGeometry | None:
    if blob is None:
        return None
    if blob[:2] != b"GP":
        raise GpkgError("a geometry that is not a GeoPackage binary")
    envelope = (blob[3] >> 1) & 0b111
    return shapely.from_wkb(bytes(blob[8 + _ENVELOPE_BYTES[envelope]:]))


def _to_gpkg(column: Column, value):
    if value is None:
        return None
    if column.kind == "geometry":
        return encode_geometry(value, column.srid)
    if column.kind == "wkb":
        return shapely.to_wkb(value, flavor="iso")
    if column.kind == "json":
        return json.dumps(value, ensure_ascii=False)
    if column.kind == "datetime":
        if value.tzinfo is not None:
            return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
        return value.isoformat()
    if column.kind == "date":
        return value.isoformat()
    if column.kind == "boolean":
        return int(bool(value))
    if column.kind == "real":
        return float(value)
    return value


def _from_gpkg(column: Column, value):
    if value is None:
        return None
    if column.kind == "geometry":
        return decode_geometry(value)
    if column.kind == "wkb":
        return shapely.from_wkb(bytes(value))
    if column.kind == "json":
        return json.loads(value)
    if column.kind == "datetime":
        return dt.datetime.fromisoformat(value)
    if column.kind == "date":
        return dt.date.fromisoformat(value)
    if column.kind == "boolean":
        return bool(value)
    return value


class Writer:
    """A new GeoPackage at ``path`` (which must not exist); ``close()`` commits."""

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(path)
        self.db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        self.db.execute(f"PRAGMA user_version = {USER_VERSION}")
        self.db.executescript(_CORE)
        self.srids: set[int] = {-1, 0}

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type, *_) -> None:
        if exc_type is None:
            self.db.commit()
        self.db.close()

    def _srs(self, srid: int) -> None:
        if srid not in self.srids:
            crs = CRS.from_epsg(srid)
            self.db.execute("INSERT INTO gpkg_spatial_ref_sys VALUES (?, ?, 'EPSG', ?, ?, NULL)",
                            (crs.name, srid, srid, crs.to_wkt("WKT1_GDAL")))
            self.srids.add(srid)

    def add_table(self, name: str, columns: list[Column], rows: Iterable[tuple], description: str = "") -> int:
        """Write one table (features when a column is a geometry, else attributes); returns the row count."""
        geoms = [c for c in columns if c.kind == "geometry"]
        if len(geoms) > 1 or any(c.name == FID for c in columns):
            raise GpkgError(f"{name}: at most one geometry column and none called {FID!r}")
        defs = [f"{_q(c.name)} {c.geometry_type if c.kind == 'geometry' else SQL_TYPES.get(c.kind, 'BLOB')}"
                for c in columns]
        self.db.execute(f"CREATE TABLE {_q(name)} ({FID} INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, "
                        f"{', '.join(defs)})")
        insert = (f"INSERT INTO {_q(name)} ({', '.join(_q(c.name) for c in columns)}) "
                  f"VALUES ({', '.join('?' * len(columns))})")
        count, bounds = 0, None
        for row in rows:
            self.db.execute(insert, [_to_gpkg(c, v) for c, v in zip(columns, row, strict=True)])
            count += 1
            for c, v in zip(columns, row, strict=True):
                if c.kind == "geometry" and v is not None and not v.is_empty:
                    b = v.bounds
                    bounds = b if bounds is None else (min(bounds[0], b[0]), min(bounds[1], b[1]),
                                                       max(bounds[2], b[2]), max(bounds[3], b[3]))
        self._register(name, columns, geoms[0] if geoms else None, bounds, description)
        return count

    def _register(self, name: str, columns: list[Column], geom: Column | None, bounds, description: str) -> None:
        if geom:
            self._srs(geom.srid)
            self.db.execute("INSERT INTO gpkg_geometry_columns VALUES (?, ?, ?, ?, 0, 0)",
                            (name, geom.name, geom.geometry_type, geom.srid))
        self.db.execute(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, min_x, min_y, max_x, "
            "max_y, srs_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (name, "features" if geom else "attributes", name, description, *(bounds or (None,) * 4),
             geom.srid if geom else None))
        for c in columns:
            if c.kind == "json":
                self.db.execute("INSERT INTO gpkg_data_columns (table_name, column_name, name, mime_type) "
                                "VALUES (?, ?, ?, ?)", (name, c.name, c.name, JSON_MIME))
            if c.kind == "wkb":
                self.db.execute("INSERT INTO gpkg_data_columns (table_name, column_name, name, title, description, "
                                "mime_type) VALUES (?, ?, ?, ?, ?, ?)",
                                (name, c.name, c.name, c.geometry_type, str(c.srid), WKB_MIME))


class Reader:
    """A GeoPackage written by ``Writer``: its tables, their columns (kinds) and decoded rows."""

    def __init__(self, path: Path) -> None:
        if not Path(path).is_file():
            raise GpkgError(f"{path}: no such file")
        self.db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            app_id = self.db.execute("PRAGMA application_id").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise GpkgError(f"{path}: not a GeoPackage ({exc})") from exc
        if app_id != APPLICATION_ID:
            raise GpkgError(f"{path}: not a GeoPackage")

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_) -> None:
        self.db.close()

    def has_table(self, name: str) -> bool:
        return self.db.execute("SELECT 1 FROM gpkg_contents WHERE table_name = ?", (name,)).fetchone() is not None

    def count(self, name: str) -> int:
        return self.db.execute(f"SELECT count(*) FROM {_q(name)}").fetchone()[0]

    def columns(self, name: str) -> list[Column]:
        geoms = {c: (t, s) for c, t, s in self.db.execute(
            "SELECT column_name, geometry_type_name, srs_id FROM gpkg_geometry_columns WHERE table_name = ?",
            (name,))}
        json_cols = {c for (c,) in self.db.execute(
            "SELECT column_name FROM gpkg_data_columns WHERE table_name = ? AND mime_type = ?", (name, JSON_MIME))}
        wkb_cols = {c: (t, int(s)) for c, t, s in self.db.execute(
            "SELECT column_name, title, description FROM gpkg_data_columns WHERE table_name = ? AND mime_type = ?",
            (name, WKB_MIME))}
        kinds = {v: k for k, v in SQL_TYPES.items() if k != "json"}
        out = []
        for _, col, sql_type, *_ in self.db.execute(f"PRAGMA table_info({_q(name)})"):
            if col == FID:
                continue
            if col in geoms:
                out.append(Column(col, "geometry", *geoms[col]))
            elif col in wkb_cols:
                out.append(Column(col, "wkb", *wkb_cols[col]))
            else:
                out.append(Column(col, "json" if col in json_cols else kinds.get(sql_type.upper(), "text")))
        return out

    def rows(self, name: str, batch: int = 1000) -> Iterator[list[tuple]]:
        """The rows of ``name`` in the order they were written, decoded, in batches."""
        columns = self.columns(name)
        cur = self.db.execute(f"SELECT {', '.join(_q(c.name) for c in columns)} FROM {_q(name)} ORDER BY {FID}")
        while chunk := cur.fetchmany(batch):
            yield [tuple(_from_gpkg(c, v) for c, v in zip(columns, row, strict=True)) for row in chunk]
