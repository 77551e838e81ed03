"""Land-use statistics of an imported layer, in hectares on EPSG:9207 (VN-2000 / TM-3 104°30'):

- ``landuse_by_district``: hectares per land-use code per former district, parcels split by intersection;
- ``landuse_overlay``: for each industrial park, industrial cluster and economic zone footprint (polygon features
  of ``features``), the hectares of each land-use code inside it (e.g. how much LUA a planned park converts).

PostGIS computes in SQL (``ST_Intersection``/``ST_Area`` after ``ST_Transform`` to EPSG:9207 with the official
EPSG:6960 shift: by SRID when ``spatial_ref_sys`` has it, else as its PROJ string); SpatiaLite in Python with a
shapely STRtree. Results are cached by
``(database, layer, statistic, version)``: pass the data version stamp as ``version``.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import orjson
import shapely
from sqlalchemy import Engine, text

from geo.crs import STORAGE_SRID, VN2000_TM3, transformer, vn2000_tm3_proj_string
from layers.files import unlink_quietly, write_atomically
from layers.imports.tables import check_layer_id

OVERLAY_LAYERS = ("industrial_parks", "industrial_clusters", "economic_zones")
M2_PER_HA = 10_000.0
CHUNK = 20_000
PARALLEL = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
FORMAT = "stats-1"  # change when the rows' fields or their computation change: files on disk are not reused
_CACHE: OrderedDict[tuple, list[dict]] = OrderedDict()
_CACHE_SIZE = 64
_LOCK = threading.Lock()


class NoLandUse(LookupError):
    """The layer is not imported, or has no land-use field."""


def _cached(engine: Engine, layer: str, kind: str, version: str, compute: Callable[[], list[dict]],
            cache_dir: Path | None) -> list[dict]:
    """This process's copy, else the one another worker left in ``cache_dir/stats`` (the seconds of work on a
    million parcels are spent once per data version, not once per worker), else computed and left there."""
    url = engine.url.render_as_string(hide_password=True)
    key = (url, layer, kind, version)
    with _LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    path = None
    if cache_dir is not None:
        name = hashlib.sha256("|".join((FORMAT, *key)).encode()).hexdigest()[:32]
        path = cache_dir / "stats" / f"{name}.json"
    try:
        result = orjson.loads(path.read_bytes()) if path else None
    except (FileNotFoundError, orjson.JSONDecodeError):
        result = None
    if result is None:
        result = compute()
        if path:
            _prune(path.parent)
            write_atomically(path, orjson.dumps(result))
    with _LOCK:
        _CACHE[key] = result
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return result


def _prune(folder: Path) -> None:
    """Keep the folder small: files of versions no longer current are dropped after a day unused."""
    if not folder.is_dir():
        return
    old = time.time() - 86_400
    for entry in os.scandir(folder):
        try:
            if entry.stat().st_atime < old and entry.stat().st_mtime < old:
                unlink_quietly(entry.path)
        except FileNotFoundError:
            continue


def landuse_column(engine: Engine, layer: str, required: bool = True) -> str | None:
    """The layer's land-use column; None (when not ``required``) for a layer without one."""
    check_layer_id(layer)
    with engine.connect() as conn:
        row = conn.execute(text("SELECT landuse_field FROM imported_layers WHERE id = :id"), {"id": layer}).first()
    if row is None:
        raise NoLandUse(f"no imported layer {layer!r}")
    if row[0] is None and required:
        raise NoLandUse(f"layer {layer!r} has no land-use field (import it with --landuse-field)")
    return row[0]


