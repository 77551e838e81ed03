"""Engines for both backends: SpatiaLite (embedded default) and PostGIS (``PLANMAP_DATABASE_URL``)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# pyproj before mod_spatialite, always: both carry a PROJ library, and when SpatiaLite's is loaded first the two
# free the same static string at exit (the process aborts after its work, exit code 134 or 139).
import pyproj  # noqa: F401
from sqlalchemy import Connection, Engine, create_engine, event
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


def make_engine(url: str) -> Engine:
    """An engine for ``url``: ``sqlite:///path`` (SpatiaLite) or ``postgresql://…`` (PostGIS)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        import pysqlite3.dbapi2 as sqlite_module

        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            parsed.set(drivername="sqlite+pysqlite"), module=sqlite_module, connect_args={"timeout": 30}
        )
        event.listen(engine, "connect", _sqlite_connect)
        return engine
    if parsed.get_backend_name() == "postgresql":
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
    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        raw.isolation_level = None  # the driver no longer opens (or skips opening) transactions
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
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
    else:
        conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS postgis")


def backend_name(engine: Engine) -> str:
    """``spatialite`` or ``postgis``."""
    return "spatialite" if engine.dialect.name == "sqlite" else "postgis"


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
