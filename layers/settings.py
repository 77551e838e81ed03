"""Settings from environment variables (prefix ``PLANMAP_``)."""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[1]


class Settings(BaseSettings):
    """Where the database, the authored data, the upstream mirror and the download cache are."""

    model_config = SettingsConfigDict(env_prefix="PLANMAP_")

    database_url: str = f"sqlite:///{REPO_ROOT / 'var' / 'planmap.sqlite'}"
    # A read replica of the primary (PostGIS streaming replication, or a managed one's reader endpoint): the
    # routes that only read use it; writes, logins and the reporting pages stay on ``database_url``. Empty: none.
    database_read_url: str = ""
    data_dir: Path = REPO_ROOT / "data"
    mirror: Path | None = None  # local directory laid out like ../shared/mirror, tried before the network
    cache_dir: Path = REPO_ROOT / "var" / "cache"
    # Where upstream files are downloaded from when neither cache nor mirror has them (pinned commits).
    upstream_url: str = "https://raw.githubusercontent.com/{repository}/{commit}/{path}"
    # Signs session cookies and CSRF tokens. Empty: a random key kept in var/secret_key (made on first use).
    secret_key: str = ""
    # Printing: sheets are drawn in worker processes, 0 = one per core. Past ``print_queue_limit`` sheets being
    # drawn or waiting, a request gets 503 with Retry-After. The cache (``cache_dir/print``) is pruned to
    # ``print_cache_max_mb``, oldest-used first, and of sheets unused for ``print_cache_max_days``.
    print_workers: int = 0
    print_queue_limit: int = 8
    print_cache_max_mb: float = 256.0
    print_cache_max_days: float = 30.0
    # The largest layer file (or set of Shapefile parts) an admin may upload at /admin/imports, in MiB; the upload
    # streams to a temporary file, so memory does not grow with it. Larger files: `planmap import` on the server.
    import_max_mb: int = 2048
    # Whether a new progress report counts at once ("accepted"; a coordinator may return it) or only once a
    # coordinator has accepted it ("pending"). The province's choice; the dashboard shows it.
    review_on_submit: Literal["accepted", "pending"] = "accepted"

    def model_post_init(self, _context) -> None:
        if not self.secret_key:
            self.secret_key = _local_secret(REPO_ROOT / "var" / "secret_key")


def _local_secret(path: Path) -> str:
    """This installation's own random key: never a default that every installation shares."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}")
        tmp.write_text(secrets.token_hex(32))
        tmp.chmod(0o600)
        os.replace(tmp, path) if not path.exists() else tmp.unlink()
    return path.read_text().strip()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
