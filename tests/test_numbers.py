"""One set of numbers: a former district's tasks are counted the same three ways (``tasks_direct``,
``tasks_via_features``, ``tasks_linked``) by the statistics API, the OGC item, the map panel and the printed
sheet, for all 15 districts, and equal a count made here from the link tables themselves."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import text
from sqlalchemy.orm import Session

CODES = (899, 900, 902, 903, 904, 905, 906, 907, 908, 909, 910, 911, 912, 913, 914)


@pytest.fixture(scope="module")
def expected(engine) -> dict[int, dict[str, int]]:
    """From the link tables: tasks naming the district; tasks of features the plan places in it."""
    out = {}
    with Session(engine) as s:
        for code in CODES:
            direct = set(s.scalars(text("SELECT task_id FROM task_districts WHERE gso_code = :c"), {"c": code}))
            via = set(s.scalars(text(
                "SELECT tf.task_id FROM task_features tf JOIN feature_districts fd ON fd.feature_id = tf.feature_id "
                "WHERE fd.gso_code = :c"), {"c": code}))
            out[code] = {"tasks_direct": len(direct), "tasks_via_features": len(via),
                         "tasks_linked": len(direct | via)}
    return out


def test_the_counts_differ_somewhere(expected):
    """Otherwise this module could not tell one count from another."""
    assert any(e["tasks_direct"] != e["tasks_linked"] for e in expected.values())
    assert any(e["tasks_via_features"] != e["tasks_linked"] for e in expected.values())


@pytest.mark.parametrize("code", CODES)
def test_statistics_ogc_item_and_map_panel_agree(client, expected, code):
    want = expected[code]
    stats = client.get(f"/api/stats/districts/{code}").json()
    assert stats["tasks"] == want
    assert stats["progress"]["tasks"] == want["tasks_linked"]
    item = client.get(f"/ogc/collections/districts/items/{code}").json()["properties"]
    assert {k: item[k] for k in want} == want
    assert len([t for t in item["task_ids"].split(",") if t]) == want["tasks_linked"]
    panel = client.get(f"/api/map/districts/{code}").json()
    assert panel["counts"] == want and len(panel["tasks"]) == want["tasks_linked"]


@pytest.mark.parametrize("code", CODES)
def test_the_printed_sheet_says_the_same(client, expected, code):
    want = expected[code]
    pdf = client.get(f"/print/district/{code}.pdf", params={"size": "A4", "lang": "en"})
    assert pdf.status_code == 200
    words = " ".join(" ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(pdf.content)).pages)
    counts = re.search(r"Tasks: (\d+) naming the district, (\d+) through projects in it; (\d+) linked", words)
    assert counts, words[:400]
    assert tuple(map(int, counts.groups())) == (want["tasks_direct"], want["tasks_via_features"],
                                                want["tasks_linked"])
    assert f"Linked tasks ({want['tasks_linked']})" in words
