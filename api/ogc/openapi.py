"""The OpenAPI 3.0 definition of ``/ogc`` (the OGC test suite and QGIS read 3.0; FastAPI's own is 3.1)."""

from __future__ import annotations

from functools import lru_cache

from api.ogc.params import DEFAULT_LIMIT, MAX_LIMIT
from geo.crs import SUPPORTED_URIS
from layers.catalog import COLLECTIONS

_ERROR = {"type": "object", "properties": {"code": {"type": "string"}, "description": {"type": "string"}}}
_OBJECT = {"type": "object"}


def _response(media: str, schema: dict = _OBJECT) -> dict:
    return {"description": "OK", "content": {media: {"schema": schema}}}


def _errors(*codes: int) -> dict:
    names = {400: "Invalid parameter", 404: "Not found"}
    return {str(c): {"description": names[c], "content": {"application/json": {"schema": _ERROR}}} for c in codes}


def _query(name: str, schema: dict, description: str, **extra) -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description, **extra}


_F = _query("f", {"type": "string", "enum": ["json", "html"]}, "output format")
_CRS = {"type": "string", "enum": SUPPORTED_URIS}
_COLLECTION = {"name": "collectionId", "in": "path", "required": True,
               "schema": {"type": "string", "enum": list(COLLECTIONS)}}
_ITEMS_PARAMS = [
    _query("limit", {"type": "integer", "minimum": 1, "default": DEFAULT_LIMIT},
           f"items per page; values above {MAX_LIMIT} are clamped"),
    _query("bbox", {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}},
           "lower corner, upper corner (in bbox-crs axis order)", style="form", explode=False),
    _query("bbox-crs", _CRS, "CRS of bbox (default CRS84)"),
    _query("crs", _CRS, "CRS of the response geometries (default CRS84)"),
    _query("datetime", {"type": "string"}, "date or interval (start/end, '..' open); tasks: deadline"),
    _query("filter", {"type": "string"}, "CQL2 text filter over queryables"),
    _query("filter-lang", {"type": "string", "enum": ["cql2-text", "cql-text"]},
           "filter language (cql-text: the draft name GDAL 3.6 sends; read as CQL2 text)"),
    _query("filter-crs", _CRS, "CRS of geometry literals in filter (default CRS84)"),
    _query("sortby", {"type": "string"}, "comma list of queryables, '-' for descending"),
    _query("offset", {"type": "integer", "minimum": 0}, "items to skip (small tables; prefer next links)"),
    _query("token", {"type": "string"}, "opaque page token from a next/prev link"),
    _F,
]


def _get(summary: str, operation_id: str, params: list, ok: dict, errors: tuple = (400,)) -> dict:
    return {"get": {"summary": summary, "operationId": operation_id, "tags": ["OGC API - Features"],
                    "parameters": params, "responses": {"200": ok, **_errors(*errors)}}}


@lru_cache(maxsize=8)
def openapi_document(server_url: str) -> dict:
    """The definition, with the server's absolute ``/ogc`` URL."""
    feature_id = {"name": "featureId", "in": "path", "required": True, "schema": {"type": "string"}}
    tile = [{"name": n, "in": "path", "required": True, "schema": {"type": "integer", "minimum": 0}}
            for n in ("tileMatrix", "tileRow", "tileCol")]
    paths = {
        "/": _get("Landing page", "getLandingPage", [_F], _response("application/json")),
        "/conformance": _get("Conformance classes", "getConformance", [_F], _response("application/json")),
        "/api": _get("This API definition", "getApi", [_F], _response("application/json")),
        "/collections": _get("Collections", "getCollections", [_F], _response("application/json")),
        "/collections/{collectionId}": _get("One collection", "describeCollection", [_COLLECTION, _F],
                                            _response("application/json"), (400, 404)),
        "/collections/{collectionId}/queryables": _get(
            "Queryables", "getQueryables", [_COLLECTION, _F], _response("application/schema+json"), (400, 404)),
        "/collections/{collectionId}/items": _get(
            "Items", "getFeatures", [_COLLECTION, *_ITEMS_PARAMS], _response("application/geo+json"), (400, 404)),
        "/collections/{collectionId}/items/{featureId}": _get(
            "One item", "getFeature", [_COLLECTION, feature_id, _query("crs", _CRS, "response CRS"), _F],
            _response("application/geo+json"), (400, 404)),
        "/collections/{collectionId}/tiles/WebMercatorQuad/{tileMatrix}/{tileRow}/{tileCol}": {"get": {
            "summary": "Mapbox vector tile", "operationId": "getTile", "tags": ["OGC API - Tiles"],
            "parameters": [_COLLECTION, *tile],
            "responses": {"200": {"description": "tile", "content": {"application/vnd.mapbox-vector-tile": {
                "schema": {"type": "string", "format": "binary"}}}},
                "204": {"description": "empty tile"}, **_errors(400, 404)}}},
    }
    return {
        "openapi": "3.0.3",
        "info": {"title": "Kiên Giang planning map service — OGC API", "version": "0.1.0",
                 "description": "OGC API - Features Parts 1-3 and vector tiles over the plan layers."},
        "servers": [{"url": server_url}],
        "paths": paths,
    }
