"""The map frame: boundaries, every plan layer in the web map's symbology, and labels that do not overlap.

Drawing is in EPSG:9207 metres; the axes are sized so that data units map to paper at exactly 1:N.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

from api.print import symbology as sym
from api.print.places import towns_m
from api.print.sheetdata import SheetData
from api.print.strings import t

PT_MM = 25.4 / 72  # one typographic point in millimetres


def polygon_path(geom: BaseGeometry) -> Path | None:
    """A compound path of every polygon ring in ``geom`` (holes included), or None if it has none."""
    polys = [g for g in getattr(geom, "geoms", [geom]) if g.geom_type == "Polygon" and not g.is_empty]
    polys += [p for g in getattr(geom, "geoms", []) if g.geom_type == "MultiPolygon" for p in g.geoms]
    if not polys:
        return None
    verts, codes = [], []
    for poly in polys:
        for ring in (poly.exterior, *poly.interiors):
            xy = np.asarray(ring.coords)[:, :2]
            verts.append(xy)
            codes.append([Path.MOVETO] + [Path.LINETO] * (len(xy) - 2) + [Path.CLOSEPOLY])
    return Path(np.concatenate(verts), np.concatenate(codes))


def draw_polygon(ax: Axes, geom: BaseGeometry, **style) -> None:
    path = polygon_path(geom)
    if path is not None:
        ax.add_artist(PathPatch(path, **style))  # not add_patch: the limits are fixed, skip their update


def _lines(geom: BaseGeometry):
    for g in getattr(geom, "geoms", [geom]):
        if g.geom_type == "LineString":
            yield g
        elif g.geom_type == "MultiLineString":
            yield from g.geoms


def _points(geom: BaseGeometry):
    for g in getattr(geom, "geoms", [geom]):
        if g.geom_type == "Point":
            yield g


@dataclass
class Label:
    text: str
    x: float  # anchor in EPSG:9207 metres
    y: float
    size: float  # points
    priority: int  # lower first
    centred: bool = False  # area names sit on the anchor; point names beside it
    gap: float = 1.2  # mm from the anchor to a beside-placed label: clears the symbol
    style: dict = field(default_factory=dict)
    callout: bool = False  # a plan feature's name: moved out with a leader, or numbered, rather than dropped
    alternatives: tuple[tuple[float, float], ...] = ()  # other anchors inside an area (EPSG:9207), nearest first


@dataclass
class Frame:
    """What was drawn: legend entries in drawing order and label candidates."""

    ax: Axes
    extent: tuple[float, float, float, float]
    ground_per_mm: float
    lang: str
    legend: dict[str, object] = field(default_factory=dict)  # label -> matplotlib handle
    labels: list[Label] = field(default_factory=list)
    obstacles: list[tuple[float, float, float, float]] = field(default_factory=list)  # mm boxes
    states: dict[str, object] = field(default_factory=dict)  # progress colours drawn, listed after the layers

    @property
    def window(self) -> BaseGeometry:
        return box(*self.extent)

    def to_mm(self, x: float, y: float) -> tuple[float, float]:
        return (x - self.extent[0]) / self.ground_per_mm, (y - self.extent[1]) / self.ground_per_mm


def draw_base(frame: Frame, data: SheetData) -> None:
    """Sea, neighbouring provinces greyed, the other districts (or 2025 units), the subject, raw-material
    hatching; on a 2025 unit's sheet the former districts faintly on top, for orientation."""
    frame.ax.set_facecolor(sym.PALETTE["sea"])
    tol = frame.ground_per_mm * 0.1  # 0.1 mm on paper: finer detail is invisible
    _draw_neighbours(frame, data, tol)
    if data.unit is not None:
        _draw_units(frame, data, tol)
    else:
        _draw_districts(frame, data, tol)
    pal, lang = sym.PALETTE, frame.lang
    outline = {"facecolor": "none", "edgecolor": pal["subject_edge"], "linewidth": 1.8}
    draw_polygon(frame.ax, data.subject_geom.simplify(tol), **outline)
    kind = data.target.kind
    key = t(lang, {"district": "subject", "commune": "subject_commune", "province": "subject_province"}[kind])
    frame.legend[key] = Patch(**(outline | {"facecolor": pal["subject_fill"]}))
    if data.unit is not None:
        _draw_former_districts(frame, data, tol)


def _draw_neighbours(frame: Frame, data: SheetData, tol: float) -> None:
    pal, window = sym.PALETTE, frame.window
    style = {"facecolor": pal["neighbour_fill"], "edgecolor": pal["neighbour_edge"], "linewidth": 0.5}
    for n in data.base.neighbours:
        if n.geom.intersects(window):
            draw_polygon(frame.ax, n.geom.simplify(tol), **style)
            frame.labels.append(_area_label(n.name, n.geom, window, 9, 50, color="#7a7a7a"))
            frame.legend[t(frame.lang, "neighbour")] = Patch(**style)


