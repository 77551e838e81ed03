"""``planmap print``: one sheet or every sheet (15 former districts and the province) to files.

Registered in api/cli.py as ``app.command("print")(print_command)``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

err = Console(stderr=True)


def _targets(session, district: int | None, all_: bool) -> list[int | None]:
    from sqlalchemy import select

    from layers.models import District

    if all_:
        return [*session.scalars(select(District.gso_code).order_by(District.gso_code)), None]
    if district is not None:
        from api.print.sheetdata import district_exists

        if not district_exists(session, district):
            err.print(f"error: no former district with GSO code {district}")
            raise typer.Exit(2)
        return [district]
    return [None]


def _path(output: Path, gso: int | None, all_: bool, size: str, lang: str, fmt: str) -> Path:
    if not all_:
        return output
    name = f"district-{gso}" if gso is not None else "province"
    return output / f"{name}-{size}-{lang}.{fmt}"


def print_command(
    district: Annotated[int | None, typer.Option("--district", "-d", help="GSO code, e.g. 907")] = None,
    all_: Annotated[
        bool, typer.Option("--all", help="every former district and the province; -o is a folder")
    ] = False,
    province: Annotated[bool, typer.Option("--province", help="the province sheet")] = False,
    size: Annotated[str, typer.Option("--size", help="A4 or A3")] = "A3",
    lang: Annotated[str, typer.Option("--lang", help="vi or en")] = "vi",
    png: Annotated[bool, typer.Option("--png", help="PNG of the map page instead of PDF")] = False,
    output: Annotated[Path, typer.Option("--output", "-o", help="file (one sheet) or folder (--all)")] = Path(
        "sheet.pdf"
    ),
    database_url: Annotated[
        str | None, typer.Option("--database-url", help="sqlite:///file or postgresql://…")
    ] = None,
) -> None:
    """Print map sheets (vector PDF, true to scale in EPSG:9207) of former districts or the province."""
    from sqlalchemy.orm import Session

    from api.print.cache import cached_sheet
    from layers.db import make_engine
    from layers.settings import get_settings

    if size not in ("A4", "A3") or lang not in ("vi", "en"):
        err.print(f"error: --size must be A4 or A3 and --lang vi or en (got {size!r}, {lang!r})")
        raise typer.Exit(2)
    if sum([district is not None, all_, province]) != 1:
        err.print("error: give exactly one of --district CODE, --province, --all")
        raise typer.Exit(2)
    settings = get_settings()
    if database_url:
        settings = settings.model_copy(update={"database_url": database_url})
    fmt = "png" if png else "pdf"
    engine = make_engine(settings.database_url)
    with Session(engine) as session:
        targets = _targets(session, district, all_)
        if all_:
            output.mkdir(parents=True, exist_ok=True)
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=err) as bar:
            job = bar.add_task("printing", total=len(targets))
            for gso in targets:
                bar.update(job, description=f"sheet {gso or 'province'}")
                path = _path(output, gso, all_, size, lang, fmt)
                path.write_bytes(cached_sheet(session, settings.cache_dir, gso, size, lang, fmt).content)
                bar.advance(job)
    engine.dispose()
    err.print(f"wrote {len(targets)} sheet(s) to {output}")
