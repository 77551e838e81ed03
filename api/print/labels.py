"""Label placement: no two labels overlap, and none covers a symbol or the furniture (scale bar, north arrow).

Greedy, most important first. Each label is measured with the font it is printed in (advance widths, and the
taller of the font's ascent and the ink of its diacritics), then tried at eight spots around its anchor, then
further out with a thin leader line to its anchor. A plan feature whose name still finds no room gets a number
beside its symbol, and its name is listed under that number in the legend; other labels (towns, neighbouring
units) are left out. Text is never shrunk: a long name is wrapped onto two or three lines instead.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass
from functools import lru_cache

from matplotlib.font_manager import FontProperties, findfont, get_font
from matplotlib.textpath import TextToPath

from api.print.mapframe import PT_MM, Frame, Label

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in mm from the frame's lower-left corner
# (dx, dy) in units of (label width, label height) from the anchor to the label's lower-left corner.
SPOTS = ((0, -0.5), (-1, -0.5), (0, 0), (0, -1), (-1, 0), (-1, -1), (-0.5, 0.2), (-0.5, -1.2))
GAP = 0.4  # mm kept free between two labels
PAD = 0.25  # mm around the text inside its box
EDGE = 1.0  # mm kept free along the frame's edge
LEADER_RINGS = (3.0, 6.0, 10.0, 15.0, 22.0, 30.0, 40.0)  # mm from the symbol to a label drawn with a leader
DIRECTIONS = 16
WRAP = 28  # characters per line of a long name
LEADER = {"color": "#555555", "linewidth": 0.4, "zorder": 8.5}
_TTP = TextToPath()


@dataclass(frozen=True)
class Metrics:
    lines: tuple[str, ...]
    width: float  # mm, the widest line
    ascent: float  # mm above a line's baseline
    descent: float  # mm below it

    @property
    def pitch(self) -> float:
        return self.ascent + self.descent + 0.15

    @property
    def height(self) -> float:
        return len(self.lines) * self.pitch


@lru_cache(maxsize=8192)
def measure(text: str, size: float, weight: str = "normal") -> Metrics:
    """The printed extent of ``text`` at ``size`` points (each line wrapped when long), from the font file."""
    lines = tuple(part for line in text.split("\n") for part in (
        textwrap.wrap(line, WRAP, break_on_hyphens=False) if len(line) > WRAP + 4 else [line]))
    prop = FontProperties(family="DejaVu Sans", size=size, weight=weight)
    font = get_font(findfont(prop))
    ascent, descent = font.ascender / font.units_per_EM * size, -font.descender / font.units_per_EM * size
    width = 0.0
    for line in lines:
        w, h, d = _TTP.get_text_width_height_descent(line, prop, ismath=False)
        width, ascent, descent = max(width, w), max(ascent, h - d), max(descent, d)
    return Metrics(lines, width * PT_MM + 2 * PAD, ascent * PT_MM, descent * PT_MM)


def _weight(label: Label) -> str:
    return label.style.get("fontweight", "normal")


def _free(box: Box, taken: list[Box], size: tuple[float, float]) -> bool:
    x0, y0, x1, y1 = box
    if x0 < EDGE or y0 < EDGE or x1 > size[0] - EDGE or y1 > size[1] - EDGE:
        return False
    return all(x1 + GAP <= a0 or x0 >= a1 + GAP or y1 + GAP <= b0 or y0 >= b1 + GAP for a0, b0, a1, b1 in taken)


def _near(label: Label, m: Metrics, ax: float, ay: float, frame: Frame):
    w, h = m.width, m.height
    if label.centred:  # on the anchor, else nudged up or down by a line or two, else elsewhere in the area
        for dy in (0, 1.2, -1.2, 2.4, -2.4):
            yield ax - w / 2, ay - h / 2 + dy * h, ax + w / 2, ay + h / 2 + dy * h
        for x, y in label.alternatives:
            bx, by = frame.to_mm(x, y)
            yield bx - w / 2, by - h / 2, bx + w / 2, by + h / 2
        return
    for fx, fy in SPOTS:
        x0 = ax + fx * w + (label.gap if fx == 0 else -label.gap if fx == -1 else 0)
        y0 = ay + fy * h + (label.gap * 0.7 if fy == 0.2 else -label.gap * 0.7 if fy == -1.2 else 0)
        yield x0, y0, x0 + w, y0 + h


def _far(label: Label, m: Metrics, ax: float, ay: float):
    """Boxes on rings around the anchor, each to be joined to it by a leader."""
    for ring in LEADER_RINGS:
        r = label.gap + ring
        for i in range(DIRECTIONS):
            a = math.pi / 4 + 2 * math.pi * i / DIRECTIONS  # upper right first, as a reader looks
            cx, cy = ax + math.cos(a) * (r + m.width / 2), ay + math.sin(a) * (r + m.height / 2)
            yield cx - m.width / 2, cy - m.height / 2, cx + m.width / 2, cy + m.height / 2


def _nearest(box: Box, x: float, y: float) -> tuple[float, float]:
    return min(max(x, box[0]), box[2]), min(max(y, box[1]), box[3])


def _turn(a, b, c) -> float:
    return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])


def _segments_cross(p, q, r, s) -> bool:
    """Whether segments p–q and r–s properly cross."""
    return _turn(p, q, r) * _turn(p, q, s) < 0 and _turn(r, s, p) * _turn(r, s, q) < 0


def _crosses(p: tuple[float, float], q: tuple[float, float], box: Box) -> bool:
    """Whether segment p–q passes through ``box`` (Liang–Barsky clipping)."""
    (x0, y0), (dx, dy) = p, (q[0] - p[0], q[1] - p[1])
    lo, hi = 0.0, 1.0
    for d, s, a, b in ((dx, x0, box[0], box[2]), (dy, y0, box[1], box[3])):
        if abs(d) < 1e-12:
            if s < a or s > b:
                return False
            continue
        t0, t1 = sorted(((a - s) / d, (b - s) / d))
        lo, hi = max(lo, t0), min(hi, t1)
        if lo > hi:
            return False
    return True


class Placer:
    """Boxes taken so far (symbols and furniture first, then each label placed)."""

    def __init__(self, frame: Frame, frame_mm: tuple[float, float]):
        self.frame, self.size = frame, frame_mm
        self.taken: list[Box] = list(frame.obstacles)
        self.texts: list[Box] = []  # label boxes only: leaders may cross a symbol, never a label
        self.leaders: list[tuple[tuple[float, float], tuple[float, float]]] = []

    def place(self, label: Label, leaders: bool) -> bool:
        m = measure(label.text, label.size, _weight(label))
        ax, ay = self.frame.to_mm(label.x, label.y)
        spot = next((b for b in _near(label, m, ax, ay, self.frame) if _free(b, self.taken, self.size)), None)
        leader = None
        if spot is None and leaders:
            spot, leader = self._with_leader(label, m)
        if spot is None:
            return False
        self.taken.append(spot)
        self.texts.append(spot)
        self._draw(label, m, spot)
        if leader is not None:
            self.leaders.append(leader)
            self._line(*leader)
        return True

    def _anchors(self, label: Label):
        yield self.frame.to_mm(label.x, label.y)
        for x, y in label.alternatives:  # an area's name may point at any part of it
            yield self.frame.to_mm(x, y)

    def _with_leader(self, label: Label, m: Metrics):
        for ax, ay in self._anchors(label):
            for b in _far(label, m, ax, ay):
                if not _free(b, self.taken, self.size):
                    continue
                end = _nearest(b, ax, ay)
                dist = math.hypot(end[0] - ax, end[1] - ay)
                start = (ax + (end[0] - ax) * label.gap / dist, ay + (end[1] - ay) * label.gap / dist)
                if self._clear(start, end):
                    return b, (start, end)
        return None, None

    def _clear(self, start, end) -> bool:
        """A leader from ``start`` to ``end`` passes through no label and crosses no other leader."""
        return not any(_crosses(start, end, t) for t in self.texts) and not any(
            _segments_cross(start, end, a, b) for a, b in self.leaders)

    def _draw(self, label: Label, m: Metrics, box: Box) -> None:
        f = self.frame
        x = f.extent[0] + (box[0] + box[2]) / 2 * f.ground_per_mm
        for i, line in enumerate(m.lines):
            baseline = box[3] - i * m.pitch - (m.pitch - m.ascent - m.descent) / 2 - m.ascent
            y = f.extent[1] + baseline * f.ground_per_mm
            f.ax.text(x, y, line, fontsize=label.size, ha="center", va="baseline", zorder=9, clip_on=True,
                      **label.style)

    def _line(self, p: tuple[float, float], q: tuple[float, float]) -> None:
        f = self.frame
        xs = [f.extent[0] + v * f.ground_per_mm for v in (p[0], q[0])]
        ys = [f.extent[1] + v * f.ground_per_mm for v in (p[1], q[1])]
        f.ax.plot(xs, ys, **LEADER)


def _stacked(frame: Frame, labels: list[Label]) -> list[Label]:
    """Plan features drawn at the same spot (schematic points at a district's representative point) named in one
    list, one name a line, instead of boxing each other in."""
    out: list[Label] = []
    groups: dict[tuple[int, int], list[Label]] = {}
    for label in labels:
        if not label.callout or label.centred:
            out.append(label)
            continue
        x, y = frame.to_mm(label.x, label.y)
        groups.setdefault((round(x * 2), round(y * 2)), []).append(label)  # within half a millimetre
    for group in groups.values():
        first = group[0]
        names = list(dict.fromkeys(lb.text for lb in group))
        out.append(Label("\n".join(names), first.x, first.y, first.size, first.priority,
                         gap=max(lb.gap for lb in group), style=first.style, callout=True,
                         alternatives=first.alternatives))
    return out


def place_labels(frame: Frame, frame_mm: tuple[float, float]) -> list[tuple[int, Label]]:
    """Draw every label that finds room; return the numbered callouts ``(n, label)`` for the legend (a label
    naming several features has one name a line)."""
    placer = Placer(frame, frame_mm)
    callouts: list[tuple[int, Label]] = []
    seen = set()
    for label in sorted(_stacked(frame, [lb for lb in frame.labels if lb.text]), key=lambda lb: lb.priority):
        key = (label.text, round(label.x, -2), round(label.y, -2))
        if key in seen:
            continue
        seen.add(key)
        if placer.place(label, leaders=label.callout) or not label.callout:
            continue
        n = len(callouts) + 1
        number = Label(str(n), label.x, label.y, label.size, label.priority, gap=label.gap,
                       style={"color": "#000000", "fontweight": "bold"}, alternatives=label.alternatives)
        if placer.place(number, leaders=True):
            callouts.append((n, label))
    return callouts
