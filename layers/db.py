"""Engines for both backends: SpatiaLite (embedded default) and PostGIS (``PLANMAP_DATABASE_URL``)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# pyproj before mod_spatialite, always: both carry a PROJ library, and when SpatiaLite's is loaded first the two
# free the same static string at exit (the process aborts after its work, exit code 134 or 139).
import pyproj  # noqa: F401
from sqlalchemy import Connection, Engine, Integer, Table, create_engine, event, literal_column, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

SPATIALITE_MODULE = os.environ.setdefault("SPATIALITE_LIBRARY_PATH", "mod_spatialite")


def _sqlite_connect(dbapi_conn, _record) -> None:
    # The machines' CPython cannot load extensions; pysqlite3-binary can.
    dbapi_conn.enable_load_extension(True)
    dbapi_conn.load_extension(SPATIALITE_MODULE)
    dbapi_conn.enable_load_extension(False)
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys = ON")
    cur.execute("PRAGMA journal_mode = WAL")  # readers keep reading while a load commits
    cur.close()


def make_engine(url: str, reads: bool = False) -> Engine:
    """An engine for ``url``: ``sqlite:///path`` (SpatiaLite) or ``postgresql://…`` (PostGIS).

    ``reads``: an engine for requests that only read. On PostgreSQL its connections are in autocommit and are
    neither pinged on checkout nor rolled back on return: a request costs its own queries only, not
    ping + BEGIN + ROLLBACK round trips (each statement sees the latest commits either way under READ COMMITTED).
    A connection the server dropped is discarded when a query fails on it (the API answers 503, see api.errors).
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        import pyogrio  # noqa: F401  (GDAL brings its own SQLite and PROJ: loaded after SpatiaLite, it crashes)
        import pysqlite3.dbapi2 as sqlite_module

        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            parsed.set(drivername="sqlite+pysqlite"), module=sqlite_module, connect_args={"timeout": 30}
        )
        event.listen(engine, "connect", _sqlite_connect)
        return engine
    if parsed.get_backend_name() == "postgresql":
        if reads:
            return create_engine(parsed.set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT",
                                 pool_reset_on_return=None)
        return create_engine(parsed.set(drivername="postgresql+psycopg"), pool_pre_ping=True)
    raise ValueError(f"unsupported database URL {url!r}: use sqlite:///file or postgresql://…")


@contextmanager
def ddl_transaction(engine: Engine) -> Iterator[Connection]:
    """One connection in one transaction that DDL takes part in: everything commits, or nothing does.

    PostgreSQL's DDL is transactional already. Python's sqlite3 driver (legacy transaction control) opens a
    transaction only before INSERT/UPDATE/DELETE, so each CREATE TABLE before the first of them commits on its
    own, and a kill leaves half a schema. Here the driver's control is switched off for this connection and
    ``BEGIN IMMEDIATE`` (the write lock, taken before anything is read) opens the transaction instead.
    """
    if engine.dialect.name != "sqlite":
        with engine.begin() as conn:
            yield conn
        return
    with _sqlite_transaction(engine, "BEGIN IMMEDIATE") as conn:
        yield conn


@contextmanager
def read_snapshot(engine: Engine) -> Iterator[Connection]:
    """One consistent view of the whole database for a long read (a backup) while writers go on."""
    if engine.dialect.name != "sqlite":
        with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn, conn.begin():
            yield conn
        return
    # Deferred: the snapshot is taken at the first read and WAL keeps it while others commit.
    with _sqlite_transaction(engine, "BEGIN") as conn:
        yield conn


@contextmanager
def _sqlite_transaction(engine: Engine, begin: str) -> Iterator[Connection]:
    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        raw.isolation_level = None  # the driver no longer opens (or skips opening) transactions
        try:
            conn.exec_driver_sql(begin)
            yield conn
            conn.commit()
        except BaseException:
            conn.rollback()
            raise
        finally:
            raw.isolation_level = ""  # back to the driver's default for the pooled connection


def enable_spatial(conn: Connection) -> None:
    """Make the database spatial, in the caller's transaction: SpatiaLite's metadata tables or PostGIS."""
    if conn.dialect.name == "sqlite":
        if conn.exec_driver_sql("SELECT CheckSpatialMetaData()").scalar() == 0:
            # 0: no transaction of its own; it is part of the caller's.
            conn.exec_driver_sql("SELECT InitSpatialMetaData(0)")
    elif conn.scalar(text("SELECT 1 FROM pg_extension WHERE extname = 'postgis'")) is None:
        conn.exec_driver_sql("CREATE EXTENSION postgis")


def sync_sequences(conn: Connection, tables: list[Table]) -> None:
    """After rows were inserted with their ids, PostgreSQL's id counters go on after the largest one
    (SQLite takes the largest rowid + 1 by itself)."""
    if conn.dialect.name != "postgresql":
        return
    quote = conn.dialect.identifier_preparer.quote
    for t in tables:
        for c in t.columns:
            if not isinstance(c.type, Integer):
                continue
            seq = conn.scalar(text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": quote(t.name), "c": c.name})
            if seq:
                conn.execute(text(f"SELECT setval(:seq, (SELECT COALESCE(MAX({quote(c.name)}), 0) + 1 "
                                  f"FROM {quote(t.name)}), false)"), {"seq": seq})


def insertion_order(conn: Connection):
    """An ORDER BY key that reads a table's rows as they were written (SQLite rowid, PostgreSQL ctid): some
    lists (a feature's tasks) come out in that order, so a copy inserted in it reads the same."""
    return literal_column("rowid" if conn.dialect.name == "sqlite" else "ctid")


def backend_name(engine: Engine) -> str:
    """``spatialite`` or ``postgis``."""
    return "spatialite" if engine.dialect.name == "sqlite" else "postgis"


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
