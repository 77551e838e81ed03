"""One measurement session: start the servers on one database, check every request on every server, then time
the ones that passed with wrk, request kind by request kind (the servers take turns, so a burst of load from
elsewhere on the machine is spread over all of them), sampling each worker's memory all along.
"""

from __future__ import annotations

from benchmarks.landuse.check import check
from benchmarks.landuse.config import RunConfig
from benchmarks.landuse.dialects import Dialect
from benchmarks.landuse.load import drive
from benchmarks.landuse.procs import Sampler, Server
from benchmarks.landuse.workload import KINDS, Req

Requests = dict[str, dict[str, list[Req]]]  # dataset ("plan", "landuse_10k", …) -> kind -> requests
Pairs = list[tuple[Server, Dialect]]


def _check_all(pairs: Pairs, requests: Requests, say) -> dict:
    out: dict = {}
    for dataset, kinds in requests.items():
        for kind, reqs in kinds.items():
            for server, dialect in pairs:
                v = check(server.base, dialect, reqs)
                out.setdefault(dataset, {}).setdefault(kind, {})[server.name] = {"check": v.as_dict()}
                extra = f" ({v.reason})" if v.reason else ""
                say(f"  check {server.name:<16} {dataset:<13} {kind:<15} {v.status}{extra}")
    return out


def _time_all(cfg: RunConfig, pairs: Pairs, requests: Requests, rows: dict, busy_queries, say) -> None:
    for dataset, kinds in requests.items():
        for kind, reqs in kinds.items():
            for server, dialect in pairs:
                cell = rows[dataset][kind][server.name]
                if cell["check"]["status"] != "ok":
                    continue
                paths = [dialect.path(r) for r in reqs]
                r = drive(cfg, server.base, paths, f"{server.name}-{dataset}-{kind}")
                r.settle_s = round(server.settle(busy_queries), 1)
                cell["load"] = r.as_dict()
                errors = f"  {r.errors} errors" if r.errors else ""
                say(f"  {server.name:<16} {dataset:<13} {KINDS[kind].label:<40} {r.rps:>8.1f} req/s  "
                    f"p50 {r.p50_ms:>7.1f} ms  p95 {r.p95_ms:>7.1f} ms  (n={r.requests}, "
                    f"load {r.load1}, settled in {r.settle_s} s){errors}")


def session(cfg: RunConfig, pairs: Pairs, requests: Requests, busy_queries, say) -> dict:
    """Check and time every request on every server; the servers are stopped whatever happens.
    ``busy_queries()`` counts the database's running queries (None on SpatiaLite): see ``Server.settle``."""
    servers = [s for s, _ in pairs]
    try:
        for s in servers:
            say(f"starting {s.name}: {' '.join(s.cmd)}")
            s.start()
        with Sampler(servers):
            rows = _check_all(pairs, requests, say)
            _time_all(cfg, pairs, requests, rows, busy_queries, say)
    finally:
        for s in servers:
            s.stop()
    return {"rows": rows, "servers": {s.name: _memory(s) for s in servers}}


def _memory(s: Server) -> dict:
    """Each worker's largest RSS through the session (a restarted worker counts as one more)."""
    return {"command": " ".join(s.cmd), "worker_rss_mb": sorted(round(v, 1) for v in s.peak_rss.values()),
            "start_rss_mb": round(max(s.start_rss.values(), default=0), 1),
            "max_worker_rss_mb": round(max(s.peak_rss.values(), default=0), 1)}

