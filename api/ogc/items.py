"""``/ogc/collections/{collectionId}/items`` and ``…/items/{featureId}``: GeoJSON (or HTML) in any offered CRS."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import orjson

from fastapi import APIRouter, Depends, Request, Response
from fastapi import Path as PathParam
from shapely.geometry import mapping
from sqlalchemy.orm import Session

from api.deps import get_session
from api.errors import ApiError
from api.ogc import html
from api.ogc import params as p
from api.ogc.responses import CACHE_CONTROL, GEOJSON, HTML, JSON, cached, json_response, link, url, wants_html
from geo.crs import CrsInfo
from geo.transform import to_output
from layers.catalog import Collection
from layers.repository import Item, ItemQuery, Page, QueryError, get_feature, list_items

router = APIRouter(tags=["OGC API - Features"])


def _typed(name: str, schema: dict, raw: str) -> Any:
    """A property filter's text as the queryable's type."""
    kind = schema.get("type")
    try:
        if schema.get("format") == "date":
            return dt.date.fromisoformat(raw)
        if kind == "integer":
            return int(raw)
        if kind == "number":
            return float(raw)
        if kind == "boolean":
            return {"true": True, "false": False}[raw.lower()]
    except (ValueError, KeyError):
        raise p.bad(name, f"expected a {schema.get('format') or kind}, got {raw!r}") from None
    return raw


def _property_filters(request: Request, coll: Collection) -> dict[str, Any]:
    allowed = p.ITEMS_PARAMS | set(coll.queryables)
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        raise p.bad(unknown[0], "unknown query parameter; use a queryable (see /queryables) or a standard one")
    return {k: _typed(k, coll.queryables[k], v) for k, v in request.query_params.items() if k in coll.queryables}


def _feature(item: Item, crs: CrsInfo) -> dict:
    geometry = mapping(to_output(item.geometry, crs)) if item.geometry is not None else None
    return {"type": "Feature", "id": str(item.id), "geometry": geometry, "properties": item.properties}


def _crs_header(crs: CrsInfo) -> dict:
    return {"Content-Crs": f"<{crs.uri}>"}


def _page_links(request: Request, coll: Collection, page: Page) -> list[dict]:
    path = f"/ogc/collections/{coll.id}/items"
    kept = {k: v for k, v in request.query_params.items() if k not in ("token", "offset", "f")}
    fmt = "html" if wants_html(request) else None
    links = [
        link(str(request.url), "self", HTML if fmt else GEOJSON, "this page"),
        link(url(request, path, **kept, token=request.query_params.get("token"),
                 offset=request.query_params.get("offset"), f="json" if fmt else "html"),
             "alternate", GEOJSON if fmt else HTML, "this page"),
        link(url(request, f"/ogc/collections/{coll.id}"), "collection", JSON, coll.title_en),
    ]
    for rel, token in (("next", page.next_token), ("prev", page.prev_token)):
        if token:
            links.append(link(url(request, path, **kept, token=token, f=fmt), rel, HTML if fmt else GEOJSON))
    return links


@router.get("/ogc/collections/{collectionId}/items", summary="Items of a collection")
def items(
    request: Request,
    coll: Collection = Depends(p.collection),
    limit: int = Depends(p.limit), offset: int | None = Depends(p.offset), token: str | None = Depends(p.token),
    bbox: tuple | None = Depends(p.bbox), bbox_crs: CrsInfo = Depends(p.bbox_crs),
    interval=Depends(p.datetime), crs: CrsInfo = Depends(p.crs), cql=Depends(p.filter_),
    filter_crs: CrsInfo = Depends(p.filter_crs), sortby: list = Depends(p.sortby),
    session: Session = Depends(get_session),
) -> Response:
    for key, _ in sortby:
        if key not in coll.queryables:
            raise p.bad("sortby", f"unknown property {key!r}; sortable: {', '.join(sorted(coll.queryables))}")
    query = ItemQuery(limit=limit, offset=offset, token=token, bbox=p.storage_bbox(bbox, bbox_crs),
                      interval=interval, properties=_property_filters(request, coll), cql=cql,
                      filter_crs=filter_crs, sortby=sortby)
    try:
        page = list_items(session, coll, query)
    except QueryError as exc:
        raise p.bad(exc.param, str(exc).split(": ", 1)[-1]) from None
    links = _page_links(request, coll, page)
    features = [_feature(i, crs) for i in page.items]
    if wants_html(request):
        rows = [{"id": f["id"], **f["properties"]} for f in features]
        body = f"<p>{len(rows)} of {page.number_matched if page.number_matched is not None else 'many'}</p>"
        return cached(request, html.page(coll.title_en, links, body=body + html.table(rows)), HTML)
    out = {"type": "FeatureCollection", "features": features, "links": links,
           "timeStamp": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), "numberReturned": len(features)}
    if page.number_matched is not None:
        out["numberMatched"] = page.number_matched
    # The time stamp changes every second; the ETag should not, so hash the response without it.
    return _geojson(request, out, crs)


def _geojson(request: Request, out: dict, crs: CrsInfo) -> Response:
    stamp = out.pop("timeStamp", None)
    etag = '"' + hashlib.sha256(orjson.dumps(out)).hexdigest()[:32] + '"'
    head = {"ETag": etag, "Cache-Control": CACHE_CONTROL, **_crs_header(crs)}
    if etag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]:
        return Response(status_code=304, headers=head)
    if stamp:
        out["timeStamp"] = stamp
    return Response(orjson.dumps(out), media_type=GEOJSON, headers=head)


@router.get("/ogc/collections/{collectionId}/items/{featureId}", summary="One item",
            dependencies=[Depends(p.known_params(p.COMMON | {"crs"}))])
def one_item(
    request: Request, coll: Collection = Depends(p.collection),
    feature_id: str = PathParam(alias="featureId", max_length=200),
    crs: CrsInfo = Depends(p.crs), session: Session = Depends(get_session),
) -> Response:
    item = get_feature(session, coll.id, feature_id)
    if item is None:
        raise ApiError(404, "NotFound", f"no item {feature_id!r} in collection {coll.id!r}")
    path = f"/ogc/collections/{coll.id}/items/{feature_id}"
    links = [
        link(url(request, path), "self", GEOJSON, "this item"),
        link(url(request, path, f="html"), "alternate", HTML, "this item"),
        link(url(request, f"/ogc/collections/{coll.id}"), "collection", JSON, coll.title_en),
    ]
    feature = _feature(item, crs) | {"links": links}
    if wants_html(request):
        rows = [{"property": k, "value": v} for k, v in {"id": item.id, **item.properties}.items()]
        return cached(request, html.page(str(item.properties.get("name") or item.id), links,
                                         body=html.table(rows)), HTML)
    return json_response(request, feature, GEOJSON, _crs_header(crs))
