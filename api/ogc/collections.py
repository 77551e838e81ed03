"""``/ogc/collections``, ``/ogc/collections/{collectionId}`` and its ``/queryables`` (JSON Schema)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy.orm import Session

from api.deps import get_session
from api.ogc import html
from api.ogc.params import COMMON, collection, known_params
from api.ogc.responses import (GEOJSON, HTML, JSON, SCHEMA_JSON, cached, json_response, link, self_links,
                               url, wants_html)
from geo.crs import CRS84_URI, SUPPORTED_URIS
from layers.catalog import COLLECTIONS, Collection
from layers.repository import spatial_extent, temporal_extent

router = APIRouter(tags=["OGC API - Features"])
TILES_TYPE = "application/vnd.mapbox-vector-tile"


def describe(request: Request, session: Session, coll: Collection, extent: list[float]) -> dict:
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
        links.append(link(url(request, f"{base}/tiles/WebMercatorQuad") + "/{tileMatrix}/{tileRow}/{tileCol}",
                          "item", TILES_TYPE, "Mapbox vector tiles (WebMercatorQuad)"))
    out = {
        "id": coll.id, "title": f"{coll.title_vi} / {coll.title_en}", "description": coll.description,
        "itemType": "feature", "links": links,
        "extent": {"spatial": {"bbox": [extent], "crs": CRS84_URI}},
        "crs": SUPPORTED_URIS, "storageCrs": CRS84_URI,
    }
    interval = temporal_extent(session, coll)
    if interval:
        out["extent"]["temporal"] = {"interval": [interval],
                                     "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"}
    return out


@router.get("/ogc/collections", summary="Collections", dependencies=[Depends(known_params(COMMON))])
def collections(request: Request, session: Session = Depends(get_session)) -> Response:
    described = [describe(request, session, c, spatial_extent(session, c)) for c in COLLECTIONS.values()]
    links = self_links(request, "/ogc/collections")
    if wants_html(request):
        rows = [{"id": c["id"], "title": c["title"], "items": c["links"][3]["href"]} for c in described]
        return cached(request, html.page("Collections", links, body=html.table(rows)), HTML)
    return json_response(request, {"links": links, "collections": described, "crs": SUPPORTED_URIS})


@router.get("/ogc/collections/{collectionId}", summary="One collection",
            dependencies=[Depends(known_params(COMMON))])
def one_collection(request: Request, coll: Collection = Depends(collection),
                   session: Session = Depends(get_session)) -> Response:
    out = describe(request, session, coll, spatial_extent(session, coll))
    if wants_html(request):
        return cached(request, html.page(out["title"], out["links"], coll.description), HTML)
    return json_response(request, out)


@router.get("/ogc/collections/{collectionId}/queryables", summary="Queryable properties (JSON Schema)",
            dependencies=[Depends(known_params(COMMON))])
def queryables(request: Request, coll: Collection = Depends(collection)) -> Response:
    props = {name: {"title": name, **schema} for name, schema in coll.queryables.items()}
    if coll.has_geometry:
        props["geometry"] = {"title": "geometry", "format": f"geometry-{coll.geometry_type.lower()}"
                             if coll.geometry_type != "Geometry" else "geometry-any"}
    body = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": url(request, f"/ogc/collections/{coll.id}/queryables"),
        "type": "object", "title": coll.title_en, "properties": props, "additionalProperties": False,
    }
    if wants_html(request):
        rows = [{"name": k, **{kk: vv for kk, vv in v.items() if kk != "title"}} for k, v in props.items()]
        return cached(request, html.page(f"Queryables: {coll.title_en}", self_links(request, f"/ogc/collections/{coll.id}/queryables"),
                                         body=html.table(rows)), HTML)
    return json_response(request, body, SCHEMA_JSON)
