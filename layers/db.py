"""Engines for both backends: SpatiaLite (embedded default) and PostGIS (``PLANMAP_DATABASE_URL``)."""

from __future__ import annotations

import os
from pathlib import Path

import pyproj  # noqa: F401  (before mod_spatialite: see below)
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

# mod_spatialite links the system's PROJ; pyproj's wheel brings its own. Loaded in the other order (SpatiaLite
# first, pyproj later, e.g. by a migration) the two clash and the process dies at exit with a corrupted heap.
SPATIALITE_MODULE = os.environ.setdefault("SPATIALITE_LIBRARY_PATH", "mod_spatialite")


def _sqlite_connect(dbapi_conn, _record) -> None:
    # The machines' CPython cannot load extensions; pysqlite3-binary can.
    dbapi_conn.enable_load_extension(True)
    dbapi_conn.load_extension(SPATIALITE_MODULE)
    dbapi_conn.enable_load_extension(False)
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys = ON")
    cur.execute("PRAGMA journal_mode = WAL")  # readers keep reading while a load commits
    cur.execute("SELECT CheckSpatialMetaData()")
    if cur.fetchone()[0] == 0:
        cur.execute("SELECT InitSpatialMetaData(1)")
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


def backend_name(engine: Engine) -> str:
    """``spatialite`` or ``postgis``."""
    return "spatialite" if engine.dialect.name == "sqlite" else "postgis"


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
