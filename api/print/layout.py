"""Paper, orientation and scale: the map frame is drawn at exactly 1:N in EPSG:9207, N a round number.

All lengths here are millimetres on paper, origin at the page's bottom-left corner.

>>> round_scale(80_000)
100000
>>> fit("A4", 30_000, 20_000).scale
200000
"""

from __future__ import annotations

from dataclasses import dataclass

PAPER_MM = {"A4": (210.0, 297.0), "A3": (297.0, 420.0)}  # portrait width, height
SIZES = tuple(PAPER_MM)
MARGIN = 10.0
GRID_LABELS = 6.0  # room around the frame for coordinate labels
SCALES = tuple(int(m * 10**e) for e in range(3, 7) for m in (1, 1.5, 2, 2.5, 3, 5, 7.5)) + (10**7,)
FRAME_PAD = 1.06  # ground kept around the subject inside the frame


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float

    def fraction(self, page: tuple[float, float]) -> list[float]:
        """As matplotlib figure fractions [left, bottom, width, height]."""
        return [self.x / page[0], self.y / page[1], self.w / page[0], self.h / page[1]]


@dataclass(frozen=True)
class Layout:
    size: str
    landscape: bool
    page: tuple[float, float]  # width, height in mm
    title: Rect
    frame: Rect  # the map frame: ground extent = frame size × scale
    inset: Rect
    legend: Rect
    notes: Rect
    scale: int  # N of 1:N

    @property
    def ground_per_mm(self) -> float:
        """Metres of ground per millimetre of paper."""
        return self.scale / 1000.0

    def extent(self, centre: tuple[float, float]) -> tuple[float, float, float, float]:
        """The frame's ground extent (x0, y0, x1, y1) in EPSG:9207 metres around ``centre``."""
        half_w = self.frame.w * self.ground_per_mm / 2
        half_h = self.frame.h * self.ground_per_mm / 2
        return centre[0] - half_w, centre[1] - half_h, centre[0] + half_w, centre[1] + half_h


def round_scale(needed: float) -> int:
    """The smallest round N (1, 1.5, 2, 2.5, 3, 5, 7.5 × 10^k) that is at least ``needed``."""
    return int(next((s for s in SCALES if s >= needed), SCALES[-1]))


def _rects(size: str, landscape: bool) -> dict:
    w, h = PAPER_MM[size]
    if landscape:
        w, h = h, w
    k = 1.0 if size == "A4" else 1.25  # A3 gets bigger furniture
    title_h = 20.0 * k
    top = h - MARGIN - title_h
    title = Rect(MARGIN, top, w - 2 * MARGIN, title_h)
    if landscape:  # side panel on the right
        panel_w = 68.0 * k
        px = w - MARGIN - panel_w
        frame = Rect(
            MARGIN + GRID_LABELS,
            MARGIN + GRID_LABELS,
            px - MARGIN - 2 * GRID_LABELS - 3,
            top - MARGIN - 2 * GRID_LABELS - 2,
        )
        inset = Rect(px, top - panel_w * 0.62 - 2, panel_w, panel_w * 0.62)
        notes_h = 46.0 * k
        notes = Rect(px, MARGIN, panel_w, notes_h)
        legend = Rect(px, notes.y + notes_h + 3, panel_w, inset.y - notes.y - notes_h - 6)
    else:  # panel along the bottom: inset | legend | notes
        panel_h = 62.0 * k
        frame = Rect(
            MARGIN + GRID_LABELS,
            MARGIN + panel_h + GRID_LABELS + 3,
            w - 2 * MARGIN - 2 * GRID_LABELS,
            top - MARGIN - panel_h - 2 * GRID_LABELS - 5,
        )
        room = w - 2 * MARGIN - 6
        inset = Rect(MARGIN, MARGIN, room * 0.27, panel_h)
        legend = Rect(inset.x + inset.w + 3, MARGIN, room * 0.46, panel_h)  # wide: two legend columns fit
        notes = Rect(legend.x + legend.w + 3, MARGIN, room * 0.27, panel_h)
    return {"page": (w, h), "title": title, "frame": frame, "inset": inset, "legend": legend, "notes": notes}


def fit(size: str, ground_w: float, ground_h: float) -> Layout:
    """The orientation of ``size`` that shows a ``ground_w`` × ``ground_h`` m subject at the largest scale."""
    candidates = []
    for landscape in (True, False):
        r = _rects(size, landscape)
        needed = max(ground_w * FRAME_PAD / r["frame"].w, ground_h * FRAME_PAD / r["frame"].h) * 1000
        scale = round_scale(needed)
        # Ties go to the orientation the subject fills better.
        candidates.append((scale, -needed / scale, Layout(size, landscape, scale=scale, **r)))
    return min(candidates, key=lambda c: c[:2])[2]
