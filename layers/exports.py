"""Downloads: each layer as GeoPackage, GeoJSON, Shapefile (zip), KML or CSV; the whole plan as one GeoPackage;
the tasks as CSV or XLSX.

Geometries are reprojected here with ``geo.transform`` (the pinned EPSG:6960 VN-2000 transformation), never with
geopandas' ``to_crs`` default pipeline; files are written by GDAL through pyogrio.

>>> path = write_layer(session, "industrial_parks", "shp", 9207, Path(tmp))   # doctest: +SKIP
>>> path.name
'kiengiang-industrial_parks-epsg9207.shp.zip'
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from geo.transform import reproject
from layers.models import Agency, Target
from layers.store.catalog import collections, provider

if TYPE_CHECKING:  # GDAL, Arrow and pandas weigh ~120 MB: a server worker loads them on its first export
    import geopandas as gpd

PREFIX = "kiengiang"
def layers(session: Session) -> list[str]:
    """The collections a file can hold: those with geometry (one type each, as files need), imported ones too."""
    return [c.id for c in collections(session) if c.has_geometry]
CRS_CODES = (4326, 9207)


@dataclass(frozen=True)
class Format:
    driver: str
    suffix: str  # of the downloaded file
    media_type: str
    options: tuple[tuple[str, str], ...] = ()  # GDAL layer creation options
    dataset_options: tuple[tuple[str, str], ...] = ()


FORMATS = {
    # GeoPackage 1.2: GDAL 3.12 writes 1.4 by default, which older QGIS/GDAL open only with warnings
    "gpkg": Format("GPKG", "gpkg", "application/geopackage+sqlite3", dataset_options=(("VERSION", "1.2"),)),
    "geojson": Format("GeoJSON", "geojson", "application/geo+json", (("ID_FIELD", "id"),)),
    "shp": Format("ESRI Shapefile", "shp.zip", "application/zip"),
    "kml": Format("KML", "kml", "application/vnd.google-earth.kml+xml"),
    "csv": Format("CSV", "csv", "text/csv; charset=utf-8", (("GEOMETRY", "AS_WKT"), ("WRITE_BOM", "YES"))),
}
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Shapefile field names hold 10 characters; GDAL's own truncation would make e.g. location_note/_vi clash.
SHP_FIELDS = {
    "district_codes": "districts", "planned_area_ha": "plan_ha", "mapped_area_ha": "mapped_ha",
    "occupancy_pct": "occup_pct", "occupancy_note": "occup_note", "plan_period": "period",
    "geometry_precision": "precision", "location_note": "loc_note", "location_note_vi": "loc_note_v",
    "progress_state": "progress", "tasks_total": "tasks", "tasks_overdue": "tasks_ovd", "mean_percent": "mean_pct",
    "phase1_area_ha": "phase1_ha", "phase2_area_ha": "phase2_ha", "status_note": "stat_note",
    "plan_spelling": "plan_spell", "investment_period": "invest_per", "established": "establish",
    "legal_basis": "legal", "length_km_total": "len_km_tot", "length_note": "len_note",
    "design_speed_kmh": "speed_kmh", "works_count": "works", "dike_length_note": "dike_note",
    "raw_material": "raw_mat", "raw_material_source": "raw_source", "tasks_direct": "tasks_dir",
    "tasks_via_features": "tasks_via", "tasks_linked": "tasks_lnk", "communes_2025": "communes",
    "communes_2025_names": "communes_n", "communes_2025_basis": "communes_b", "district_name": "district",
    "commune_code": "commune", "commune_name": "commune_n", "share_of_district_pct": "pct_distr",
    "share_of_commune_pct": "pct_commun", "formed_from_district": "from_distr", "formed_from_kien_giang": "from_kg",
    "former_communes": "former", "former_commune_codes": "former_cod", "former_district_codes": "former_dis",
    "geometry_note": "geom_note",
}


class ExportError(ValueError):
    """A request for a layer, format or CRS the service does not export."""


def check(session: Session, layer: str, fmt: str, crs: int) -> None:
    """Raise ExportError naming what is wrong and what is offered."""
    if layer not in layers(session):
        raise ExportError(f"unknown layer {layer!r}; layers: {', '.join(layers(session))}")
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}; formats: {', '.join(FORMATS)}")
    if crs not in CRS_CODES:
        raise ExportError(f"crs {crs} not offered; use 4326 or 9207")
    if fmt == "kml" and crs != 4326:
        raise ExportError("KML is always EPSG:4326 (the KML standard); ask for crs=4326 or another format")


def filename(name: str, suffix: str, crs: int | None = None) -> str:
    return f"{PREFIX}-{name}" + (f"-epsg{crs}" if crs else "") + f".{suffix}"


# -- frames --------------------------------------------------------------------------------------------------

def layer_frame(session: Session, layer: str, crs: int = 4326) -> gpd.GeoDataFrame:
    """Every item of collection ``layer`` with the properties the OGC API gives it, in EPSG ``crs``
    (reprojected with the pinned transformation)."""
    import geopandas as gpd
    import pandas as pd

    prov = provider(layer, session)
    records = prov.records(session)
    frame = pd.DataFrame.from_records([{"id": str(i), **props} for i, props, _ in records],
                                      columns=["id", *prov.collection.field_names])
    geoms = [reproject(g, 4326, crs) for _, _, g in records]
    return gpd.GeoDataFrame(frame, geometry=geoms, crs=f"EPSG:{crs}")


TASK_COLUMNS = ("plan", "section", "id", "text", "leads", "partners", "deadline", "deadline_text", "status",
                "percent", "overdue", "summary_en", "source")


def task_rows(session: Session) -> list[dict]:
    """Every task with its lead and partner agencies, deadline and current state (status, percent, overdue)."""
    names = {a.id: a.name for a in session.scalars(select(Agency))}
    rows = []
    for tid, p, _ in sorted(provider("tasks").records(session), key=lambda r: (r[1]["plan"], r[0])):
        rows.append({
            "plan": p["plan"], "section": p["section"], "id": tid, "text": p["text"], "leads": p["lead_names"],
            "partners": "; ".join(names[a] for a in p["partner_ids"].split(",") if a in names),
            "deadline": p["deadline"], "deadline_text": p["deadline_text"], "status": p["status"],
            "percent": p["percent"], "overdue": p["overdue"], "summary_en": p["summary_en"], "source": p["source"],
        })
    return rows


# -- writers -------------------------------------------------------------------------------------------------

def _write(frame: gpd.GeoDataFrame, path: Path, fmt: Format, layer: str, **kwargs) -> None:
    import pyogrio

    pyogrio.write_dataframe(frame, path, layer=layer, driver=fmt.driver, layer_options=dict(fmt.options) or None,
                            dataset_options=dict(fmt.dataset_options) or None, **kwargs)


def _write_shapefile_zip(frame: gpd.GeoDataFrame, layer: str, out_dir: Path, zip_path: Path) -> None:
    """One shapefile (the collection has one geometry type), UTF-8 with a .cpg, zipped."""
    import pyogrio

    shp = out_dir / f"{layer}.shp"
    pyogrio.write_dataframe(frame.rename(columns=SHP_FIELDS), shp, driver="ESRI Shapefile", encoding="UTF-8")
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as zf:
        for suffix in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
            zf.write(shp.with_suffix(suffix), f"{layer}{suffix}")


def write_layer(session: Session, layer: str, fmt: str, crs: int, out_dir: Path) -> Path:
    """Write ``layer`` as ``fmt`` in EPSG ``crs`` into ``out_dir``; return the file to send."""
    check(session, layer, fmt, crs)
    frame = layer_frame(session, layer, crs)
    target = out_dir / filename(layer, FORMATS[fmt].suffix, crs)
    if fmt == "shp":
        _write_shapefile_zip(frame, layer, out_dir, target)
    elif fmt == "kml":
        import pyogrio

        pyogrio.write_dataframe(frame, target, layer=layer, driver="KML",
                                dataset_options={"NameField": "name", "DescriptionField": "source"})
    else:
        _write(frame, target, FORMATS[fmt], layer)
    return target


def write_plan(session: Session, crs: int, out_dir: Path) -> Path:
    """The whole plan in one GeoPackage: every collection with geometry, and tasks, targets, agencies as tables."""
    if crs not in CRS_CODES:
        raise ExportError(f"crs {crs} not offered; use 4326 or 9207")
    target = out_dir / filename("plan", "gpkg", crs)
    gpkg = FORMATS["gpkg"]
    for layer in layers(session):
        _write(layer_frame(session, layer, crs), target, gpkg, layer)
    import pandas as pd

    _write(pd.DataFrame(task_rows(session), columns=TASK_COLUMNS), target, gpkg, "tasks")
    targets = [{c.name: getattr(t, c.name) for c in Target.__table__.columns} for t in session.scalars(select(Target))]
    _write(pd.DataFrame(targets), target, gpkg, "targets")
    agencies = [{c.name: getattr(a, c.name) for c in Agency.__table__.columns} for a in session.scalars(select(Agency))]
    _write(pd.DataFrame(agencies), target, gpkg, "agencies")
    return target


def tasks_csv(session: Session) -> bytes:
    """Tasks as CSV, UTF-8 with a BOM so that Excel shows Vietnamese."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=TASK_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(task_rows(session))
    return out.getvalue().encode("utf-8-sig")


def tasks_xlsx(session: Session) -> bytes:
    """Tasks as an Excel workbook: bold frozen header, wrapped text, real dates."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = "tasks"
    ws.append(list(TASK_COLUMNS))
    for row in task_rows(session):
        ws.append([row[c] for c in TASK_COLUMNS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    widths = {"text": 80, "lead": 36, "partners": 40, "summary_en": 50, "source": 24, "id": 16}
    for i, name in enumerate(TASK_COLUMNS, start=1):
        letter = ws.cell(row=1, column=i).column_letter
        ws.column_dimensions[letter].width = widths.get(name, 12)
        if name in ("text", "partners", "summary_en"):
            for cell in ws[letter][1:]:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        if name == "deadline":
            for cell in ws[letter][1:]:
                cell.number_format = "yyyy-mm-dd"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
