"""Each server's URL for the same request: its paths, collection ids and tile order.

>>> from benchmarks.landuse.workload import Req
>>> r = Req("mvt_z12", "landuse_10k", tile=(12, 3243, 1932))
>>> THIS.path(r)
'/ogc/collections/landuse_10k/tiles/WebMercatorQuad/12/1932/3243'
>>> TIPG.path(r)
'/collections/public.landuse_10k/tiles/WebMercatorQuad/12/3243/1932'
>>> PYGEOAPI.path(Req("clusters_page", "industrial_clusters", limit=100))
'/collections/features/items?layer=industrial_clusters&limit=100'
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from urllib.parse import quote, urlencode

from benchmarks.landuse.workload import Req

PLAN_LAYERS_IN_FEATURES = {"industrial_parks", "industrial_clusters", "economic_zones", "growth_poles",
                           "infrastructure_projects"}


@dataclass(frozen=True)
class Dialect:
    name: str
    prefix: str  # before /collections
    schema: str  # TiPg names collections schema.table
    tile_xy: bool  # True: …/{z}/{x}/{y} (TiPg); False: OGC API - Tiles …/{z}/{row}/{col}
    tile_suffix: str = ""
    plan_collections: bool = False  # this service publishes each plan layer as its own collection
    stats_path: str | None = None

    def collection(self, layer: str) -> tuple[str, dict]:
        """The collection id of a logical layer and the filter that selects it."""
        if layer in PLAN_LAYERS_IN_FEATURES and not self.plan_collections:
            return self.schema + "features", {"layer": layer}
        return self.schema + layer, {}

    def collection_path(self, layer: str) -> str:
        return f"{self.prefix}/collections/{self.collection(layer)[0]}"

    def path(self, r: Req) -> str:
        coll, where = self.collection(r.layer)
        base = f"{self.prefix}/collections/{coll}"
        if r.kind == "stats":
            return (self.stats_path or "").format(layer=r.layer)
        if r.item_id is not None:
            return f"{base}/items/{quote(r.item_id, safe='')}"
        if r.tile is not None:
            z, x, y = r.tile
            a, b = (x, y) if self.tile_xy else (y, x)
            return f"{base}/tiles/WebMercatorQuad/{z}/{a}/{b}{self.tile_suffix}"
        query = dict(where)
        if r.bbox:
            query["bbox"] = ",".join(f"{v:.6f}" for v in r.bbox)
        if r.limit:
            query["limit"] = str(r.limit)
        return f"{base}/items?{urlencode(query, safe=',')}"


THIS = Dialect("this", "/ogc", "", tile_xy=False, plan_collections=True)
TIPG = Dialect("tipg", "", "public.", tile_xy=True)
PYGEOAPI = Dialect("pygeoapi", "", "", tile_xy=False, tile_suffix="?f=mvt")
DIALECTS = {d.name: d for d in (THIS, TIPG, PYGEOAPI)}


def for_server(name: str, stats_path: str) -> Dialect:
    """The dialect of a server; only this service has the land-use statistics."""
    return replace(DIALECTS[name], stats_path=stats_path) if name == "this" else DIALECTS[name]
