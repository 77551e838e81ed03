"""Files written whole or not at all: caches on disk that several worker processes share."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomically(path: Path, content: bytes) -> None:
    """Write then rename: a reader never sees half a file, two writers leave one whole file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(content)
        os.replace(tmp, path)
    except BaseException:
        unlink_quietly(tmp)
        raise


def unlink_quietly(path: str | Path) -> None:
    """Remove a file another process may have removed first."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
