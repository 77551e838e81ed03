"""The plan as data: nothing the documents say is silently dropped, and every link resolves.

Expected values are read from the plan documents themselves (tests/reference.py). The tests of the files
(``plan``) need no database; those of the loaded database (``session``) run on both backends.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import unicodedata

import pytest
from geoalchemy2.shape import to_shape
from sqlalchemy import select
from sqlalchemy.orm import Session

from geo.area import hectares
from layers import models as m
from layers.plan import read_plan
from layers.progress import task_states
from layers.settings import REPO_ROOT
from layers.text import fold
from tests import reference as ref

SPECIFIC = ("department", "board", "provincial", "central")  # agencies the documents call by their own name
# Words of the English location notes that must not be left in their Vietnamese rendering.
ENGLISH = {"the", "of", "and", "not", "known", "drawn", "point", "location", "circle", "line", "from", "which",
           "is", "are", "its", "only", "where", "park", "district", "commune", "town", "city", "ward", "proxy",
           "whole", "found", "between", "through", "schematic", "former", "centre", "station", "boundary"}


@pytest.fixture(scope="module")
def plan():
    return read_plan(REPO_ROOT / "data")


@pytest.fixture(scope="module")
def agencies(plan):
    return {a.id: a for _, a in plan.agencies}


@pytest.fixture(scope="module")
def tasks(plan):
    """document key -> item key (section, item, bullet) -> task."""
    out: dict[str, dict] = {"000": {}, "001": {}}
    for _, t in plan.tasks:
        out[t.plan][(t.section, t.item, t.bullet)] = t
    return out


@pytest.fixture
def session(engine):
    with Session(engine) as s:
        yield s


def _norm(name: str) -> str:
    """An agency's name as the documents vary it: "UBND" spelt out, no "và" ("Sở Văn hóa Thể thao")."""
    return " ".join(w for w in fold(name.replace("UBND", "Ủy ban nhân dân")).split() if w != "va")


def _named(text: str, agencies: dict) -> set[str]:
    """Ids of the agencies of SPECIFIC kinds named in ``text``, longest names first ("Cục Công nghiệp - Bộ …")."""
    text, found = _norm(text), set()
    for a in sorted(agencies.values(), key=lambda a: -len(a.name)):
        if a.kind in SPECIFIC and _norm(a.name) in text:
            found.add(a.id)
            text = text.replace(_norm(a.name), " | ")
    return found


def test_data_validates(plan):
    assert plan.errors == []


def test_one_task_per_document_item(plan, tasks):
    counts = plan.counts()
    assert counts["tasks_2024"] == len(ref.items_2024()) == len(tasks["000"])
    assert counts["tasks_2022"] == len(ref.items_2022()) == len(tasks["001"])
    assert counts["tasks"] == len(plan.tasks) == counts["tasks_2022"] + counts["tasks_2024"]
    for key, items in (("000", ref.items_2024()), ("001", ref.items_2022())):
        assert set(tasks[key]) == {i.key for i in items}


def test_every_task_has_the_words_of_its_item(tasks):
    for key, items in (("000", ref.items_2024()), ("001", ref.items_2022())):
        for item in items:
            assert re.sub(r"\s", "", tasks[key][item.key].text) == re.sub(r"\s", "", item.text), item.key


def test_every_2024_block_names_exactly_the_leads_of_its_tasks(tasks, agencies):
    blocks = [i for i in ref.items_2024() if i.clause]
    assert blocks
    for item in blocks:
        clause, leads = ref.lead_clause_2024(item), tasks["000"][item.key].leads
        if ";" in clause:  # §III.1.a, no "chủ trì": the departments lead (data/README.md)
            assert [_norm(agencies[a].name) for a in leads] == [_norm("Các Sở, ban, ngành cấp tỉnh")]
            assert _norm(agencies[leads[0]].name).startswith(_norm(clause.split(";")[0]))
        else:  # "X, Y chủ trì" and the list of §III.5.b: every agency, in the document's order
            assert ", ".join(_norm(agencies[a].name) for a in leads) == _norm(clause), item.key


def _leads_2022(item: ref.DocItem) -> list[str]:
    """Who leads an item of the 2022 plan, in the document's words."""
    for pattern in (r"(?:^|\. )Giao ([^.]+?) chủ trì", r"^(Sở [^,]+?) chủ trì", r"phối hợp với (Sở [^,]+?) tổ chức"):
        match = re.search(pattern, item.text)
        if match:
            return [match.group(1)]
    both = re.search(r"[Cc]ác Sở, ban, ngành cấp tỉnh và (?:Ủy ban nhân dân|UBND) các huyện, thành phố", item.text)
    return both.group(0).split(" và ")


def test_every_2022_item_is_led_as_the_document_says(tasks, agencies):
    for item in ref.items_2022():
        names = [_norm(agencies[a].name) for a in tasks["001"][item.key].leads]
        expected = [_norm(n) for n in _leads_2022(item)]
        # 001 §II.1.b writes "Ban Quản lý Khu kinh tế" for the provincial board, "Ban Quản lý Khu kinh tế tỉnh"
        assert names in (expected, [f"{n} tinh" for n in expected]), item.key


