"""DejaVu Sans (Debian fonts-dejavu-core: full Vietnamese in precomposed NFC glyphs) embedded as TrueType.

matplotlib subsets every embedded face with fontTools, and DejaVu's OpenType layout tables (GSUB, GPOS,
MATH) make that the slowest step of a sheet (~0.2 s per face and subset). matplotlib's text layout uses
neither, so a copy without them is made once per machine and registered ahead of the bundled DejaVu Sans
(same family name: the first entry wins ties).
"""

from __future__ import annotations

import os
import tempfile
import threading
from pathlib import Path

import matplotlib
from matplotlib import font_manager

SOURCE_DIR = Path("/usr/share/fonts/truetype/dejavu")
FACES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")  # regular and bold only: each face is embedded separately
DROP = ("GSUB", "GPOS", "GDEF", "MATH", "FFTM", "fpgm", "prep", "cvt ", "hdmx", "VDMX", "LTSH")
_lock = threading.Lock()
_ready = False


def trimmed(source: Path, cache: Path) -> Path:
    """A copy of ``source`` without the tables matplotlib does not use, made once."""
    target = cache / source.name
    if not target.exists():
        from fontTools.ttLib import TTFont

        font = TTFont(source)
        for tag in DROP:
            if tag in font:
                del font[tag]
        cache.mkdir(parents=True, exist_ok=True)
        # A name of its own: worker processes drawing their first sheets at once each write a whole copy.
        fd, part = tempfile.mkstemp(dir=cache, suffix=".part")
        os.close(fd)
        font.save(part)
        os.replace(part, target)
    return target


def register() -> None:
    """Make the trimmed Debian faces the ones matplotlib finds for "DejaVu Sans"; then a no-op.

    Without Debian's files matplotlib's bundled DejaVu Sans serves, with the same coverage.
    """
    global _ready
    with _lock:
        if _ready:
            return
        cache = Path(tempfile.gettempdir()) / f"planmap-fonts-mpl{matplotlib.__version__}"
        manager = font_manager.fontManager
        for face in FACES:
            if (SOURCE_DIR / face).exists():
                manager.addfont(str(trimmed(SOURCE_DIR / face, cache)))
                manager.ttflist.insert(0, manager.ttflist.pop())
        manager._findfont_cached.cache_clear()
        _ready = True
