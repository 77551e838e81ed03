"""``planmap where``: an old address or a point -> former district, former commune and 2025 unit.

Registered in api/cli.py as ``app.command("where")(where_command)``. Answers come from
``layers.admin2025.where``, the same as ``GET /api/where``.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from layers.admin2025.results import AddressAnswer, DistrictCommunes, PointAnswer

console = Console()
err = Console(stderr=True)


def _point(text: str) -> tuple[float, float]:
    try:
        lon, lat = (float(v) for v in text.split(","))
    except ValueError:
        raise typer.BadParameter(f"{text!r}: give lon,lat in degrees, e.g. 105.27,9.73") from None
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise typer.BadParameter(f"{text!r}: lon must be within ±180 and lat within ±90 (lon first)")
    return lon, lat


def _show_district(answer: DistrictCommunes) -> None:
    table = Table("GSO", "2025 unit", "ha", "% of district", "% of unit",
                  title=f"{answer.district.name} (before 1/7/2025)")
    for row in answer.communes:
        table.add_row(row.commune.code, row.commune.full_name, f"{row.area_ha:,.1f}",
                      f"{row.share_of_district_pct:.2f}", f"{row.share_of_commune_pct:.2f}")
    for row in answer.other_overlaps:
        table.add_row(row.commune.code, f"{row.commune.full_name} (boundary data only)", f"{row.area_ha:,.1f}",
                      f"{row.share_of_district_pct:.2f}", f"{row.share_of_commune_pct:.2f}", style="dim")
    if answer.uncovered:
        table.add_row("", "not covered by any 2025 unit", f"{answer.uncovered.area_ha:,.1f}",
                      f"{answer.uncovered.share_of_district_pct:.2f}", "", style="dim")
    console.print(table)


def _show(answer: AddressAnswer | PointAnswer) -> None:
    if isinstance(answer, PointAnswer):
        console.print(f"({answer.lon}, {answer.lat})", markup=False)
        district = answer.former_district.name if answer.former_district else "—"
        console.print(f"  former district (before 1/7/2025): {district}", markup=False)
        commune = f"{answer.commune_2025.full_name} ({answer.commune_2025.code})" if answer.commune_2025 else "—"
        console.print(f"  2025 unit (from 1/7/2025): {commune}", markup=False)
        if answer.former_communes:
            names = ", ".join(f.full_name for f in answer.former_communes)
            console.print(f"  former commune: one of {names}", markup=False)
    elif answer.district:
        _show_district(answer.district)
    else:
        table = Table("former commune", "former district (before 1/7/2025)", "2025 unit (from 1/7/2025)", "GSO")
        for m in answer.matches:
            table.add_row(m.former_commune.full_name, m.former_district.name, m.commune_2025.full_name,
                          m.commune_2025.code)
        console.print(table)
    if answer.note:
        console.print(f"note: {answer.note}", markup=False)


def where_command(
    address: Annotated[str | None, typer.Argument(help='old address, e.g. "xã Vĩnh Hòa Hưng Bắc, huyện Gò Quao"')]
    = None,
    point: Annotated[str | None, typer.Option("--point", help="lon,lat in WGS 84, e.g. 105.27,9.73")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON (as GET /api/where answers)")] = False,
    database_url: Annotated[str | None, typer.Option("--database-url", help="sqlite:///file or postgresql://…")]
    = None,
) -> None:
    """Which 2025 commune an old address or a point is in now, and its former district."""
    from sqlalchemy.orm import Session

    from layers.admin2025.index import admin_index
    from layers.admin2025.where import where_address, where_point
    from layers.db import make_engine
    from layers.settings import get_settings

    if (address is None) == (point is None):
        raise typer.BadParameter("give an address or --point lon,lat (one of them)")
    lonlat = _point(point) if point is not None else None
    with Session(make_engine(database_url or get_settings().database_url)) as session:
        index = admin_index(session)
        try:
            answer = where_point(index, *lonlat) if lonlat else where_address(index, address or "")
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from None
    found = answer.former_district or answer.commune_2025 if isinstance(answer, PointAnswer) else (
        answer.matches or answer.district)
    if as_json:
        typer.echo(answer.model_dump_json(indent=1))
    elif found:
        _show(answer)
    if not found:
        err.print(f"not found: {answer.note}", markup=False)
        raise typer.Exit(1)
