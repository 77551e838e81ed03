"""The statistics and tasks pages: hectares by layer, raw-material status, parks and clusters, linked tasks.

Numbers come from layers/stats.py (the one source the API and the web panel use too): hectares are polygon
areas split by district in EPSG:9207; the province's parks and clusters are listed from the sheet's features.
"""

from __future__ import annotations

import textwrap

from matplotlib.figure import Figure

from api.print import symbology as sym
from api.print.landuse import landuse_tables
from api.print.pages import Column, TablePages
from api.print.sheetdata import SheetData, TaskRow
from api.print.strings import number, t

TASK_CHARS = 240  # a district lists a dozen tasks; the province all of them, shorter
PROVINCE_TASK_CHARS = 110


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
    landuse_tables(pages, data, lang)
    tasks_table(pages, data, lang)
    return pages.figures


def tasks_table(pages: TablePages, data: SheetData, lang: str) -> None:
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
            [task_cells(task, lang, PROVINCE_TASK_CHARS if data.target.kind == "province" else TASK_CHARS)
             for task in data.tasks],
            t(lang, "tasks_more"),
        )
    else:
        pages.text(t(lang, "none"))
