"""The planners' web map: the page at ``/``, its static assets, and the small JSON the map needs.

``/api/map/...`` serves what OGC API does not: the offline base, the plan layers in one light answer, the 2025
units, the imported layers the map draws from vector tiles, the task browser's data, popup and panel details, the
map's statistics, the basemap proxy; ``/api/search`` finds places, agencies, tasks, imported layers and land-use
codes by words in any order, with or without diacritics.

The drawn data is addressed by the data version (``?v=``, which the page carries): such an answer is kept by the
browser for good, and a new report or edit gives the page a new version to ask for.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import quote

import orjson
from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from sqlalchemy.orm import Session

from api.conditional import respond, strong_tag
from api.deps import Db
from api.errors import ApiError, responses
from api.params import DistrictCode
from layers import mapdata, maplayers, maptasks
from layers.search import search as run_search
from layers.store import tiles as vector_tiles
from layers.store.version import stamp
from web import basemap
from web.bundle import TYPES, bundle
from web.i18n import LANGUAGES
from web.map import PLAN_LAYERS, STATIC_DIR, VERSION_MARK, MapConfig, build_map_html

router = APIRouter(tags=["web map"])

mimetypes.add_type("text/javascript", ".js")

CONFIG = MapConfig()
FOREVER = "public, max-age=31536000, immutable"
VERSION = Query(None, max_length=40, description="the data version the page was built for: answers to the "
                "current version are cached for good")
JSON_200 = {200: {"content": {"application/json": {}}}}


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def page(session: Db, lang: str = Query("vi", pattern="^[a-z]{2}$")) -> HTMLResponse:
    lang = lang if lang in LANGUAGES else "vi"
    html = build_map_html(lang, CONFIG).replace(VERSION_MARK, quote(stamp(session), safe=""))
    return HTMLResponse(html, headers={"Cache-Control": "no-cache", "Content-Language": lang})


@router.get("/static/bundle/map.{kind}", include_in_schema=False)
def bundled(kind: str, v: str | None = None) -> Response:
    """The map's one script and one stylesheet (``web.bundle``)."""
    if kind not in TYPES:
        raise ApiError(404, "NotFound", f"no bundle map.{kind}")
    b = bundle(kind)
    cache = FOREVER if v == b.version else "no-cache"
    return Response(b.content, media_type=b.media_type, headers={"Cache-Control": cache, "ETag": f'"{b.version}"'})


@router.get("/static/{path:path}", include_in_schema=False)
def static(path: str, v: str | None = None) -> FileResponse:
    """Vendored and own assets; versioned URLs (``?v=hash``) are cached for a year."""
    root = STATIC_DIR.resolve()
    target = (root / path).resolve()
    if root not in target.parents or not target.is_file():
        raise ApiError(404, "NotFound", f"no static file {path!r}")
    cache = FOREVER if v else "public, max-age=3600"
    return FileResponse(target, headers={"Cache-Control": cache})


def _json(data, max_age: int = 0) -> JSONResponse:
    return JSONResponse(
        data, headers={"Cache-Control": f"public, max-age={max_age}" if max_age else "no-cache"}
    )


def _versioned(request: Request, session: Session, asked: str | None, build) -> Response:
    """``build()`` as JSON, validated by the data version; kept for good when asked for by the current one."""
    current = stamp(session)
    body = orjson.dumps(build(), option=orjson.OPT_NON_STR_KEYS)
    cache = FOREVER if asked == current else "no-cache"
    return respond(request, body, "application/json", strong_tag(request.url.path, current),
                   {"Cache-Control": cache})


@router.get("/api/map/base", summary="Offline base map: neighbours, coast, former districts (simplified)",
            responses=JSON_200)
def base(request: Request, session: Db, v: str | None = VERSION) -> Response:
    return _versioned(request, session, v, lambda: maplayers.base_map(session))


@router.get("/api/map/layers", summary="Every plan layer of the map in one answer (simplified geometry)",
            responses=JSON_200)
def layers(request: Request, session: Db, v: str | None = VERSION) -> Response:
    return _versioned(request, session, v, lambda: maplayers.plan_layers(session, PLAN_LAYERS))


@router.get("/api/map/communes", summary="The 2025 units over former Kiên Giang (simplified), for the "
            "boundary switch", responses=JSON_200)
def communes(request: Request, session: Db, v: str | None = VERSION) -> Response:
    return _versioned(request, session, v, lambda: maplayers.communes_outline(session))


@router.get("/api/map/imported", summary="Imported layers the map draws from their vector tiles: title, fields, "
            "the zoom from which they are drawn, land-use codes present; and the tiles' feature cap",
            responses=JSON_200)
def imported(request: Request, session: Db, v: str | None = VERSION) -> Response:
    # a tile holding feature_cap features may have left some out (X-Tile-Features-Dropped): the page says so
    return _versioned(request, session, v, lambda: {"feature_cap": vector_tiles.FEATURE_CAP,
                                                    "layers": maplayers.imported_overlays(session)})


@router.get("/api/map/tasks", summary="Task browser: every task with its leads, partners, deadline, state, latest "
            "report, linked features, former districts and 2025 units", responses=JSON_200)
def tasks(request: Request, session: Db, v: str | None = VERSION) -> Response:
    return _versioned(request, session, v, lambda: maptasks.task_browser(session))


@router.get("/api/map/features/{feature_id}", summary="Popup: a feature with its districts and linked tasks",
            responses=responses(404))
def feature(session: Db, feature_id: str) -> JSONResponse:
    detail = mapdata.feature_detail(session, feature_id)
    if detail is None:
        raise ApiError(404, "NotFound", f"no feature {feature_id!r}")
    return _json(detail)


@router.get("/api/map/districts/{gso_code}", summary="District panel: area, raw material, features, tasks",
            responses=responses(404))
def district(session: Db, gso_code: DistrictCode) -> JSONResponse:
    return _json(mapdata.district_detail(session, gso_code))


@router.get("/api/map/communes/{code}", summary="2025 unit panel: what it was formed from, features, tasks",
            responses=responses(404))
def commune(session: Db, code: str) -> JSONResponse:
    detail = mapdata.commune_detail(session, code) if code.isdigit() and len(code) <= 8 else None
    if detail is None:
        raise ApiError(404, "NotFound", f"no 2025 unit {code!r}; see /ogc/collections/communes_2025/items")
    return _json(detail)


@router.get("/api/map/stats", summary="Statistics panel: hectares, occupancy and targets, progress by agency")
def stats(session: Db) -> JSONResponse:
    return _json(mapdata.map_stats(session))


@router.get("/api/search", summary="Search places (new and former communes, former districts, plan features), "
            "imported layers, land-use codes, agencies and tasks: words in any order, diacritics optional, best first")
def search(
    session: Db, q: str = Query(..., min_length=1, max_length=200),
    limit: int = Query(20, ge=1, le=100),
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
