"""The ``planmap`` command line: init, load, validate, stats, serve."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn
from rich.table import Table

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
        err.print(f"error: {exc}", markup=False)
        raise typer.Exit(1) from exc
    if note:
        err.print(note, markup=False)


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

    from layers.repository_districts import district_areas

    with Session(_engine(_settings(database_url))) as session:
        rows = district_areas(session)
    total = sum(r["area_ha"] for r in rows)
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


from api.print.cli import print_command  # noqa: E402  (sheets: districts and the province)

app.command("print")(print_command)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port", envvar="PORT")] = 8000,
    database_url: DbOption = None,
) -> None:
    """Serve the web map and the APIs."""
    import uvicorn

    from api.app import create_app

    uvicorn.run(create_app(_settings(database_url)), host=host, port=port, log_level="info")


if __name__ == "__main__":
    app()
