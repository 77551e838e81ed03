"""Responses of the OGC routes: JSON with strong ETags and 304s, format negotiation, absolute links."""

from __future__ import annotations

from urllib.parse import urlencode

import orjson
from fastapi import Request, Response

from api import conditional
from api.errors import ApiError

GEOJSON = "application/geo+json"
JSON = "application/json"
HTML = "text/html"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
SCHEMA_JSON = "application/schema+json"
CACHE_CONTROL = "public, max-age=60"  # data changes with a reload or a progress report; a minute is safe
FORMATS = {"json": JSON, "geojson": GEOJSON, "html": HTML}


def wants_html(request: Request) -> bool:
    """``f=html``, or a browser's Accept header (text/html before any JSON type)."""
    f = request.query_params.get("f")
    if f:
        if f not in FORMATS:
            raise ApiError(400, "InvalidParameterValue", f"f: unknown format {f!r}; use json or html")
        return f == "html"
    accept = request.headers.get("accept", "")
    html_at = accept.find(HTML)
    json_at = min((i for i in (accept.find("json"),) if i >= 0), default=-1)
    return html_at >= 0 and (json_at < 0 or html_at < json_at)


def cached(request: Request, body: bytes, media_type: str, headers: dict | None = None) -> Response:
    """``body`` with a strong ETag (its hash) and Cache-Control; 304 when the client already holds it."""
    return conditional.respond(request, body, media_type, conditional.body_tag(body),
                               {"Cache-Control": CACHE_CONTROL, **(headers or {})})


def json_response(request: Request, data: dict, media_type: str = JSON, headers: dict | None = None) -> Response:
    return cached(request, orjson.dumps(data), media_type, headers)


def url(request: Request, path: str, **params) -> str:
    """Absolute URL of ``path`` (under the app's root) with query ``params`` (None values dropped)."""
    base = str(request.base_url).rstrip("/")
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return f"{base}{path}" + (f"?{query}" if query else "")


def link(href: str, rel: str, type_: str, title: str | None = None) -> dict:
    out = {"href": href, "rel": rel, "type": type_}
    return out | {"title": title} if title else out


def self_links(request: Request, path: str, json_type: str = JSON, title: str = "") -> list[dict]:
    """``self`` and ``alternate`` links of a resource in JSON and HTML, keeping the query."""
    params = {k: v for k, v in request.query_params.items() if k != "f"}
    html_now = wants_html(request)
    return [
        link(url(request, path, **params, f="html" if html_now else "json"), "self",
             HTML if html_now else json_type, title or None),
        link(url(request, path, **params, f="json" if html_now else "html"), "alternate",
             json_type if html_now else HTML, title or None),
    ]