def _draw_districts(frame: Frame, data: SheetData, tol: float) -> None:
    """Former districts in the frame; on a district sheet the others are tinted and named smaller."""
    pal, window, lang = sym.PALETTE, frame.window, frame.lang
    for code, d in data.base.districts.items():
        if not d.geom.intersects(window):
            continue
        mine = code == data.gso or data.gso is None
        fill = pal["subject_fill"] if mine else pal["district_fill"]
        draw_polygon(
            frame.ax, d.geom.simplify(tol), facecolor=fill, edgecolor=pal["district_edge"], linewidth=0.6
        )
        if not mine:
            frame.legend[t(lang, "other_district")] = Patch(facecolor=fill, edgecolor=pal["district_edge"])
        if d.raw_material and mine:
            raw = {"facecolor": "none", "edgecolor": pal["raw_hatch"], "hatch": "||", "linewidth": 0}
            draw_polygon(frame.ax, d.geom.simplify(tol), **raw)
            frame.legend[t(lang, "raw_material")] = Patch(**raw)
        subject = code == data.gso
        name = d.short.upper() if subject else d.short
        frame.labels.append(
            _area_label(name, d.geom, window, 11 if subject else 8, 10 if subject else 40, color="#555555")
        )


def _draw_units(frame: Frame, data: SheetData, tol: float) -> None:
    """The 2025 units in the frame; the subject's neighbours tinted and named smaller; raw-material hatching
    on the part of the subject that lies in a raw-material former district."""
    pal, window, lang, subject = sym.PALETTE, frame.window, frame.lang, data.unit.area
    for code, u in data.unit.units.items():
        geom = u.area.geom
        if not geom.intersects(window):
            continue
        mine = code == subject.code
        style = {"facecolor": pal["subject_fill"] if mine else pal["district_fill"],
                 "edgecolor": pal["commune_edge"], "linewidth": 0.6}
        draw_polygon(frame.ax, geom.simplify(tol), **style)
        if not mine:
            frame.legend[t(lang, "other_commune")] = Patch(**style)
        name = u.area.short.upper() if mine else u.area.short
        frame.labels.append(_area_label(name, geom, window, 11 if mine else 7.5, 10 if mine else 40,
                                        color="#555555"))
    shape = subject.geom.simplify(tol)
    raw = [d.geom.simplify(tol) for d in data.base.districts.values() if d.raw_material and d.geom.intersects(shape)]
    if raw:
        hatch = {"facecolor": "none", "edgecolor": pal["raw_hatch"], "hatch": "||", "linewidth": 0}
        draw_polygon(frame.ax, shape.intersection(unary_union(raw)), **hatch)
        frame.legend[t(lang, "raw_material")] = Patch(**hatch)


FORMER = {"facecolor": "none", "edgecolor": "#7d8a96", "linewidth": 1.0, "linestyle": (0, (6, 3)), "alpha": 0.7}


def _draw_former_districts(frame: Frame, data: SheetData, tol: float) -> None:
    """The former districts, dashed and light over the 2025 units, named "… (cũ)", for orientation."""
    window, lang = frame.window, frame.lang
    for d in data.base.districts.values():
        if d.geom.intersects(window):
            draw_polygon(frame.ax, d.geom.simplify(tol), **FORMER)
            name = t(lang, "former_unit", name=d.short)
            frame.labels.append(_area_label(name, d.geom, window, 7, 45, color="#7d8a96"))
            frame.legend[t(lang, "former_faint")] = Patch(**FORMER)


def interior_points(geom: BaseGeometry, anchor, most: int = 12) -> tuple[tuple[float, float], ...]:
    """Points of a grid over ``geom`` that lie inside it, nearest ``anchor`` first: where else its name fits
    (the grid is refined until it hits a scatter of small islands)."""
    x0, y0, x1, y1 = geom.bounds
    for steps in (6, 16, 40):
        xs, ys = np.meshgrid(np.linspace(x0, x1, steps + 2)[1:-1], np.linspace(y0, y1, steps + 2)[1:-1])
        xs, ys = xs.ravel(), ys.ravel()
        keep = shapely.contains_xy(geom, xs, ys)
        if keep.sum() >= 4:
            break
    pts = sorted(zip(xs[keep], ys[keep]), key=lambda p: (p[0] - anchor.x) ** 2 + (p[1] - anchor.y) ** 2)
    return tuple((float(x), float(y)) for x, y in pts[:most])


def along(line: BaseGeometry) -> tuple[tuple[float, float], ...]:
    """Points along a line other than its middle, nearest the middle first: where else its name may point."""
    return tuple((p.x, p.y) for p in (line.interpolate(f, normalized=True) for f in (0.4, 0.6, 0.3, 0.7, 0.2, 0.8)))


def _area_label(
    text: str, geom: BaseGeometry, window: BaseGeometry, size: float, priority: int, **style
) -> Label:
    inside = geom.intersection(window)
    area = inside if not inside.is_empty else geom
    p = area.representative_point()
    return Label(text, p.x, p.y, size, priority, centred=True, style=style, alternatives=interior_points(area, p))


