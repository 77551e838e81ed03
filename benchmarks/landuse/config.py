"""What one benchmark run is: row counts, servers, durations, and where things live.

>>> parse_rows("10k,200000,1m")
[10000, 200000, 1000000]
>>> layer_name(200000)
'landuse_200k'
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
VAR = REPO / "var" / "bench"  # venvs, GeoPackages, logs, pid files: never committed (var/ is ignored)
RESULTS = HERE / "results"
SHARED = Path(os.environ.get("PLANMAP_BENCH_SHARED", REPO.parent / "shared"))
MIRROR = Path(os.environ.get("PLANMAP_MIRROR") or SHARED / "mirror")
SERVERS = ("this", "tipg", "pygeoapi")
SPATIALITE_ROWS = (10_000, 200_000)  # the issue asks for SpatiaLite figures at these sizes only


def parse_rows(text: str) -> list[int]:
    """``10000,200k,1m`` -> row counts, smallest first."""
    out = []
    for part in filter(None, (p.strip().lower() for p in text.split(","))):
        m = re.fullmatch(r"(\d+)([km]?)", part)
        if not m:
            raise ValueError(f"row count {part!r}: expected a number such as 10000, 200k or 1m")
        out.append(int(m[1]) * {"": 1, "k": 1_000, "m": 1_000_000}[m[2]])
    return sorted(set(out))


def short(n: int) -> str:
    """200000 -> '200k', 1000000 -> '1m'."""
    if n % 1_000_000 == 0:
        return f"{n // 1_000_000}m"
    return f"{n // 1000}k" if n % 1000 == 0 else str(n)


def layer_name(n: int) -> str:
    """The table and collection id of the parcels at ``n`` rows (``planmap import … --layer``)."""
    return f"landuse_{short(n)}"


@dataclass(frozen=True)
class RunConfig:
    rows: list[int]
    servers: list[str]
    duration: int  # seconds of each timed wrk run
    warmup: int  # seconds of the untimed wrk run before it
    connections: int = 16
    threads: int = 2
    seed: int = 12
    urls: int = 64  # random URLs per request kind
    pg: str = "postgresql://postgres@127.0.0.1:5432"  # server; the database names are below
    database: str = "planmap_bench"
    stats_path: str = "/api/stats/layers?layer={layer}"  # this service's land-use-by-district statistics
    spatialite: bool = True
    date: str = dt.date.today().isoformat()

    @property
    def db_url(self) -> str:
        return f"{self.pg}/{self.database}"

    @property
    def source_url(self) -> str:
        """The scratch database where the generator makes the parcels before they are exported."""
        return f"{self.pg}/{self.database}_source"

    @property
    def sqlite_path(self) -> Path:
        return VAR / "planmap-bench.sqlite"

    @property
    def result_stem(self) -> Path:
        return RESULTS / f"{self.date}-{'-'.join(short(n) for n in self.rows)}"
