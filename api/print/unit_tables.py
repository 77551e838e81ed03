"""The statistics and tasks pages of a 2025 unit's sheet.

Every number is the unit's row of ``/api/stats/communes/{code}`` (``layers.stats_2025.commune_summary``): its
area, the hectares of each plan layer inside it, its tasks counted three ways and their progress. The plan
features listed are those ``layers.admin2025.lookup`` puts on the unit (the same the feature popups name), with
the share of each inside it; a feature placed only schematically at its former district is listed as a
candidate, never as lying in the unit.
"""

from __future__ import annotations

from matplotlib.figure import Figure

from api.print import symbology as sym
from api.print.landuse import landuse_tables
from api.print.pages import Column, TablePages
from api.print.sheetdata import SheetData
from api.print.strings import number, t
from api.print.tables import tasks_table
from api.print.units import Unit


def _layer_rows(data: SheetData, unit: Unit, lang: str) -> list[list[str]]:
    """Per plan layer: the features lying on the unit and the hectares of their polygons inside it."""
    hectares = data.summary["hectares"]
    rows = []
    for layer in sym.LAYER_ORDER:
        count = sum(1 for uf in unit.features if uf.feature.layer == layer and not uf.candidate)
        ha = hectares.get(layer, 0.0)
        if count or ha:
            rows.append([sym.layer_title(layer, lang), str(count), number(lang, ha, 1) if ha else "–"])
    return rows


def _feature_rows(unit: Unit, lang: str) -> list[list[str]]:
    rows = []
    for uf in sorted(unit.features, key=lambda u: (sym.LAYER_ORDER.index(u.feature.layer), u.feature.name)):
        f = uf.feature
        if uf.candidate:
            where = t(lang, "candidate")
        else:
            where = number(lang, uf.share_pct, 1) if uf.share_pct is not None else t(lang, "point_inside")
        status = sym.word(lang, f"status.{f.status}", t(lang, f.status))
        rows.append([f.label(lang), sym.layer_title(f.layer, lang), where, status])
    return rows


def _identity(pages: TablePages, data: SheetData, unit: Unit, lang: str) -> None:
    s, info = data.summary, unit.info
    pages.text(t(lang, "commune_since"), 8)
    pages.text(t(lang, "district_area", ha=number(lang, s["area_ha"], 1)), 8)
    districts = ", ".join(data.base.districts[c].short for c in info.former_districts if c in data.base.districts)
    pages.text(t(lang, "formed_from", communes=info.former_communes or t(lang, "none"),
                 districts=districts or t(lang, "none")), 8)
    if not info.formed_from_kien_giang:
        pages.text(t(lang, "sliver"), 8)
    if info.note:
        pages.text(t(lang, "geometry_note", note=info.note), 7)
    counts, p = s["tasks"], s["progress"]
    pages.text(t(lang, "commune_task_counts", district=counts["tasks_via_district"],
                 via=counts["tasks_via_features"], linked=counts["tasks_linked"]), 8)
    mean = number(lang, p["mean_percent"], 0) if p["mean_percent"] is not None else "–"
    pages.text(t(lang, "progress_line", tasks=p["tasks"], done=p["done"], overdue=p["overdue"],
                 reported=p["reported"], mean=mean), 8, gap=3)


def unit_pages(data: SheetData, size: str, lang: str, unit_name: str) -> list[Figure]:
    """The unit's identity and numbers, the plan features on it, land use, then its tasks."""
    unit = data.unit
    pages = TablePages(size, lang)
    pages.text(t(lang, "stats_title", unit=unit_name), 12, "bold", 3)
    _identity(pages, data, unit, lang)
    layers = _layer_rows(data, unit, lang)
    if layers:
        pages.table([Column(t(lang, "col_layer"), 0.5), Column(t(lang, "col_count"), 0.2, "right"),
                     Column(t(lang, "col_ha_unit"), 0.3, "right")], layers)
    pages.text(t(lang, "features_title"), 9, "bold", 1.5)
    features = _feature_rows(unit, lang)
    if features:
        pages.table([Column(t(lang, "col_name"), 0.42), Column(t(lang, "col_layer"), 0.24),
                     Column(t(lang, "col_share"), 0.16), Column(t(lang, "col_status"), 0.18)], features)
    else:
        pages.text(t(lang, "none"), gap=3)
    landuse_tables(pages, data, lang)
    tasks_table(pages, data, lang)
    return pages.figures