# PostGIS: zones (id, label, geom) are subdivided so each parcel is tested against a small piece; parcels inside
# a piece are taken whole, the others cut. The pieces partition each zone, so the sums are exact. ST_Covers with
# the piece first (PostGIS prepares the repeated geometry) is 2-3x faster than ST_CoveredBy with it second; the
# rows are summed before the zones' names are joined. ``{only}`` picks a group of zones: groups run in parallel.
_PG_SQL = """
WITH zones AS (SELECT * FROM ({zones}) z WHERE zone_id = ANY(:only)),
pieces AS (SELECT zone_id, ST_Subdivide(geom, 256) AS geom FROM zones),
cut AS (
  SELECT pc.zone_id, {code_sql} AS code, p.fid,
         ST_Area(ST_Transform(CASE WHEN ST_Covers(pc.geom, p.geom) THEN p.geom
                              ELSE ST_CollectionExtract(ST_Intersection(p.geom, pc.geom), 3) END, {tm3})) AS m2
  FROM pieces pc JOIN "{layer}" p ON p.geom && pc.geom AND ST_Intersects(p.geom, pc.geom)
),
sums AS (SELECT zone_id, code, sum(m2) / 10000.0 AS hectares, count(DISTINCT fid) AS n FROM cut GROUP BY 1, 2)
SELECT z.zone_id, z.label, z.kind, s.code, s.hectares, s.n FROM sums s JOIN zones z USING (zone_id)
"""
_DISTRICT_ZONES = "SELECT gso_code::text AS zone_id, name AS label, 'district' AS kind, geom FROM districts"
_FEATURE_ZONES = ("SELECT id AS zone_id, name AS label, layer AS kind, geom FROM features "
                  "WHERE layer IN ('industrial_parks', 'industrial_clusters', 'economic_zones') "
                  "AND ST_Dimension(geom) = 2")
_SQLITE_DISTRICTS = "SELECT CAST(gso_code AS TEXT), name, 'district', AsBinary(geom) FROM districts"
_SQLITE_FEATURES = ("SELECT id, name, layer, AsBinary(geom) FROM features WHERE layer IN ('industrial_parks', "
                    "'industrial_clusters', 'economic_zones') AND ST_Dimension(geom) = 2")


def _tm3_sql(proj4text: str | None) -> str:
    """EPSG:9207 as SQL names it, given ``spatial_ref_sys``'s row for 9207 (None: no row): the SRID when the row has
    the official EPSG:6960 shift (PostGIS caches that transformation), else the PROJ string as a literal, which
    PostGIS 3.3 parses again for every row (1.2 ms a parcel here) but which needs no row a managed database's
    role may not add."""
    ours = vn2000_tm3_proj_string()
    if proj4text is not None and set(proj4text.split()) == set(ours.split()):
        return str(VN2000_TM3)
    return f"'{ours}'"  # + - = , . digits and letters only


_TM3_ROW_SQL = f"SELECT proj4text FROM spatial_ref_sys WHERE srid = {VN2000_TM3}"


def _postgis(engine: Engine, layer: str, code: str | None, zones_sql: str) -> list[tuple]:
    """The zones split into one group per core (largest first, each to the lightest group), each group summed on
    its own connection at the same time: a million parcels on 2 cores in about half the time."""
    code_sql = f'upper(trim(p."{code}"::text))' if code else "NULL::text"
    with engine.connect() as conn:
        tm3 = _tm3_sql(conn.execute(text(_TM3_ROW_SQL)).scalar())
        sizes = conn.execute(text(f"SELECT zone_id, ST_Area(geom) FROM ({zones_sql}) z ORDER BY 2 DESC")).all()
    groups: list[list[str]] = [[] for _ in range(max(1, min(len(sizes), PARALLEL)))]
    load = [0.0] * len(groups)
    for zone_id, size in sizes:  # degrees², only to balance the groups
        k = load.index(min(load))
        groups[k].append(zone_id)
        load[k] += size or 0.0
    sql = text(_PG_SQL.format(zones=zones_sql, code_sql=code_sql, layer=layer, tm3=tm3))

    def run(ids: list[str]) -> list[tuple]:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(sql, {"only": ids})]

    with ThreadPoolExecutor(len(groups)) as pool:
        rows = [r for part in pool.map(run, groups) for r in part]
    return sorted(rows, key=lambda r: (r[0], r[3] or ""))


def _parcels(conn, layer: str, code: str | None, zone_bounds: tuple | None) -> Iterator[tuple[list, np.ndarray]]:
    """(codes, geometries) of the layer's parcels in chunks, only those in ``zone_bounds`` when given."""
    code_sql = f'upper(trim(CAST("{code}" AS TEXT)))' if code else "NULL"
    sql = f'SELECT {code_sql}, AsBinary(geom) FROM "{layer}"'
    params: tuple = ()
    if zone_bounds is not None:
        sql += (" WHERE ROWID IN (SELECT ROWID FROM SpatialIndex WHERE f_table_name = ? AND f_geometry_column = "
                "'geom' AND search_frame = BuildMbr(?, ?, ?, ?, 4326))")
        params = (layer, *zone_bounds)
    cursor = conn.execute(sql, params)
    while rows := cursor.fetchmany(CHUNK):
        yield [r[0] for r in rows], shapely.from_wkb([r[1] for r in rows])


