"""Build the FastAPI application for one database."""

from __future__ import annotations

import importlib

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware

from api import errors
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


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(
        title="Kiên Giang planning map service",
        description="Industrialisation plans of Kiên Giang (former districts, before 1 July 2025) as maps, "
        "OGC API - Features, statistics and printable maps.",
        version="0.1.0",
        docs_url="/api/docs",
        openapi_url="/api/openapi.json",
    )
    app.state.settings = settings
    app.state.engine = make_engine(settings.database_url)
    app.state.sessions = session_factory(app.state.engine)
    errors.install(app)
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    app.add_middleware(GzipValidators)  # outside gzip: a compressed answer gets its own ETag
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "HEAD", "OPTIONS"],
                       expose_headers=["ETag", "Content-Crs", "Link", "X-Tile-Features-Dropped"])
    for name in ROUTER_MODULES:
        app.include_router(importlib.import_module(name).router)
    return app
