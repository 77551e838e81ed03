"""Label placement: greedy, most important first, each label tried at eight spots around its anchor and
dropped when none is free. Text extents are estimated from the font size (DejaVu Sans averages about
0.6 em per character with Vietnamese capitals and diacritics): enough to keep labels apart without asking
the renderer.
"""

from __future__ import annotations

from api.print.mapframe import PT_MM, Frame, Label

# (dx, dy) in units of (label width, label height) from the anchor to the label's lower-left corner.
SPOTS = ((0, -0.5), (-1, -0.5), (0, 0), (0, -1), (-1, 0), (-1, -1), (-0.5, 0.2), (-0.5, -1.2))


def text_box(label: Label) -> tuple[float, float]:
    """Estimated (width, height) of ``label`` in mm."""
    em = label.size * PT_MM
    return len(label.text) * em * 0.62 + 0.8, em * 1.3


def _free(box, taken, size) -> bool:
    x0, y0, x1, y1 = box
    if x0 < 1 or y0 < 1 or x1 > size[0] - 1 or y1 > size[1] - 1:
        return False
    return all(x1 <= a0 or x0 >= a1 or y1 <= b0 or y0 >= b1 for a0, b0, a1, b1 in taken)


def _candidates(label: Label, ax: float, ay: float):
    w, h = text_box(label)
    if label.centred:  # on the anchor, else nudged up or down by a line or two
        for dy in (0, 1.2, -1.2, 2.4, -2.4):
            yield ax - w / 2, ay - h / 2 + dy * h, ax + w / 2, ay + h / 2 + dy * h
        return
    for fx, fy in SPOTS:
        x0 = ax + fx * w + (label.gap if fx == 0 else -label.gap if fx == -1 else 0)
        y0 = ay + fy * h + (label.gap * 0.7 if fy == 0.2 else -label.gap * 0.7 if fy == -1.2 else 0)
        yield x0, y0, x0 + w, y0 + h


def place_labels(frame: Frame, frame_mm: tuple[float, float]) -> list[Label]:
    """Draw every label that finds a free spot; return the ones left out."""
    taken = list(frame.obstacles)
    dropped = []
    seen = set()
    for label in sorted(frame.labels, key=lambda lb: lb.priority):
        if not label.text or (label.text, round(label.x, -2), round(label.y, -2)) in seen:
            continue
        seen.add((label.text, round(label.x, -2), round(label.y, -2)))
        ax, ay = frame.to_mm(label.x, label.y)
        spot = next((b for b in _candidates(label, ax, ay) if _free(b, taken, frame_mm)), None)
        if spot is None:
            dropped.append(label)
            continue
        taken.append(spot)
        x = frame.extent[0] + (spot[0] + spot[2]) / 2 * frame.ground_per_mm
        y = frame.extent[1] + (spot[1] + spot[3]) / 2 * frame.ground_per_mm
        frame.ax.text(
            x,
            y,
            label.text,
            fontsize=label.size,
            ha="center",
            va="center_baseline",
            zorder=9,
            clip_on=True,
            **label.style,
        )
    return dropped