def _tm3_m2(geoms: np.ndarray) -> np.ndarray:
    return shapely.area(shapely.transform(geoms, transformer(STORAGE_SRID, VN2000_TM3).transform,
                                          interleaved=False))


def _overlay_python(engine: Engine, layer: str, code: str, zones_sql: str, by_zone_bbox: bool) -> list[tuple]:
    """The same sums as the SQL, with an STRtree over the zones (SpatiaLite)."""
    raw = engine.raw_connection()
    try:
        conn = raw.driver_connection
        zones = conn.execute(zones_sql).fetchall()
        shapes = shapely.from_wkb([z[3] for z in zones])
        shapely.prepare(shapes)
        tree = shapely.STRtree(shapes)
        sums: dict[tuple[int, str | None], float] = defaultdict(float)
        counts: dict[tuple[int, str | None], int] = defaultdict(int)
        frames = [tuple(shapely.bounds(g)) for g in shapes] if by_zone_bbox else [None]
        for frame_index, frame in enumerate(frames):
            for codes, geoms in _parcels(conn, layer, code, frame):
                parcel_i, zone_i = tree.query(geoms, predicate="intersects")
                if by_zone_bbox:  # one zone at a time: its own parcels only
                    keep = zone_i == frame_index
                    parcel_i, zone_i = parcel_i[keep], zone_i[keep]
                inside = shapely.covers(shapes[zone_i], geoms[parcel_i])
                pieces = np.where(inside, geoms[parcel_i], shapely.intersection(geoms[parcel_i], shapes[zone_i]))
                for p, z, m2 in zip(parcel_i, zone_i, _tm3_m2(pieces)):
                    sums[(int(z), codes[p])] += float(m2)
                    counts[(int(z), codes[p])] += 1
    finally:
        raw.close()
    rows = [(zones[z][0], zones[z][1], zones[z][2], c, m2 / M2_PER_HA, counts[(z, c)])
            for (z, c), m2 in sums.items()]
    return sorted(rows, key=lambda r: (r[0], r[3] or ""))


def _compute(engine: Engine, layer: str, districts: bool, by_code: bool = True) -> list[tuple]:
    code = landuse_column(engine, layer) if by_code else None
    if engine.dialect.name == "postgresql":
        return _postgis(engine, layer, code, _DISTRICT_ZONES if districts else _FEATURE_ZONES)
    return _overlay_python(engine, layer, code, _SQLITE_DISTRICTS if districts else _SQLITE_FEATURES,
                           by_zone_bbox=not districts)


def landuse_by_district(engine: Engine, layer: str, version: str, cache_dir: Path | None = None) -> list[dict]:
    """``[{"gso_code", "district", "code", "hectares"}]``: hectares of each code in each former district.

    ``code`` is the field's value trimmed and in upper case (None for an empty value); unknown codes are kept.
    """
    def compute() -> list[dict]:
        return [{"gso_code": int(z), "district": label, "code": c, "hectares": ha, "features": n}
                for z, label, _kind, c, ha, n in _compute(engine, layer, districts=True)]

    return _cached(engine, layer, "by_district", version, compute, cache_dir)


def landuse_overlay(engine: Engine, layer: str, version: str, cache_dir: Path | None = None) -> list[dict]:
    """``[{"feature_id", "layer", "name", "code", "hectares"}]``: hectares of each code inside each park,
    cluster and economic zone footprint."""
    def compute() -> list[dict]:
        return [{"feature_id": z, "layer": kind, "name": label, "code": c, "hectares": ha, "features": n}
                for z, label, kind, c, ha, n in _compute(engine, layer, districts=False)]

    return _cached(engine, layer, "overlay", version, compute, cache_dir)


def area_by_district(engine: Engine, layer: str, version: str, cache_dir: Path | None = None) -> list[dict]:
    """``[{"gso_code", "district", "hectares", "features"}]``: the layer's hectares in each former district (its
    features split by intersection) and how many of its features meet the district; any imported layer."""
    def compute() -> list[dict]:
        landuse_column(engine, layer, required=False)  # NoLandUse for a layer that is not imported
        return [{"gso_code": int(z), "district": label, "hectares": ha, "features": n}
                for z, label, _kind, _c, ha, n in _compute(engine, layer, districts=True, by_code=False)]

    return _cached(engine, layer, "area_by_district", version, compute, cache_dir)
