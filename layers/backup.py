"""``planmap backup`` / ``planmap restore``: the whole database in one GeoPackage, and back, on either backend.

Generic over the models: every table of ``layers.schema.model_metadata()`` (a new model module's tables too,
without a code change) becomes a GeoPackage table; spatial ones are feature tables that GDAL and QGIS open.
Secrets, the columns whose name ends in ``_hash`` (password, token and session hashes), are left out unless
asked for; a table keyed by one (login sessions) is left out whole. The ``planmap_backup`` table holds the
schema revision, the data version and the tables in the order they are restored (parents first).

Restore replaces the database in one transaction: drop our tables, create the schema at the backup's revision,
insert every row with its id, then migrate to this code's newest revision. A backup from a newer schema is
refused. A secret that is not in the backup is restored as a value no password or token can match.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from geoalchemy2 import Geometry
from geoalchemy2.shape import from_shape, to_shape
from sqlalchemy import Connection, Engine, inspect, select

from layers.db import backend_name, ddl_transaction, insertion_order, read_snapshot, sync_sequences
from layers.gpkg import Column, GpkgError, Reader, Writer
from layers.schema import (
    current_revision,
    drop_tables,
    head_revision,
    is_known,
    model_metadata,
    own_tables,
    tables_with_rows,
    upgrade,
)
from layers.store import version

FORMAT = "planmap-backup-1"
META = "planmap_backup"
SECRET_SUFFIX = "_hash"
LOCKED = "!locked-"  # not a hash of anything: a login or token checked against it always fails

Step = Callable[[str, int, int], None]  # (table, index, number of tables)


class BackupError(ValueError):
    """A backup or restore that cannot be done; the message says why in one line."""


@dataclass(frozen=True)
class BackupInfo:
    """What a backup holds (``planmap_backup``) or what a restore did."""

    revision: str
    data_version: str
    with_secrets: bool
    rows: dict[str, int]
    left_out: dict[str, list[str]] = field(default_factory=dict)  # table -> secret columns not in the backup
    skipped: list[str] = field(default_factory=list)  # tables keyed by a secret, not in the backup


def _kind(column: sa.Column) -> Column:
    t = column.type
    if isinstance(t, Geometry):
        return Column(column.name, "geometry", t.geometry_type or "GEOMETRY", t.srid)
    for sa_type, kind in ((sa.Boolean, "boolean"), (sa.Integer, "integer"), (sa.Float, "real"),
                          (sa.Numeric, "real"), (sa.DateTime, "datetime"), (sa.Date, "date"), (sa.JSON, "json"),
                          (sa.LargeBinary, "blob")):
        if isinstance(t, sa_type):
            if kind == "datetime" and not t.timezone:
                raise BackupError(f"{column}: a DateTime without time zone is ambiguous across backends")
            return Column(column.name, kind)
    return Column(column.name, "text")


def _one_gpkg_geometry(columns: list[Column]) -> list[Column]:
    """A GeoPackage table has one geometry column: a table's others (features.anchor) travel as WKB."""
    first = next((c for c in columns if c.kind == "geometry"), None)
    return [c if c.kind != "geometry" or c is first else Column(c.name, "wkb", c.geometry_type, c.srid)
            for c in columns]


def _sa_type(column: Column):
    if column.kind in ("geometry", "wkb"):
        return Geometry(column.geometry_type, srid=column.srid, spatial_index=False)
    return {"boolean": sa.Boolean(), "integer": sa.Integer(), "real": sa.Float(), "date": sa.Date(),
            "datetime": sa.DateTime(timezone=True), "json": sa.JSON(), "blob": sa.LargeBinary()}.get(
        column.kind, sa.Text())


def _is_secret(name: str) -> bool:
    return name.endswith(SECRET_SUFFIX)


def _utc(value):
    # SQLite keeps no offset: our timestamps are written in UTC, so a naive one read back is UTC.
    return value.replace(tzinfo=dt.UTC) if isinstance(value, dt.datetime) and value.tzinfo is None else value


def _out(columns: list[Column], row, blank: set[str]) -> tuple:
    values = []
    for c, v in zip(columns, row, strict=True):
        if c.name in blank:
            v = None
        elif c.kind in ("geometry", "wkb") and v is not None:
            v = to_shape(v)
        values.append(_utc(v))
    return tuple(values)


