"""Build the FastAPI application for one database."""

from __future__ import annotations

import importlib

from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

from api import body, errors, middleware, params
from api.conditional import GzipValidators
from layers.db import make_engine, session_factory
from layers.settings import Settings, get_settings

# Each capability registers its own router. Order matters only for the web map: its "/" and static mount go last.
ROUTER_MODULES = (
    "api.health",
    "api.ogc",
    "api.stats",
    "api.exports",
    "api.tasks",
    "api.auth",
    "api.printing",
    "api.where",  # old address or point -> 2025 commune
    "api.imports",  # planning layers uploaded by admins (layers.imports)
    "api.webmap",  # last: it serves "/" and the static files
)
SWAGGER_UI = "/static/vendor/swagger-ui"  # vendored by `make vendor`: no CDN


def common_statuses(path: str, _method: str, operation: dict) -> list[int]:
    """Statuses the app-wide machinery may add to an operation, for the OpenAPI document."""
    statuses = list(params.RESPONSES) if path.startswith(params.API_PREFIXES) else []
    if "requestBody" in operation:
        statuses += [*middleware.RESPONSES, *body.RESPONSES]
    return statuses


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(
        title="Kiên Giang planning map service",
        description="Industrialisation plans of Kiên Giang (former districts, before 1 July 2025) as maps, "
        "OGC API - Features, statistics and printable maps.",
        version="0.1.0",
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
        dependencies=[Depends(params.request_rules)],
    )
    app.state.settings = settings
    app.state.engine = make_engine(settings.database_url)
    app.state.sessions = session_factory(app.state.engine)
    app.state.read_engine = make_engine(settings.database_read_url or settings.database_url, reads=True)
    app.state.read_sessions = session_factory(app.state.read_engine)
    errors.install(app)
    # Innermost first. The security headers go on every answer, the body limit's too, and see the page before
    # it is compressed (its inline scripts are hashed); a compressed answer then gets its own ETag.
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "HEAD", "OPTIONS"],
                       expose_headers=["ETag", "Content-Crs", "Link", "X-Tile-Features-Dropped"])
    app.add_middleware(middleware.BodyLimit)
    app.add_middleware(middleware.SecurityHeaders)
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    app.add_middleware(GzipValidators)
    for name in ROUTER_MODULES:
        app.include_router(importlib.import_module(name).router)
    errors.document(app, common_statuses)

    @app.get("/api/docs", include_in_schema=False, response_class=HTMLResponse)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url=app.openapi_url, title=f"{app.title} - API",
                                   swagger_js_url=f"{SWAGGER_UI}/swagger-ui-bundle.js",
                                   swagger_css_url=f"{SWAGGER_UI}/swagger-ui.css",
                                   swagger_favicon_url="/static/map/favicon.svg",
                                   swagger_ui_parameters={"validatorUrl": None})

    return app
