"""OGC API - Features Part 4 (create, replace, update, delete) on the plan layers' collections, for admins.

``OPTIONS`` on the items and item endpoints lists the methods the caller may use (QGIS enables editing only
when it sees POST, PUT/PATCH and DELETE). ``If-Match`` takes the ETag of ``GET …/items/{featureId}`` and is
checked inside the write's transaction, after the row is locked: a stale one gets 412. Every write is one
transaction with its audit entry and moves the data version on, so statistics, exports, tiles and printed
sheets follow at once.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from api import conditional
from api.auth import Admin, MaybeUser
from api.deps import primary
from api.errors import ApiError
from api.ogc.items import item_tag
from api.ogc.params import collection
from geo.crs import lookup
from layers import feature_edit, progress
from layers.accounts import Principal
from layers.reporting import ReportError
from layers.store.plan_layers import PlanLayerProvider
from layers.store.table import TableProvider

router = APIRouter(tags=["OGC API - Features Part 4"])
CONFORMS_TO = (
    "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/create-replace-delete",
    "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/update",
)
READ = "GET, HEAD, OPTIONS"
CRS84 = lookup("CRS84")
CRS84_HEADERS = ("<http://www.opengis.net/def/crs/OGC/1.3/CRS84>", "http://www.opengis.net/def/crs/OGC/1.3/CRS84")
BODY = {"required": True, "content": {"application/geo+json": {"schema": {"type": "object"}}}}
WRITE_RESPONSES = {400: {"description": "Bad Content-Crs or body"}, 401: {"description": "Not logged in"},
                   403: {"description": "Not an admin"}, 404: {"description": "No such collection or item"},
                   405: {"description": "Read-only collection"}, 409: {"description": "Conflict"},
                   412: {"description": "If-Match does not match: reload the item"},
                   422: {"description": "Invalid feature"}}


def _writable(prov: TableProvider) -> PlanLayerProvider:
    if not prov.collection.writable or not isinstance(prov, PlanLayerProvider):
        raise ApiError(405, "MethodNotAllowed", f"collection {prov.collection.id!r} is read-only", {"Allow": READ})
    return prov


def _allow(prov: TableProvider, who: Principal | None, item: bool) -> str:
    if not prov.collection.writable or who is None or who.role != "admin":
        return READ
    return READ + (", PUT, PATCH, DELETE" if item else ", POST")


@router.options("/ogc/collections/{collectionId}/items", include_in_schema=False)
def options_items(who: MaybeUser, prov: TableProvider = Depends(collection)):
    return Response(status_code=204, headers={"Allow": _allow(prov, who, item=False)})


@router.options("/ogc/collections/{collectionId}/items/{featureId}", include_in_schema=False)
def options_item(featureId: str, who: MaybeUser, prov: TableProvider = Depends(collection)):
    return Response(status_code=204, headers={"Allow": _allow(prov, who, item=True)})


async def _body(request: Request):
    crs = request.headers.get("content-crs")
    if crs and crs.strip() not in CRS84_HEADERS:
        raise ApiError(400, "InvalidParameterValue", "Content-Crs: only CRS84 (lon/lat) is accepted for writes")
    try:
        return await request.json()
    except ValueError as exc:
        raise ApiError(422, "InvalidFeature", "body: not valid JSON") from exc


def _write(request: Request, prov: PlanLayerProvider, action, feature_id: str | None, *args) -> str | None:
    """One transaction: lock the row, compare If-Match with the item as it is now, write, audit, bump."""
    with primary(request) as session:
        try:
            with session.begin():
                if feature_id is not None:
                    feature_edit.locked(session, prov, feature_id)
                    current = prov.get(session, feature_id, CRS84)
                    conditional.require_match(request, item_tag(current) if current else None)
                f = action(session, *args)
                progress.after_write(session)
                return f.id if f is not None else None
        except ReportError as exc:
            raise ApiError(exc.status, exc.code, exc.description) from exc


def _saved(request: Request, prov: PlanLayerProvider, feature_id: str, status: int) -> Response:
    path = f"/ogc/collections/{prov.collection.id}/items/{feature_id}"
    with primary(request) as session:
        item = prov.get(session, feature_id, CRS84)
    headers = {"Location": str(request.base_url).rstrip("/") + path} | ({"ETag": item_tag(item)} if item else {})
    return JSONResponse({"id": feature_id, "href": path}, status, headers=headers)


@router.post("/ogc/collections/{collectionId}/items", status_code=201, summary="Create an item (admins)",
             openapi_extra={"requestBody": BODY}, responses=WRITE_RESPONSES)
async def create_item(request: Request, who: Admin, prov: TableProvider = Depends(collection)):
    target = _writable(prov)
    body = await _body(request)
    feature_id = await run_in_threadpool(_write, request, target, feature_edit.create, None, who, target, body)
    return await run_in_threadpool(_saved, request, target, feature_id, 201)


@router.put("/ogc/collections/{collectionId}/items/{featureId}", summary="Replace an item (admins)",
            openapi_extra={"requestBody": BODY}, responses=WRITE_RESPONSES)
async def replace_item(featureId: str, request: Request, who: Admin, prov: TableProvider = Depends(collection)):
    target = _writable(prov)
    body = await _body(request)
    await run_in_threadpool(_write, request, target, feature_edit.replace, featureId, who, target, featureId, body)
    return await run_in_threadpool(_saved, request, target, featureId, 200)


@router.patch("/ogc/collections/{collectionId}/items/{featureId}", summary="Update an item in part (admins)",
              openapi_extra={"requestBody": BODY}, responses=WRITE_RESPONSES)
async def update_item(featureId: str, request: Request, who: Admin, prov: TableProvider = Depends(collection)):
    target = _writable(prov)
    body = await _body(request)
    await run_in_threadpool(_write, request, target, feature_edit.update, featureId, who, target, featureId, body)
    return await run_in_threadpool(_saved, request, target, featureId, 200)


@router.delete("/ogc/collections/{collectionId}/items/{featureId}", status_code=204,
               summary="Delete an item (admins)", responses=WRITE_RESPONSES)
async def delete_item(featureId: str, request: Request, who: Admin, prov: TableProvider = Depends(collection)):
    target = _writable(prov)
    await run_in_threadpool(_write, request, target, feature_edit.remove, featureId, who, target, featureId)
    return Response(status_code=204)
