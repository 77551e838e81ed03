"""Create or migrate the database schema with Alembic (the only way the schema changes), atomically.

All of it (SpatiaLite's metadata or the PostGIS extension, every migration, the revision stamp) runs in one
transaction (``layers.db.ddl_transaction``): a kill leaves the database as it was or at the new revision. A
half-made schema left by older versions (tables but no revision) is repaired when its tables are empty.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, Engine, MetaData, inspect, literal, select, table, text
from sqlalchemy.exc import DBAPIError

import layers
from layers.db import ddl_transaction, enable_spatial

MIGRATIONS = Path(__file__).with_name("migrations")
VERSION_TABLE = "alembic_version"


class SchemaError(RuntimeError):
    """The schema cannot be created or used as asked; the message says what to do."""


def model_metadata() -> MetaData:
    """Every table of every model module under ``layers/``: a new module's tables count without a code change.

    >>> "tasks" in model_metadata().tables
    True
    """
    for module in pkgutil.walk_packages(layers.__path__, "layers."):
        if not module.name.startswith("layers.migrations"):
            importlib.import_module(module.name)
    from layers.models import Base

    return Base.metadata


def _config(connection) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(_config(None))


def head_revision() -> str:
    return _scripts().get_current_head()


def is_known(revision: str) -> bool:
    """True when this code has migration ``revision`` (a backup from newer code has one it does not)."""
    try:
        return _scripts().get_revision(revision) is not None
    except CommandError:
        return False


def current_revision(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def upgrade(bind: Engine | Connection, revision: str = "head") -> str | None:
    """Bring the schema to ``revision`` (idempotent) in one transaction; returns a note when it repaired one.

    Given a Connection, runs in its transaction (the caller commits); given an Engine, commits on success.
    """
    if isinstance(bind, Connection):
        return _upgrade(bind, revision)
    with ddl_transaction(bind) as conn:
        return _upgrade(conn, revision)


def _upgrade(conn: Connection, revision: str) -> str | None:
    role = conn.scalar(text("SELECT current_user")) if conn.dialect.name == "postgresql" else None
    try:
        enable_spatial(conn)
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) != "42501":  # insufficient_privilege
            raise
        raise SchemaError(f"PostGIS is not installed in database {conn.engine.url.database} and role "
                          f"{role} may not install it: run CREATE EXTENSION "
                          "postgis; in that database as a superuser, then planmap init again") from None
    note = _repair_half_made(conn)
    command.upgrade(_config(conn), revision)
    return "\n".join(n for n in (note, _missing_srid_note(conn)) if n) or None


def _missing_srid_note(conn: Connection) -> str | None:
    """On PostGIS without EPSG:9207 in spatial_ref_sys (a role that may not write it): the service works, other
    PostGIS tools cannot use the code; one line says what to grant."""
    if conn.dialect.name != "postgresql" or conn.scalar(text("SELECT 1 FROM spatial_ref_sys WHERE srid = 9207")):
        return None
    role = conn.scalar(text("SELECT current_user"))
    return (f"note: EPSG:9207 is not in spatial_ref_sys and role {role} may not add it; the service works without "
            f"it; for other PostGIS tools, GRANT INSERT ON spatial_ref_sys TO {role} and run planmap init again")


def own_tables(conn: Connection) -> list[str]:
    """The tables of ours that exist (model tables and Alembic's), children before parents."""
    present = set(inspect(conn).get_table_names())
    ours = [t.name for t in reversed(model_metadata().sorted_tables) if t.name in present]
    return ours + ([VERSION_TABLE] if VERSION_TABLE in present else [])


def tables_with_rows(conn: Connection, names: list[str]) -> list[str]:
    return [t for t in names if conn.execute(select(literal(1)).select_from(table(t)).limit(1)).first()]


def drop_tables(conn: Connection, names: list[str]) -> None:
    """Drop ``names`` (children first) with their spatial index and metadata, in the caller's transaction."""
    for name in names:
        if conn.dialect.name == "sqlite":
            if not conn.execute(text("SELECT DropTable(NULL, :name)"), {"name": name}).scalar():
                raise SchemaError(f"SpatiaLite could not drop table {name}")
        else:
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS {conn.dialect.identifier_preparer.quote(name)} CASCADE")


def _repair_half_made(conn: Connection) -> str | None:
    """Tables of ours but no revision: an init killed before its schema commits (versions before the
    transactional one). Empty tables are dropped so the migrations can run; tables with rows are refused."""
    if current_revision(conn) is not None:
        return None
    tables = own_tables(conn)
    if not tables:
        return None
    filled = tables_with_rows(conn, tables)
    if filled:
        raise SchemaError(
            f"the database has planmap tables but no schema revision, and {', '.join(filled)} hold rows: "
            "not a half-made schema that can be repaired; use an empty database (or `planmap restore`)"
        )
    drop_tables(conn, tables)
    return (f"repaired a half-made schema: dropped {len(tables)} empty tables left by an interrupted "
            "`planmap init`/`load`, then created the schema anew")


def is_current(engine: Engine) -> bool:
    """True when the database is at the newest migration."""
    with engine.connect() as conn:
        return current_revision(conn) == head_revision()


def revision(engine: Engine, message: str) -> None:
    """Autogenerate a migration from the models (developers only)."""
    with engine.begin() as conn:
        command.revision(_config(conn), message=message, autogenerate=True)
