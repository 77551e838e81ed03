"""Rendered sheets on disk, keyed on everything they show: the data version (bumped by every load, feature edit,
report and review), today's date (overdue states change at midnight), the database, and the parameters.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from api.print.sheet import render
from layers.store import version

RENDERER = "sheet-1"  # bump when the drawing changes so old files are not served


@dataclass(frozen=True)
class Cached:
    content: bytes
    key: str
    hit: bool


def cache_key(session: Session, gso: int | None, size: str, lang: str, fmt: str, today: dt.date) -> str:
    url = session.get_bind().url.render_as_string(hide_password=True)
    parts = (RENDERER, url, version.stamp(session, today), gso, size, lang, fmt)
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:32]


def cached_sheet(
    session: Session,
    cache_dir: Path | None,
    gso: int | None,
    size: str = "A3",
    lang: str = "vi",
    fmt: str = "pdf",
    today: dt.date | None = None,
) -> Cached:
    """The sheet from ``cache_dir/print`` when its key matches, else rendered and stored there."""
    today = today or dt.date.today()
    key = cache_key(session, gso, size, lang, fmt, today)
    path = cache_dir / "print" / f"{key}.{fmt}" if cache_dir else None
    if path and path.is_file():
        return Cached(path.read_bytes(), key, True)
    content = render(session, gso, size, lang, fmt, today)
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write then rename: a reader never sees half a file, two writers leave one whole file.
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".part")
        with os.fdopen(fd, "wb") as out:
            out.write(content)
        os.replace(tmp, path)
    return Cached(content, key, False)
