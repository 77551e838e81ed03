"""`planmap load`: idempotent, one transaction, a bad file leaves the database as it was."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from layers import models as m
from layers.datafiles import DataError
from layers.db import make_engine
from layers.load import load
from layers.schema import is_current, upgrade
from layers.settings import REPO_ROOT
from tests.conftest import make_settings
from tests.test_upstream import UNREACHABLE

TABLES = (m.District, m.Province, m.Feature, m.Task, m.Agency, m.Target, m.TaskFeature, m.TaskDistrict,
          m.TaskPartner, m.TaskLead, m.FeatureDistrict)


def _counts(engine) -> dict[str, int]:
    with Session(engine) as s:
        return {t.__tablename__: s.scalar(select(func.count()).select_from(t)) for t in TABLES}


@pytest.fixture(scope="module")
def scratch(backend, fresh_database, cache_dir):
    """A database of its own (these tests write), loaded once."""
    settings = make_settings(fresh_database(backend), cache_dir)
    engine = make_engine(settings.database_url)
    upgrade(engine)
    load(engine, settings)
    yield settings, engine
    engine.dispose()


def test_schema_at_newest_migration(scratch):
    assert is_current(scratch[1])


def test_load_twice_changes_nothing(scratch):
    settings, engine = scratch
    before = _counts(engine)
    assert before["districts"] == 15 and before["features"] > 0 and before["tasks"] > 0
    load(engine, settings)
    assert _counts(engine) == before


def test_reports_survive_a_reload(scratch):
    settings, engine = scratch
    with Session(engine) as s, s.begin():
        task = s.scalars(select(m.Task).order_by(m.Task.id)).first()
        task_id = task.id
        s.add(m.ProgressReport(task_id=task.id, reported_on=dt.date(2024, 12, 1), status="in_progress",
                               percent=40, agency_id=task.lead_id, author="test",
                               created_at=dt.datetime.now(dt.UTC)))
    load(engine, settings)
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(m.ProgressReport).where(m.ProgressReport.task_id == task_id))


def _broken_copy(tmp_path, layer_file: str, old: str, new: str):
    data = tmp_path / "data"
    shutil.copytree(REPO_ROOT / "data", data)
    path = data / "plan" / "features" / layer_file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return data, path


def test_bad_file_reports_file_line_and_writes_nothing(scratch, tmp_path):
    settings, engine = scratch
    before = _counts(engine)
    data, path = _broken_copy(tmp_path, "industrial_parks.yaml", "geometry_precision: indicative",
                              "geometry_precision: guessed")
    with pytest.raises(DataError) as err:
        load(engine, settings.model_copy(update={"data_dir": data}))
    assert any(e.startswith(f"{path}:") and "geometry_precision" in e for e in err.value.errors)
    assert _counts(engine) == before


def test_failure_while_writing_rolls_back(scratch, tmp_path):
    settings, engine = scratch
    with Session(engine) as s:
        names = {r.id: r.name for r in s.execute(select(m.Feature.id, m.Feature.name))}
    data = tmp_path / "data"
    shutil.copytree(REPO_ROOT / "data", data)
    (data / "manifest.yaml").write_text((data / "manifest.yaml").read_text().replace(
        "data/gis/96.json", "data/gis/97.json"))  # the last boundary file cannot be had
    with pytest.raises(Exception, match="97.json"):
        load(engine, settings.model_copy(update={"data_dir": data, "mirror": tmp_path / "none", "upstream_url": UNREACHABLE}))
    with Session(engine) as s:
        assert {r.id: r.name for r in s.execute(select(m.Feature.id, m.Feature.name))} == names


def test_edits_made_through_the_api_survive_a_reload(scratch):
    """QGIS edits (OGC API Part 4) are not overwritten or undone by the next `planmap load`."""
    from layers import feature_edit
    from layers.store.catalog import provider
    from layers.accounts import Principal

    settings, engine = scratch
    admin = Principal(user_id=0, username="gis-admin", role="admin", agency_id=None)
    with Session(engine) as s, s.begin():
        parks = list(s.scalars(select(m.Feature.id).where(m.Feature.layer == "industrial_parks").order_by(m.Feature.id)))
        prov = provider("industrial_parks")
        feature_edit.update(s, admin, prov, parks[0], {"properties": {"name": "KCN đã sửa trong QGIS"}})
        feature_edit.remove(s, admin, prov, parks[1])
    counts = load(engine, settings)
    assert counts["kept_api_edits"] == 2
    with Session(engine) as s:
        assert s.get(m.Feature, parks[0]).name == "KCN đã sửa trong QGIS"
        assert s.get(m.Feature, parks[1]) is None
        assert s.get(m.Feature, parks[2]) is not None  # untouched features still come from data/


def test_reports_filed_on_a_former_per_lead_record_follow_it_into_the_task(scratch):
    """Before tasks were one per document item, III.5.b had one record per lead: a report filed on such a
    record (still in an older database) belongs, after the load, to the item's task, for that lead's share."""
    from layers.plan import read_plan

    settings, engine = scratch
    task = next(t for _, t in read_plan(settings.data_dir).tasks if len(t.former_ids) >= 2 and len(t.leads) >= 2)
    old_id, lead = task.former_ids[1], task.leads[1]
    with Session(engine) as s, s.begin():  # the database as an older version of the service left it
        s.add(m.Task(id=old_id, plan=task.plan, section=task.section, lead_id=lead, text=task.text,
                     search_text="", source=task.source))
        s.flush()
        s.add(m.ProgressReport(task_id=old_id, reported_on=dt.date(2025, 12, 1), status="done", percent=100,
                               agency_id=lead, author="test", created_at=dt.datetime.now(dt.UTC)))
    load(engine, settings)
    with Session(engine) as s:
        assert s.get(m.Task, old_id) is None
        report = s.scalars(select(m.ProgressReport).where(m.ProgressReport.author == "test",
                                                          m.ProgressReport.agency_id == lead)).one()
        assert report.task_id == task.id
        state = s.get(m.TaskState, task.id)
        assert state.status == "in_progress" and state.percent == pytest.approx(100 / len(task.leads), abs=0.1)


def test_a_database_made_again_at_the_same_address_starts_at_another_version(tmp_path, cache_dir):
    """Caches on disk are keyed by (database address, version): a database deleted and loaded again must not
    count from where the last one started, or a sheet printed from the old data would be served for the new."""
    from layers.store.version import current

    url = f"sqlite:///{tmp_path / 'again.sqlite'}"
    versions = []
    for _ in range(2):
        (tmp_path / "again.sqlite").unlink(missing_ok=True)
        engine = make_engine(url)
        upgrade(engine)
        load(engine, make_settings(url, cache_dir))
        with Session(engine) as s:
            versions.append(current(s))
        engine.dispose()
    assert versions[0] != versions[1], versions
