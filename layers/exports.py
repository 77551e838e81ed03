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
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
from geoalchemy2.shape import to_shape
from sqlalchemy import select
from sqlalchemy.orm import Session

from geo.area import hectares
from geo.transform import reproject
from layers.models import Agency, District, Feature, FeatureDistrict, Target, Task
from layers.plan import FEATURE_LAYERS
from layers.progress import task_states

PREFIX = "kiengiang"
LAYERS = (*FEATURE_LAYERS, "districts", "raw_material_districts")
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

# Shapefile field names hold 10 characters; GDAL's own truncation would make occupancy_pct/occupancy_note clash.
SHP_FIELDS = {
    "planned_area_ha": "plan_ha", "mapped_area_ha": "mapped_ha", "occupancy_pct": "occup_pct",
    "occupancy_note": "occup_note", "geometry_precision": "precision", "location_note": "loc_note",
    "plan_period": "period", "raw_material": "raw_mat", "raw_material_source": "raw_source",
    "short_name": "short_name",
}
SHP_FAMILIES = {"Point": "points", "MultiPoint": "points", "LineString": "lines", "MultiLineString": "lines",
                "Polygon": "polygons", "MultiPolygon": "polygons"}


class ExportError(ValueError):
    """A request for a layer, format or CRS the service does not export."""


def check(layer: str, fmt: str, crs: int) -> None:
    """Raise ExportError naming what is wrong and what is offered."""
    if layer not in LAYERS:
        raise ExportError(f"unknown layer {layer!r}; layers: {', '.join(LAYERS)}")
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}; formats: {', '.join(FORMATS)}")
    if crs not in CRS_CODES:
        raise ExportError(f"crs {crs} not offered; use 4326 or 9207")
    if fmt == "kml" and crs != 4326:
        raise ExportError("KML is always EPSG:4326 (the KML standard); ask for crs=4326 or another format")


def filename(name: str, suffix: str, crs: int | None = None) -> str:
    return f"{PREFIX}-{name}" + (f"-epsg{crs}" if crs else "") + f".{suffix}"


# -- frames --------------------------------------------------------------------------------------------------

def _frame(records: list[dict], geoms: list, crs: int) -> gpd.GeoDataFrame:
    """A GeoDataFrame in ``crs`` from lon/lat geometries, reprojected with the pinned transformation."""
    out = [reproject(g, 4326, crs) for g in geoms]
    return gpd.GeoDataFrame(pd.DataFrame.from_records(records), geometry=out, crs=f"EPSG:{crs}")


def feature_frame(session: Session, layer: str, crs: int = 4326) -> gpd.GeoDataFrame:
    """Every feature of ``layer``, with its attributes, the districts the plan names and the mapped area."""
    links: dict[str, list[str]] = {}
    for fid, code in session.execute(select(FeatureDistrict.feature_id, FeatureDistrict.gso_code)
                                     .order_by(FeatureDistrict.gso_code)):
        links.setdefault(fid, []).append(str(code))
    records, geoms = [], []
    for f in session.scalars(select(Feature).where(Feature.layer == layer).order_by(Feature.id)):
        geom = to_shape(f.geom)
        geoms.append(geom)
        records.append({
            "id": f.id, "name": f.name, "name_en": f.name_en, "kind": f.kind, "status": f.status,
            "districts": ";".join(links.get(f.id, [])), "planned_area_ha": f.planned_area_ha,
            "mapped_area_ha": round(hectares(geom), 2) if geom.geom_type in ("Polygon", "MultiPolygon") else None,
            "occupancy_pct": f.occupancy_pct, "occupancy_note": f.occupancy_note, "area_note": f.area_note,
            "phase": f.phase, "plan_period": f.plan_period, "geometry_precision": f.geometry_precision,
            "location_note": f.location_note, "source": f.source,
            "extra": json.dumps(f.properties or {}, ensure_ascii=False),
        })
    return _frame(records, geoms, crs)


def district_frame(session: Session, crs: int = 4326, raw_material_only: bool = False) -> gpd.GeoDataFrame:
    query = select(District).order_by(District.gso_code)
    if raw_material_only:
        query = query.where(District.raw_material.is_(True))
    rows = list(session.scalars(query))
    records = [{"id": str(d.gso_code), "gso_code": d.gso_code, "name": d.name, "short_name": d.short_name,
                "type": d.type, "area_ha": round(d.area_ha, 2), "raw_material": bool(d.raw_material),
                "raw_material_source": d.raw_material_source, "source": d.source} for d in rows]
    return _frame(records, [to_shape(d.geom) for d in rows], crs)


