"""``planmap import FILE``: a planning layer (GeoPackage, Shapefile, GeoJSON, FlatGeobuf, KML, CSV with WKT)
into its own table, with a progress bar and the rows per second at the end."""

from __future__ import annotations

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

console = Console()
err = Console(stderr=True)


def import_command(
    file: Annotated[Path, typer.Argument(exists=True, help="the file, a .zip or a folder holding one shapefile")],
    layer: Annotated[Optional[str], typer.Option(help="layer id = table name (default: from the file name)")] = None,
    title: Annotated[Optional[str], typer.Option(help="title shown to users")] = None,
    crs: Annotated[Optional[str], typer.Option(help="CRS of the file when it does not say, e.g. EPSG:9207")] = None,
    encoding: Annotated[Optional[str], typer.Option(help="text encoding: tcvn3, vni, cp1258, utf-8 …")] = None,
    replace: Annotated[bool, typer.Option("--replace", help="replace the layer if it exists")] = False,
    landuse_field: Annotated[Optional[str], typer.Option(help="field holding land-use codes")] = None,
    source_layer: Annotated[Optional[str], typer.Option(help="layer of a multi-layer file")] = None,
    database_url: Annotated[Optional[str], typer.Option("--database-url", help="sqlite:///file or postgresql://…")]
    = None,
) -> None:
    """Import a planning layer into its own table (one transaction: all rows or nothing)."""
    from api.cli import _engine, _settings
    from layers.imports.importer import ImportFailure, ImportOptions, import_file
    from layers.schema import upgrade

    engine = _engine(_settings(database_url))
    upgrade(engine)
    options = ImportOptions(layer, title, crs, encoding, replace, landuse_field, source_layer, actor="cli")
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    try:
        with Progress(*columns, console=err, transient=True) as bar:
            task = bar.add_task(f"importing {file.name}", total=None)
            result = import_file(engine, file, options, lambda done, total: bar.update(task, completed=done,
                                                                                       total=total))
    except ImportFailure as exc:
        err.print(f"nothing imported from {file.name}:", markup=False)
        for line in exc.problems:
            err.print(f"  {line}", markup=False, highlight=False)
        raise typer.Exit(1) from exc
    for line in result.repaired[:20]:
        err.print(line, markup=False, highlight=False)
    if result.unknown_codes:
        err.print(f"unknown land-use codes in {result.landuse_field} (kept as they are): "
                  + ", ".join(result.unknown_codes), markup=False)
    console.print(f"imported {result.rows:,} rows into {result.layer} ({result.geometry_type}, from "
                  f"{result.source_crs}, text {result.text_encoding}"
                  + (f", land use in {result.landuse_field}" if result.landuse_field else "")
                  + f", {len(result.repaired)} repaired) in {result.seconds:.1f} s: "
                    f"{result.rows_per_second:,.0f} rows/s", markup=False)
