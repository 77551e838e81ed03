"""The OpenAPI 3.0 definition of ``/ogc`` (the OGC test suite, QGIS and GDAL read 3.0; FastAPI's own is 3.1).

Built from the collection registry, one path per collection (as pygeoapi does): each collection's queryables are
declared as query parameters of its ``…/items`` (GDAL pushes a ``where`` to the server as CQL2 only for the
properties it finds there), and the writable collections document their Part 4 operations.
"""

from __future__ import annotations

from api.ogc.params import DEFAULT_LIMIT, MAX_LIMIT
from geo.crs import SUPPORTED_URIS
from layers.store.model import Collection

_ERROR = {"type": "object", "properties": {"code": {"type": "string"}, "description": {"type": "string"}}}
_OBJECT = {"type": "object"}
_NAMES = {304: "Not modified", 400: "Invalid parameter", 401: "Not logged in", 403: "Not allowed",
          404: "Not found", 405: "Read-only collection", 406: "Not acceptable", 409: "Conflict",
          412: "Precondition failed (If-Match)", 422: "Invalid feature"}
GEOJSON, JSON, HTML = "application/geo+json", "application/json", "text/html"


def _ok(media: str, schema: dict = _OBJECT, html: bool = True) -> dict:
    content = {media: {"schema": schema}} | ({HTML: {"schema": {"type": "string"}}} if html else {})
    return {"description": "OK", "content": content}


def _errors(*codes: int) -> dict:
    return {str(c): {"description": _NAMES[c]} | ({} if c == 304 else {
        "content": {JSON: {"schema": _ERROR}}}) for c in codes}


def _query(name: str, schema: dict, description: str, **extra) -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description, **extra}


_F = _query("f", {"type": "string", "enum": ["json", "html"]}, "output format")
_CRS = {"type": "string", "enum": SUPPORTED_URIS}
_FEATURE_ID = {"name": "featureId", "in": "path", "required": True, "schema": {"type": "string", "maxLength": 200}}
_PAGING = [
    _query("limit", {"type": "integer", "minimum": 1, "default": DEFAULT_LIMIT},
           f"items per page; values above {MAX_LIMIT} are clamped"),
    _query("offset", {"type": "integer", "minimum": 0}, "items to skip (prefer the next links)"),
    _query("token", {"type": "string", "maxLength": 2000}, "opaque page token from a next/prev link"),
]
_SPATIAL = [
    _query("bbox", {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}},
           "lower corner, upper corner (in bbox-crs axis order)", style="form", explode=False),
    _query("bbox-crs", _CRS, "CRS of bbox (default CRS84)"),
    _query("crs", _CRS, "CRS of the response geometries (default CRS84)"),
    _query("filter-crs", _CRS, "CRS of geometry literals in filter (default CRS84)"),
]
_FILTER = [
    _query("filter", {"type": "string", "maxLength": 10000}, "CQL2 text filter over the queryables"),
    _query("filter-lang", {"type": "string", "enum": ["cql2-text", "cql-text"]},
           "filter language; cql-text, the draft name GDAL (3.6 to 3.12) sends, is read as CQL2 text"),
    _query("sortby", {"type": "string"}, "comma list of queryables, '-' for descending"),
    _query("datetime", {"type": "string"}, "date or interval (start/end, '..' open) on the temporal property"),
]


def _queryable_params(coll: Collection) -> list[dict]:
    """Every queryable as a query parameter (property=value), as Part 3 allows and GDAL looks for."""
    return [_query(name, schema, schema.get("description") or f"{name} equals")
            for name, schema in coll.queryables.items()]


def _get(summary: str, operation_id: str, params: list, ok: dict, errors: tuple = (400, 406)) -> dict:
    return {"summary": summary, "operationId": operation_id, "tags": ["OGC API - Features"],
            "parameters": params, "responses": {"200": ok, **_errors(304, *errors)}}


def _write(method: str, coll: Collection, item: bool) -> dict:
    ok = {"201": {"description": "Created"}} if method == "post" else (
        {"204": {"description": "Deleted"}} if method == "delete" else {"200": {"description": "Saved"}})
    op = {"summary": f"{method.upper()} an item of {coll.id} (admins)", "tags": ["OGC API - Features Part 4"],
          "operationId": f"{method}_{coll.id}" + ("_item" if item else ""),
          "parameters": [_FEATURE_ID] if item else [], "security": [{"bearer": []}],
          "responses": ok | _errors(400, 401, 403, 404, 409, 412, 422)}
    if item:
        op["parameters"] = [_FEATURE_ID, {"name": "If-Match", "in": "header", "required": False,
                                          "schema": {"type": "string"}, "description": "ETag of the item read"}]
    if method != "delete":
        op["requestBody"] = {"required": True, "content": {GEOJSON: {"schema": {
            "type": "object", "required": ["type"], "properties": {
                "type": {"type": "string", "enum": ["Feature"]}, "geometry": _OBJECT, "properties": _OBJECT}}}}}
    return op


