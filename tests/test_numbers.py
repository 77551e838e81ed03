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


def test_a_2025_unit_has_one_set_of_tasks_in_the_statistics_the_panel_and_the_task_browser(client):
    """For every unit: the statistics API's linked tasks, the map's unit panel and the task browser's filter by
    that unit list the same tasks (a feature placed only at its district counts on none of its candidates)."""
    browser = client.get("/api/map/tasks").json()["tasks"]
    units = client.get("/api/stats/communes").json()
    assert len(units) > 40 and sum(u["tasks"]["tasks_linked"] for u in units) > 0
    for unit in units:
        code = unit["code"]
        panel = client.get(f"/api/map/communes/{code}").json()
        listed = {t["id"] for t in panel["tasks"]}
        assert len(listed) == unit["tasks"]["tasks_linked"] == panel["progress"]["tasks"], code
        assert listed == {t["id"] for t in browser if code in t["communes"]}, code
