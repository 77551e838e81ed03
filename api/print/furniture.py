"""Cartographic furniture: coordinate grid, scale bar, north arrow and the inset locator.

Everything measured on the ground is in EPSG:9207 metres, the same units the frame is drawn in, so the scale
bar is exact on paper.
"""

from __future__ import annotations

import math

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from shapely.geometry import Point

from api.print import symbology as sym
from api.print.labels import measure
from api.print.layout import Layout
from api.print.mapframe import draw_polygon
from api.print.sheetdata import SheetData
from api.print.strings import number, t
from geo.crs import STORAGE_SRID, VN2000_TM3
from geo.transform import reproject

GRID_STEPS = (500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000, 200_000)
BAR_LENGTHS = (100, 200, 250, 500, 1000, 2000, 2500, 5000, 10_000, 20_000, 25_000, 50_000, 100_000)


def grid_step(ground_width: float, most: int = 7) -> int:
    """The smallest round grid interval giving at most ``most`` lines across.

    >>> grid_step(60_000)
    10000
    """
    return next(s for s in GRID_STEPS if ground_width / s <= most)


def draw_grid(ax: Axes, extent: tuple[float, float, float, float], lang: str) -> int:
    """Grid lines in EPSG:9207 with labelled ticks on all four sides; returns the interval in metres."""
    x0, y0, x1, y1 = extent
    step = grid_step(max(x1 - x0, y1 - y0))
    xs = [v for v in range(math.ceil(x0 / step) * step, int(x1) + 1, step)]
    ys = [v for v in range(math.ceil(y0 / step) * step, int(y1) + 1, step)]
    ax.set_xticks(xs, [number(lang, v) for v in xs])
    ax.set_yticks(ys, [number(lang, v) for v in ys])
    ax.tick_params(
        labelsize=5.5,
        length=2.5,
        width=0.5,
        top=True,
        right=True,
        labeltop=True,
        labelright=True,
        colors="#333333",
    )
    for lbl in ax.get_yticklabels():
        lbl.set_rotation(90)
        lbl.set_verticalalignment("center")
    ax.grid(True, color=sym.PALETTE["grid"], linewidth=0.3, linestyle=(0, (4, 3)), zorder=8)
    return step


def bar_length(ground_width: float) -> int:
    """A round scale-bar length of at most a quarter of the frame's ground width.

    >>> bar_length(45_000)
    10000
    """
    return max((b for b in BAR_LENGTHS if b <= ground_width / 4), default=BAR_LENGTHS[0])


def _distance(lang: str, metres: float) -> str:
    """A scale-bar distance with the digits it needs: 1,25 km is not 1,2 km.

    >>> _distance("vi", 1250), _distance("en", 2500), _distance("vi", 5000), _distance("vi", 250)
    ('1,25 km', '2.5 km', '5 km', '250 m')
    """
    if metres < 1000:
        return f"{metres:g} m"
    digits = next(d for d in (0, 1, 2, 3) if round(metres / 1000, d) == metres / 1000)
    return f"{number(lang, metres / 1000, digits)} km"


def _statement(layout: Layout, lang: str) -> str:
    return t(lang, "scale", n=number(lang, layout.scale))


def scale_bar_box(layout: Layout, extent, lang: str) -> tuple[float, float, float, float]:
    """The scale bar's white panel in mm from the frame's lower-left corner: the bar, its distances and the
    scale statement above it."""
    bar_mm = bar_length(extent[2] - extent[0]) / layout.ground_per_mm
    text_mm = measure(_statement(layout, lang), 7, "bold").width
    return 3.0, 1.5, 3.0 + max(bar_mm + 9, text_mm + 6), 15.5


def north_arrow_box(layout: Layout) -> tuple[float, float, float, float]:
    """The north arrow's white panel in mm from the frame's lower-left corner."""
    w, h = layout.frame.w, layout.frame.h
    return w - 15.0, h - 22.0, w - 5.0, h - 4.0


def _panel(ax: Axes, layout: Layout, extent, box) -> None:
    gpm = layout.ground_per_mm
    x0, y0 = extent[0] + box[0] * gpm, extent[1] + box[1] * gpm
    ax.add_patch(Rectangle((x0, y0), (box[2] - box[0]) * gpm, (box[3] - box[1]) * gpm, facecolor="white",
                           edgecolor="#666666", linewidth=0.4, alpha=0.9, zorder=10))