def _collection_paths(coll: Collection) -> dict:
    base = f"/collections/{coll.id}"
    items_get = _get(f"Items of {coll.id}", f"get_{coll.id}_items",
                     [*_PAGING, *(_SPATIAL if coll.has_geometry else []), *_FILTER, *_queryable_params(coll), _F],
                     _ok(GEOJSON), (400, 404, 406))
    item_get = _get(f"One item of {coll.id}", f"get_{coll.id}_item",
                    [_FEATURE_ID, _query("crs", _CRS, "response CRS"), _F], _ok(GEOJSON), (400, 404, 406))
    paths = {
        base: {"get": _get(f"The {coll.id} collection", f"describe_{coll.id}", [_F], _ok(JSON), (400, 404))},
        f"{base}/queryables": {"get": _get(f"Queryables of {coll.id}", f"get_{coll.id}_queryables", [_F],
                                           _ok("application/schema+json"), (400, 404))},
        f"{base}/items": {"get": items_get},
        f"{base}/items/{{featureId}}": {"get": item_get},
    }
    if coll.writable:
        paths[f"{base}/items"]["post"] = _write("post", coll, False)
        for method in ("put", "patch", "delete"):
            paths[f"{base}/items/{{featureId}}"][method] = _write(method, coll, True)
    if coll.has_geometry:
        tile = [{"name": n, "in": "path", "required": True, "schema": {"type": "integer", "minimum": 0}}
                for n in ("tileMatrix", "tileRow", "tileCol")]
        paths[f"{base}/tiles"] = {"get": _get(f"Tilesets of {coll.id}", f"get_{coll.id}_tilesets", [_F],
                                              _ok(JSON, html=False), (400, 404))}
        paths[f"{base}/tiles/WebMercatorQuad"] = {"get": _get(
            f"Tileset of {coll.id}", f"get_{coll.id}_tileset", [_F], _ok(JSON, html=False), (400, 404))}
        paths[f"{base}/tiles/WebMercatorQuad/tilejson.json"] = {"get": _get(
            f"TileJSON of {coll.id}", f"get_{coll.id}_tilejson", [_F], _ok(JSON, html=False), (400, 404))}
        paths[f"{base}/tiles/WebMercatorQuad/{{tileMatrix}}/{{tileRow}}/{{tileCol}}"] = {"get": {
            "summary": f"Vector tile of {coll.id}", "operationId": f"get_{coll.id}_tile",
            "tags": ["OGC API - Tiles"], "parameters": tile,
            "responses": {"200": {"description": "tile", "content": {"application/vnd.mapbox-vector-tile": {
                "schema": {"type": "string", "format": "binary"}}}},
                "204": {"description": "empty tile"}, **_errors(304, 400, 404)}}}
    return paths


def openapi_document(described: list[Collection]) -> dict:
    """The definition of ``described`` collections, without ``servers`` (the caller adds the absolute ``/ogc``
    URL of the request, and caches the rest on the data version: imported layers come and go)."""
    paths = {
        "/": {"get": _get("Landing page", "getLandingPage", [_F], _ok(JSON))},
        "/conformance": {"get": _get("Conformance classes", "getConformance", [_F], _ok(JSON))},
        "/api": {"get": _get("This API definition", "getApi", [_F], _ok("application/vnd.oai.openapi+json;version=3.0"))},
        "/collections": {"get": _get("Collections", "getCollections", [_F], _ok(JSON))},
        "/tileMatrixSets": {"get": _get("Tile matrix sets", "getTileMatrixSets", [_F], _ok(JSON, html=False))},
        "/tileMatrixSets/{tileMatrixSetId}": {"get": _get(
            "A tile matrix set", "getTileMatrixSet",
            [{"name": "tileMatrixSetId", "in": "path", "required": True, "schema": {"type": "string"}}, _F],
            _ok(JSON, html=False), (400, 404))},
    }
    for coll in described:
        paths |= _collection_paths(coll)
    return {
        "openapi": "3.0.3",
        "info": {"title": "Kiên Giang planning map service — OGC API", "version": "0.2.0",
                 "description": "OGC API - Features Parts 1-4 and OGC API - Tiles (vector tiles) over the plan "
                                "layers, the former districts and the tasks."},
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "paths": paths,
    }
