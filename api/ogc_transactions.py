"""OGC API - Features Part 4 (create, replace, update, delete) on the plan layers, for admins.

``OPTIONS`` on the items and item endpoints lists the methods the caller may use (QGIS enables editing only
when it sees POST, PUT/PATCH and DELETE). ``If-Match`` takes the ETag of ``GET …/items/{featureId}``; a stale
one gets 412. Every write is one transaction with its audit entry.
"""

from __future__ import annotations

import httpx
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from api.auth import Admin, MaybeUser
from api.errors import ApiError
from layers import feature_edit
from layers.accounts import Principal
from layers.catalog import COLLECTIONS
from layers.reporting import ReportError

router = APIRouter(tags=["OGC API - Features Part 4"])
READ = "GET, HEAD, OPTIONS"
GEOJSON = "application/geo+json"
CRS84 = ("<http://www.opengis.net/def/crs/OGC/1.3/CRS84>", "http://www.opengis.net/def/crs/OGC/1.3/CRS84")


def _layer(collection_id: str) -> str:
    coll = COLLECTIONS.get(collection_id)
    if coll is None:
        raise ApiError(404, "NotFound", f"no collection {collection_id!r}")
    if coll.source != "features":
        raise ApiError(405, "MethodNotAllowed", f"collection {collection_id!r} is read-only", {"Allow": READ})
    return coll.layer


def _allow(collection_id: str, who: Principal | None, item: bool) -> str:
    coll = COLLECTIONS.get(collection_id)
    if coll is None:
        raise ApiError(404, "NotFound", f"no collection {collection_id!r}")
    if coll.source != "features" or who is None or who.role != "admin":
        return READ
    return READ + (", PUT, PATCH, DELETE" if item else ", POST")


@router.options("/ogc/collections/{collectionId}/items")
def options_items(collectionId: str, who: MaybeUser):
    return Response(status_code=204, headers={"Allow": _allow(collectionId, who, item=False)})


@router.options("/ogc/collections/{collectionId}/items/{featureId}")
def options_item(collectionId: str, featureId: str, who: MaybeUser):
    return Response(status_code=204, headers={"Allow": _allow(collectionId, who, item=True)})


async def _current_etag(request: Request, collection_id: str, feature_id: str) -> str | None:
    """The ETag a client got from GET on the item: asked of this very app, so both always agree."""
    transport = httpx.ASGITransport(app=request.app)
    async with httpx.AsyncClient(transport=transport, base_url=str(request.base_url)) as client:
        r = await client.get(f"/ogc/collections/{collection_id}/items/{feature_id}",
                             headers={"Accept": GEOJSON})
    return r.headers.get("etag") if r.status_code == 200 else None


async def _check_if_match(request: Request, collection_id: str, feature_id: str) -> None:
    header = request.headers.get("if-match")
    if header is None or header.strip() == "*":
        return
    etag = await _current_etag(request, collection_id, feature_id)
    if etag is not None and etag not in {t.strip().removeprefix("W/") for t in header.split(",")}:
        raise ApiError(412, "PreconditionFailed", "the item changed since you read it: reload it",
                       {"ETag": etag})


async def _body(request: Request):
    crs = request.headers.get("content-crs")
    if crs and crs.strip() not in CRS84:
        raise ApiError(400, "InvalidParameterValue", "Content-Crs: only CRS84 (lon/lat) is accepted for writes")
    try:
        return await request.json()
    except ValueError as exc:
        raise ApiError(422, "InvalidFeature", "body: not valid JSON") from exc


async def _write(request: Request, action, *args) -> str | None:
    return await run_in_threadpool(_write_sync, request, action, *args)


def _write_sync(request: Request, action, *args) -> str | None:
    with request.app.state.sessions() as session:
        try:
            with session.begin():
                f = action(session, *args)
                return f.id if f is not None else None
        except ReportError as exc:
            raise ApiError(exc.status, exc.code, exc.description) from exc


async def _saved(request: Request, collection_id: str, feature_id: str, status: int) -> Response:
    path = f"/ogc/collections/{collection_id}/items/{feature_id}"
    etag = await _current_etag(request, collection_id, feature_id)
    headers = {"Location": str(request.base_url).rstrip("/") + path} | ({"ETag": etag} if etag else {})
    return JSONResponse({"id": feature_id, "href": path}, status, headers=headers)


@router.post("/ogc/collections/{collectionId}/items", status_code=201)
async def create_item(collectionId: str, request: Request, who: Admin):
    layer = _layer(collectionId)
    body = await _body(request)
    feature_id = await _write(request, feature_edit.create, who, layer, body)
    return await _saved(request, collectionId, feature_id, 201)


@router.put("/ogc/collections/{collectionId}/items/{featureId}")
async def replace_item(collectionId: str, featureId: str, request: Request,
                       who: Admin):
    layer = _layer(collectionId)
    body = await _body(request)
    await _check_if_match(request, collectionId, featureId)
    await _write(request, feature_edit.replace, who, layer, featureId, body)
    return await _saved(request, collectionId, featureId, 200)


@router.patch("/ogc/collections/{collectionId}/items/{featureId}")
async def update_item(collectionId: str, featureId: str, request: Request,
                      who: Admin):
    layer = _layer(collectionId)
    body = await _body(request)
    await _check_if_match(request, collectionId, featureId)
    await _write(request, feature_edit.update, who, layer, featureId, body)
    return await _saved(request, collectionId, featureId, 200)


@router.delete("/ogc/collections/{collectionId}/items/{featureId}", status_code=204)
async def delete_item(collectionId: str, featureId: str, request: Request,
                      who: Admin):
    layer = _layer(collectionId)
    await _check_if_match(request, collectionId, featureId)
    await _write(request, feature_edit.remove, who, layer, featureId)
    return Response(status_code=204)
