"""Rendered sheets on disk, keyed on everything they show: the data version (bumped by every load, feature edit,
report and review), today's date (overdue states change at midnight), the database, and the parameters.

The folder is pruned after each new sheet: sheets unused for ``max_age`` go, then the least recently used
until the folder fits in ``max_bytes`` (the new sheet always stays).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from api.print.target import Target
from layers.files import unlink_quietly, write_atomically
from layers.store import version

RENDERER = "sheet-2"  # bump when the drawing changes so old files are not served
PARTIAL_AGE = 3600  # seconds: a .part file this old was left by a killed writer


@dataclass(frozen=True)
class Cached:
    content: bytes
    key: str
    hit: bool


@dataclass(frozen=True)
class SheetJob:
    """One sheet to draw: what a worker process needs besides the database."""

    target: Target
    size: str
    lang: str
    fmt: str
    today: dt.date


@dataclass(frozen=True)
class CacheLimits:
    max_bytes: int
    max_age: dt.timedelta

    @classmethod
    def of(cls, settings) -> CacheLimits:
        return cls(int(settings.print_cache_max_mb * 1e6), dt.timedelta(days=settings.print_cache_max_days))


Renderer = Callable[[str, SheetJob], bytes]  # (cache key, job) -> sheet bytes


def cache_key(session: Session, target: Target, size: str, lang: str, fmt: str, today: dt.date) -> str:
    url = session.get_bind().url.render_as_string(hide_password=True)
    parts = (RENDERER, url, version.stamp(session, today), target.name, size, lang, fmt)
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:32]


def cached_sheet(
    session: Session,
    cache_dir: Path | None,
    target: Target,
    size: str = "A3",
    lang: str = "vi",
    fmt: str = "pdf",
    today: dt.date | None = None,
    render_with: Renderer | None = None,
    limits: CacheLimits | None = None,
) -> Cached:
    """The sheet from ``cache_dir/print`` when its key matches, else drawn (by ``render_with``, default in
    this thread) and stored there; with ``limits`` the folder is then pruned."""
    job = SheetJob(target, size, lang, fmt, today or dt.date.today())
    key = cache_key(session, target, size, lang, fmt, job.today)
    path = cache_dir / "print" / f"{key}.{fmt}" if cache_dir else None
    if path and path.is_file():
        try:
            content = path.read_bytes()
            os.utime(path)  # recently used: pruned last
            return Cached(content, key, True)
        except FileNotFoundError:
            pass  # pruned between the check and the read: draw it again
    if render_with:
        content = render_with(key, job)
    else:
        from api.print.sheet import render  # matplotlib: only where sheets are drawn in this process

        session.info.setdefault("cache_dir", cache_dir)  # the land-use statistics the workers share on disk
        content = render(session, target, size, lang, fmt, job.today)
    if path:
        write_atomically(path, content)
        if limits:
            prune(path.parent, limits, keep=path)
    return Cached(content, key, False)


def prune(folder: Path, limits: CacheLimits, keep: Path | None = None) -> None:
    """Delete sheets unused for ``max_age``, then the least recently used until ``max_bytes`` is met."""
    now = time.time()
    files = []
    for entry in os.scandir(folder):
        try:
            st = entry.stat()
        except FileNotFoundError:
            continue  # another request pruned it
        if entry.name.endswith(".part"):
            if now - st.st_mtime > PARTIAL_AGE:
                unlink_quietly(entry.path)
        elif now - st.st_mtime > limits.max_age.total_seconds() and entry.path != str(keep):
            unlink_quietly(entry.path)
        else:
            files.append((st.st_mtime, st.st_size, entry.path))
    total = sum(size for _, size, _ in files)
    for _, size, name in sorted(files):
        if total <= limits.max_bytes:
            break
        if name != str(keep):
            unlink_quietly(name)
            total -= size
