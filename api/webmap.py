"""The planners' web map: the page at ``/``, its static assets, and the small JSON the map needs.

``/api/map/...`` serves what OGC API does not: the offline base, popup and district-panel details, the map's
statistics, the basemap proxy; ``/api/search`` finds features, districts and tasks with or without diacritics.
The page reads the plan layers from OGC API - Features.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from sqlalchemy.orm import Session

from api.deps import get_session
from api.errors import ApiError, responses
from api.params import DistrictCode
from layers import mapdata
from layers.store.version import current as current_version
from layers.search import search as run_search
from web import basemap
from web.i18n import LANGUAGES
from web.map import STATIC_DIR, MapConfig, build_map_html

router = APIRouter(tags=["web map"])

mimetypes.add_type("text/javascript", ".js")


CONFIG = MapConfig()


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def page(lang: str = Query("vi", pattern="^[a-z]{2}$")) -> HTMLResponse:
    lang = lang if lang in LANGUAGES else "vi"
    html = build_map_html(lang, CONFIG)
    return HTMLResponse(html, headers={"Cache-Control": "no-cache", "Content-Language": lang})


@router.get("/static/{path:path}", include_in_schema=False)
def static(path: str, v: str | None = None) -> FileResponse:
    """Vendored and own assets; versioned URLs (``?v=hash``) are cached for a year."""
    root = STATIC_DIR.resolve()
    target = (root / path).resolve()
    if root not in target.parents or not target.is_file():
        raise ApiError(404, "NotFound", f"no static file {path!r}")
    cache = "public, max-age=31536000, immutable" if v else "public, max-age=3600"
    return FileResponse(target, headers={"Cache-Control": cache})


def _json(data, max_age: int = 0) -> JSONResponse:
    return JSONResponse(
        data, headers={"Cache-Control": f"public, max-age={max_age}" if max_age else "no-cache"}
    )


@router.get("/api/map/base", summary="Offline base map: neighbours, coast, former districts (simplified)")
def base(request: Request, session: Session = Depends(get_session)) -> JSONResponse:
    # simplified once per loaded dataset: boundaries only change with a new `planmap load`
    version = current_version(session)
    cached = getattr(request.app.state, "webmap_base", None)
    if cached is None or cached[0] != version:
        cached = request.app.state.webmap_base = (version, mapdata.base_map(session))
    return _json(cached[1], 3600)


@router.get("/api/map/features/{feature_id}", summary="Popup: a feature with its districts and linked tasks",
            responses=responses(404))
def feature(feature_id: str, session: Session = Depends(get_session)) -> JSONResponse:
    detail = mapdata.feature_detail(session, feature_id)
    if detail is None:
        raise ApiError(404, "NotFound", f"no feature {feature_id!r}")
    return _json(detail)


@router.get("/api/map/districts/{gso_code}", summary="District panel: area, raw material, features, tasks",
            responses=responses(404))
def district(gso_code: DistrictCode, session: Session = Depends(get_session)) -> JSONResponse:
    return _json(mapdata.district_detail(session, gso_code))


@router.get("/api/map/stats", summary="Statistics panel: hectares, occupancy and targets, progress by agency")
def stats(session: Session = Depends(get_session)) -> JSONResponse:
    return _json(mapdata.map_stats(session))


@router.get("/api/search", summary="Search features, former districts and tasks (diacritics optional)")
def search(
    q: str = Query(..., min_length=1, max_length=200),
    limit: int = Query(20, ge=1, le=100),
    session: Session = Depends(get_session),
) -> JSONResponse:
    return _json(run_search(session, q, limit))


@router.get("/api/map/basemap/status", summary="Whether the online basemap is reachable")
def basemap_status(request: Request) -> JSONResponse:
    return _json({"online": basemap.online(request.app.state.settings.cache_dir)})


@router.get("/api/map/basemap/{z}/{x}/{y}.png", include_in_schema=False, response_class=Response,
            responses={200: {"content": {"image/png": {}}}})
def basemap_tile(request: Request, z: int, x: int, y: int) -> Response:
    if not basemap.valid_tile(z, x, y):
        raise ApiError(404, "NotFound", f"no tile {z}/{x}/{y}")
    data, real = basemap.tile(Path(request.app.state.settings.cache_dir), z, x, y)
    cache = "public, max-age=604800" if real else "no-store"
    return Response(data, media_type="image/png", headers={"Cache-Control": cache})
