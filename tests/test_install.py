"""A plain ``pip install .`` (no test extra) runs the service: nothing in the serving path needs a test tool.

The wheel is built and installed into a new virtual environment outside the source tree, so the check sees what
a user gets (package data included), not the editable checkout.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx

from layers.settings import REPO_ROOT
from tests.conftest import MIRROR, answers, free_port


def test_plain_install_serves_the_map_and_the_apis(tmp_path: Path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = subprocess.run([str(venv / "bin" / "pip"), "install", "-q", str(REPO_ROOT)], capture_output=True,
                         text=True, timeout=900)
    assert pip.returncode == 0, pip.stderr[-3000:]
    home = tmp_path / "run"  # not the checkout: the installed package must find everything in itself
    home.mkdir()
    env = {"PATH": os.environ["PATH"], "HOME": str(home), "PLANMAP_MIRROR": MIRROR, "PLANMAP_BASEMAP_URL": "",
           "PLANMAP_DATABASE_URL": f"sqlite:///{home / 'planmap.sqlite'}", "PLANMAP_CACHE_DIR": str(home / "cache"),
           "PLANMAP_DATA_DIR": str(REPO_ROOT / "data"), "PLANMAP_SECRET_KEY": "x" * 32}
    planmap = str(venv / "bin" / "planmap")
    loaded = subprocess.run([planmap, "load"], env=env, cwd=home, capture_output=True, text=True, timeout=600)
    assert loaded.returncode == 0, loaded.stderr[-3000:]
    port = free_port()
    server = subprocess.Popen([planmap, "serve", "--port", str(port), "--workers", "1"], env=env, cwd=home,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        # a new environment's first start compiles and caches (fonts, bytecode)
        if not answers(f"{base}/health", 120, lambda: server.poll() is None):
            server.terminate()
            raise AssertionError(f"the installed service did not start:\n{server.communicate(timeout=30)[0][-3000:]}")
        assert httpx.get(f"{base}/ogc/collections/industrial_parks/items").json()["numberMatched"] == 5
        page = httpx.get(f"{base}/")
        assert page.status_code == 200 and "leaflet" in page.text.lower()
        assert httpx.get(f"{base}/api/exports/industrial_parks.gpkg").status_code == 200
    finally:
        server.terminate()
        server.wait(timeout=30)
