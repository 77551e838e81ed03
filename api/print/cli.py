"""``planmap print``: one sheet, or every sheet of a kind (the 15 former districts and the province, or every
2025 unit covering former Kiên Giang) to files, each written whole or not at all.

Batches are drawn by a pool of worker processes (``api.print.pool``, one per core unless ``--workers``).
Registered in api/cli.py as ``app.command("print")(print_command)``.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from api.print.target import Target

err = Console(stderr=True)


def _targets(session, settings, district: int | None, commune: str | None, all_: bool,
             all_communes: bool) -> list[Target]:
    from sqlalchemy import select

    from api.print import units
    from api.print.sheetdata import district_exists
    from layers.models import District

    if all_:
        codes = session.scalars(select(District.gso_code).order_by(District.gso_code))
        return [*map(Target.district, codes), Target.province()]
    if all_communes:
        return [Target.commune(c) for c in units.unit_codes(session)]
    if district is not None:
        if not district_exists(session, district):
            err.print(f"error: no former district with GSO code {district}")
            raise typer.Exit(2)
        return [Target.district(district)]
    if commune is not None:
        if not units.unit_exists(session, commune):
            err.print(f"error: {units.why_no_sheet(session, settings, commune)}")
            raise typer.Exit(2)
        return [Target.commune(commune)]
    return [Target.province()]


def _path(output: Path, target: Target, batch: bool, size: str, lang: str, fmt: str) -> Path:
    return output / f"{target.name}-{size}-{lang}.{fmt}" if batch else output


def _check(size: str, lang: str, chosen: int) -> None:
    if size not in ("A4", "A3") or lang not in ("vi", "en"):
        err.print(f"error: --size must be A4 or A3 and --lang vi or en (got {size!r}, {lang!r})")
        raise typer.Exit(2)
    if chosen != 1:
        err.print("error: give exactly one of --district CODE, --commune CODE, --province, --all, --all-communes")
        raise typer.Exit(2)


def print_command(
    district: Annotated[int | None, typer.Option("--district", "-d", help="GSO code, e.g. 907")] = None,
    commune: Annotated[
        str | None, typer.Option("--commune", "-c", help="GSO code of a 2025 unit, e.g. 30958 (xã Định Hòa)")
    ] = None,
    all_: Annotated[
        bool, typer.Option("--all", help="every former district and the province; -o is a folder")
    ] = False,
    all_communes: Annotated[
        bool, typer.Option("--all-communes", help="every 2025 unit covering former Kiên Giang; -o is a folder")
    ] = False,
    province: Annotated[bool, typer.Option("--province", help="the province sheet")] = False,
    size: Annotated[str, typer.Option("--size", help="A4 or A3")] = "A3",
    lang: Annotated[str, typer.Option("--lang", help="vi or en")] = "vi",
    png: Annotated[bool, typer.Option("--png", help="PNG of the map page instead of PDF")] = False,
    output: Annotated[Path, typer.Option("--output", "-o", help="file (one sheet) or folder (--all…)")] = Path(
        "sheet.pdf"
    ),
    workers: Annotated[
        int | None, typer.Option("--workers", help="processes drawing a batch (default: one per core)")
    ] = None,
    database_url: Annotated[
        str | None, typer.Option("--database-url", help="sqlite:///file or postgresql://…")
    ] = None,
) -> None:
    """Print map sheets (vector PDF, true to scale in EPSG:9207) of former districts, 2025 units or the
    province."""
    from sqlalchemy.orm import Session

    from api.print.pool import cores
    from layers.db import make_engine
    from layers.settings import get_settings

    _check(size, lang, sum([district is not None, commune is not None, all_, all_communes, province]))
    settings = get_settings()
    if database_url:
        settings = settings.model_copy(update={"database_url": database_url})
    fmt = "png" if png else "pdf"
    batch = all_ or all_communes
    engine = make_engine(settings.database_url)
    try:
        with Session(engine) as session:
            targets = _targets(session, settings, district, commune, all_, all_communes)
        if batch:
            output.mkdir(parents=True, exist_ok=True)
        jobs = [(t, _path(output, t, batch, size, lang, fmt)) for t in targets]
        _print_all(engine, settings, jobs, size, lang, fmt, min(workers or cores(), len(jobs)))
    finally:
        engine.dispose()
    err.print(f"wrote {len(targets)} sheet(s) to {output}")


def _print_all(engine, settings, jobs: list[tuple[Target, Path]], size: str, lang: str, fmt: str,
               workers: int) -> None:
    """Draw every job (in worker processes when there are several) and write each file atomically."""
    from sqlalchemy.orm import Session

    from api.print.cache import cached_sheet
    from api.print.pool import RenderPool
    from layers.files import write_atomically

    pool = RenderPool(settings.database_url, workers, len(jobs), settings.cache_dir) if workers > 1 else None
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    try:
        with Progress(*columns, console=err) as bar:
            task = bar.add_task("printing", total=len(jobs))

            def one(job: tuple[Target, Path]) -> None:
                target, path = job
                with Session(engine) as session:
                    sheet = cached_sheet(session, settings.cache_dir, target, size, lang, fmt,
                                         render_with=pool.render if pool else None)
                write_atomically(path, sheet.content)
                bar.update(task, advance=1, description=f"sheet {target.name}")

            with ThreadPoolExecutor(max(1, workers)) as threads:
                list(threads.map(one, jobs))  # re-raises the first failure
    finally:
        if pool:
            pool.shutdown()
