"""What the print tests share (a plugin of the test session, see conftest.py): every sheet printed once per session
through the CLI batch commands, and readers of what a PDF really holds (PyMuPDF: text spans with their boxes,
vector drawings; pypdf: metadata).

- ``sheet_dir``: ``planmap print --all`` (15 former districts and the province, A3, Vietnamese);
- ``commune_sheet_dir``: ``planmap print --all-communes`` (every 2025 unit covering former Kiên Giang).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pymupdf
import pytest

from api.print.cli import print_command
from tests.conftest import make_settings

MM_PT = 72 / 25.4


def _print_batch(settings, cache_dir, out: Path, **which) -> Path:
    mp = pytest.MonkeyPatch()
    mp.setattr("layers.settings.get_settings", lambda: make_settings(settings.database_url, cache_dir))
    try:
        print_command(output=out, size="A3", lang="vi", **which)
    finally:
        mp.undo()
    return out


@pytest.fixture(scope="session")
def sheet_dir(settings, backend, tmp_path_factory, cache_dir) -> Path:
    """Every district sheet and the province's, printed by ``planmap print --all`` into one folder."""
    return _print_batch(settings, cache_dir, tmp_path_factory.mktemp(f"sheets-{backend}"), all_=True)


@pytest.fixture(scope="session")
def commune_sheet_dir(settings, backend, tmp_path_factory, cache_dir) -> Path:
    """Every 2025 unit's sheet, printed by ``planmap print --all-communes`` into one folder."""
    return _print_batch(settings, cache_dir, tmp_path_factory.mktemp(f"communes-{backend}"), all_communes=True)


def district_sheet(sheet_dir: Path, gso: int | None) -> Path:
    return sheet_dir / (f"district-{gso}-A3-vi.pdf" if gso else "province-A3-vi.pdf")


def commune_sheet(folder: Path, code: str) -> Path:
    return folder / f"commune-{code}-A3-vi.pdf"


def keywords(doc: pymupdf.Document) -> dict[str, str]:
    """The frame's place on paper and ground extent, which the sheet records in the PDF's Keywords."""
    return dict(part.split("=", 1) for part in doc.metadata["keywords"].split("; "))


def frame_rect(doc: pymupdf.Document) -> pymupdf.Rect:
    """The map frame on page 1, in PDF points from the top-left corner (PyMuPDF's orientation)."""
    fx, fy, fw, fh = map(float, keywords(doc)["frame_mm"].split(","))
    height = doc[0].rect.height
    return pymupdf.Rect(fx * MM_PT, height - (fy + fh) * MM_PT, (fx + fw) * MM_PT, height - fy * MM_PT)


@dataclass(frozen=True)
class Span:
    text: str
    box: pymupdf.Rect
    size: float


def spans(page: pymupdf.Page, within: pymupdf.Rect | None = None) -> list[Span]:
    """Every text span drawn on ``page`` (touching ``within`` when given), as the PDF reader lays it out."""
    out = []
    for block in page.get_text("dict")["blocks"]:
        for line in block.get("lines", []):
            for s in line["spans"]:
                box = pymupdf.Rect(s["bbox"])
                if s["text"].strip() and (within is None or box.intersects(within)):
                    out.append(Span(s["text"], box, s["size"]))
    return out


def overlapping(found: list[Span]) -> list[tuple[str, str]]:
    """Pairs of spans whose boxes share some area."""
    pairs = []
    for i, a in enumerate(found):
        for b in found[i + 1:]:
            inter = a.box & b.box
            if inter.width > 0 and inter.height > 0:
                pairs.append((a.text, b.text))
    return pairs
