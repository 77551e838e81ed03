"""The plan as data: nothing the documents say is silently dropped, and every link resolves.

Expected values are read from the plan documents themselves (tests/reference.py).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from geoalchemy2.shape import to_shape
from sqlalchemy import select
from sqlalchemy.orm import Session

from geo.area import hectares
from layers import models as m
from layers.plan import read_plan
from layers.progress import task_states
from layers.queries import linked_to_district, tasks_due, tasks_of_agency
from layers.settings import REPO_ROOT
from layers.text import fold
from tests import reference as ref


@pytest.fixture(scope="module")
def plan():
    return read_plan(REPO_ROOT / "data")


@pytest.fixture
def session(engine):
    with Session(engine) as s:
        yield s


def test_data_validates(plan):
    assert plan.errors == []


def _features(session, layer):
    return list(session.scalars(select(m.Feature).where(m.Feature.layer == layer)))


def test_five_parks_of_footnote_1(session):
    parks = _features(session, "industrial_parks")
    names = {fold(p.name) for p in parks}
    assert len(parks) == 5
    for expected in ref.park_names():
        assert any(fold(expected) in n for n in names), expected


def test_growth_poles_are_the_three_the_plan_names(session):
    poles = [f for f in _features(session, "growth_poles") if f.kind == "growth_pole"]
    assert sorted(fold(p.name) for p in poles) == sorted(
        n for n in (fold(p.name) for p in poles) if any(fold(e) in n for e in ref.growth_pole_names()))
    assert len(poles) == len(ref.growth_pole_names()) == 3


def test_ten_raw_material_districts_of_footnote_2(session):
    flagged = {fold(d.short_name) for d in session.scalars(select(m.District).where(m.District.raw_material))}
    assert flagged == {fold(n) for n in ref.raw_material_names()}
    assert len(flagged) == 10


def test_clusters_of_footnote_5_with_planned_areas(session):
    clusters = {fold(c.name): c for c in _features(session, "industrial_clusters")}
    for name, gso, ha in (("cai tu", 907, 70), ("ham ninh", 911, 59), ("binh an", 905, 30)):
        match = [c for n, c in clusters.items() if name in n and c.plan_period != "2011-2020"]
        assert len(match) == 1, name
        assert match[0].planned_area_ha == ha and gso in {d.gso_code for d in match[0].districts}


def test_old_cluster_plan_is_labelled_as_its_own_period(session):
    old = [c for c in _features(session, "industrial_clusters") if c.plan_period == "2011-2020"]
    assert len(old) == 12
    assert all("426" in (c.source + c.location_note + (c.area_note or "")) or "§2" in c.source for c in old)


def test_every_2022_item_present_with_its_deadlines(session):
    tasks = list(session.scalars(select(m.Task).where(m.Task.plan == "001")))
    by_item: dict[tuple[str, str], list[m.Task]] = {}
    for t in tasks:
        by_item.setdefault((t.section, t.item), []).append(t)
    for key, deadlines in ref.deadlines_2022().items():
        assert key in by_item, key
        got = sorted(t.deadline for t in by_item[key] if t.deadline)
        assert got == sorted(deadlines), key
        assert len(by_item[key]) == max(1, len(deadlines)), key


def test_every_2024_block_has_tasks_with_its_lead(session):
    tasks = list(session.scalars(select(m.Task).where(m.Task.plan == "000")))
    blocks = Counter((t.section, t.item) for t in tasks)
    for section, letter, lead_clause in ref.blocks_2024():
        assert blocks[(section, letter)] > 0, (section, letter)
        leads = {t.lead.name for t in tasks if (t.section, t.item) == (section, letter)}
        first_lead = lead_clause.split(" chủ trì")[0].split(",")[0].strip()
        if " chủ trì" in lead_clause:
            assert any(fold(first_lead) in fold(lead) for lead in leads), (section, letter, leads)


def test_every_record_has_source_and_every_task_a_lead(session):
    for f in session.scalars(select(m.Feature)):
        assert f.source and f.geometry_precision in ("indicative", "schematic"), f.id
        assert f.location_note, f.id
    for t in session.scalars(select(m.Task)):
        assert t.lead_id and t.source.startswith(("000", "001")), t.id


def test_footprints_match_planned_area(session):
    for f in session.scalars(select(m.Feature).where(m.Feature.planned_area_ha.is_not(None))):
        geom = to_shape(f.geom)
        if geom.geom_type == "Polygon" and f.geometry_precision == "indicative" and f.kind != "economic_zone":
            assert hectares(geom) == pytest.approx(f.planned_area_ha, rel=0.01), f.id


def test_tasks_of_department_of_industry_and_trade(session):
    sct = session.scalars(select(m.Agency).where(m.Agency.code == "SCT")).one()
    tasks = tasks_of_agency(session, sct.id)
    assert {"2022-II.1.a", "2022-II.4.a"} <= {t.id for t in tasks}
    assert all(t.lead_id == sct.id for t in tasks)


def test_what_concerns_chau_thanh(session):
    tasks, features = linked_to_district(session, 905)
    assert any("thanh loc" in fold(f.name) for f in features)
    assert any("binh an" in fold(f.name) for f in features)
    assert any(t.id.startswith("2022-II.4.c") for t in tasks)  # pre-feasibility of Thạnh Lộc phase 2


def test_tasks_due_in_q2_2022(session):
    due = {(t.section, t.item) for t in tasks_due(session, dt.date(2022, 6, 30), plan="001")}
    expected = {k for k, dates in ref.deadlines_2022().items() if dt.date(2022, 6, 30) in dates}
    assert due == expected


def test_progress_starts_not_reported_and_overdue_is_derived(session):
    states = task_states(session, today=dt.date(2026, 11, 22))
    assert {s.status for s in states.values()} <= {"not_reported", "not_started", "in_progress", "done",
                                                   "cancelled"}
    due = [s for s in states.values() if s.deadline and s.status == "not_reported"]
    assert due and all(s.overdue for s in due)
    assert not any(s.overdue for s in task_states(session, today=dt.date(2022, 1, 1)).values())


def test_targets_of_2030(session):
    targets = list(session.scalars(select(m.Target)))
    values = {(t.value, t.unit) for t in targets}
    assert len(targets) >= 16
    assert any(t.value == 4985 for t in targets) and any(t.value == 97.65 for t in targets)
    assert any(t.value_min == 42 and t.value_max == 48 for t in targets)
    assert values
