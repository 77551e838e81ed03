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


@app.command()
def init(database_url: DbOption = None) -> None:
    """Create the database or migrate it to the newest schema."""
    from layers.schema import upgrade

    settings = _settings(database_url)
    upgrade(_engine(settings))
    console.print(f"schema up to date: {settings.database_url}")


@app.command()
def load(database_url: DbOption = None) -> None:
    """Load boundaries and every dataset in data/ (idempotent, one transaction)."""
    from layers.datafiles import DataError
    from layers.load import load as do_load
    from layers.schema import upgrade
    from layers.upstream import UpstreamError

    settings = _settings(database_url)
    engine = _engine(settings)
    upgrade(engine)
    try:
        with Progress(SpinnerColumn(), TextColumn("{task.description}"), console=err, transient=True) as bar:
            task = bar.add_task("loading", total=None)
            counts = do_load(engine, settings, step=lambda s: bar.update(task, description=s))
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
    database_url: DbOption = None,
) -> None:
    """Serve the web map and the APIs (several worker processes share the database; put a proxy in front)."""
    import os

    import uvicorn

    if database_url:
        os.environ["PLANMAP_DATABASE_URL"] = database_url  # the workers read their settings from the environment
    count = workers or os.cpu_count() or 1
    uvicorn.run("api.app:create_app", factory=True, host=host, port=port, workers=count, log_level="info",
                proxy_headers=True)


if __name__ == "__main__":
    app()
