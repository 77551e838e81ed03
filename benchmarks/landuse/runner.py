"""A whole run: data, PostGIS session (all servers), SpatiaLite session (this service), report files."""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
from dataclasses import asdict

import psycopg

from benchmarks.landuse import data, servers, targets, workload
from benchmarks.landuse.config import REPO, SPATIALITE_ROWS, VAR, RunConfig, layer_name
from benchmarks.landuse.dialects import for_server
from benchmarks.landuse.measure import session
from benchmarks.landuse.procs import BenchError, stop_leftovers
from benchmarks.landuse.report import markdown

TOOLS = ("wrk", "ogr2ogr", "psql", "/usr/bin/time")


def preflight() -> None:
    missing = [t for t in TOOLS if not shutil.which(t)]
    if missing:
        raise BenchError(f"missing tools: {', '.join(missing)} (Debian: apt-get install -y wrk gdal-bin "
                         "postgresql-client time)")
    if not data.PLANMAP.exists():
        raise BenchError(f"{data.PLANMAP} not found: run `make install` first")


def _git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, text=True).stdout.strip()


def environment(cfg: RunConfig) -> dict:
    """What the numbers depend on: code, versions, machine and how busy it was."""
    pg = data.psql(cfg.db_url, "SELECT version() || ' / PostGIS ' || postgis_lib_version()")
    return {
        "commit": _git("rev-parse", "--short", "HEAD") + (" (with uncommitted changes)" if _git(
            "status", "--porcelain", "--untracked-files=no") else ""),
        "branch": _git("rev-parse", "--abbrev-ref", "HEAD"),
        "planmap_import": data.has_command("import"),
        "planmap_serve_workers": servers.serve_has_workers(),
        "database": pg.strip(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "load_average_start": [round(x, 2) for x in os.getloadavg()],
        "http": {name: _http_stack(name) for name in cfg.servers},
    }


def _http_stack(name: str) -> str:
    """uvicorn picks httptools and uvloop when installed, else h11 and asyncio: say which each server got."""
    python = REPO / ".venv" / "bin" / "python" if name == "this" else VAR / name / "bin" / "python"
    code = "import importlib.util as u; print(bool(u.find_spec('httptools')), bool(u.find_spec('uvloop')))"
    out = subprocess.run([str(python), "-c", code], capture_output=True, text=True).stdout.split()
    if len(out) != 2:
        return "?"
    return ("httptools" if out[0] == "True" else "h11") + "+" + ("uvloop" if out[1] == "True" else "asyncio")


def setup_postgis(cfg: RunConfig, files: dict, say) -> list[dict]:
    say(f"fresh database {cfg.db_url}: planmap init + load")
    data.fresh_database(cfg, cfg.db_url)
    data.load_plan(cfg.db_url)
    imports = []
    for n in cfg.rows:
        r = data.import_parcels(cfg.db_url, files[n], n)
        say(f"imported {r.layer}: {r.rows:,} rows in {r.seconds:.1f} s ({r.rows_per_s:,.0f} rows/s), "
            f"peak RSS {r.peak_rss_mb:.0f} MB, {r.tool}")
        imports.append(r.as_dict())
    data.analyze(cfg.db_url)
    return imports


def running_queries(url: str):
    """A counter of the queries running in the database at ``url`` (other than its own)."""
    def count() -> int:
        with psycopg.connect(url, autocommit=True) as conn:
            return conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                "AND state = 'active' AND pid <> pg_backend_pid()").fetchone()[0]
    return count


def postgis_session(cfg: RunConfig, requests: dict, say) -> dict:
    tables = ["features", "districts", *(layer_name(n) for n in cfg.rows)]
    pairs = [(servers.make(name, cfg.db_url, tables, say), for_server(name, cfg.stats_path))
             for name in cfg.servers]
    return session(cfg, pairs, requests, running_queries(cfg.db_url), say)


def spatialite_session(cfg: RunConfig, files: dict, requests: dict, say) -> dict:
    """This service on a SpatiaLite file with the parcels of at most 200k rows."""
    rows = [n for n in cfg.rows if n in SPATIALITE_ROWS]
    path = cfg.sqlite_path
    for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        p.unlink(missing_ok=True)
    url = f"sqlite:///{path}"
    say(f"SpatiaLite {path}: planmap load, then the parcels")
    data.load_plan(url)
    imports = []
    for n in rows:
        r = data.import_parcels(url, files[n], n)
        say(f"imported {r.layer} into SpatiaLite: {r.seconds:.1f} s ({r.rows_per_s:,.0f} rows/s)")
        imports.append(r.as_dict())
    subset = {"plan": requests["plan"], **{layer_name(n): requests[layer_name(n)] for n in rows}}
    pairs = [(servers.this_server(url, name="this-spatialite"), for_server("this", cfg.stats_path))]
    return {"imports": imports, **session(cfg, pairs, subset, None, say)}


def run(cfg: RunConfig, command: str, say) -> dict:
    """Everything, in order; the result is also written to ``results/<date>-<rows>.{md,json}``."""
    preflight()
    stop_leftovers()
    files = data.geopackages(cfg, say)
    result: dict = {"config": asdict(cfg) | {"command": command}}
    result["imports"] = setup_postgis(cfg, files, say)
    result["environment"] = environment(cfg)
    say("drawing the requests (seeded) and counting their answers in SQL")
    requests = workload.draw(cfg)
    result["postgis"] = postgis_session(cfg, requests, say)
    if cfg.spatialite and "this" in cfg.servers:
        result["spatialite"] = spatialite_session(cfg, files, requests, say)
    result["environment"]["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    result["targets"] = targets.evaluate(result)
    cfg.result_stem.parent.mkdir(parents=True, exist_ok=True)
    cfg.result_stem.with_suffix(".json").write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
    cfg.result_stem.with_suffix(".md").write_text(markdown(result))
    return result
