"""Import planning layers over HTTP (admins): ``GET /admin/imports`` (the upload page),
``POST /api/imports`` (multipart: one file, a .zip, or a shapefile's parts) and ``GET /api/imports`` (the registry).

The same code path as ``planmap import`` (``layers.imports.import_file``), the same errors, as JSON
``{"code", "description", "problems"}`` (422), or the page again with the errors when the page's form posted.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from api.auth import Admin, MaybeUser, csrf_token
from api.deps import primary
from api.errors import ApiError, error_body, responses
from layers.accounts import Principal
from layers.imports.models import ImportedLayer, imported_layers

if TYPE_CHECKING:
    from layers.imports.importer import ImportOptions, ImportResult

router = APIRouter(tags=["imports"])
TEMPLATES = Path(__file__).resolve().parents[1] / "web" / "templates" / "admin"
_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
OPTION_FIELDS = ("layer", "title", "crs", "encoding", "landuse_field", "source_layer")


@lru_cache(maxsize=1)
def _strings() -> dict[str, dict[str, str]]:
    return json.loads((TEMPLATES / "strings.json").read_text(encoding="utf-8"))


def _layer_dict(layer: ImportedLayer) -> dict:
    return {c: getattr(layer, c) for c in ("id", "title", "source_name", "geometry_type", "fields", "row_count",
                                           "bbox", "landuse_field", "source_crs", "text_encoding", "imported_by")
            } | {"imported_at": layer.imported_at.isoformat()}


def _result_dict(result: ImportResult) -> dict:
    return {"layer": result.layer, "title": result.title, "rows": result.rows,
            "geometry_type": result.geometry_type, "seconds": round(result.seconds, 3),
            "rows_per_second": round(result.rows_per_second), "source_crs": result.source_crs,
            "text_encoding": result.text_encoding, "landuse_field": result.landuse_field, "bbox": result.bbox,
            "repaired": result.repaired, "unknown_codes": result.unknown_codes}


def _page(request: Request, who: Principal, status: int = 200, lang: str | None = None, **context) -> HTMLResponse:
    lang = lang or request.query_params.get("lang", "vi")
    lang = lang if lang in ("vi", "en") else "vi"
    sid = getattr(request.state, "sid", None)
    with primary(request) as session:
        layers = imported_layers(session)
    html = _env.get_template("imports.html").render(
        t=_strings()["vi"] | _strings()[lang], lang=lang, who=who, csrf=csrf_token(request, sid) if sid else "",
        layers=layers, **context)
    return HTMLResponse(html, status, headers={"Cache-Control": "no-store", "X-Frame-Options": "DENY",
                                               "Content-Security-Policy": "default-src 'self'; "
                                                                          "style-src 'self' 'unsafe-inline'"})


@router.get("/admin/imports", include_in_schema=False)
def imports_page(request: Request, who: MaybeUser):
    if who is None:
        return RedirectResponse(f"/login?next={request.url.path}", 303)
    if not who.at_least("admin"):
        raise ApiError(403, "Forbidden", f"this page is for admins; {who.username} is {who.role}")
    return _page(request, who)


@router.get("/api/imports", responses=responses(401, 403))
def list_imports(request: Request, who: Admin):
    """The imported layers (the registry)."""
    with primary(request) as session:
        return {"layers": [_layer_dict(layer) for layer in imported_layers(session)]}


def _save(uploads: list[UploadFile], folder: Path) -> Path:
    """The uploaded files in ``folder`` (file names only, no paths); the one file, or the folder for several."""
    for upload in uploads:
        name = Path(upload.filename or "").name
        if not name or name.startswith("."):
            raise ApiError(400, "InvalidParameterValue", f"file name {upload.filename!r} is not usable")
        with open(folder / name, "wb") as out:
            shutil.copyfileobj(upload.file, out, 1 << 20)
    files = list(folder.iterdir())
    return files[0] if len(files) == 1 else folder


def _run(uploads: list[UploadFile], options: ImportOptions, engine) -> ImportResult:
    from layers.imports.importer import import_file

    with tempfile.TemporaryDirectory(prefix="planmap-import-") as tmp:
        return import_file(engine, _save(uploads, Path(tmp)), options)


UPLOAD_BODY = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"],
    "properties": {"file": {"type": "array", "items": {"type": "string", "format": "binary"},
                            "description": "the layer's file(s): GeoPackage, zipped or loose Shapefile parts, "
                                           "GeoJSON, FlatGeobuf, KML or CSV with WKT"},
                   **{name: {"type": "string", "maxLength": 256} for name in OPTION_FIELDS},
                   "replace": {"type": "string", "enum": ["true", "false"]}}}}}}}
UPLOAD_RESPONSES = responses(400, 401, 403, 406, 413, 415) | {
    422: {"description": "the file cannot be imported: the problems, nothing imported"}}


@router.post("/api/imports", status_code=201, openapi_extra=UPLOAD_BODY, responses=UPLOAD_RESPONSES)
async def upload(request: Request, who: Admin):
    """Import the uploaded layer: 201 with the result, 422 with the problems (nothing imported)."""
    # GDAL and Arrow weigh ~130 MB: a worker loads them on its first upload, not at start.
    from layers.imports.importer import ImportFailure, ImportOptions

    form = await request.form()
    uploads = [f for f in form.getlist("file") if isinstance(f, UploadFile) and f.filename]
    as_html = form.get("respond") == "html"
    if not uploads:
        raise ApiError(400, "InvalidParameterValue", "file: send the layer file (multipart field 'file')")
    values = {k: (str(form.get(k) or "").strip() or None) for k in OPTION_FIELDS}
    options = ImportOptions(**values, replace=str(form.get("replace", "")).lower() in ("true", "1", "on"),
                            actor=who.username)
    try:
        result = await run_in_threadpool(_run, uploads, options, request.app.state.engine)
    except ImportFailure as exc:
        if as_html:
            return _page(request, who, 422, lang=form.get("lang"), error=exc.problems)
        return JSONResponse(error_body("ImportFailed", str(exc)) | {"problems": exc.problems}, 422)
    if as_html:
        return _page(request, who, 201, lang=form.get("lang"), result=result)
    return JSONResponse(_result_dict(result), 201)
