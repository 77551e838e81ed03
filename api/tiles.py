"""Mapbox vector tiles per collection at the OGC API - Tiles path (WebMercatorQuad, z/row/col)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response
from fastapi import Path as PathParam
from sqlalchemy.orm import Session

from api.deps import get_session
from api.errors import ApiError
from api.ogc.params import collection, known_params
from api.ogc.responses import cached
from layers.catalog import Collection
from layers.tiles import MAX_ZOOM, tile, valid_tile

router = APIRouter(tags=["OGC API - Tiles"])
MVT = "application/vnd.mapbox-vector-tile"


@router.get("/ogc/collections/{collectionId}/tiles/WebMercatorQuad/{tileMatrix}/{tileRow}/{tileCol}",
            summary="Mapbox vector tile", dependencies=[Depends(known_params({"f"}))],
            response_class=Response)
def vector_tile(
    request: Request,
    coll: Collection = Depends(collection),
    z: int = PathParam(alias="tileMatrix"), row: int = PathParam(alias="tileRow"),
    col: int = PathParam(alias="tileCol"), session: Session = Depends(get_session),
) -> Response:
    if not coll.has_geometry:
        raise ApiError(404, "NotFound", f"collection {coll.id!r} has no geometry, hence no tiles")
    if not valid_tile(z, row, col):
        raise ApiError(404, "NotFound", f"no tile {z}/{row}/{col} in WebMercatorQuad (zoom 0-{MAX_ZOOM}, "
                       "row and column 0 to 2^zoom - 1)")
    data = tile(session, coll, z, row, col)
    if not data:
        return Response(status_code=204, headers={"Cache-Control": "public, max-age=60"})
    return cached(request, data, MVT)
