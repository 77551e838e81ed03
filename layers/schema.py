"""Create or migrate the database schema with Alembic (the only way the schema changes)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).with_name("migrations")


def _config(connection) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (idempotent)."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS postgis")
        command.upgrade(_config(conn), revision)


def is_current(engine: Engine) -> bool:
    """True when the database is at the newest migration."""
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
        head = ScriptDirectory.from_config(_config(conn)).get_current_head()
    return current == head


def revision(engine: Engine, message: str) -> None:
    """Autogenerate a migration from the models (developers only)."""
    with engine.begin() as conn:
        command.revision(_config(conn), message=message, autogenerate=True)
