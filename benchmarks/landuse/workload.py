"""The requests of the benchmark, drawn once (seeded) from the database, in no server's syntax yet.

Each request carries the answer it must get, counted in SQL on the same table (``ST_Intersects`` with the
bbox, capped at the limit): the reference a server's response is checked against before it is timed.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

import psycopg

from benchmarks.landuse.config import RunConfig, layer_name


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    group: str  # "parcels" (one run per row count) or "plan" (the plan's own layers, once)


KINDS = {k.key: k for k in (
    Kind("bbox_1km", "items, 1 km bbox, limit=100", "parcels"),
    Kind("first_page", "first page, no filter, limit=10", "parcels"),
    Kind("bbox_10km", "items, 10 km bbox, limit=1000", "parcels"),
    Kind("mvt_z12", "MVT z12 tile", "parcels"),
    Kind("item", "one item by id", "parcels"),
    Kind("stats", "land use by district (statistics)", "parcels"),
    Kind("cluster_item", "one cluster `items/{id}`", "plan"),
    Kind("clusters_page", "`industrial_clusters/items?limit=100`", "plan"),
    Kind("districts_bbox", "districts, 5 km bbox, limit=10", "plan"),
    Kind("districts_mvt", "districts MVT z11", "plan"),
)}


@dataclass(frozen=True)
class Req:
    kind: str
    layer: str  # logical layer: "landuse_10k", "industrial_clusters", "districts"
    bbox: tuple[float, float, float, float] | None = None
    limit: int | None = None
    tile: tuple[int, int, int] | None = None  # z, x (column), y (row)
    item_id: str | None = None
    expected: int | None = None  # features the response must hold
    in_tile: int | None = None  # MVT: features of the table intersecting the tile (completeness reference)


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int, int]:
    """WebMercatorQuad tile (z, column, row) holding a point.

    >>> tile_of(105.1, 10.1, 12)
    (12, 3243, 1932)
    """
    n = 2**z
    x = int((lon + 180.0) / 360.0 * n)
    y = int((1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n)
    return z, x, y


def bbox_around(lon: float, lat: float, side_m: float) -> tuple[float, float, float, float]:
    """A square of ``side_m`` metres centred on a point, in degrees (6 decimals, ~0.1 m)."""
    half_lat = side_m / 2 / 110_574.0
    half_lon = side_m / 2 / (111_320.0 * math.cos(math.radians(lat)))
    return tuple(round(v, 6) for v in (lon - half_lon, lat - half_lat, lon + half_lon, lat + half_lat))


class Sampler:
    """Seeded draws from one database: points on land, ids, and their reference counts."""

    def __init__(self, conn: psycopg.Connection, cfg: RunConfig) -> None:
        self.conn, self.cfg = conn, cfg

    def one(self, sql: str, *args) -> int:
        return self.conn.execute(sql, args).fetchone()[0]

    def land_points(self, salt: int) -> list[tuple[float, float]]:
        """Points spread uniformly over the former districts (``ST_GeneratePoints`` with a seed)."""
        rows = self.conn.execute(
            "SELECT ST_X(d.geom), ST_Y(d.geom) FROM (SELECT ST_GeneratePoints(ST_Union(geom), %s, %s) AS g "
            "FROM districts) s, ST_Dump(s.g) AS d ORDER BY d.path",
            (self.cfg.urls, self.cfg.seed * 100 + salt))
        return [(x, y) for x, y in rows]

    def table_shape(self, table: str) -> tuple[str, str]:
        """The primary-key and geometry columns of a table, whichever tool created it."""
        pk = self.one("SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
                      "AND a.attnum = i.indkey[0] WHERE i.indrelid = %s::regclass AND i.indisprimary", table)
        geom = self.one("SELECT f_geometry_column FROM geometry_columns WHERE f_table_schema = 'public' "
                        "AND f_table_name = %s", table)
        return pk, geom

    def intersecting(self, table: str, geom: str, bbox, cap: int, where: str = "TRUE") -> int:
        sql = (f'SELECT count(*) FROM (SELECT 1 FROM "{table}" WHERE {where} AND '
               f'ST_Intersects("{geom}", ST_MakeEnvelope(%s, %s, %s, %s, 4326)) LIMIT %s) s')
        return self.one(sql, *bbox, cap)

    def in_tile(self, table: str, geom: str, tile: tuple[int, int, int]) -> int:
        return self.one(f'SELECT count(*) FROM "{table}" WHERE ST_Intersects("{geom}", '
                        f"ST_Transform(ST_TileEnvelope(%s, %s, %s), 4326))", *tile)

    def ids(self, table: str, pk: str, rng: random.Random) -> list[str]:
        every = [r[0] for r in self.conn.execute(f'SELECT "{pk}" FROM "{table}" ORDER BY 1')]
        return [str(v) for v in rng.sample(every, min(self.cfg.urls, len(every)))]


def parcel_requests(s: Sampler, n: int) -> dict[str, list[Req]]:
    """The parcel requests at ``n`` rows (table ``landuse_<n>``)."""
    table = layer_name(n)
    pk, geom = s.table_shape(table)
    rng = random.Random(s.cfg.seed * 1_000_003 + n)
    out: dict[str, list[Req]] = {}
    for key, side, limit, salt in (("bbox_1km", 1_000, 100, 1), ("bbox_10km", 10_000, 1000, 2)):
        boxes = [bbox_around(x, y, side) for x, y in s.land_points(salt)]
        out[key] = [Req(key, table, bbox=b, limit=limit, expected=s.intersecting(table, geom, b, limit))
                    for b in boxes]
    out["first_page"] = [Req("first_page", table, limit=10, expected=min(10, n))]
    tiles = [tile_of(x, y, 12) for x, y in s.land_points(3)]
    out["mvt_z12"] = [Req("mvt_z12", table, tile=t, in_tile=s.in_tile(table, geom, t)) for t in tiles]
    out["item"] = [Req("item", table, item_id=i, expected=1) for i in s.ids(table, pk, rng)]
    out["stats"] = [Req("stats", table)]
    return out


def plan_requests(s: Sampler) -> dict[str, list[Req]]:
    """The plan-layer requests of the issue's first table."""
    rng = random.Random(s.cfg.seed)
    clusters = [r[0] for r in s.conn.execute(
        "SELECT id FROM features WHERE layer = 'industrial_clusters' ORDER BY id")]
    n_clusters = len(clusters)
    boxes = [bbox_around(x, y, 5_000) for x, y in s.land_points(4)]
    tiles = [tile_of(x, y, 11) for x, y in s.land_points(5)]
    return {
        "cluster_item": [Req("cluster_item", "industrial_clusters", item_id=rng.choice(clusters), expected=1)
                         for _ in range(s.cfg.urls)],
        "clusters_page": [Req("clusters_page", "industrial_clusters", limit=100,
                              expected=min(100, n_clusters))],
        "districts_bbox": [Req("districts_bbox", "districts", bbox=b, limit=10,
                               expected=s.intersecting("districts", "geom", b, 10)) for b in boxes],
        "districts_mvt": [Req("districts_mvt", "districts", tile=t, in_tile=s.in_tile("districts", "geom", t))
                          for t in tiles],
    }


def draw(cfg: RunConfig) -> dict[str, dict[str, list[Req]]]:
    """Every request of the run: ``{"plan": {kind: [...]}, "landuse_10k": {kind: [...]}, …}``."""
    with psycopg.connect(cfg.db_url) as conn:
        s = Sampler(conn, cfg)
        out = {"plan": plan_requests(s)}
        for n in cfg.rows:
            out[layer_name(n)] = parcel_requests(s, n)
    return out
