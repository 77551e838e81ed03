"""The three servers, each in its own environment, on the same database, under uvicorn with 2 workers.

- this service: the project's ``.venv`` (``planmap serve --workers 2`` when the option exists, else uvicorn on
  ``api.app:create_app --factory``);
- TiPg: ``var/bench/tipg`` (Python 3.11), versions pinned in ``requirements/tipg.txt``;
- pygeoapi: ``var/bench/pygeoapi`` (Python 3.12 from pyenv), ``requirements/pygeoapi.txt``, with a
  generated configuration (PostgreSQL feature provider and MVT-postgresql tile provider per table).

No server writes an access log (the same for all three).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import yaml

from benchmarks.landuse.config import HERE, REPO, VAR
from benchmarks.landuse.data import PLANMAP, planmap_env
from benchmarks.landuse.procs import BenchError, Server, free_port, run

WORKERS = 2
PYTHONS = {"tipg": ("3.11",), "pygeoapi": ("3.12",)}  # the versions requirements/*.txt were frozen with


def _python(versions: tuple[str, ...]) -> str:
    roots = sorted(Path.home().joinpath(".pyenv", "versions").glob("3.*"), reverse=True)
    for want in versions:
        for root in roots:
            if root.name.startswith(want + ".") and (root / "bin" / "python").exists():
                return str(root / "bin" / "python")
        found = shutil.which(f"python{want}")
        if found:
            return found
    raise BenchError(f"no Python {' or '.join(versions)} found (pyenv or PATH)")


def ensure_venv(name: str, say) -> Path:
    """``var/bench/<name>`` with exactly the pinned requirements; rebuilt only when they change."""
    reqs = HERE / "requirements" / f"{name}.txt"
    venv = VAR / name
    stamp = venv / ".requirements-sha256"
    digest = hashlib.sha256(reqs.read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return venv
    say(f"installing {name} into {venv} (pinned: {reqs.relative_to(REPO)})")
    if venv.exists():
        shutil.rmtree(venv)
    run([_python(PYTHONS[name]), "-m", "venv", str(venv)])
    run([str(venv / "bin" / "pip"), "install", "-q", "--disable-pip-version-check", "-r", str(reqs)])
    stamp.write_text(digest)
    return venv


def _uvicorn(python_bin: Path, app: str, port: int, *extra: str) -> list[str]:
    return [str(python_bin / "uvicorn"), app, *extra, "--host", "127.0.0.1", "--port", str(port),
            "--workers", str(WORKERS), "--no-access-log", "--log-level", "warning"]


def this_server(database_url: str, name: str = "this") -> Server:
    """This service; ``planmap serve --workers`` once it has the option."""
    port = free_port()
    env = planmap_env(database_url)
    if serve_has_workers():
        cmd = [str(PLANMAP), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(WORKERS),
               "--no-access-log"]  # as the others run
    else:
        cmd = _uvicorn(REPO / ".venv" / "bin", "api.app:create_app", port, "--factory")
    env["PYTHONPATH"] = str(REPO)
    return Server(name, cmd, env, port, "/health")


def tipg_server(database_url: str, tables: list[str], say) -> Server:
    venv = ensure_venv("tipg", say)
    port = free_port()
    env = dict(os.environ, DATABASE_URL=database_url, TIPG_DB_SCHEMAS='["public"]',
               TIPG_DB_TABLES=json.dumps([f"public.{t}" for t in tables]),
               TIPG_DB_FUNCTIONS="[]")
    return Server("tipg", _uvicorn(venv / "bin", "tipg.main:app", port), env, port, "/healthz")


def pygeoapi_server(database_url: str, tables: list[str], say) -> Server:
    venv = ensure_venv("pygeoapi", say)
    port = free_port()
    conf_dir = VAR / "pygeoapi-conf"
    conf_dir.mkdir(parents=True, exist_ok=True)
    config, openapi = conf_dir / "config.yml", conf_dir / "openapi.yml"
    config.write_text(yaml.safe_dump(pygeoapi_config(database_url, tables, port), allow_unicode=True,
                                     sort_keys=False))
    env = dict(os.environ, PYGEOAPI_CONFIG=str(config), PYGEOAPI_OPENAPI=str(openapi))
    run([str(venv / "bin" / "pygeoapi"), "openapi", "generate", str(config), "--output-file", str(openapi)],
        env=env)
    return Server("pygeoapi", _uvicorn(venv / "bin", "pygeoapi.starlette_app:APP", port), env, port, "/")


def pygeoapi_config(database_url: str, tables: list[str], port: int) -> dict:
    """A pygeoapi configuration publishing ``tables`` (features, districts, parcels) with MVT tiles."""
    user_host, _, dbname = database_url.removeprefix("postgresql://").rpartition("/")
    user, _, hostport = user_host.rpartition("@")
    host, _, db_port = hostport.partition(":")
    data = {"host": host, "port": int(db_port or 5432), "dbname": dbname, "user": user or "postgres",
            "password": "", "search_path": ["public"]}
    id_fields = primary_keys(database_url, tables)

    def resource(table: str) -> dict:
        source = {"data": data, "id_field": id_fields[table], "table": table, "geom_field": "geom"}
        feature = {"type": "feature", "name": "PostgreSQL", **source}
        tiles = {"type": "tile", "name": "MVT-postgresql", **source,
                 # no "schemes" list: pygeoapi 0.24 passes list options on to the database driver and fails
                 "options": {"zoom": {"min": 0, "max": 22}},
                 "format": {"name": "pbf", "mimetype": "application/vnd.mapbox-vector-tile"}}
        return {"type": "collection", "title": table, "description": table, "keywords": [table],
                "extents": {"spatial": {"bbox": [101.5, 9.2, 105.6, 10.6],
                                        "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84"}},
                "providers": [feature, tiles]}

    url = f"http://127.0.0.1:{port}"
    return {
        "server": {"bind": {"host": "127.0.0.1", "port": port}, "url": url, "mimetype": "application/json",
                   "encoding": "utf-8", "languages": ["en-US"], "pretty_print": False,
                   "limits": {"default_items": 10, "max_items": 10000},
                   "map": {"url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png", "attribution": "OSM"}},
        "logging": {"level": "ERROR"},
        "metadata": {
            "identification": {"title": "benchmark", "description": "benchmark", "keywords": ["benchmark"],
                               "keywords_type": "theme", "terms_of_service": url, "url": url},
            "license": {"name": "CC-BY 4.0", "url": "https://creativecommons.org/licenses/by/4.0/"},
            "provider": {"name": "benchmark", "url": url},
            "contact": {"name": "benchmark", "position": "-", "address": "-", "city": "-",
                        "stateorprovince": "-", "postalcode": "-", "country": "-", "phone": "-", "fax": "-",
                        "email": "-", "url": url, "hours": "-", "instructions": "-",
                        "role": "pointOfContact"},
        },
        "resources": {t: resource(t) for t in tables},
    }


def primary_keys(database_url: str, tables: list[str]) -> dict[str, str]:
    """Each table's primary-key column, whichever tool made it (``planmap import`` names it ``fid``)."""
    import psycopg

    with psycopg.connect(database_url) as conn:
        return {t: conn.execute("SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
                                "AND a.attnum = i.indkey[0] WHERE i.indrelid = %s::regclass AND i.indisprimary",
                                (t,)).fetchone()[0] for t in tables}


def make(name: str, database_url: str, tables: list[str], say) -> Server:
    """The server ``name`` ("this", "tipg", "pygeoapi") on ``database_url`` (``postgresql://…``)."""
    if name == "this":
        return this_server(database_url)
    if name == "tipg":
        return tipg_server(database_url, tables, say)
    if name == "pygeoapi":
        return pygeoapi_server(database_url, tables, say)
    raise BenchError(f"unknown server {name!r}")


def serve_has_workers() -> bool:
    """Whether ``planmap serve`` takes ``--workers`` (the issue asks for it; main may not have it yet)."""
    proc = subprocess.run([str(PLANMAP), "serve", "--help"], capture_output=True, text=True)
    return proc.returncode == 0 and "--workers" in proc.stdout
