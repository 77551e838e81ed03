"""``/api/exports/…``: download a layer, the whole plan or the task list as a file.

``/api/exports/{layer}.{fmt}?crs=4326|9207`` for fmt in gpkg, geojson, shp (zip), kml (EPSG:4326 only), csv;
``/api/exports/plan.gpkg`` (every layer, the districts, tasks, targets, agencies); ``/api/exports/tasks.csv`` and
``tasks.xlsx``. Files are written by ``layers.exports`` into a temporary directory and streamed back; strong
ETags and ``304`` as for the statistics.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path as FsPath

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from api.deps import Db
from api.errors import ApiError
from api.stats import DATA_CACHE, LIVE_CACHE, cached
from layers import exports as ex

router = APIRouter(prefix="/api/exports", tags=["exports"])

# A plain int checked by layers.exports: pydantic's Literal[4326, 9207] refuses the query string "9207".
CrsCode = int
CRS_QUERY = Query(4326, description="EPSG code of the output: 4326 (WGS 84) or 9207 (VN-2000 / TM-3 104°30')",
                  json_schema_extra={"enum": list(ex.CRS_CODES)})
FILE_RESPONSES = {304: {"description": "Not modified (If-None-Match)"}}
CHUNK = 1 << 16


class ExportIndex(BaseModel):
    layers: list[str]
    formats: dict[str, str]
    crs: list[int]
    links: list[str]


def _stream(path: FsPath, tmp: FsPath) -> Iterator[bytes]:
    """The file in chunks; the temporary directory goes when the download ends (or is cut)."""
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(CHUNK):
                yield chunk
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _file_response(write: Callable[[FsPath], FsPath], media_type: str, headers: dict) -> Response:
    tmp = FsPath(tempfile.mkdtemp(prefix="planmap-export-"))
    try:
        path = write(tmp)
    except ex.ExportError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise ApiError(400, "InvalidParameterValue", str(exc)) from exc
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    headers |= {"Content-Disposition": f'attachment; filename="{path.name}"',
                "Content-Length": str(path.stat().st_size)}
    return StreamingResponse(_stream(path, tmp), media_type=media_type, headers=headers)


def _bytes_response(data: bytes, name: str, media_type: str, headers: dict) -> Response:
    headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return Response(data, media_type=media_type, headers=headers)


@router.get("", response_model=ExportIndex, summary="What can be exported")
def index(session: Db) -> ExportIndex:
    layers = ex.layers(session)
    links = [f"/api/exports/{layer}.{fmt}" for layer in layers for fmt in ex.FORMATS]
    return ExportIndex(layers=layers, formats={k: f.media_type for k, f in ex.FORMATS.items()},
                       crs=list(ex.CRS_CODES), links=["/api/exports/plan.gpkg", "/api/exports/tasks.csv",
                                                       "/api/exports/tasks.xlsx", *links])


@router.get("/plan.gpkg", responses=FILE_RESPONSES, response_class=Response,
            summary="The whole plan as one GeoPackage")
def plan_gpkg(request: Request, session: Db, crs: CrsCode = CRS_QUERY) -> Response:
    """Every layer and the former districts as spatial layers; tasks (with their current state), targets and
    agencies as tables."""
    if crs not in ex.CRS_CODES:
        raise ApiError(400, "InvalidParameterValue", f"crs {crs} not offered; use 4326 or 9207")
    return cached(request, session, True, LIVE_CACHE, lambda headers: _file_response(
        lambda tmp: ex.write_plan(session, crs, tmp), ex.FORMATS["gpkg"].media_type, headers))


@router.get("/tasks.csv", responses=FILE_RESPONSES, response_class=Response, summary="Tasks as CSV")
def tasks_csv(request: Request, session: Db) -> Response:
    """Section, task id, text, lead agency, partners, deadline, status, percent, overdue (UTF-8 with BOM)."""
    return cached(request, session, True, LIVE_CACHE, lambda headers: _bytes_response(
        ex.tasks_csv(session), ex.filename("tasks", "csv"), ex.FORMATS["csv"].media_type, headers))


@router.get("/tasks.xlsx", responses=FILE_RESPONSES, response_class=Response, summary="Tasks as an Excel workbook")
def tasks_xlsx(request: Request, session: Db) -> Response:
    return cached(request, session, True, LIVE_CACHE, lambda headers: _bytes_response(
        ex.tasks_xlsx(session), ex.filename("tasks", "xlsx"), ex.XLSX_MEDIA_TYPE, headers))


@router.get("/{layer}.{fmt}", responses=FILE_RESPONSES | {400: {"description": "Unknown format or CRS"},
                                                          404: {"description": "Unknown layer"}},
            response_class=Response, summary="One layer as a file")
def layer_file(request: Request, session: Db, layer: str = Path(description="a layer id, see /api/exports"),
               fmt: str = Path(description="gpkg, geojson, shp (zip), kml or csv"), crs: CrsCode = CRS_QUERY) -> Response:
    """The layer's features with their attributes in EPSG:4326 or EPSG:9207 (reprojected with the official
    EPSG:6960 transformation). Shapefile: a zip with .shp/.shx/.dbf/.prj/.cpg (UTF-8) of the collection's one
    geometry type. KML is always EPSG:4326. CSV: geometry as WKT, UTF-8 with BOM."""
    if layer not in ex.layers(session):
        raise ApiError(404, "NotFound", f"no layer {layer!r}; layers: {', '.join(ex.layers(session))}")
    try:
        ex.check(session, layer, fmt, crs)
    except ex.ExportError as exc:
        raise ApiError(400, "InvalidParameterValue", str(exc)) from exc
    ex_format = ex.FORMATS[fmt]
    return cached(request, session, False, DATA_CACHE, lambda headers: _file_response(
        lambda tmp: ex.write_layer(session, layer, fmt, crs, tmp), ex_format.media_type, headers))
