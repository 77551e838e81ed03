"""``/ogc/collections``, ``/ogc/collections/{collectionId}`` and its ``/queryables`` (JSON Schema).

Each collection states its one geometry type (``itemType`` stays ``feature``; the type is in the description's
``geometryType`` member and in the queryables' ``geometry``), and its queryables in the JSON Schema form of
Part 3 (served as ``application/schema+json``, or ``application/json`` to clients that ask only for that).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy.orm import Session

from api.deps import Db
from api.ogc import html
from api.ogc.params import COMMON, collection, known_params
from api.ogc.responses import (
    GEOJSON,
    HTML,
    JSON,
    SCHEMA_JSON,
    cached,
    json_response,
    link,
    self_links,
    url,
    wants_html,
)
from geo.crs import CRS84_URI, SUPPORTED_URIS
from layers.store.catalog import collections as all_collections
from layers.store.catalog import provider
from layers.store.model import GEOMETRY_FORMATS
from layers.store.table import TableProvider

router = APIRouter(tags=["OGC API - Features"])
CONFORMS_TO = ("http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",)
TILES_TYPE = "application/vnd.mapbox-vector-tile"
WHOLE_WORLD = [-180.0, -90.0, 180.0, 90.0]


def describe(request: Request, session: Session, prov: TableProvider) -> dict:
    coll = prov.collection
    base = f"/ogc/collections/{coll.id}"
    links = [
        link(url(request, base), "self", JSON, coll.title_en),
        link(url(request, base, f="html"), "alternate", HTML, coll.title_en),
        link(url(request, f"{base}/items"), "items", GEOJSON, f"{coll.title_en} (GeoJSON)"),
        link(url(request, f"{base}/items", f="html"), "items", HTML, f"{coll.title_en} (HTML)"),
        link(url(request, f"{base}/queryables"), "http://www.opengis.net/def/rel/ogc/1.0/queryables",
             SCHEMA_JSON, "queryable properties"),
        link(url(request, f"{base}/queryables"), "queryables", SCHEMA_JSON, "queryable properties"),  # GDAL 3.6
    ]
    if coll.has_geometry:
        links += [
            link(url(request, f"{base}/tiles"), "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector", JSON,
                 "vector tilesets"),
            link(url(request, f"{base}/tiles/WebMercatorQuad/tilejson.json"), "describedby", JSON, "TileJSON"),
        ]
    extent = prov.extent(session) if coll.has_geometry else None
    out = {
        "id": coll.id, "title": f"{coll.title_vi} / {coll.title_en}", "description": coll.description,
        "itemType": "feature", "links": links,
        "extent": {"spatial": {"bbox": [extent or _province(session)], "crs": CRS84_URI}},
    }
    if coll.has_geometry:
        out |= {"geometryType": coll.geometry_type, "crs": SUPPORTED_URIS, "storageCrs": CRS84_URI}
    interval = prov.temporal_extent(session)
    if interval:
        out["extent"]["temporal"] = {"interval": [interval],
                                     "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"}
    return out


def _province(session: Session) -> list[float]:
    """Collections without geometry (tasks) concern the province: its extent."""
    return provider("districts").extent(session) or WHOLE_WORLD


@router.get("/ogc/collections", summary="Collections", dependencies=[Depends(known_params(COMMON))])
def collections(request: Request, session: Db) -> Response:
    described = [describe(request, session, provider(c.id, session)) for c in all_collections(session)]
    links = self_links(request, "/ogc/collections")
    if wants_html(request):
        rows = [{"id": c["id"], "title": c["title"], "geometry": c.get("geometryType", "—"),
                 "items": c["links"][3]["href"]} for c in described]
        return cached(request, html.page("Collections", links, body=html.table(rows)), HTML)
    return json_response(request, {"links": links, "collections": described, "crs": SUPPORTED_URIS})


@router.get("/ogc/collections/{collectionId}", summary="One collection",
            dependencies=[Depends(known_params(COMMON))])
def one_collection(request: Request, session: Db, prov: TableProvider = Depends(collection)) -> Response:
    out = describe(request, session, prov)
    if wants_html(request):
        return cached(request, html.page(out["title"], out["links"], prov.collection.description), HTML)
    return json_response(request, out)


def queryables_schema(request: Request, prov: TableProvider) -> dict:
    coll = prov.collection
    props = dict(coll.queryables)
    if coll.has_geometry:
        props["geometry"] = {"title": "geometry", "format": GEOMETRY_FORMATS[coll.geometry_type],
                             "x-ogc-role": "primary-geometry"}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": url(request, f"/ogc/collections/{coll.id}/queryables"),
        "type": "object", "title": coll.title_en, "properties": props, "additionalProperties": False,
    }


def _schema_media_type(request: Request) -> str:
    """JSON Schema's own type, unless the client asks only for plain JSON (Debian's GDAL 3.6 does)."""
    accept = request.headers.get("accept", "")
    return JSON if JSON in accept and SCHEMA_JSON not in accept else SCHEMA_JSON


@router.get("/ogc/collections/{collectionId}/queryables", summary="Queryable properties (JSON Schema)",
            dependencies=[Depends(known_params(COMMON))])
def queryables(request: Request, prov: TableProvider = Depends(collection)) -> Response:
    body = queryables_schema(request, prov)
    if wants_html(request):
        rows = [{"name": k, **{kk: vv for kk, vv in v.items() if kk != "title"}}
                for k, v in body["properties"].items()]
        links = self_links(request, f"/ogc/collections/{prov.collection.id}/queryables")
        return cached(request, html.page(f"Queryables: {prov.collection.title_en}", links,
                                         body=html.table(rows)), HTML)
    return json_response(request, body, _schema_media_type(request))