def draw_features(frame: Frame, data: SheetData) -> None:
    """Every plan feature in the frame, by layer; legend entries only for what is drawn."""
    window = frame.window
    for layer in sym.LAYER_ORDER:
        for f in (f for f in data.base.features if f.layer == layer and f.geom.intersects(window)):
            radius = _draw_feature(frame, f, data.feature_states.get(f.id, "no_tasks"))
            label = _feature_label(f, window, frame.lang)
            label.gap = max(label.gap, radius + 0.6)
            frame.labels.append(label)


GREY_AREA = {"edgecolor": "#555555", "facecolor": "#dddddd"}
GREY_SAMPLE = {"markerfacecolor": "#dddddd", "markersize": 6, "alpha": 0.85}  # legend: shape, not progress


def _draw_feature(frame: Frame, f, state: str) -> float:
    """Draw one feature; return the radius (mm) of its point symbol, 0 without one."""
    lang, legend = frame.lang, frame.legend
    title = sym.layer_title(f.layer, lang)
    infra = f.layer == "infrastructure_projects"
    by_state = f.layer in ("industrial_parks", "industrial_clusters")
    kind_key = f"{title}: {sym.word(lang, f'kind.{f.kind}', f.kind)}"
    if polygon_path(f.geom) is not None:
        style = sym.area_style(f.layer, f.kind, f.status, state)
        draw_polygon(frame.ax, f.geom, **style)
        if by_state:
            legend.setdefault(f"{title} ({t(lang, 'area')})", Patch(**(style | GREY_AREA)))
        else:
            legend.setdefault(kind_key if infra else title, Patch(**style))
    for line in _lines(f.geom):
        xy = np.asarray(line.coords)
        frame.ax.plot(xy[:, 0], xy[:, 1], **sym.line_style(f.kind, f.status), zorder=4)
        legend.setdefault(kind_key, Line2D([], [], **sym.line_style(f.kind, "operating")))
        if f.status != "operating":  # one dash sample per status, after the layers
            dash = sym.line_style(f.kind, f.status)["linestyle"]
            status = sym.word(lang, f"status.{f.status}", f.status)
            frame.states.setdefault(
                f"— {status}", Line2D([], [], color="#444444", linewidth=1.5, linestyle=dash)
            )
    r = 0.0
    for pt in _points(f.geom):
        style = sym.point_style(f.layer, f.kind, state, f.planned_area_ha, f.precision == "schematic")
        frame.ax.plot([pt.x], [pt.y], **style, zorder=6)
        sample = style | {"markersize": 6, "alpha": 0.85} if infra else style | GREY_SAMPLE
        legend.setdefault(kind_key if infra else title, Line2D([], [], **sample))
        if f.precision == "schematic":
            legend.setdefault(t(lang, "schematic"), Line2D([], [], **(style | GREY_SAMPLE | {"marker": "o"})))
        r = style["markersize"] * PT_MM / 2
        mx, my = frame.to_mm(pt.x, pt.y)
        frame.obstacles.append((mx - r, my - r, mx + r, my + r))
    if by_state:
        label = f"{t(lang, 'progress')}: {sym.word(lang, f'state.{state}', state)}"
        frame.states[label] = Patch(facecolor=sym.STATE_COLOURS.get(state, "#555555"), edgecolor="#222222")
    return r


def _feature_label(f, window: BaseGeometry, lang: str) -> Label:
    """Lines named at their middle, polygons inside, points beside; with other anchors to fall back on."""
    inside = f.geom.intersection(window)
    geom = inside if not inside.is_empty else f.geom
    polygonal = polygon_path(geom) is not None
    if geom.geom_type in ("LineString", "MultiLineString"):
        line = max(_lines(geom), key=lambda g: g.length)
        p, alternatives = line.interpolate(0.5, normalized=True), along(line)
    elif polygonal:
        p = geom.representative_point()
        alternatives = interior_points(geom, p)
    else:
        p, alternatives = geom.centroid, ()
    area_like = polygonal and geom.area > 4e7  # big zones: name on the area
    return Label(f.label(lang), p.x, p.y, 6.5, 20, centred=area_like, style={"color": "#222222"}, callout=True,
                 alternatives=alternatives)


def draw_towns(frame: Frame) -> None:
    window = frame.window
    drawn = False
    for name, pt in towns_m():
        if not window.contains(pt):
            continue
        frame.ax.plot([pt.x], [pt.y], marker="o", markersize=2.5, color=sym.PALETTE["town"], zorder=7)
        mx, my = frame.to_mm(pt.x, pt.y)
        frame.obstacles.append((mx - 0.6, my - 0.6, mx + 0.6, my + 0.6))
        frame.labels.append(Label(name, pt.x, pt.y, 6.5, 30, style={"color": "#000000"}))
        drawn = True
    if drawn:
        frame.legend[t(frame.lang, "town")] = Line2D(
            [], [], marker="o", markersize=2.5, color="black", linestyle="none"
        )
