"""Upstream files: sha256-checked, mirror first, one clear error naming the file and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from layers import upstream
from layers.settings import REPO_ROOT
from tests.conftest import MIRROR

UNREACHABLE = "http://127.0.0.1:9/{repository}/{commit}/{path}"  # tests never reach out of the machine
ENTRY = upstream.read_manifest(REPO_ROOT / "data" / "manifest.yaml")[0]


def test_manifest_pins_commit_and_hash():
    for entry in upstream.read_manifest(REPO_ROOT / "data" / "manifest.yaml"):
        assert len(entry.commit) == 40 and len(entry.sha256) == 64
        assert entry.commit in entry.url() and entry.licence.startswith(("GPL-3.0", "MIT"))


def test_fetch_from_mirror_verifies_hash(tmp_path):
    path = upstream.fetch(ENTRY, tmp_path / "cache", Path(MIRROR))
    assert upstream._sha256(path) == ENTRY.sha256


def test_wrong_hash_in_mirror_names_the_file(tmp_path):
    mirror = tmp_path / "mirror"
    bad = ENTRY.mirror_path(mirror)
    bad.parent.mkdir(parents=True)
    bad.write_text("{}")
    with pytest.raises(upstream.UpstreamError, match=r"data/gis/91.json.*wrong sha256"):
        upstream.fetch(ENTRY, tmp_path / "cache", mirror)
    assert not (tmp_path / "cache" / ENTRY.project / ENTRY.commit / ENTRY.path).exists()


def test_no_mirror_and_no_network_says_how_to_fix(tmp_path):
    with pytest.raises(upstream.UpstreamError, match=r"data/gis/91.json.*PLANMAP_MIRROR"):
        upstream.fetch(ENTRY, tmp_path / "cache", None, UNREACHABLE)


def test_cached_copy_is_reused_without_mirror(tmp_path):
    cache = tmp_path / "cache"
    first = upstream.fetch(ENTRY, cache, Path(MIRROR))
    assert upstream.fetch(ENTRY, cache, None) == first
