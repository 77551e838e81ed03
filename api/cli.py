"""The ``planmap`` command line: init, load, validate, stats, backup, restore, print, serve."""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from sqlalchemy.engine import make_url

from api.user_cli import user_app
from layers.settings import Settings, get_settings

app = typer.Typer(help="Kiên Giang planning map service", no_args_is_help=True)
app.add_typer(user_app, name="user")
console = Console()
err = Console(stderr=True)

DbOption = Annotated[
    Optional[str], typer.Option("--database-url", help="sqlite:///file or postgresql://… (default: embedded file)")
]


def _settings(database_url: str | None) -> Settings:
    base = get_settings()
    return base.model_copy(update={"database_url": database_url}) if database_url else base


def _engine(settings: Settings):
    from layers.db import make_engine

    return make_engine(settings.database_url)


def _upgrade(bind) -> None:
    """The schema at the newest revision (in ``bind``'s transaction, or one of its own), or exit 1."""
    from layers.schema import SchemaError, upgrade

    try:
        note = upgrade(bind)
    except SchemaError as exc:
        err.print(f"error: {exc}", markup=False, soft_wrap=True)
        raise typer.Exit(1) from exc
    if note:
        err.print(note, markup=False, soft_wrap=True)


@app.command()
def init(database_url: DbOption = None) -> None:
    """Create the database or migrate it to the newest schema (one transaction)."""
    settings = _settings(database_url)
    _upgrade(_engine(settings))
    console.print(f"schema up to date: {settings.database_url}")


