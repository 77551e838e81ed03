"""The statistics and tasks pages: hectares by layer, raw-material status, parks and clusters, linked tasks.

Numbers come from layers/stats.py (the one source the API and the web panel use too): hectares are polygon
areas split by district in EPSG:9207; the province's parks and clusters are listed from the sheet's features.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from matplotlib.figure import Figure

from api.print import symbology as sym
from api.print.layout import MARGIN, PAPER_MM
from api.print.mapframe import PT_MM
from api.print.sheetdata import SheetData, TaskRow
from api.print.strings import number, t

FONT = 6.5  # points
LINE = FONT * PT_MM * 1.3  # mm per text line
TASK_CHARS = 240  # a district lists a dozen tasks; the province all of them, shorter
PROVINCE_TASK_CHARS = 110


@dataclass(frozen=True)
class Column:
    header: str
    width: float  # share of the table width
    align: str = "left"


def layer_rows(data: SheetData, lang: str) -> list[list[str]]:
    """Per layer with features: their count and the hectares of their polygons inside the unit (EPSG:9207)."""
    cells = data.summary.get("layers", [])
    rows = []
    for cell in sorted(cells, key=lambda c: sym.LAYER_ORDER.index(c["layer"])):
        ha = cell.get("area_ha", cell.get("in_districts_ha")) or 0
        if cell["feature_count"]:
            rows.append(
                [
                    sym.layer_title(cell["layer"], lang),
                    str(cell["feature_count"]),
                    number(lang, ha, 1) if ha else "–",
                ]
            )
    return rows


def park_rows(data: SheetData, lang: str) -> list[list[str]]:
    """Parks and clusters: planned area, occupancy, status (the district's from layers.stats)."""
    if data.gso is not None:
        items = [
            (
                p["name_en"] or p["name"] if lang == "en" else p["name"],
                p["planned_area_ha"],
                p["occupancy_pct"],
                p["status"],
            )
            for p in data.summary.get("parks_and_clusters", [])
        ]
    else:
        items = [
            (f.label(lang), f.planned_area_ha, f.occupancy_pct, f.status)
            for f in data.base.features
            if f.layer in ("industrial_parks", "industrial_clusters")
        ]
    return [
        [
            name,
            number(lang, ha, 1) if ha else "–",
            number(lang, occ) if occ is not None else "–",
            sym.word(lang, f"status.{status}", t(lang, status)),
        ]
        for name, ha, occ, status in items
    ]


def task_cells(task: TaskRow, lang: str, chars: int = TASK_CHARS) -> list[str]:
    text = (task.summary_en or task.text) if lang == "en" else task.text
    text = textwrap.shorten(text, chars, placeholder=" […]")  # the sheet cites; the API has the full text
    lead = task.lead_names_en if lang == "en" and task.lead_names_en else task.lead_names
    words = task.deadline_text_en if lang == "en" else task.deadline_text
    deadline = words or (task.deadline.isoformat() if task.deadline else "–")
    status = t(lang, task.status) + (f", {t(lang, 'overdue')}" if task.overdue else "")
    return [
        task.id,
        text,
        lead,
        deadline,
        status,
        number(lang, task.percent, 0) if task.percent is not None else "–",
    ]


class TablePages:
    """Portrait pages of ``size`` filled top to bottom; a new page starts when one is full."""

    def __init__(self, size: str, lang: str):
        self.size, self.lang = size, lang
        self.page = PAPER_MM[size]
        self.figures: list[Figure] = []
        self.y = 0.0
        self.new_page()

    def new_page(self) -> None:
        self.figures.append(Figure(figsize=(self.page[0] / 25.4, self.page[1] / 25.4)))
        self.y = self.page[1] - MARGIN

    def text(self, text: str, size: float = FONT, weight: str = "normal", gap: float = 1.0) -> None:
        if self.y - size * PT_MM * 1.4 < MARGIN:
            self.new_page()
        self.figures[-1].text(
            MARGIN / self.page[0], self.y / self.page[1], text, fontsize=size, fontweight=weight, va="top"
        )
        self.y -= size * PT_MM * 1.4 + gap

    def table(self, columns: list[Column], rows: list[list[str]], continued: str | None = None) -> None:
        width = self.page[0] - 2 * MARGIN
        self._row(columns, [c.header for c in columns], width, bold=True)
        for row in rows:
            lines = self._wrap(columns, row, width)
            if self.y - len(max(lines, key=len)) * LINE < MARGIN:
                self.new_page()
                if continued:
                    self.text(continued, 9, "bold", 2)
                self._row(columns, [c.header for c in columns], width, bold=True)
            self._row(columns, row, width)
        self.y -= 3

    def _wrap(self, columns, row, width) -> list[list[str]]:
        out = []
        for col, cell in zip(columns, row):
            chars = max(4, int(col.width * width / (FONT * PT_MM * 0.56)) - 1)
            out.append(textwrap.wrap(cell, chars, break_on_hyphens=False) or [""])
        return out

    def _row(self, columns, row, width, bold: bool = False) -> None:
        fig, (pw, ph) = self.figures[-1], self.page
        lines = self._wrap(columns, row, width)
        x = MARGIN
        for col, cell in zip(columns, lines):
            w = col.width * width
            tx = x + (w - 1 if col.align == "right" else 0.5)
            fig.text(
                tx / pw,
                self.y / ph,
                "\n".join(cell),
                fontsize=FONT,
                va="top",
                ha=col.align,
                fontweight="bold" if bold else "normal",
                linespacing=1.15,
            )
            x += w
        self.y -= max(len(c) for c in lines) * LINE + 1.2
        fig.add_artist(_rule(fig, self.y + 0.6, pw, ph))


def _rule(fig: Figure, y: float, pw: float, ph: float):
    from matplotlib.lines import Line2D

    return Line2D(
        [MARGIN / pw, 1 - MARGIN / pw],
        [y / ph, y / ph],
        transform=fig.transFigure,
        color="#bbbbbb",
        linewidth=0.3,
    )


def stats_pages(data: SheetData, size: str, lang: str, unit: str) -> list[Figure]:
    """The statistics block then the linked tasks, over as many pages as they need."""
    pages = TablePages(size, lang)
    pages.text(t(lang, "stats_title", unit=unit), 12, "bold", 3)
    subject = data.subject
    area = data.summary["area_ha"] if subject else data.summary["totals"]["area_ha"]
    pages.text(t(lang, "district_area", ha=number(lang, area, 1)), 8)
    if subject:
        raw = (
            t(lang, "raw_yes", source=subject.raw_source or "") if subject.raw_material else t(lang, "raw_no")
        )
    else:
        names = [d.short for d in data.base.districts.values() if d.raw_material]
        raw = f"{t(lang, 'raw_material')}: {', '.join(names) or t(lang, 'none')}"
    pages.text(raw, 8, gap=3 if not subject else 1)
    if subject:  # the same three counts as the statistics API, the OGC item and the map panel
        counts = data.summary["tasks"]
        pages.text(t(lang, "task_counts", direct=counts["tasks_direct"], via=counts["tasks_via_features"],
                     linked=counts["tasks_linked"]), 8, gap=3)
    layers = layer_rows(data, lang)
    if layers:
        pages.table(
            [
                Column(t(lang, "col_layer"), 0.5),
                Column(t(lang, "col_count"), 0.2, "right"),
                Column(t(lang, "col_ha"), 0.3, "right"),
            ],
            layers,
        )
    parks = park_rows(data, lang)
    pages.text(t(lang, "parks"), 9, "bold", 1.5)
    if parks:
        pages.table(
            [
                Column(t(lang, "col_name"), 0.46),
                Column(t(lang, "col_area"), 0.18, "right"),
                Column(t(lang, "col_occ"), 0.18, "right"),
                Column(t(lang, "col_status"), 0.18),
            ],
            parks,
        )
    else:
        pages.text(t(lang, "none"), gap=3)
    _tasks(pages, data, lang)
    return pages.figures


def _tasks(pages: TablePages, data: SheetData, lang: str) -> None:
    pages.text(t(lang, "tasks_title", count=len(data.tasks)), 9, "bold", 1.5)
    columns = [
        Column(t(lang, "col_task"), 0.12),
        Column(t(lang, "col_text"), 0.42),
        Column(t(lang, "col_lead"), 0.19),
        Column(t(lang, "col_deadline"), 0.09),
        Column(t(lang, "col_progress"), 0.12),
        Column(t(lang, "col_pct"), 0.06, "right"),
    ]
    if data.tasks:
        pages.table(
            columns,
            [task_cells(task, lang, TASK_CHARS if data.gso else PROVINCE_TASK_CHARS) for task in data.tasks],
            t(lang, "tasks_more"),
        )
    else:
        pages.text(t(lang, "none"))