def test_2022_II_1_dd_is_one_task_led_by_the_department_of_natural_resources(tasks, agencies):
    item = next(i for i in ref.items_2022() if i.key == ("II.1", "đ", None))
    task = tasks["001"][item.key]
    assert "Giao Sở Tài nguyên và Môi trường chủ trì, theo dõi, đôn đốc" in task.text
    assert [agencies[a].name for a in task.leads] == ["Sở Tài nguyên và Môi trường"]
    assert [p.date for p in task.deadlines] == ref.deadline_dates_2022(item)
    assert len(task.former_ids) == len(task.deadlines) == 3


def test_partners_are_the_agencies_the_documents_name(tasks, agencies):
    items = [("000", i, i.clause) for i in ref.items_2024()] + [("001", i, i.text) for i in ref.items_2022()]
    for key, item, assignment in items:
        task = tasks[key][item.key]
        named = _named(ref.partner_clause(assignment), agencies)
        assert named <= set(task.partners), (item.key, named - set(task.partners))
        specific = {a for a in task.partners if agencies[a].kind in SPECIFIC}
        assert specific <= _named(f"{item.clause} {item.text}", agencies), item.key


def test_2022_deadlines_are_the_documents(tasks):
    dated = 0
    for item in ref.items_2022():
        task, dates = tasks["001"][item.key], ref.deadline_dates_2022(item)
        assert task.deadline == (max(dates) if dates else None), item.key
        assert [p.date for p in task.deadlines] == (dates if len(dates) > 1 else []), item.key
        dated += bool(dates)
    assert dated > 0


def test_2024_deadlines_are_the_years_the_document_states(tasks):
    dated = {}
    for item in ref.items_2024():
        task, years = tasks["000"][item.key], ref.deadline_years_2024(item)
        assert task.deadline == (dt.date(max(years), 12, 31) if years else None), item.key
        if years:
            dated[item.key] = max(years)
    assert dated[("III.6", "b", 1)] == 2025  # "hoàn thành đầu tư các dự án đến năm 2025"


def test_deadline_words_are_the_documents_and_have_english_ones(plan):
    worded = [t for _, t in plan.tasks if t.deadline_text]
    assert worded
    for t in worded:
        parts = [p.text for p in t.deadlines] or [t.deadline_text]
        assert all(p.split(" (")[0] in t.text for p in parts), t.id
        assert t.deadline_text_en and t.deadline_text_en.isascii(), t.id


def test_merged_tasks_keep_the_ids_reports_were_filed_on(tasks, agencies):
    blocks = [(i, tasks["000"][i.key]) for i in ref.items_2024() if i.clause]
    several = [(i, t) for i, t in blocks if len(t.leads) > 1]  # the lead test checks them against the document
    assert several
    for item, task in several:  # until issue 10: one record per lead, its code appended to the id
        assert task.former_ids == [f"{task.id}-{agencies[a].code}" for a in task.leads], item.key
    assert not [t.id for _, t in blocks if len(t.leads) == 1 and t.former_ids]
    dd = tasks["001"][("II.1", "đ", None)]
    assert dd.former_ids == [f"{dd.id}-{n}" for n in range(1, len(dd.deadlines) + 1)]


def test_agencies_are_the_ones_the_documents_name(plan):
    committees = {a.name for _, a in plan.agencies if a.kind == "district_committee"}
    assert committees == ref.district_committees_named()
    assert any(a.id == "ubnd-cap-huyen" for _, a in plan.agencies)


def test_targets_of_2030_are_the_numbers_of_the_plan(plan):
    of_ii2 = [t for _, t in plan.targets if "000 §II.2" in t.source]
    given = {v for t in of_ii2 for v in (t.value, t.value_min, t.value_max) if v is not None}
    thresholds = {float(n) for t in of_ii2 for n in re.findall(r"\d+", t.unit or "")}
    assert ref.targets_2030_numbers() <= given | thresholds
    assert given <= ref.targets_2030_numbers()
    assert {t.year for _, t in plan.targets} == {2030}


def test_every_location_note_has_a_vietnamese_rendering(plan):
    features = plan.all_features()
    assert features
    for _, _, f in features:
        vi, en = f.location_note_vi, f.location_note
        assert unicodedata.is_normalized("NFC", vi) and not vi.isascii(), f.id
        words = {w.lower() for w in re.findall(r"[^\W\d_]+", re.sub(r"facts §\d+|\[[A-Z]+\]", "", vi))}
        assert not words & ENGLISH, (f.id, words & ENGLISH)
        assert sorted(re.findall(r"\d+", vi)) == sorted(re.findall(r"\d+", en)), f.id  # numbers kept
        assert sorted(re.findall(r"§\d+|\[[A-Z]+\]", vi)) == sorted(re.findall(r"§\d+|\[[A-Z]+\]", en)), f.id
        names = {w for w in re.findall(r"[^\W\d_]+", en) if not w.isascii()}  # Vietnamese names
        assert names <= set(re.findall(r"[^\W\d_]+", vi)), (f.id, names - set(re.findall(r"[^\W\d_]+", vi)))