@app.command()
def load(database_url: DbOption = None) -> None:
    """Create or migrate the schema, then load boundaries and every dataset in data/ (idempotent).

    All in one transaction: a load that is interrupted, even by kill -9, leaves the database as it was.
    """
    from layers.datafiles import DataError
    from layers.db import ddl_transaction
    from layers.load import load as do_load
    from layers.upstream import UpstreamError

    settings = _settings(database_url)
    try:
        with (Progress(SpinnerColumn(), TextColumn("{task.description}"), console=err, transient=True) as bar,
              ddl_transaction(_engine(settings)) as conn):
            task = bar.add_task("schema", total=None)
            _upgrade(conn)
            counts = do_load(conn, settings, step=lambda s: bar.update(task, description=s))
    except DataError as exc:
        for line in exc.errors:
            err.print(line, markup=False, highlight=False)
        raise typer.Exit(1) from exc
    except UpstreamError as exc:
        err.print(f"error: {exc}", markup=False)
        raise typer.Exit(1) from exc
    console.print("loaded: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))


@app.command()
def validate() -> None:
    """Check data/ without loading: schemas, geometry, links; errors as file:line."""
    from layers.plan import read_plan

    plan = read_plan(get_settings().data_dir)
    for line in plan.errors:
        err.print(line, markup=False, highlight=False)
    table = Table("dataset", "records")
    for name, count in plan.counts().items():
        table.add_row(name, str(count))
    console.print(table)
    if plan.errors:
        err.print(f"{len(plan.errors)} error(s)")
        raise typer.Exit(1)
    console.print("data/ is valid")


@app.command()
def stats(
    database_url: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON instead of a table")] = False,
) -> None:
    """Area of each former district (hectares, EPSG:9207) and the province total."""
    from sqlalchemy.orm import Session

    from layers.stats import province_summary

    with Session(_engine(_settings(database_url))) as session:
        summary = province_summary(session)
    rows = [{k: d[k] for k in ("gso_code", "name", "short_name", "area_ha")} for d in summary["districts"]]
    total = summary["totals"]["area_ha"]
    if as_json:
        json.dump({"crs": "EPSG:9207", "districts": rows, "total_ha": round(total, 2)}, sys.stdout,
                  ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return
    table = Table("GSO", "former district (before 1/7/2025)", "ha (EPSG:9207)", title="Kiên Giang")
    for r in rows:
        table.add_row(str(r["gso_code"]), r["name"], f"{r['area_ha']:,.1f}")
    table.add_row("", "total", f"{total:,.1f}")
    console.print(table)


# What a restored account or token without its secret means for people (other tables: the generic line).
LOCKED_HINTS = {
    "users": "{n} user(s) restored without a password: they cannot log in until an admin sets one "
             "(planmap user password NAME)",
    "api_tokens": "{n} API token(s) restored without their secret: they no longer work; make new ones",
}


@contextmanager
def _table_progress(what: str):
    """A progress bar over the tables; yields the ``step(table, index, count)`` callback."""
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        job = bar.add_task(what, total=None)
        yield lambda name, i, n: bar.update(job, description=name, completed=i, total=n)


@app.command()
def backup(
    file: Annotated[Path, typer.Argument(help="the GeoPackage to write, e.g. planmap-2025-07-01.gpkg")],
    with_secrets: Annotated[bool, typer.Option("--with-secrets", help="keep password and token hashes")] = False,
    database_url: DbOption = None,
) -> None:
    """Write every layer and table (tasks, reports, users, audit log…) to one GeoPackage FILE."""
    from layers.backup import BackupError
    from layers.backup import backup as do_backup

    with _table_progress("backup") as step:
        try:
            info = do_backup(_engine(_settings(database_url)), file, with_secrets, step)
        except BackupError as exc:
            err.print(f"error: {exc}", markup=False, soft_wrap=True)
            raise typer.Exit(1) from exc
    console.print(f"wrote {file}: {sum(info.rows.values())} rows in {len(info.rows)} tables "
                  f"(schema {info.revision}, data version {info.data_version})", markup=False, soft_wrap=True)
    if info.left_out or info.skipped:
        gone = [f"{t}.{c}" for t, cols in info.left_out.items() for c in cols] + info.skipped
        err.print(f"without secrets: {', '.join(gone)} (--with-secrets keeps them; keep that file safe)",
                  markup=False, soft_wrap=True)


@app.command()
def restore(
    file: Annotated[Path, typer.Argument(help="a GeoPackage written by planmap backup")],
    replace: Annotated[bool, typer.Option("--replace", help="overwrite a database that holds data")] = False,
    database_url: DbOption = None,
) -> None:
    """Replace the database's content with the backup FILE, in one transaction (either backend)."""
    from layers.backup import BackupError
    from layers.backup import restore as do_restore

    settings = _settings(database_url)
    with _table_progress("restore") as step:
        try:
            info = do_restore(_engine(settings), file, replace, step)
        except BackupError as exc:
            err.print(f"error: {exc}", markup=False, soft_wrap=True)
            raise typer.Exit(1) from exc
    console.print(f"restored {file} into {make_url(settings.database_url).render_as_string()}: "
                  f"{sum(info.rows.values())} rows in {len(info.rows)} tables (schema {info.revision}, "
                  f"data version {info.data_version})", markup=False, soft_wrap=True)
    for table, columns in info.left_out.items():
        n = info.rows[table]
        if n:
            hint = LOCKED_HINTS.get(table, "{table}: {n} row(s) restored without {columns} (not in the backup)")
            err.print(hint.format(n=n, table=table, columns=", ".join(columns)), markup=False, soft_wrap=True)
    if info.skipped:
        err.print(f"not in the backup: {', '.join(info.skipped)} (everyone logs in again)",
                  markup=False, soft_wrap=True)


from api.print.cli import print_command  # noqa: E402  (sheets: districts and the province)

app.command("print")(print_command)
from api.where_cli import where_command  # noqa: E402  (old address or point -> 2025 commune)

app.command("where")(where_command)

from api.import_cli import import_command  # noqa: E402  (planning layers: planmap import FILE)

app.command("import")(import_command)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port", envvar="PORT")] = 8000,
    workers: Annotated[Optional[int], typer.Option(help="worker processes (default: one per core)")] = None,
    access_log: Annotated[bool, typer.Option(help="log every request (off when a proxy in front logs them)")] = True,
    database_url: DbOption = None,
) -> None:
    """Serve the web map and the APIs (several worker processes share the database; put a proxy in front)."""
    import os

    import uvicorn

    if database_url:
        os.environ["PLANMAP_DATABASE_URL"] = database_url  # the workers read their settings from the environment
    count = workers or os.cpu_count() or 1
    uvicorn.run("api.app:create_app", factory=True, host=host, port=port, workers=count, log_level="info",
                proxy_headers=True, access_log=access_log)


if __name__ == "__main__":
    app()
