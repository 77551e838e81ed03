"""The `planmap` command line on a real database: init, load, stats, validate."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from layers.settings import REPO_ROOT
from tests.conftest import MIRROR, answers, free_port
from tests.test_upstream import UNREACHABLE
from tests.reference import official_areas_km2

PLANMAP = [sys.executable, "-m", "api.cli"]


def run(*args, env=None, check=True) -> subprocess.CompletedProcess:
    env = {**os.environ, "PLANMAP_MIRROR": MIRROR, **(env or {})}
    proc = subprocess.run([*PLANMAP, *args], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


@pytest.fixture(scope="module")
def cli_db(backend, fresh_database, tmp_path_factory):
    url = fresh_database(backend)
    env = {"PLANMAP_CACHE_DIR": str(tmp_path_factory.mktemp("cache"))}
    run("init", "--database-url", url, env=env)
    run("load", "--database-url", url, env=env)
    return url, env


def test_stats_json_lists_15_districts_summing_to_the_province(cli_db):
    url, env = cli_db
    out = json.loads(run("stats", "--json", "--database-url", url, env=env).stdout)
    assert out["crs"] == "EPSG:9207" and len(out["districts"]) == 15
    assert {"gso_code", "name", "area_ha"} <= set(out["districts"][0])
    total_km2 = sum(d["area_ha"] for d in out["districts"]) / 100
    assert total_km2 == pytest.approx(official_areas_km2()["province"][0], rel=0.02)


def test_stats_table_for_people(cli_db):
    url, env = cli_db
    assert "Gò Quao" in run("stats", "--database-url", url, env=env).stdout


def test_validate_passes_and_prints_counts():
    out = run("validate").stdout
    assert "industrial_parks" in out and "data/ is valid" in out


def test_validate_broken_file_gives_file_line_and_exit_1(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(REPO_ROOT / "data", data)
    tasks = data / "plan" / "tasks_2022.yaml"
    lines = tasks.read_text(encoding="utf-8").splitlines()
    n = next(i for i, line in enumerate(lines) if line.strip().startswith("leads:"))
    lines[n] = lines[n].split("leads:")[0] + "leads: [so-khong-ton-tai]"
    tasks.write_text("\n".join(lines) + "\n", encoding="utf-8")
    proc = run("validate", env={"PLANMAP_DATA_DIR": str(data)}, check=False)
    assert proc.returncode == 1
    assert f"{tasks}:{n + 1}: unknown agency 'so-khong-ton-tai'" in proc.stderr.replace("\n", "")


def test_load_without_upstream_files_fails_clearly(backend, fresh_database, tmp_path):
    url = fresh_database(backend)
    env = {"PLANMAP_MIRROR": str(tmp_path / "empty"), "PLANMAP_CACHE_DIR": str(tmp_path / "cache"),
           "PLANMAP_UPSTREAM_URL": UNREACHABLE}
    proc = subprocess.run([*PLANMAP, "load", "--database-url", url], cwd=REPO_ROOT, capture_output=True,
                          text=True, env={**os.environ, **env}, timeout=300)
    assert proc.returncode == 1 and "data/gis/91.json" in proc.stderr and "PLANMAP_MIRROR" in proc.stderr


@pytest.mark.parametrize("flag", ["--access-log", "--no-access-log"])
def test_serve_logs_requests_unless_a_proxy_does(cli_db, flag):
    """`planmap serve --no-access-log` behind a proxy that logs: the server writes no line per request."""
    url, env = cli_db
    port = free_port()
    server = subprocess.Popen([*PLANMAP, "serve", "--workers", "1", "--port", str(port), flag, "--database-url", url],
                              cwd=REPO_ROOT, env={**os.environ, "PLANMAP_MIRROR": MIRROR, **env},
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        up = answers(f"http://127.0.0.1:{port}/ogc/collections", 60, lambda: server.poll() is None)
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert up, f"the server did not start: {output[-2000:]}"
    assert "Application startup complete" in output
    assert ('"GET /ogc/collections HTTP/1.1" 200' in output) == (flag == "--access-log"), output[-2000:]
