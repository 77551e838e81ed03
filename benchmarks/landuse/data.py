"""The data every server reads: a fresh PostGIS database with the plan (``planmap init`` + ``planmap load``)
and synthetic land-use parcels, generated over the real districts, exported to a GeoPackage as a user's file,
and imported with ``planmap import`` (timed, peak RSS) or, until that command exists, with ``ogr2ogr``.

The GeoPackages are kept in ``var/bench/data`` and remade only when the generator or the district file
changes, so a rerun costs the import, not the generation.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path

from benchmarks.landuse.config import MIRROR, REPO, SHARED, VAR, RunConfig, layer_name, short
from benchmarks.landuse.procs import BenchError, run, timed

PLANMAP = REPO / ".venv" / "bin" / "planmap"
GENERATOR = SHARED / "bench"
SOURCE_LAYER = "landuse_parcels"  # layer name inside the GeoPackage


@dataclass
class ImportResult:
    layer: str
    rows: int
    tool: str  # "planmap import" or "ogr2ogr (fallback: no planmap import yet)"
    seconds: float
    peak_rss_mb: float
    file_mb: float

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.seconds

    def as_dict(self) -> dict:
        return asdict(self) | {"rows_per_s": round(self.rows_per_s)}


def planmap_env(database_url: str) -> dict:
    env = dict(os.environ, PLANMAP_DATABASE_URL=database_url)
    if MIRROR.exists():
        env["PLANMAP_MIRROR"] = str(MIRROR)
    return env


def has_command(*args: str) -> bool:
    """Whether ``planmap ARGS --help`` succeeds (the command exists on this branch)."""
    proc = subprocess.run([str(PLANMAP), *args, "--help"], capture_output=True, text=True)
    return proc.returncode == 0


def psql(url: str, sql: str | None = None, file: Path | None = None, stdin: str | None = None) -> str:
    cmd = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-At", url]
    cmd += ["-c", sql] if sql else ["-f", str(file)] if file else []
    return run(cmd, stdin=stdin)


def fresh_database(cfg: RunConfig, url: str) -> None:
    """Drop and create the database named at the end of ``url`` (connections of a crashed run are ended)."""
    name = url.rsplit("/", 1)[1]
    psql(f"{cfg.pg}/postgres", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    psql(f"{cfg.pg}/postgres", f'CREATE DATABASE "{name}"')
    psql(url, "CREATE EXTENSION postgis")


def districts_file() -> Path:
    found = sorted(MIRROR.glob("dvhcvn/*/data/gis/91.json"))
    if not found:
        raise BenchError(f"no dvhcvn data/gis/91.json under {MIRROR} (set PLANMAP_MIRROR)")
    return found[0]


def _generator_digest() -> str:
    h = hashlib.sha256()
    for path in (GENERATOR / "parcels.sql", GENERATOR / "districts_sql.py", districts_file()):
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def geopackages(cfg: RunConfig, say) -> dict[int, Path]:
    """One GeoPackage per row count, made by the shared generator; reused while the generator is unchanged."""
    digest = _generator_digest()
    out = VAR / "data"
    out.mkdir(parents=True, exist_ok=True)
    files = {n: out / f"parcels-{short(n)}-{digest}.gpkg" for n in cfg.rows}
    missing = [n for n, f in files.items() if not f.exists()]
    if not missing:
        return files
    fresh_database(cfg, cfg.source_url)
    try:
        districts_sql = run(["python3", str(GENERATOR / "districts_sql.py"), str(districts_file())])
        psql(cfg.source_url, stdin=districts_sql)
        psql(cfg.source_url, file=GENERATOR / "parcels.sql")
        for n in missing:
            say(f"generating {n:,} parcels (shared generator)")
            table = f"parcels_{short(n)}"
            psql(cfg.source_url, f"SELECT bench_make_parcels('{table}', {n})")
            tmp = files[n].with_suffix(".tmp.gpkg")
            tmp.unlink(missing_ok=True)
            run(["ogr2ogr", "-f", "GPKG", str(tmp), f"PG:{_gdal_dsn(cfg.source_url)}", table,
                 "-nln", SOURCE_LAYER])
            tmp.rename(files[n])
    finally:
        source = cfg.source_url.rsplit("/", 1)[1]
        psql(f"{cfg.pg}/postgres", f'DROP DATABASE IF EXISTS "{source}" WITH (FORCE)')
    return files


def _gdal_dsn(url: str) -> str:
    """postgresql://user@host:port/db -> a libpq URI GDAL accepts after ``PG:``."""
    return url if url.startswith("postgresql://") else url.replace("postgresql+psycopg://", "postgresql://")


def load_plan(database_url: str) -> None:
    """``planmap init`` then ``planmap load``: the plan layers as the service writes them."""
    env = planmap_env(database_url)
    run([str(PLANMAP), "init"], env=env)
    run([str(PLANMAP), "load"], env=env)


def import_parcels(database_url: str, gpkg: Path, n: int) -> ImportResult:
    """Bring one GeoPackage in as table ``landuse_<n>``: ``planmap import`` when it exists, else ogr2ogr."""
    layer = layer_name(n)
    log = VAR / "logs" / f"import-{layer}-{'pg' if database_url.startswith('postgresql') else 'sqlite'}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    if has_command("import"):
        cmd = [str(PLANMAP), "import", str(gpkg), "--layer", layer]  # the database: PLANMAP_DATABASE_URL
        t = timed(cmd, env=planmap_env(database_url), log=log)
        tool = "planmap import"
    else:
        t = timed(_ogr2ogr_import(database_url, gpkg, layer), log=log)
        tool = "ogr2ogr (fallback: no `planmap import` on this branch)"
    return ImportResult(layer, n, tool, round(t.seconds, 2), round(t.peak_rss_mb, 1),
                        round(gpkg.stat().st_size / 2**20, 1))


def _ogr2ogr_import(database_url: str, gpkg: Path, layer: str) -> list[str]:
    common = [str(gpkg), SOURCE_LAYER, "-nln", layer, "-lco", "FID=id", "-lco", "GEOMETRY_NAME=geom",
              "-overwrite"]
    if database_url.startswith("postgresql"):
        return ["ogr2ogr", "-f", "PostgreSQL", f"PG:{_gdal_dsn(database_url)}", *common]
    path = database_url.removeprefix("sqlite:///")
    return ["ogr2ogr", "-f", "SQLite", "-update", path, *common, "-lco", "SPATIAL_INDEX=YES"]


def analyze(database_url: str) -> None:
    """Planner statistics for every server alike (the import is timed before this)."""
    psql(database_url, "ANALYZE")
