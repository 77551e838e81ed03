"""OGC API - Tiles for every collection with geometry: the WebMercatorQuad tile matrix set, tileset metadata,
TileJSON (MapLibre, QGIS vector tiles) and the Mapbox vector tiles themselves (z/row/col).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response
from fastapi import Path as PathParam
from sqlalchemy.orm import Session

from api import conditional
from api.deps import Db
from api.errors import ApiError
from api.ogc.params import COMMON, collection, known_params
from api.ogc.responses import JSON, json_response, link, url
from layers.store import version
from layers.store.table import TableProvider
from layers.store.tiles import FEATURE_CAP, MAX_ZOOM, TMS, tile, valid_tile

router = APIRouter(tags=["OGC API - Tiles"])
CONFORMS_TO = (
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tileset",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tilesets-list",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/geodata-tilesets",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt",
)
MVT = "application/vnd.mapbox-vector-tile"
TMS_ID = "WebMercatorQuad"
TMS_URI = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad"
TILE_PATH = "/ogc/collections/{cid}/tiles/WebMercatorQuad/{{tileMatrix}}/{{tileRow}}/{{tileCol}}"
TILE_CACHE = "public, max-age=60"


def _need_geometry(prov: TableProvider) -> None:
    if not prov.collection.has_geometry:
        raise ApiError(404, "NotFound", f"collection {prov.collection.id!r} has no geometry, hence no tiles")


def _tms_id(tms: str) -> None:
    if tms != TMS_ID:
        raise ApiError(404, "NotFound", f"no tile matrix set {tms!r}; this service offers {TMS_ID}")


@router.get("/ogc/tileMatrixSets", summary="Tile matrix sets", dependencies=[Depends(known_params(COMMON))])
def tile_matrix_sets(request: Request) -> Response:
    one = {"id": TMS_ID, "title": "Google Maps Compatible for the World", "uri": TMS_URI,
           "links": [link(url(request, f"/ogc/tileMatrixSets/{TMS_ID}"), "self", JSON, TMS_ID)]}
    return json_response(request, {"tileMatrixSets": [one]})


@router.get("/ogc/tileMatrixSets/{tileMatrixSetId}", summary="A tile matrix set definition",
            dependencies=[Depends(known_params(COMMON))])
def tile_matrix_set(request: Request, tms: str = PathParam(alias="tileMatrixSetId", max_length=64)) -> Response:
    _tms_id(tms)
    return json_response(request, TMS.model_dump(mode="json", exclude_none=True, by_alias=True))


def _tileset(request: Request, session: Session, prov: TableProvider) -> dict:
    coll = prov.collection
    extent = prov.extent(session) or [-180.0, -85.0, 180.0, 85.0]
    fields = {n: (coll.field(n).schema() if coll.field(n) else {"type": "string"}) for n in ("id", *coll.tile_fields)}
    return {
        "title": f"{coll.title_en} (vector tiles)", "dataType": "vector",
        "crs": "http://www.opengis.net/def/crs/EPSG/0/3857",
        "tileMatrixSetURI": TMS_URI,
        "links": [
            link(url(request, f"/ogc/collections/{coll.id}/tiles/{TMS_ID}"), "self", JSON, coll.title_en),
            link(url(request, f"/ogc/tileMatrixSets/{TMS_ID}"),
                 "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme", JSON, TMS_ID),
            link(url(request, TILE_PATH.format(cid=coll.id)), "item", MVT, "Mapbox vector tile"),
        ],
        "boundingBox": {"lowerLeft": extent[:2], "upperRight": extent[2:],
                        "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84"},
        "layers": [{"id": coll.id, "dataType": "vector", "geometryDimension": _dimension(coll.geometry_type),
                    "minTileMatrix": str(coll.min_zoom), "maxTileMatrix": str(MAX_ZOOM),
                    "propertiesSchema": {"type": "object", "properties": fields}}],
    }


def _dimension(geometry_type: str) -> int:
    return {"Point": 0, "LineString": 1, "MultiLineString": 1}.get(geometry_type, 2)


@router.get("/ogc/collections/{collectionId}/tiles", summary="Vector tilesets of a collection",
            dependencies=[Depends(known_params(COMMON))])
def tilesets(request: Request, prov: TableProvider = Depends(collection)) -> Response:
    _need_geometry(prov)
    cid = prov.collection.id
    one = {"title": f"{prov.collection.title_en} (vector tiles)", "dataType": "vector", "tileMatrixSetURI": TMS_URI,
           "links": [link(url(request, f"/ogc/collections/{cid}/tiles/{TMS_ID}"), "self", JSON),
                     link(url(request, TILE_PATH.format(cid=cid)), "item", MVT)]}
    return json_response(request, {"tilesets": [one]})


@router.get("/ogc/collections/{collectionId}/tiles/{tileMatrixSetId}", summary="Tileset metadata",
            dependencies=[Depends(known_params(COMMON))])
def tileset(request: Request, session: Db, prov: TableProvider = Depends(collection),
            tms: str = PathParam(alias="tileMatrixSetId", max_length=64)) -> Response:
    _need_geometry(prov)
    _tms_id(tms)
    return json_response(request, _tileset(request, session, prov))


@router.get("/ogc/collections/{collectionId}/tiles/WebMercatorQuad/tilejson.json", summary="TileJSON 3.0",
            dependencies=[Depends(known_params(COMMON))])
def tilejson(request: Request, session: Db, prov: TableProvider = Depends(collection)) -> Response:
    _need_geometry(prov)
    coll = prov.collection
    x1, y1, x2, y2 = prov.extent(session) or [-180.0, -85.0, 180.0, 85.0]
    template = url(request, TILE_PATH.format(cid=coll.id)).replace("%7B", "{").replace("%7D", "}")
    template = template.replace("{tileMatrix}", "{z}").replace("{tileRow}", "{y}").replace("{tileCol}", "{x}")
    fields = {n: (coll.field(n).type if coll.field(n) else "string") for n in coll.tile_fields}
    return json_response(request, {
        "tilejson": "3.0.0", "name": coll.id, "description": coll.title_en, "scheme": "xyz", "tiles": [template],
        "minzoom": coll.min_zoom, "maxzoom": MAX_ZOOM, "bounds": [x1, y1, x2, y2],
        "center": [(x1 + x2) / 2, (y1 + y2) / 2, max(coll.min_zoom, 8)],
        "vector_layers": [{"id": coll.id, "fields": {"id": "string", **fields}, "minzoom": coll.min_zoom,
                           "maxzoom": MAX_ZOOM}],
    })


@router.get("/ogc/collections/{collectionId}/tiles/WebMercatorQuad/{tileMatrix}/{tileRow}/{tileCol}",
            summary="Mapbox vector tile", dependencies=[Depends(known_params({"f"}))], response_class=Response)
def vector_tile(
    request: Request, session: Db,
    prov: TableProvider = Depends(collection),
    z: int = PathParam(alias="tileMatrix"), row: int = PathParam(alias="tileRow"),
    col: int = PathParam(alias="tileCol"),
) -> Response:
    _need_geometry(prov)
    if not valid_tile(z, row, col):
        raise ApiError(404, "NotFound", f"no tile {z}/{row}/{col} in WebMercatorQuad (zoom 0-{MAX_ZOOM}, "
                       "row and column 0 to 2^zoom - 1)")
    tag = conditional.weak_tag(version.current(session), request.url.path)
    head = {"ETag": tag, "Cache-Control": TILE_CACHE}
    if conditional.not_modified(request, tag):
        return Response(status_code=304, headers=head)
    result = tile(session, prov, z, row, col)
    if result.dropped:
        head["X-Tile-Features-Dropped"] = str(result.dropped)  # more than FEATURE_CAP: zoom in
        head["Warning"] = f'199 - "tile holds the first {FEATURE_CAP} features; zoom in for all"'
    if not result.data:
        return Response(status_code=204, headers=head)
    return Response(result.data, media_type=MVT, headers=head)
