"""No two labels overlap on any printed sheet, measured in the PDF itself.

PyMuPDF reads every text span drawn in the map frame with the box a PDF reader gives it (font ascent to descent,
advance widths), on every sheet ``planmap print --all`` and ``--all-communes`` wrote (tests/print_sheets.py,
SpatiaLite: the drawing does not depend on the backend, and the statistics on it are checked on both backends in
test_print.py and test_print_communes.py). Every plan feature in the frame is still named: beside its symbol,
at the end of a leader, or under a number listed in the legend.
"""

from __future__ import annotations

import re

import pymupdf
import pytest
import shapely
from geoalchemy2.shape import to_shape
from sqlalchemy import select
from sqlalchemy.orm import Session

from layers.admin2025.models import Commune2025
from layers.models import Feature
from tests.print_sheets import (
    commune_sheet,
    district_sheet,
    frame_rect,
    keywords,
    overlapping,
    spans,
)
from tests.reference import epsg_6960_transformer

SPATIALITE = pytest.mark.parametrize("backend", ["spatialite"], indirect=True)
CODES = (899, 900, 902, 903, 904, 905, 906, 907, 908, 909, 910, 911, 912, 913, 914)
LEGIBLE_PT = 5.5  # the smallest type on the map: the scale bar's distances


def _unit_codes(engine) -> list[str]:
    with Session(engine) as session:
        return list(session.scalars(select(Commune2025.code).order_by(Commune2025.code)))


def _frame_problems(path) -> tuple[int, list, list]:
    """(spans in the frame, overlapping pairs, spans smaller than legible) of a sheet's map page."""
    with pymupdf.open(path) as doc:
        found = spans(doc[0], frame_rect(doc))
    return len(found), overlapping(found), [(s.text, s.size) for s in found if s.size < LEGIBLE_PT - 0.01]


@SPATIALITE
@pytest.mark.parametrize("gso", [*CODES, None])
def test_no_two_labels_overlap_on_a_district_sheet(sheet_dir, gso):
    count, pairs, small = _frame_problems(district_sheet(sheet_dir, gso))
    assert count >= 10, f"only {count} text spans in the map frame: not the sheet's labels"
    assert not pairs, f"overlapping labels on sheet {gso}: {pairs}"
    assert not small, f"labels below {LEGIBLE_PT} pt: {small}"


@SPATIALITE
def test_no_two_labels_overlap_on_any_commune_sheet(commune_sheet_dir, engine):
    codes = _unit_codes(engine)
    assert len(codes) >= 48  # the units formed from former Kiên Giang, and the border slivers
    problems = {}
    for code in codes:
        count, pairs, small = _frame_problems(commune_sheet(commune_sheet_dir, code))
        if count < 4 or pairs or small:
            problems[code] = (count, pairs, small)
    assert not problems, f"(spans, overlapping pairs, too small) by unit: {problems}"


def _collapse(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _features_in_frame(engine, doc) -> dict[str, str]:
    """Features whose geometry (projected here with pyproj's EPSG:6960 path) meets the frame: id -> name."""
    x0, y0, x1, y1 = map(float, keywords(doc)["extent_m"].split(","))
    window = shapely.box(x0, y0, x1, y1)
    to_tm3 = epsg_6960_transformer(9207)
    with Session(engine) as session:
        rows = [(f.id, f.name, to_shape(f.geom)) for f in session.scalars(select(Feature))]
    return {fid: name for fid, name, geom in rows
            if shapely.transform(geom, lambda x, y: to_tm3.transform(x, y), interleaved=False).intersects(window)}


def _unnamed(engine, path) -> list[str]:
    with pymupdf.open(path) as doc:
        page_text = _collapse("".join(s.text for s in spans(doc[0])))  # the map and its legend
        wanted = _features_in_frame(engine, doc)
    assert wanted, f"{path.name}: no feature in the frame to check"
    return [name for name in wanted.values() if _collapse(name) not in page_text]


@SPATIALITE
@pytest.mark.parametrize("gso", [899, 905, 911, None])
def test_every_feature_in_the_frame_is_named(sheet_dir, engine, gso):
    """Crowded sheets (Rạch Giá, Châu Thành, Phú Quốc's stack of schematic points, the province): nothing is
    dropped to avoid an overlap; it moves, or is numbered in the legend."""
    assert not _unnamed(engine, district_sheet(sheet_dir, gso))


@SPATIALITE
@pytest.mark.parametrize("code", ["30742", "31078", "30958"])
def test_every_feature_on_a_commune_sheet_is_named(commune_sheet_dir, engine, code):
    assert not _unnamed(engine, commune_sheet(commune_sheet_dir, code))
