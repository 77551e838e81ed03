"""Mapbox Vector Tiles on WebMercatorQuad: ``ST_AsMVT`` in PostGIS, mapbox-vector-tile + shapely on SpatiaLite.

Geometry is simplified to about one tile pixel at the tile's zoom, so a district outline at zoom 6 weighs a few
hundred bytes, not the full boundary. An empty tile is ``b""`` (the API answers 204).

>>> tile_bounds(0, 0, 0).left  # doctest: +ELLIPSIS
-20037508.34...
"""

from __future__ import annotations

import mapbox_vector_tile
import morecantile
from geoalchemy2.shape import to_shape
from shapely import box, clip_by_rect
from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

from geo.transform import reproject
from layers.catalog import Collection
from layers.db import backend_name
from layers.repository import bbox_rows

EXTENT = 4096  # tile coordinate units, the MVT default
BUFFER = 64  # units drawn beyond the edge so that strokes do not break at tile seams
MAX_ZOOM = 22
_TMS = morecantile.tms.get("WebMercatorQuad")
# Properties carried in tiles: enough to label and style; the rest is one GeoJSON request away.
TILE_PROPERTIES = {
    "features": ("id", "name", "name_en", "kind", "status", "geometry_precision", "planned_area_ha"),
    "districts": ("gso_code", "name", "short_name", "type", "raw_material"),
}


def tile_bounds(z: int, row: int, col: int) -> morecantile.commons.BoundingBox:
    """The tile's bounds in EPSG:3857 (``row`` counts from the top, as in OGC API - Tiles)."""
    return _TMS.xy_bounds(morecantile.Tile(col, row, z))


def valid_tile(z: int, row: int, col: int) -> bool:
    return 0 <= z <= MAX_ZOOM and 0 <= row < 2**z and 0 <= col < 2**z


def tile(session: Session, coll: Collection, z: int, row: int, col: int) -> bytes:
    """The MVT of ``coll`` at z/row/col (one layer named after the collection); ``b""`` when empty."""
    if backend_name(session.get_bind()) == "postgis":
        return _postgis_tile(session, coll, z, row, col)
    return _python_tile(session, coll, z, row, col)


def _pixel(z: int, row: int, col: int) -> float:
    b = tile_bounds(z, row, col)
    return (b.right - b.left) / EXTENT


def _postgis_tile(session: Session, coll: Collection, z: int, row: int, col: int) -> bytes:
    b = tile_bounds(z, row, col)
    names = TILE_PROPERTIES[coll.source]
    table, where = coll.source, ""
    if coll.layer:
        where = "AND t.layer = :layer"
    elif coll.raw_material_only:
        where = "AND t.raw_material"
    # Identifiers come from the catalogue (constants), values are bound.
    sql = f"""
    WITH env AS (SELECT ST_MakeEnvelope(:x1, :y1, :x2, :y2, 3857) AS g),
    rows AS (
      SELECT ST_AsMVTGeom(ST_SimplifyPreserveTopology(ST_Transform(t.geom, 3857), :tol), env.g,
                          {EXTENT}, {BUFFER}, true) AS geom, {", ".join(f"t.{n}" for n in names)}
      FROM {table} t, env
      WHERE t.geom && ST_Transform(env.g, 4326) {where}
    )
    SELECT ST_AsMVT(rows.*, :name, {EXTENT}, 'geom') FROM rows WHERE rows.geom IS NOT NULL"""
    params = {"x1": b.left, "y1": b.bottom, "x2": b.right, "y2": b.top, "tol": _pixel(z, row, col),
              "name": coll.id}
    stmt = text(sql).bindparams(*(bindparam(k) for k in params))
    if coll.layer:
        params["layer"] = coll.layer
    data = session.execute(stmt, params).scalar()
    return bytes(data or b"")


def _python_tile(session: Session, coll: Collection, z: int, row: int, col: int) -> bytes:
    b = tile_bounds(z, row, col)
    pad = _pixel(z, row, col) * BUFFER
    geo = _TMS.bounds(morecantile.Tile(col, row, z))
    names = TILE_PROPERTIES[coll.source]
    features = []
    for rec in bbox_rows(session, coll, (geo.left, geo.bottom, geo.right, geo.top)):
        merc = reproject(to_shape(rec.geom), 4326, 3857).simplify(_pixel(z, row, col), preserve_topology=True)
        clipped = clip_by_rect(merc, b.left - pad, b.bottom - pad, b.right + pad, b.top + pad)
        if clipped.is_empty:
            continue
        features.append({"geometry": clipped, "properties": {n: getattr(rec, n) for n in names
                                                             if getattr(rec, n) is not None}})
    if not features:
        return b""
    return mapbox_vector_tile.encode(
        [{"name": coll.id, "features": features}],
        default_options={"quantize_bounds": (b.left, b.bottom, b.right, b.top), "extents": EXTENT,
                         "y_coord_down": False},
    )


def tile_envelope_lonlat(z: int, row: int, col: int):
    """The tile as a lon/lat polygon (for tests and clients checking coverage)."""
    g = _TMS.bounds(morecantile.Tile(col, row, z))
    return box(g.left, g.bottom, g.right, g.top)
