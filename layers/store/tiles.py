"""Mapbox Vector Tiles of any collection on WebMercatorQuad: ``ST_AsMVT`` in PostGIS, mapbox-vector-tile and shapely
on SpatiaLite; both read the collection through its provider's ``Source``.

Geometry is simplified to about one tile pixel at the tile's zoom. A tile holds at most ``FEATURE_CAP``
features; when a tile would hold more, the caller learns how many were left out (never silently).

>>> tile_bounds(0, 0, 0).left  # doctest: +ELLIPSIS
-20037508.34...
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import morecantile
from shapely import clip_by_rect
from sqlalchemy import func, literal_column, select
from sqlalchemy.orm import Session

from geo.transform import reproject
from layers.store.sql import dialect_of
from layers.store.table import TableProvider

EXTENT = 4096  # tile coordinate units, the MVT default
BUFFER = 64  # units drawn beyond the edge so that strokes do not break at tile seams
MAX_ZOOM = 22
FEATURE_CAP = 100_000  # per tile; more is a sign of a zoom too low for the layer (say so, do not truncate silently)
TMS = morecantile.tms.get("WebMercatorQuad")


@dataclass(frozen=True)
class Tile:
    data: bytes  # b"" when empty
    features: int
    dropped: int  # features beyond FEATURE_CAP, left out


def tile_bounds(z: int, row: int, col: int) -> morecantile.commons.BoundingBox:
    """The tile's bounds in EPSG:3857 (``row`` counts from the top, as in OGC API - Tiles)."""
    return TMS.xy_bounds(morecantile.Tile(col, row, z))


def valid_tile(z: int, row: int, col: int) -> bool:
    return 0 <= z <= MAX_ZOOM and 0 <= row < 2**z and 0 <= col < 2**z


def _pixel(z: int, row: int, col: int) -> float:
    b = tile_bounds(z, row, col)
    return (b.right - b.left) / EXTENT


def tile(session: Session, provider: TableProvider, z: int, row: int, col: int) -> Tile:
    """The MVT of ``provider``'s collection at z/row/col, one layer named after the collection."""
    if dialect_of(session).name == "postgis":
        return _postgis_tile(session, provider, z, row, col)
    return _python_tile(session, provider, z, row, col)


def _postgis_tile(session: Session, provider: TableProvider, z: int, row: int, col: int) -> Tile:
    coll = provider.collection
    src = provider.source(session, dt.date.today())
    b = tile_bounds(z, row, col)
    envelope = func.ST_MakeEnvelope(b.left, b.bottom, b.right, b.top, 3857)
    merc = func.ST_Transform(src.geom, 3857)
    if coll.geometry_type != "Point":  # ST_AsMVTGeom makes the result valid; collapsed parts are kept
        merc = func.ST_Simplify(merc, _pixel(z, row, col), True)
    props = [src.id_col.label("id")] + [src.columns[n].label(n) for n in coll.tile_fields if n in src.columns]
    # Each feature of the tile is clipped once (a CTE read twice is materialised): the tile takes the first
    # FEATURE_CAP by id, and the ones beyond are counted, not guessed.
    clipped = (select(func.ST_AsMVTGeom(merc, envelope, EXTENT, BUFFER, True).label("geom"), *props)
               .select_from(src.from_)
               .where(*src.where, src.geom.op("&&")(func.ST_Transform(envelope, 4326)))
               .cte("clipped"))
    drawn = select(clipped).where(clipped.c.geom.is_not(None))
    kept = drawn.order_by(clipped.c.id).limit(FEATURE_CAP).subquery("t")
    mvt = select(func.ST_AsMVT(literal_column("t"), coll.id, EXTENT, "geom")).select_from(kept).scalar_subquery()
    total = select(func.count()).select_from(drawn.subquery("all_drawn")).scalar_subquery()
    data, n = session.execute(select(mvt, total)).one()
    shown = min(n, FEATURE_CAP)
    return Tile(bytes(data or b""), shown, n - shown)


def _python_tile(session: Session, provider: TableProvider, z: int, row: int, col: int) -> Tile:
    coll = provider.collection
    b = tile_bounds(z, row, col)
    pad = _pixel(z, row, col) * BUFFER
    geo = TMS.bounds(morecantile.Tile(col, row, z))
    features = []
    for fid, props, geom in provider.records(session, (geo.left, geo.bottom, geo.right, geo.top)):
        merc = reproject(geom, 4326, 3857)
        if coll.geometry_type != "Point":
            merc = merc.simplify(_pixel(z, row, col), preserve_topology=True)
        clipped = clip_by_rect(merc, b.left - pad, b.bottom - pad, b.right + pad, b.top + pad)
        if clipped.is_empty:
            continue
        keep = {"id": fid} | {n: props[n] for n in coll.tile_fields if props.get(n) is not None}
        features.append({"geometry": clipped, "properties": keep})
    dropped = max(len(features) - FEATURE_CAP, 0)
    features = features[:FEATURE_CAP]
    if not features:
        return Tile(b"", 0, 0)
    import mapbox_vector_tile  # SpatiaLite only: PostGIS encodes its own tiles

    data = mapbox_vector_tile.encode(
        [{"name": coll.id, "features": features}],
        default_options={"quantize_bounds": (b.left, b.bottom, b.right, b.top), "extents": EXTENT,
                         "y_coord_down": False},
    )
    return Tile(data, len(features), dropped)