def draw_scale_bar(ax: Axes, layout: Layout, extent, lang: str) -> int:
    """An alternating black/white bar in the frame's lower-left corner; returns its length in metres."""
    gpm = layout.ground_per_mm
    length = bar_length(extent[2] - extent[0])
    parts = 4 if length % 4 == 0 or length >= 1000 else 2
    x, y, h = extent[0] + 6 * gpm, extent[1] + 6 * gpm, 1.4 * gpm
    _panel(ax, layout, extent, scale_bar_box(layout, extent, lang))
    seg = length / parts
    for i in range(parts):
        ax.add_patch(Rectangle((x + i * seg, y), seg, h, facecolor="black" if i % 2 == 0 else "white",
                               edgecolor="black", linewidth=0.5, zorder=11))
    for value in (0, length / 2, length):
        ax.text(x + value, y - 0.8 * gpm, _distance(lang, value) if value else "0", fontsize=5.5, ha="center",
                va="top", zorder=11)
    ax.text(x, y + h + 1.2 * gpm, _statement(layout, lang), fontsize=7, fontweight="bold", ha="left",
            va="bottom", zorder=11)
    return length


def true_north_angle(x: float, y: float) -> float:
    """Angle in degrees from grid north to true north at an EPSG:9207 point (meridian convergence)."""
    lonlat = reproject(Point(x, y), VN2000_TM3, STORAGE_SRID)
    north = reproject(Point(lonlat.x, lonlat.y + 0.01), STORAGE_SRID, VN2000_TM3)
    return math.degrees(math.atan2(north.x - x, north.y - y))


def draw_north_arrow(ax: Axes, layout: Layout, extent, lang: str) -> None:
    gpm = layout.ground_per_mm
    bx, by = extent[2] - 10 * gpm, extent[3] - 20 * gpm
    a = math.radians(true_north_angle((extent[0] + extent[2]) / 2, (extent[1] + extent[3]) / 2))
    tip = (bx + 11 * gpm * math.sin(a), by + 11 * gpm * math.cos(a))
    _panel(ax, layout, extent, north_arrow_box(layout))
    ax.annotate("", xy=tip, xytext=(bx, by), zorder=11,
                arrowprops={"arrowstyle": "-|>,head_length=0.8,head_width=0.35", "color": "black", "lw": 1.2})
    ax.text(tip[0], tip[1] + 0.8 * gpm, t(lang, "north"), fontsize=8, fontweight="bold", ha="center",
            va="bottom", zorder=11)


def draw_inset(fig: Figure, layout: Layout, data: SheetData, extent, lang: str) -> Axes:
    """The province with its neighbours, the subject in red and the frame's extent."""
    ax = fig.add_axes(layout.inset.fraction(layout.page))
    pal = sym.PALETTE
    province = data.base.province
    x0, y0, x1, y1 = (a + d for a, d in zip(province.bounds, (-8000, -8000, 8000, 8000)))
    tol = (x1 - x0) / 400
    ax.set_facecolor(pal["sea"])
    for n in data.base.neighbours:
        draw_polygon(ax, n.geom.simplify(tol), facecolor=pal["neighbour_fill"], edgecolor="none")
    for code, d in data.base.districts.items():
        colour = "#d7301f" if code == data.gso else pal["district_fill"]
        draw_polygon(
            ax, d.geom.simplify(tol), facecolor=colour, edgecolor=pal["district_edge"], linewidth=0.3
        )
    if data.unit is not None:  # a 2025 unit: red over the former districts it lies in
        draw_polygon(ax, data.subject_geom.simplify(tol), facecolor="#d7301f", edgecolor="#d7301f", linewidth=0.3)
    province = data.target.kind == "province"
    ax.add_patch(Rectangle((extent[0], extent[1]), extent[2] - extent[0], extent[3] - extent[1], facecolor="none",
                           edgecolor="#d7301f" if province else "black", linewidth=0.8))
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal", adjustable="box", anchor="N")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(t(lang, "locator"), fontsize=7, pad=2)
    return ax
