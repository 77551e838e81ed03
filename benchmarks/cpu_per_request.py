"""Server CPU time per request: what one request costs this service, apart from the noise of a shared machine.

Starts ``planmap serve --workers 1`` on a database, drives each request with wrk (4 connections, 1 thread) and
reads the CPU time (user + system) of the server process and of the PostgreSQL backends from ``/proc`` before and
after: CPU milliseconds per answered request. Wall-clock rates on a busy 2-core machine swing by 2×; CPU per
request moves by a few percent, so it shows what a change to the request path saves.

    .venv/bin/python benchmarks/cpu_per_request.py --database-url postgresql://postgres@127.0.0.1:5432/planmap_bench \\
        --layer landuse_200k

Profile one request kind while it runs (the numbers in benchmarks/README.md came from these):

    py-spy record --gil -p <server pid> -d 12 -f raw -o profile.txt
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import morecantile

ROOT = Path(__file__).resolve().parents[1]
TICK = os.sysconf("SC_CLK_TCK")


def requests(layer: str) -> dict[str, str]:
    tms = morecantile.tms.get("WebMercatorQuad")
    t12, t11 = tms.tile(105.09, 10.02, 12), tms.tile(105.09, 10.02, 11)
    return {
        "one parcel": f"/ogc/collections/{layer}/items/12345",
        "parcels, 1 km bbox, limit=100": f"/ogc/collections/{layer}/items?bbox=105.085,10.015,105.094,10.024&limit=100",
        "parcels, first page, limit=10": f"/ogc/collections/{layer}/items?limit=10",
        "parcels MVT z12": f"/ogc/collections/{layer}/tiles/WebMercatorQuad/12/{t12.y}/{t12.x}",
        "one cluster": "/ogc/collections/industrial_clusters/items/ccn-cai-tu",
        "clusters, limit=100": "/ogc/collections/industrial_clusters/items?limit=100",
        "districts, 5 km bbox, limit=10": "/ogc/collections/districts/items?bbox=105.06,9.99,105.11,10.04&limit=10",
        "districts MVT z11": f"/ogc/collections/districts/tiles/WebMercatorQuad/11/{t11.y}/{t11.x}",
    }


def _ticks(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total


def _tree(pid: int) -> list[int]:
    children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [pid] + [q for c in children for q in _tree(int(c))]


def _backends(database: str) -> list[int]:
    out = subprocess.run(["pgrep", "-f", f"postgres: .* {database} "], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def measure(base: str, path: str, server: int, database: str, seconds: int) -> tuple[int, float, float]:
    subprocess.run(["wrk", "-t1", "-c4", "-d2s", base + path], capture_output=True, check=True)  # warm-up
    pids, backends = _tree(server), _backends(database)
    before, before_pg = _ticks(pids), _ticks(backends)
    out = subprocess.run(["wrk", "-t1", "-c4", f"-d{seconds}s", base + path], capture_output=True, text=True,
                         check=True).stdout
    after, after_pg = _ticks(pids), _ticks(backends)
    n = int(re.search(r"(\d+) requests in", out).group(1))
    return n, (after - before) * 1000 / TICK / n, (after_pg - before_pg) * 1000 / TICK / n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--layer", default="landuse_200k", help="an imported parcel layer in that database")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--seconds", type=int, default=8)
    args = parser.parse_args()
    env = os.environ | {"PLANMAP_DATABASE_URL": args.database_url}
    server = subprocess.Popen([str(ROOT / ".venv/bin/planmap"), "serve", "--workers", "1", "--port", str(args.port)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(base + "/health", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        database = args.database_url.rsplit("/", 1)[1]
        print(f"| request | answers in {args.seconds} s | server CPU ms/request | PostgreSQL CPU ms/request |")
        print("|---|---|---|---|")
        for name, path in requests(args.layer).items():
            n, cpu, pg = measure(base, path, server.pid, database, args.seconds)
            print(f"| {name} | {n} | {cpu:.2f} | {pg:.2f} |")
            sys.stdout.flush()
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
