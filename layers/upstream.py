"""Upstream files from ``data/manifest.yaml``: fetched by pooch into a cache, sha256-checked, mirror first."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pooch
import yaml

RAW_URL = "https://raw.githubusercontent.com/{repository}/{commit}/{path}"


class UpstreamError(RuntimeError):
    """A file could not be had: names the file and says how to fix it."""


@dataclass(frozen=True)
class UpstreamFile:
    name: str
    project: str
    repository: str
    commit: str
    path: str
    sha256: str
    licence: str
    what: str
    role: str

    def url(self, template: str = RAW_URL) -> str:
        return template.format(repository=self.repository, commit=self.commit, path=self.path)

    def mirror_path(self, mirror: Path) -> Path:
        return mirror / self.project / self.commit / self.path


def read_manifest(path: Path) -> list[UpstreamFile]:
    with path.open(encoding="utf-8") as fh:
        return [UpstreamFile(**entry) for entry in yaml.safe_load(fh)]


def _sha256(path: Path) -> str:
    return pooch.file_hash(str(path), alg="sha256")


def fetch(entry: UpstreamFile, cache_dir: Path, mirror: Path | None = None, url_template: str = RAW_URL) -> Path:
    """Path to a verified local copy of ``entry``: from the cache, else the mirror, else the pinned URL."""
    url = entry.url(url_template)
    target = cache_dir / entry.project / entry.commit / entry.path
    if mirror is not None:
        source = entry.mirror_path(mirror)
        if source.exists() and not (target.exists() and _sha256(target) == entry.sha256):
            if _sha256(source) != entry.sha256:
                raise UpstreamError(
                    f"{entry.path}: the mirror copy {source} has the wrong sha256 (expected {entry.sha256}); "
                    "replace it with the upstream file or remove it"
                )
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
    try:
        return Path(
            pooch.retrieve(
                url, known_hash=f"sha256:{entry.sha256}", fname=target.name, path=target.parent,
                progressbar=False,
            )
        )
    except ValueError as exc:  # pooch: hash mismatch
        raise UpstreamError(f"{entry.path}: downloaded file has the wrong sha256 ({exc})") from exc
    except Exception as exc:  # network unreachable, 404, …
        hint = (
            f"no copy in the mirror {mirror}" if mirror else "no mirror configured (set PLANMAP_MIRROR)"
        )
        raise UpstreamError(
            f"{entry.path}: cannot download {url} ({type(exc).__name__}: {exc}); {hint}. "
            f"Fix: set PLANMAP_MIRROR to a directory holding {entry.project}/{entry.commit}/{entry.path}, "
            "or allow network access"
        ) from exc