def _line_of(path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


def test_validation_names_the_file_and_line_of_each_task_problem(tmp_path):
    shutil.copytree(REPO_ROOT / "data" / "plan", tmp_path / "plan")
    y2024, y2022 = tmp_path / "plan" / "tasks_2024.yaml", tmp_path / "plan" / "tasks_2022.yaml"
    edits = {
        y2024: [('former_ids: ["2024-III.2.i-SXD"', 'former_ids: ["2024-III.2.a-1"'),
                ("leads: [so-noi-vu]", "leads: [ubnd-chau-thanh]"),
                ('"000 §III. TỔ CHỨC THỰC HIỆN, mục 2"', '"000 §TCTH.2"'),
                ('"2024-III.4.c-SYT"', '"2024-III.2.i-BQLKKT"'),
                ("leads: [so-ke-hoach-va-dau-tu]\n  partners: [so-cong-thuong]",
                 "leads: [so-ke-hoach-va-dau-tu]\n  partners: [so-ke-hoach-va-dau-tu]"),
                ('"2024-III.2.a-2"\n  plan: "000"\n  section: "III.2"\n  item: "a"\n  bullet: 2',
                 '"2024-III.2.a-2"\n  plan: "000"\n  section: "III.2"\n  item: "a"\n  bullet: 1')],
        y2022: [('  deadline: 2022-12-31\n  deadline_text: "quý IV/2022 (', '  deadline: 2022-09-30\n  deadline_text: "quý IV/2022 (')],
    }
    for path, pairs in edits.items():
        text = path.read_text(encoding="utf-8")
        for old, new in pairs:
            assert text.count(old) == 1, old
            text = text.replace(old, new)
        path.write_text(text, encoding="utf-8")
    errors = read_plan(tmp_path).errors
    expected = [
        (y2024, '["2024-III.2.a-1"', 0, "former id '2024-III.2.a-1' is still a task's id"),
        (y2024, "ubnd-chau-thanh", 0, "unknown agency 'ubnd-chau-thanh'"),
        (y2024, '"000 §TCTH.2"', 0, "source part '000 §TCTH.2' follows none of the patterns"),
        (y2024, '"2024-III.4.c-SCT"', 0, "former id '2024-III.2.i-BQLKKT' also listed at"),
        (y2024, '- id: "2024-TCTH.2"', 5, "'so-ke-hoach-va-dau-tu' is a lead, not a partner"),
        (y2024, '- id: "2024-III.2.a-2"', 2, "a second task for the same document item"),
        (y2022, "  deadlines:", 0, "deadline 2022-09-30 must be the latest part, 2022-12-31"),
    ]
    for path, needle, below, message in expected:
        where = f"{path}:{_line_of(path, needle) + below}: "
        assert any(e.startswith(where) and message in e for e in errors), (where, message, errors)
    assert len(errors) == len(expected), errors


def _features(session, layer):
    return list(session.scalars(select(m.Feature).where(m.Feature.layer == layer)))


def test_five_parks_of_footnote_1(session):
    parks = _features(session, "industrial_parks")
    names = {fold(p.name) for p in parks}
    assert len(parks) == len(ref.park_names()) == 5
    for expected in ref.park_names():
        assert any(fold(expected) in n for n in names), expected


def test_growth_poles_are_the_three_the_plan_names(session):
    poles = [fold(f.name) for f in _features(session, "growth_poles") if f.kind == "growth_pole"]
    assert len(poles) == len(ref.growth_pole_names()) == 3
    for expected in ref.growth_pole_names():
        assert sum(fold(expected) in p for p in poles) == 1, expected


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


def test_footprints_match_planned_area(session):
    footprints = [f for f in session.scalars(select(m.Feature).where(m.Feature.planned_area_ha.is_not(None)))
                  if to_shape(f.geom).geom_type in ("Polygon", "MultiPolygon") and f.geometry_precision == "indicative"
                  and f.kind != "economic_zone"]
    assert footprints
    for f in footprints:
        assert hectares(to_shape(f.geom)) == pytest.approx(f.planned_area_ha, rel=0.01), f.id


def test_progress_starts_not_reported_and_overdue_is_derived(session):
    today = dt.date(2026, 11, 22)  # after the 2022 plan's deadlines and 2025, before the 2030 targets
    states = task_states(session, today=today)
    reported = set(session.scalars(select(m.ProgressReport.task_id).where(m.ProgressReport.review == "accepted")))
    assert {s.status for tid, s in states.items() if tid not in reported} == {"not_reported"}
    dated = [s for s in states.values() if s.deadline]
    assert {s.overdue for s in dated} == {True, False}
    assert all(s.overdue == (s.deadline < today) for s in dated)
    assert not any(s.overdue for s in task_states(session, today=dt.date(2022, 1, 1)).values())
