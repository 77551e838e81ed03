"""Land use inside the parks, clusters and economic zones of a sheet (issue 12): for each imported layer with a
land-use field, the hectares of each land-use code inside each of those features, the rows of
``/api/stats/landuse/{layer}/overlay`` (``layers.stats.landuse_overlay``) and nothing recomputed. Compact: the
largest codes by area, the rest summed.

Which features: those the sheet is about, i.e. linked to the district (district sheet), lying on the 2025 unit
or a candidate of it (commune sheet), every one (province sheet).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from api.print import symbology as sym
from api.print.pages import Column, TablePages
from api.print.sheetdata import SheetData
from api.print.strings import number, t
from layers import stats
from layers.imports.models import imported_layers

TOP = 4  # codes named in a row; the others are summed


@dataclass(frozen=True)
class FeatureLandUse:
    feature_id: str
    layer: str  # industrial_parks | industrial_clusters | economic_zones
    total_ha: float
    top: tuple[tuple[str | None, float], ...]  # (code, hectares), largest first
    rest_ha: float
    rest_codes: int


@dataclass(frozen=True)
class LandUseTable:
    layer: str  # the imported layer's id
    title: str
    rows: tuple[FeatureLandUse, ...]
    names: dict[str | None, tuple[str | None, str | None]]  # code -> (Vietnamese, English) names of the codes shown


def _feature_ids(data: SheetData) -> set[str] | None:
    """The features the sheet is about; None for every feature (province)."""
    if data.unit is not None:
        return {uf.feature.id for uf in data.unit.features}
    if data.gso is not None:
        return {f.id for f in data.base.features if data.gso in f.districts}
    return None


def _row(fid: str, layer: str, cells: list[dict]) -> FeatureLandUse:
    ranked = sorted(cells, key=lambda r: (-r["hectares"], r["code"] or ""))
    top, rest = ranked[:TOP], ranked[TOP:]
    return FeatureLandUse(fid, layer, sum(r["hectares"] for r in cells),
                          tuple((r["code"], r["hectares"]) for r in top), sum(r["hectares"] for r in rest), len(rest))


def tables(session: Session, data: SheetData) -> list[LandUseTable]:
    """One table per imported land-use layer that has parcels in the sheet's parks, clusters and zones."""
    wanted = _feature_ids(data)
    order = {f.id: (sym.LAYER_ORDER.index(f.layer), f.name) for f in data.base.features}
    out = []
    for layer in imported_layers(session):
        if not layer.landuse_field:
            continue
        by_feature: dict[str, list[dict]] = {}
        for r in stats.landuse_overlay(session, layer.id, cache_dir=session.info.get("cache_dir")):
            if (wanted is None or r["feature_id"] in wanted) and r["feature_id"] in order:
                by_feature.setdefault(r["feature_id"], []).append(r)
        rows = tuple(_row(fid, cells[0]["layer"], cells)
                     for fid, cells in sorted(by_feature.items(), key=lambda kv: order[kv[0]]))
        shown = {code for row in rows for code, _ in row.top}
        names = {r["code"]: (r["name_vi"], r["name_en"]) for cells in by_feature.values() for r in cells
                 if r["code"] in shown}
        if rows:
            out.append(LandUseTable(layer.id, layer.title, rows, names))
    return out


def _code(lang: str, code: str | None) -> str:
    return code if code else t(lang, "landuse_empty")


def _cells(row: FeatureLandUse, name: str, lang: str) -> list[str]:
    cells = [name, number(lang, row.total_ha, 1)]
    cells += [f"{_code(lang, code)} {number(lang, ha, 1)}" for code, ha in row.top]
    cells += [""] * (TOP - len(row.top))
    cells.append(t(lang, "landuse_rest", n=row.rest_codes, ha=number(lang, row.rest_ha, 1)) if row.rest_codes
                 else "–")
    return cells


def landuse_tables(pages: TablePages, data: SheetData, lang: str) -> None:
    """The land-use tables of the sheet (nothing without an imported land-use layer)."""
    labels = {f.id: f.label(lang) for f in data.base.features}
    for table in data.landuse:
        pages.text(t(lang, "landuse_title", layer=table.title), 9, "bold", 1.5)
        columns = [Column(t(lang, "col_name"), 0.28), Column(t(lang, "col_total_ha"), 0.1, "right")]
        columns += [Column(t(lang, "col_code_n", n=i + 1), 0.12) for i in range(TOP)]
        columns.append(Column(t(lang, "col_other_codes"), 0.14))
        pages.table(columns, [_cells(row, labels[row.feature_id], lang) for row in table.rows])
        legend = "; ".join(f"{_code(lang, code)}: {(vi if lang == 'vi' else en) or t(lang, 'landuse_unknown')}"
                           for code, (vi, en) in sorted(table.names.items(), key=lambda kv: kv[0] or ""))
        pages.text(t(lang, "landuse_note", codes=legend, layer=table.layer), gap=3)
