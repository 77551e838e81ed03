"""The result of a run as Markdown: imports, one table per dataset (req/s, p50, p95 per server, ratios),
first-page growth, MVT completeness, worker memory, SpatiaLite, and the issue's targets with pass/fail."""

from __future__ import annotations

from benchmarks.landuse.config import SERVERS
from benchmarks.landuse.targets import growth
from benchmarks.landuse.workload import KINDS

FEW = 100  # fewer answers than this in a timed run: the percentiles rest on few samples, say so
NAMES = {"this": "this service", "tipg": "TiPg", "pygeoapi": "pygeoapi", "this-spatialite": "this service"}


def _table(head: list[str], rows: list[list]) -> list[str]:
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return out


def _dataset_title(dataset: str) -> str:
    return "Plan layers (`features`, `districts`)" if dataset == "plan" else f"Parcels `{dataset}`"


def _rps(value: float) -> str:
    """Whole numbers, but two significant digits below 10 req/s (0.4 is not 0)."""
    return f"{value:.0f}" if value >= 10 else f"{value:.2g}"


def _cells(cell: dict) -> list[str]:
    load = cell.get("load")
    if load and not load["requests"]:
        return [f"0 (no answer in {load['seconds']:.0f} s)", "", ""]
    if load:
        flag = f" ⚠ {load['errors']} errors" if load["errors"] else ""
        few = f" (n={load['requests']})" if load["requests"] < FEW else ""
        return [f"{_rps(load['rps'])}{few}{flag}", f"{load['p50_ms']}", f"{load['p95_ms']}"]
    check = cell.get("check", {})
    if check.get("status") == "slow":
        return [f"{_rps(1000 / check['second_ms'])} (1 request alone)", f"{check['second_ms']:.0f}", ""]
    return [{"n/a": "n/a", "failed": "check failed"}.get(check.get("status"), "—"), "", ""]


def _ratio(cells: dict, other: str) -> str:
    a, b = cells.get("this", {}).get("load"), cells.get(other, {}).get("load")
    if not a or not b:
        return ""
    return f"{a['rps'] / b['rps']:.2f}×" if b["rps"] else "∞ (no answer from the other)"


def _notes(rows: dict) -> list[str]:
    notes = []
    for dataset, kinds in rows.items():
        for kind, cells in kinds.items():
            for server, cell in cells.items():
                c = cell["check"]
                if c["status"] != "ok":
                    where = f"{NAMES[server]}, {dataset}, {KINDS[kind].label}"
                    notes.append(f"- {where}: {c['status']}, {c['reason']}")
    return notes


def request_tables(session: dict, servers: list[str]) -> list[str]:
    out = []
    head = ["request"]
    for s in servers:
        head += [f"{NAMES[s]} req/s", "p50 ms", "p95 ms"]
    ratios = [o for o in ("tipg", "pygeoapi") if o in servers and "this" in servers]
    head += [f"this/{NAMES[o]}" for o in ratios]
    for dataset, kinds in session["rows"].items():
        rows = []
        for kind, cells in kinds.items():
            row = [KINDS[kind].label]
            for s in servers:
                row += _cells(cells.get(s, {}))
            rows.append(row + [_ratio(cells, o) for o in ratios])
        out += ["", f"### {_dataset_title(dataset)}", "", *_table(head, rows)]
    notes = _notes(session["rows"])
    return out + (["", "Not timed:", *notes] if notes else [])


def mvt_table(session: dict) -> list[str]:
    rows = []
    for dataset, kinds in session["rows"].items():
        for kind in ("mvt_z12", "districts_mvt"):
            for server, cell in kinds.get(kind, {}).items():
                c = cell["check"]
                if c["status"] == "ok":
                    rows.append([dataset, KINDS[kind].label, NAMES[server], "–".join(map(str, c["features"])),
                                 c.get("completeness", "")])
    return _table(["dataset", "tile", "server", "features per tile (min–max)", "completeness (min)"], rows)


def memory_table(sessions: dict) -> list[str]:
    rows = [[NAMES[name] + (" (SpatiaLite)" if "spatialite" in name else ""), m["worker_rss_mb"],
             m["start_rss_mb"], m["max_worker_rss_mb"]] for name, m in sessions.items()]
    return _table(["server", "each worker's max RSS (MB)", "RSS after start (MB)", "max (MB)"], rows)


def import_table(imports: list[dict]) -> list[str]:
    return _table(["layer", "rows", "tool", "seconds", "rows/s", "peak RSS (MB)", "GeoPackage (MB)"],
                  [[i["layer"], f"{i['rows']:,}", i["tool"], i["seconds"], f"{i['rows_per_s']:,}",
                    i["peak_rss_mb"], i["file_mb"]] for i in imports])


def _header(res: dict) -> list[str]:
    cfg, env = res["config"], res["environment"]
    http = ", ".join(f"{k}: {v}" for k, v in env["http"].items())
    return [
        f"# Land-use benchmark, {cfg['date']}",
        "",
        f"`{cfg['command']}`",
        "",
        f"Commit {env['commit']} on {env['branch']}; {env['database']}; {env['cpus']} CPUs, load average "
        f"{env['load_average_start']} at the start and {env.get('load_average_end')} at the end. "
        f"Each server under uvicorn with 2 workers ({http}); wrk {cfg['connections']} connections, "
        f"{cfg['threads']} threads, {cfg['warmup']} s warm-up then {cfg['duration']} s per request; "
        f"{cfg['urls']} seeded random URLs per request (seed {cfg['seed']}).",
    ]


def markdown(res: dict) -> str:
    servers = [s for s in SERVERS if s in res["config"]["servers"]]
    pg = res["postgis"]
    lines = _header(res) + ["", "## Imports (PostGIS)", "", *import_table(res["imports"]),
                            "", "## Requests (PostGIS)", *request_tables(pg, servers)]
    growth_rows = [[NAMES[s], growth(res, s)[1]] for s in servers]
    lines += ["", "## First page p50, smallest to largest row count", "",
              *_table(["server", "p50"], growth_rows)]
    lines += ["", "## MVT tiles", "", *mvt_table(pg)]
    lines += ["", "## Worker memory (PostGIS session)", "", *memory_table(pg["servers"])]
    if "spatialite" in res:
        sl = res["spatialite"]
        lines += ["", "## SpatiaLite (this service only)", "", *import_table(sl["imports"]),
                  *request_tables(sl, ["this-spatialite"]), "", *memory_table(sl["servers"])]
    lines += ["", "## Targets (issue 12)", "",
              *_table(["target", "measured", "verdict"], [[t["target"], t["measured"], t["verdict"]]
                                                          for t in res["targets"]])]
    return "\n".join(lines) + "\n"
