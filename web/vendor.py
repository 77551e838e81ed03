"""Vendor the web map's JS/CSS assets from npm into ``web/static/vendor`` (git-ignored): no CDN at run time.

Pinned versions and sha512 integrities make the result deterministic; a stamp file makes a second run a no-op.

    python -m web.vendor          # fetch what is missing
    python -m web.vendor --force  # fetch again
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

VENDOR_DIR = Path(__file__).resolve().parent / "static" / "vendor"
STAMP = VENDOR_DIR / "vendor.json"

# package -> (version, npm integrity, {path in the tarball: path under vendor/})
PACKAGES: dict[str, tuple[str, str, dict[str, str]]] = {
    "leaflet": (
        "1.9.4",
        "sha512-nxS1ynzJOmOlHp+iL3FyWqK89GtNL8U8rvlMOsQdTTssxZwCXh8N2NB3GDQOL+YR3XnWyZAxwQixURb+FA74PA==",
        {
            "package/dist/leaflet.js": "leaflet/leaflet.js",
            "package/dist/leaflet.css": "leaflet/leaflet.css",
            "package/dist/images/layers.png": "leaflet/images/layers.png",
            "package/dist/images/layers-2x.png": "leaflet/images/layers-2x.png",
            "package/dist/images/marker-icon.png": "leaflet/images/marker-icon.png",
            "package/dist/images/marker-icon-2x.png": "leaflet/images/marker-icon-2x.png",
            "package/dist/images/marker-shadow.png": "leaflet/images/marker-shadow.png",
            "package/LICENSE": "leaflet/LICENSE",
        },
    ),
    "proj4": (
        "2.12.1",
        "sha512-vmhP3hmstjXjzFwg8QXJwpoj4n7GVrXk3ZW3DzNK/Ur4cuwXq7ZiMXaWYvLYLQbX8n4MXgbwTr4lthOUZltBpA==",
        {"package/dist/proj4.js": "proj4/proj4.js", "package/LICENSE.md": "proj4/LICENSE.md"},
    ),
    # /api/docs: Swagger UI served from here, not from a CDN (and so under the pages' Content-Security-Policy)
    "swagger-ui-dist": (
        "5.32.0",
        "sha512-nKZB0OuDvacB0s/lC2gbge+RigYvGRGpLLMWMFxaTUwfM+CfndVk9Th2IaTinqXiz6Mn26GK2zriCpv6/+5m3Q==",
        {
            "package/swagger-ui-bundle.js": "swagger-ui/swagger-ui-bundle.js",
            "package/swagger-ui.css": "swagger-ui/swagger-ui.css",
            "package/LICENSE": "swagger-ui/LICENSE",
        },
    ),
    # imported layers (land-use parcels) drawn from the service's vector tiles; maintained, built on Leaflet's public
    # API (Leaflet.VectorGrid 1.3.0, the last release, breaks clicks on Leaflet >= 1.8), BSD-3-Clause
    "leaflet-vector-tile-layer": (
        "0.15.0",
        "sha512-TJqxK1Z1np/52Zsk+X+CJXCahAoNcdF3hH8chmPFHikBd0zBMn3fuGBGo3htq4niegK+WAelKCXGB/oBrtOZeA==",
        {
            "package/dist/VectorTileLayer.umd.min.js": "leaflet-vector-tile-layer/VectorTileLayer.umd.min.js",
            "package/LICENCE": "leaflet-vector-tile-layer/LICENCE",
        },
    ),
    # accessibility checks of the browser tests (tests/test_map_a11y.py), run offline like everything else
    "axe-core": (
        "4.14.1",
        "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ==",
        {"package/axe.min.js": "axe-core/axe.min.js", "package/LICENSE": "axe-core/LICENSE"},
    ),
}


class VendorError(RuntimeError):
    pass


def wanted() -> dict[str, str]:
    return {name: version for name, (version, _, _) in PACKAGES.items()}


def is_current() -> bool:
    """True when every pinned file is already in place (nothing to download)."""
    if not STAMP.exists() or json.loads(STAMP.read_text()) != wanted():
        return False
    return all((VENDOR_DIR / dst).exists() for _, _, files in PACKAGES.values() for dst in files.values())


def _check_integrity(data: bytes, integrity: str, name: str) -> None:
    algo, _, expected = integrity.partition("-")
    actual = base64.b64encode(hashlib.new(algo, data).digest()).decode()
    if actual != expected:
        raise VendorError(f"{name}: tarball integrity mismatch (expected {integrity})")


def _npm_pack(spec: str, workdir: Path) -> bytes:
    """The tarball of ``spec`` via the npm client (uses its cache, so offline re-runs work once cached)."""
    try:
        out = subprocess.run(
            ["npm", "pack", spec, "--json", "--prefer-offline", "--pack-destination", str(workdir)],
            capture_output=True,
            text=True,
            check=True,
            timeout=300,
        )
    except FileNotFoundError as exc:
        raise VendorError("npm is not installed: install Node.js 20 (npm) to vendor the web assets") from exc
    except subprocess.CalledProcessError as exc:
        codes = [ln for ln in exc.stderr.splitlines() if ln.startswith("npm error code")]
        raise VendorError(
            f"npm pack {spec} failed ({'; '.join(codes) or exc.stderr.strip()[-200:]}): the npm "
            "registry is not reachable and the package is not in the npm cache; vendor once "
            "with the network on (make vendor), then the map works offline"
        ) from exc
    filename = json.loads(out.stdout)[0]["filename"]
    return (workdir / filename).read_bytes()


def _extract(data: bytes, files: dict[str, str], name: str, into: Path) -> None:
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        for src, dst in files.items():
            member = tar.extractfile(src)
            if member is None:
                raise VendorError(f"{name}: {src} missing from the package")
            target = into / dst
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(member.read())


def vendor(force: bool = False) -> bool:
    """Fetch and unpack every pinned package; returns False when it was already done."""
    if not force and is_current():
        return False
    # Build beside the old copy and swap at the end: a failed run (offline) keeps what worked.
    with tempfile.TemporaryDirectory(dir=VENDOR_DIR.parent) as tmp:
        staging = Path(tmp) / "vendor"
        for name, (version, integrity, files) in PACKAGES.items():
            data = _npm_pack(f"{name}@{version}", Path(tmp))
            _check_integrity(data, integrity, name)
            _extract(data, files, name, staging)
        (staging / STAMP.name).write_text(json.dumps(wanted(), indent=1, sort_keys=True) + "\n")
        if VENDOR_DIR.exists():
            shutil.rmtree(VENDOR_DIR)
        staging.rename(VENDOR_DIR)
    return True


def main(argv: list[str]) -> int:
    try:
        done = vendor(force="--force" in argv)
    except VendorError as exc:
        print(f"web.vendor: {exc}", file=sys.stderr)
        return 1
    print(f"web.vendor: {'vendored' if done else 'up to date'} {wanted()} in {VENDOR_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
