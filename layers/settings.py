"""Settings from environment variables (prefix ``PLANMAP_``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[1]


class Settings(BaseSettings):
    """Where the database, the authored data, the upstream mirror and the download cache are."""

    model_config = SettingsConfigDict(env_prefix="PLANMAP_")

    database_url: str = f"sqlite:///{REPO_ROOT / 'var' / 'planmap.sqlite'}"
    data_dir: Path = REPO_ROOT / "data"
    mirror: Path | None = None  # local directory laid out like ../shared/mirror, tried before the network
    cache_dir: Path = REPO_ROOT / "var" / "cache"
    # Where upstream files are downloaded from when neither cache nor mirror has them (pinned commits).
    upstream_url: str = "https://raw.githubusercontent.com/{repository}/{commit}/{path}"
    secret_key: str = "dev-only-change-me"  # signs session cookies; set in production


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
