"""One map sheet: page 1 the map with its furniture, then the statistics and tasks pages.

>>> pdf = render(session, Target.district(907), size="A3", lang="vi")   # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import io
import math
import textwrap
import threading
from dataclasses import dataclass

import matplotlib
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from sqlalchemy.orm import Session

from api.print import fonts, furniture, labels, mapframe
from api.print import layout as lay
from api.print.sheetdata import SheetData, sheet_data
from api.print.strings import LANGS, commune_name, number, t, unit_name
from api.print.tables import stats_pages
from api.print.target import Target
from api.print.unit_tables import unit_pages

# TrueType (42) embeds the font so Vietnamese text stays selectable and searchable in the PDF.
RC = {"pdf.fonttype": 42, "font.family": "DejaVu Sans", "hatch.linewidth": 0.4, "axes.linewidth": 0.8}
_RENDER = threading.Lock()  # matplotlib's global state is not thread-safe; requests render one at a time


class SheetError(ValueError):
    """A parameter the sheet cannot honour (size, language)."""


@dataclass(frozen=True)
class Sheet:
    figures: list[Figure]
    layout: lay.Layout
    extent: tuple[float, float, float, float]
    title: str


def _unit(data: SheetData, lang: str) -> str:
    s = data.subject
    if data.unit is not None:
        return commune_name(lang, s.short, s.type)
    return (
        unit_name(lang, s.name, s.short, s.type)
        if s
        else ("tỉnh Kiên Giang" if lang == "vi" else "Kiên Giang province")
    )


def _title_block(fig: Figure, layout: lay.Layout, data: SheetData, lang: str) -> str:
    r, page = layout.title, layout.page
    k = 1.0 if layout.size == "A4" else 1.25
    title = t(lang, "title", unit=_unit(data, lang)) if data.subject else t(lang, "title_province")
    docs = data.base.documents
    titles = "; ".join((d.title_en or d.title) if lang == "en" else d.title for d, _ in docs)
    years = ", ".join(year + (f" ({t(lang, 'number')} {d.number})" if d.number else "") for d, year in docs)
    issuer = docs[0][0].issuer if docs else ""
    numbers = t(lang, "documents", years=years, issuer=issuer) + (
        f" ({t(lang, 'blank')})" if any(not d.number for d, _ in docs) else ""
    )
    x, top = r.x / page[0], (r.y + r.h) / page[1]
    fig.text(x, top, title, fontsize=15 * k, fontweight="bold", va="top")
    chars = int(r.w / (7 * k * mapframe.PT_MM * 0.56))
    fig.text(
        x,
        top - 8 * k / page[1],
        textwrap.shorten(t(lang, "plan_ref", titles=titles), chars),
        fontsize=7 * k,
        va="top",
    )
    fig.text(
        x,
        top - 12.5 * k / page[1],
        textwrap.shorten(t(lang, "subtitle", numbers=numbers), chars),
        fontsize=7 * k,
        va="top",
        color="#333333",
    )
    return title


def _callout_entries(callouts: list[tuple[int, mapframe.Label]]) -> dict[str, object]:
    """The names numbered on the map, each with its number as the legend's symbol."""
    from matplotlib.lines import Line2D

    return {name: Line2D([], [], marker=f"${n}$", markersize=5 + 2 * len(str(n)), color="#000000",
                         linestyle="none") for n, label in callouts for name in label.text.split("\n")}


def _legend(fig: Figure, layout: lay.Layout, frame: mapframe.Frame, lang: str,
            callouts: list[tuple[int, mapframe.Label]]) -> None:
    """Every entry drawn, in one column or two; the font shrinks (down to 5 pt) to keep entries on the page."""
    r = layout.legend
    ax = fig.add_axes(r.fraction(layout.page))
    ax.set_axis_off()
    entries = frame.legend | frame.states | _callout_entries(callouts)
    size = 6.5 if layout.size == "A4" else 7.8
    title = size * 1.2
    longest = max(map(len, entries), default=1)
    for _ in range(8):
        em = size * mapframe.PT_MM
        rows_fit = int((r.h - title * mapframe.PT_MM * 2) / (em * 1.75))
        ncol = 1 if len(entries) <= rows_fit else 2
        width = ncol * (longest * em * 0.6 + 4.2 * em)  # text, handle and gaps
        if (math.ceil(len(entries) / ncol) <= rows_fit and width <= r.w) or size < 5.2:
            break
        size *= 0.9
    ax.legend(
        list(entries.values()),
        list(entries),
        loc="upper left",
        title=t(lang, "legend"),
        ncol=ncol,
        fontsize=size,
        title_fontproperties={"weight": "bold", "size": title},
        frameon=False,
        borderaxespad=0,
        alignment="left",
        handlelength=2.2,
        columnspacing=1.0,
        labelspacing=0.45,
    )