def layer_frame(session: Session, layer: str, crs: int = 4326) -> gpd.GeoDataFrame:
    if layer in FEATURE_LAYERS:
        return feature_frame(session, layer, crs)
    return district_frame(session, crs, raw_material_only=layer == "raw_material_districts")


TASK_COLUMNS = ("plan", "section", "id", "text", "lead", "partners", "deadline", "deadline_text", "status",
                "percent", "overdue", "summary_en", "source")


def task_rows(session: Session) -> list[dict]:
    """Every task with its lead and partner agencies, deadline and current state (status, percent, overdue)."""
    states = task_states(session)
    agencies = {a.id: a for a in session.scalars(select(Agency))}
    rows = []
    for t in session.scalars(select(Task).order_by(Task.plan, Task.id)):
        s = states.get(t.id)
        rows.append({
            "plan": t.plan, "section": t.section, "id": t.id, "text": t.text,
            "lead": f"{agencies[t.lead_id].name} ({agencies[t.lead_id].code})",
            "partners": "; ".join(p.name for p in t.partners), "deadline": t.deadline,
            "deadline_text": t.deadline_text, "status": s.status if s else None,
            "percent": s.percent if s else None, "overdue": s.overdue if s else None,
            "summary_en": t.summary_en, "source": t.source,
        })
    return rows


# -- writers -------------------------------------------------------------------------------------------------

def _write(frame: gpd.GeoDataFrame, path: Path, fmt: Format, layer: str, **kwargs) -> None:
    pyogrio.write_dataframe(frame, path, layer=layer, driver=fmt.driver, layer_options=dict(fmt.options) or None,
                            dataset_options=dict(fmt.dataset_options) or None, **kwargs)


def _write_shapefile_zip(frame: gpd.GeoDataFrame, layer: str, out_dir: Path, zip_path: Path) -> None:
    """One shapefile per geometry family (a shapefile holds one type), UTF-8 with a .cpg, zipped."""
    frame = frame.rename(columns=SHP_FIELDS)
    families = frame.geometry.geom_type.map(SHP_FAMILIES)
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as zf:
        for family in sorted(families.unique()):
            part = frame[families == family]
            name = layer if families.nunique() == 1 else f"{layer}_{family}"
            shp = out_dir / f"{name}.shp"
            pyogrio.write_dataframe(part, shp, driver="ESRI Shapefile", encoding="UTF-8")
            for suffix in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
                zf.write(shp.with_suffix(suffix), f"{name}{suffix}")


def write_layer(session: Session, layer: str, fmt: str, crs: int, out_dir: Path) -> Path:
    """Write ``layer`` as ``fmt`` in EPSG ``crs`` into ``out_dir``; return the file to send."""
    check(layer, fmt, crs)
    frame = layer_frame(session, layer, crs)
    target = out_dir / filename(layer, FORMATS[fmt].suffix, crs)
    if fmt == "shp":
        _write_shapefile_zip(frame, layer, out_dir, target)
    elif fmt == "kml":
        pyogrio.write_dataframe(frame, target, layer=layer, driver="KML",
                                dataset_options={"NameField": "name", "DescriptionField": "source"})
    else:
        _write(frame, target, FORMATS[fmt], layer)
    return target


def write_plan(session: Session, crs: int, out_dir: Path) -> Path:
    """The whole plan in one GeoPackage: every layer, the districts, and tasks, targets, agencies as tables."""
    if crs not in CRS_CODES:
        raise ExportError(f"crs {crs} not offered; use 4326 or 9207")
    target = out_dir / filename("plan", "gpkg", crs)
    gpkg = FORMATS["gpkg"]
    for layer in ("districts", *FEATURE_LAYERS):
        _write(layer_frame(session, layer, crs), target, gpkg, layer)
    tasks = pd.DataFrame(task_rows(session), columns=TASK_COLUMNS)
    tasks["deadline"] = tasks["deadline"].map(lambda d: d.isoformat() if d else None)
    _write(tasks, target, gpkg, "tasks")
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