def backup(engine: Engine, path: Path, with_secrets: bool = False, step: Step = lambda *_: None) -> BackupInfo:
    """Write every table to the GeoPackage ``path`` (replaced whole, never half-written); one snapshot."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
    tmp.unlink(missing_ok=True)
    tables = model_metadata().sorted_tables
    rows, left_out, skipped = {}, {}, []
    try:
        with read_snapshot(engine) as conn, Writer(tmp) as gpkg:
            revision = _check_current(conn, [t.name for t in tables])
            for i, t in enumerate(tables):
                step(t.name, i, len(tables))
                secret = [c.name for c in t.columns if _is_secret(c.name)]
                if secret and not with_secrets and any(t.c[n].primary_key for n in secret):
                    skipped.append(t.name)
                    continue
                columns = _one_gpkg_geometry([_kind(c) for c in t.columns])
                blank = set() if with_secrets else set(secret)
                result = conn.execution_options(yield_per=1000).execute(
                    select(t).order_by(insertion_order(conn)))
                rows[t.name] = gpkg.add_table(t.name, columns, (_out(columns, r, blank) for r in result))
                if blank:
                    left_out[t.name] = sorted(blank)
            info = BackupInfo(revision, _data_version(conn), with_secrets, rows, left_out, skipped)
            _write_meta(gpkg, info, backend_name(engine))
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return info


def _check_current(conn: Connection, names: list[str]) -> str:
    revision, head = current_revision(conn), head_revision()
    if revision != head:
        raise BackupError(f"the database is at schema revision {revision}, this planmap at {head}: "
                          "run `planmap init` first")
    missing = sorted(set(names) - set(inspect(conn).get_table_names()))
    if missing:
        raise BackupError(f"tables of the models missing from the database: {', '.join(missing)}")
    return revision


def _data_version(conn: Connection) -> str:
    from layers.models import Dataset

    return conn.scalar(select(Dataset.value).where(Dataset.key == "data_version")) or "none"


def _write_meta(gpkg: Writer, info: BackupInfo, backend: str) -> None:
    meta = {"format": FORMAT, "alembic_revision": info.revision, "data_version": info.data_version,
            "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "source_backend": backend,
            "with_secrets": json.dumps(info.with_secrets), "tables": json.dumps(list(info.rows)),
            "left_out": json.dumps(info.left_out), "skipped": json.dumps(info.skipped)}
    gpkg.add_table(META, [Column("key", "text"), Column("value", "text")], meta.items(),
                   "planmap backup: schema revision, data version, tables in restore order")


def _open(path: Path) -> Reader:
    try:
        gpkg = Reader(path)
    except GpkgError as exc:
        raise BackupError(str(exc)) from exc
    if not gpkg.has_table(META):
        gpkg.db.close()
        raise BackupError(f"{path}: a GeoPackage, but not a planmap backup (no {META} table)")
    return gpkg


def _info(gpkg: Reader) -> BackupInfo:
    meta = dict(r for batch in gpkg.rows(META) for r in batch)
    if meta.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {meta.get('format')!r} (this planmap reads {FORMAT})")
    tables = json.loads(meta["tables"])
    unknown = sorted(set(tables) - set(model_metadata().tables))
    if unknown:
        raise BackupError(f"the backup has tables this planmap does not know: {', '.join(unknown)}")
    counts = {t: gpkg.count(t) for t in tables}
    return BackupInfo(meta["alembic_revision"], meta["data_version"], json.loads(meta["with_secrets"]), counts,
                      json.loads(meta["left_out"]), json.loads(meta["skipped"]))


def restore(engine: Engine, path: Path, replace: bool = False, step: Step = lambda *_: None) -> BackupInfo:
    """Replace the database's content with the backup ``path``, in one transaction (see the module doc)."""
    with _open(path) as gpkg:
        info = _info(gpkg)
        if not is_known(info.revision):
            raise BackupError(f"{Path(path).name} is from a newer schema (revision {info.revision}) than this "
                              f"planmap knows (newest {head_revision()}): update planmap, then restore")
        with ddl_transaction(engine) as conn:
            existing = own_tables(conn)
            filled = [t for t in tables_with_rows(conn, existing) if t != "alembic_version"]
            if filled and not replace:
                raise BackupError(f"the database holds data ({', '.join(filled[:3])}…): "
                                  "pass --replace to overwrite it with the backup")
            drop_tables(conn, existing)
            upgrade(conn, info.revision)
            restored = []
            for i, name in enumerate(info.rows):
                step(name, i, len(info.rows))
                try:
                    restored.append(_insert(conn, gpkg, name, info))
                except sa.exc.DBAPIError as exc:  # the whole restore rolls back
                    reason = str(exc.orig).strip().splitlines()[0]
                    raise BackupError(f"{Path(path).name}: table {name} does not fit the schema: {reason}") from exc
            sync_sequences(conn, restored)
            upgrade(conn, "head")
            version.restart(conn)  # the backup's version may be one that caches hold for newer data
    return info


def _insert(conn: Connection, gpkg: Reader, name: str, info: BackupInfo) -> sa.Table:
    columns = gpkg.columns(name)
    table = sa.Table(name, sa.MetaData(), *(sa.Column(c.name, _sa_type(c)) for c in columns))
    locked = set(info.left_out.get(name, ()))
    n = 0
    for batch in gpkg.rows(name):
        values = []
        for row in batch:
            n += 1
            record = {c.name: (from_shape(v, srid=c.srid) if c.kind in ("geometry", "wkb") and v is not None else v)
                      for c, v in zip(columns, row, strict=True)}
            values.append(record | {c: f"{LOCKED}{n}" for c in locked})
        conn.execute(table.insert(), values)
    return table
