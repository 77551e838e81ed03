"""``/ogc/collections/{collectionId}/items`` and ``…/items/{featureId}``: GeoJSON (or HTML) in any offered CRS.

A page's validator comes from the data version, the day and the request, so a client that holds the page gets its
304 before any query runs; one item's validator is the hash of its content (Part 4 writes compare with it).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson
from fastapi import APIRouter, Depends, Request, Response
from fastapi import Path as PathParam
from sqlalchemy.orm import Session

from api import conditional
from api.deps import Db
from api.errors import ApiError
from api.ogc import html
from api.ogc import params as p
from api.ogc.responses import CACHE_CONTROL, GEOJSON, HTML, JSON, cached, link, url, wants_html
from geo.crs import CrsInfo
from layers.store import version
from layers.store.model import Item, ItemQuery, Page, QueryError
from layers.store.table import TableProvider

router = APIRouter(tags=["OGC API - Features"])
CONFORMS_TO = (
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
    "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions-plus",
)


def _typed(name: str, schema: dict, raw: str) -> Any:
    """A property filter's text as the queryable's type."""
    kind = schema.get("type")
    try:
        if schema.get("format") == "date":
            return dt.date.fromisoformat(raw)
        if kind == "integer":
            value = int(raw)
            if abs(value) > 2**63 - 1:
                raise ValueError(raw)
            return value
        if kind == "number":
            return float(raw)
        if kind == "boolean":
            return {"true": True, "false": False}[raw.lower()]
    except (ValueError, KeyError):
        raise p.bad(name, f"expected a {schema.get('format') or kind}, got {raw!r}") from None
    return raw


def _property_filters(request: Request, prov: TableProvider) -> dict[str, Any]:
    queryables = prov.collection.queryables
    allowed = p.ITEMS_PARAMS | set(queryables)
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        raise p.bad(unknown[0], "unknown query parameter; use a queryable (see /queryables) or a standard one")
    return {k: _typed(k, queryables[k], v) for k, v in request.query_params.items() if k in queryables}


def feature_json(item: Item, links: list[dict] | None = None) -> bytes:
    """One GeoJSON Feature, the geometry written as the provider gave it."""
    geometry = item.geojson if item.geojson is not None else "null"
    body = (b'{"type":"Feature","id":' + orjson.dumps(str(item.id)) + b',"geometry":' + geometry.encode()
            + b',"properties":' + orjson.dumps(item.properties))
    return body + (b',"links":' + orjson.dumps(links) if links else b"") + b"}"


def item_tag(item: Item) -> str:
    """The strong validator of one item: the hash of its feature (without the request's links)."""
    return conditional.body_tag(feature_json(item))


def _crs_header(crs: CrsInfo) -> dict:
    return {"Content-Crs": f"<{crs.uri}>"}


def _page_links(request: Request, prov: TableProvider, page: Page) -> list[dict]:
    cid, title = prov.collection.id, prov.collection.title_en
    path = f"/ogc/collections/{cid}/items"
    kept = {k: v for k, v in request.query_params.items() if k not in ("token", "offset", "f")}
    fmt = "html" if wants_html(request) else None
    links = [
        link(str(request.url), "self", HTML if fmt else GEOJSON, "this page"),
        link(url(request, path, **kept, token=request.query_params.get("token"),
                 offset=request.query_params.get("offset"), f="json" if fmt else "html"),
             "alternate", GEOJSON if fmt else HTML, "this page"),
        link(url(request, f"/ogc/collections/{cid}"), "collection", JSON, title),
    ]
    for rel, token in (("next", page.next_token), ("prev", page.prev_token)):
        if token:
            links.append(link(url(request, path, **kept, token=token, f=fmt), rel, HTML if fmt else GEOJSON))
    return links


def _page_tag(request: Request, session: Session, today: dt.date) -> str:
    query = sorted(request.query_params.multi_items())
    return conditional.weak_tag(version.stamp(session, today), request.url.path, query,
                                "html" if wants_html(request) else "json")


@router.get("/ogc/collections/{collectionId}/items", summary="Items of a collection")
def items(
    request: Request, session: Db,
    prov: TableProvider = Depends(p.collection),
    limit: int = Depends(p.limit), offset: int | None = Depends(p.offset), token: str | None = Depends(p.token),
    bbox: tuple | None = Depends(p.bbox), bbox_crs: CrsInfo = Depends(p.bbox_crs),
    interval=Depends(p.datetime), crs: CrsInfo = Depends(p.crs), cql=Depends(p.filter_),
    filter_crs: CrsInfo = Depends(p.filter_crs), sortby: list = Depends(p.sortby),
) -> Response:
    today = dt.date.today()
    query = ItemQuery(limit=limit, offset=offset, token=token, bbox=p.storage_bbox(bbox, bbox_crs),
                      interval=interval, properties=_property_filters(request, prov), cql=cql,
                      filter_crs=filter_crs, sortby=sortby, crs=crs, today=today)
    tag = _page_tag(request, session, today)
    head = {"ETag": tag, "Cache-Control": CACHE_CONTROL, **_crs_header(crs)}
    if conditional.not_modified(request, tag):
        return Response(status_code=304, headers=head)
    try:
        page = prov.query(session, query)
    except QueryError as exc:
        raise p.bad(exc.param, exc.message) from None
    links = _page_links(request, prov, page)
    if wants_html(request):
        rows = [{"id": i.id, **i.properties} for i in page.items]
        count = page.number_matched if page.number_matched is not None else "many"
        body = f"<p>{len(rows)} of {count}</p>" + html.table(rows)
        return cached(request, html.page(prov.collection.title_en, links, body=body), HTML)
    counts = {"numberReturned": len(page.items)}
    if page.number_matched is not None:
        counts["numberMatched"] = page.number_matched
    elif page.matched_estimate is not None:
        counts["numberMatchedEstimate"] = page.matched_estimate  # the planner's estimate, not a count
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    body = (b'{"type":"FeatureCollection","features":[' + b",".join(feature_json(i) for i in page.items)
            + b'],"links":' + orjson.dumps(links) + b',"timeStamp":"' + stamp.encode() + b'",'
            + orjson.dumps(counts)[1:])
    return Response(body, media_type=GEOJSON, headers=head)


@router.get("/ogc/collections/{collectionId}/items/{featureId}", summary="One item",
            dependencies=[Depends(p.known_params(p.COMMON | {"crs"}))])
def one_item(
    request: Request, session: Db, prov: TableProvider = Depends(p.collection),
    feature_id: str = PathParam(alias="featureId", max_length=200),
    crs: CrsInfo = Depends(p.crs),
) -> Response:
    cid = prov.collection.id
    item = prov.get(session, feature_id, crs)
    if item is None:
        raise ApiError(404, "NotFound", f"no item {feature_id!r} in collection {cid!r}")
    path = f"/ogc/collections/{cid}/items/{feature_id}"
    links = [
        link(url(request, path), "self", GEOJSON, "this item"),
        link(url(request, path, f="html"), "alternate", HTML, "this item"),
        link(url(request, f"/ogc/collections/{cid}"), "collection", JSON, prov.collection.title_en),
    ]
    if wants_html(request):
        rows = [{"property": k, "value": v} for k, v in {"id": item.id, **item.properties}.items()]
        return cached(request, html.page(str(item.properties.get("name") or item.id), links,
                                         body=html.table(rows)), HTML)
    return conditional.respond(request, feature_json(item, links), GEOJSON, item_tag(item),
                               {"Cache-Control": "no-cache", **_crs_header(crs)})