def _notes(fig: Figure, layout: lay.Layout, data: SheetData, lang: str, today: dt.date) -> None:
    r, page = layout.notes, layout.page
    k = 1.0 if layout.size == "A4" else 1.2
    size = 5.8 * k
    source = data.subject.source if data.subject else (next(iter(data.base.districts.values())).source)
    lines = [
        t(lang, "scale", n=number(lang, layout.scale)) + f" ({layout.size})",
        t(lang, "crs"),
        t(lang, "scalebar_note"),
        t(lang, "commune_note" if data.unit is not None else "former"),
        t(
            lang,
            "data_date",
            date=data.base.loaded_at[:10],
            version=data.base.data_version,
            today=today.isoformat(),
        ),
        t(lang, "source", boundaries=source),
        t(lang, "precision"),
    ]
    chars = int(r.w / (size * mapframe.PT_MM * 0.56))
    text = "\n".join(textwrap.fill(line, chars) for line in lines)
    fig.text(r.x / page[0], (r.y + r.h) / page[1], text, fontsize=size, va="top", linespacing=1.25)


def map_page(data: SheetData, size: str, lang: str, today: dt.date) -> Sheet:
    x0, y0, x1, y1 = data.subject_geom.bounds
    layout = lay.fit(size, x1 - x0, y1 - y0)
    extent = layout.extent(((x0 + x1) / 2, (y0 + y1) / 2))
    fig = Figure(figsize=(layout.page[0] / 25.4, layout.page[1] / 25.4))
    ax = fig.add_axes(layout.frame.fraction(layout.page))
    ax.set_xlim(extent[0], extent[2])
    ax.set_ylim(extent[1], extent[3])
    ax.set_autoscale_on(False)
    frame = mapframe.Frame(ax, extent, layout.ground_per_mm, lang)
    mapframe.draw_base(frame, data)
    mapframe.draw_features(frame, data)
    mapframe.draw_towns(frame)
    frame.obstacles += [furniture.scale_bar_box(layout, extent, lang), furniture.north_arrow_box(layout)]
    callouts = labels.place_labels(frame, (layout.frame.w, layout.frame.h))
    furniture.draw_grid(ax, extent, lang)
    furniture.draw_scale_bar(ax, layout, extent, lang)
    furniture.draw_north_arrow(ax, layout, extent, lang)
    furniture.draw_inset(fig, layout, data, extent, lang)
    title = _title_block(fig, layout, data, lang)
    _legend(fig, layout, frame, lang, callouts)
    _notes(fig, layout, data, lang, today)
    return Sheet([fig], layout, extent, title)


def build(data: SheetData, size: str, lang: str, today: dt.date | None = None) -> Sheet:
    if size not in lay.SIZES:
        raise SheetError(f"size must be one of {', '.join(lay.SIZES)}, not {size!r}")
    if lang not in LANGS:
        raise SheetError(f"lang must be one of {', '.join(LANGS)}, not {lang!r}")
    today = today or dt.date.today()
    sheet = map_page(data, size, lang, today)
    pages = unit_pages if data.unit is not None else stats_pages
    return Sheet(
        sheet.figures + pages(data, size, lang, _unit(data, lang)),
        sheet.layout,
        sheet.extent,
        sheet.title,
    )


def metadata(sheet: Sheet) -> dict:
    """PDF info: the frame's place on paper (mm) and its ground extent (EPSG:9207 m), to check the scale."""
    f, e = sheet.layout.frame, sheet.extent
    keywords = (
        f"scale=1:{sheet.layout.scale}; size={sheet.layout.size}; "
        f"frame_mm={f.x:.3f},{f.y:.3f},{f.w:.3f},{f.h:.3f}; "
        f"extent_m={e[0]:.2f},{e[1]:.2f},{e[2]:.2f},{e[3]:.2f}; crs=EPSG:9207"
    )
    return {
        "Title": sheet.title,
        "Subject": "Kiên Giang planning map service",
        "Keywords": keywords,
        "Creator": "planmap print",
    }


def to_bytes(sheet: Sheet, fmt: str = "pdf", dpi: int = 150) -> bytes:
    """The whole sheet as PDF, or its map page as PNG."""
    buf = io.BytesIO()
    with matplotlib.rc_context(RC):
        if fmt == "png":
            sheet.figures[0].savefig(buf, format="png", dpi=dpi)
        else:
            with PdfPages(buf, metadata=metadata(sheet)) as pdf:
                for fig in sheet.figures:
                    pdf.savefig(fig)
    return buf.getvalue()


def render(
    session: Session,
    target: Target,
    size: str = "A3",
    lang: str = "vi",
    fmt: str = "pdf",
    today: dt.date | None = None,
) -> bytes:
    """The sheet of ``target`` (the province, a former district, a 2025 unit) as PDF or PNG bytes."""
    with _RENDER:
        fonts.register()
        data = sheet_data(session, target, today)
        with matplotlib.rc_context(RC):
            sheet = build(data, size, lang, today)
        return to_bytes(sheet, fmt)
