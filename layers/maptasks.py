"""The task browser's data: every task with what the map filters, sorts and shows it by, in one answer.

Nothing here defines a state or a count again: a task's state is ``progress.task_states``, the former districts
it is linked to are those whose ``progress.district_tasks(...).linked`` list it (directly or through a feature),
and its 2025 units come from the lookups of ``layers.admin2025`` (a feature's geometry; the crosswalk for a
district the item names).

>>> data = task_browser(session)                                    # doctest: +SKIP
>>> next(t for t in data["tasks"] if t["id"] == "2022-II.4.a")["leads"]   # doctest: +SKIP
['so-cong-thuong']
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from layers import progress
from layers.admin2025.index import admin_index
from layers.models import Agency, District, ProgressReport, Task
from layers.plan import parse_source
from layers.stats_2025 import task_units
from layers.store.version import VersionedCache

_BROWSER = VersionedCache("webmap_tasks", per_day=True)


def source_refs(source: str) -> list[dict]:
    """A record's ``source`` as parts a page words for people ("Kế hoạch 2024, mục III.3.c, chú thích 5").

    >>> source_refs("000 §III.3.c, footnote 5")
    [{'document': '000', 'section': 'III.3.c', 'paragraph': None, 'footnote': 5}]
    """
    try:
        refs = parse_source(source)
    except ValueError:  # an edited record may carry free text: shown as it is
        return [{"document": None, "section": source, "paragraph": None, "footnote": None}]
    return [{"document": r.document, "section": r.section, "paragraph": r.paragraph, "footnote": r.footnote}
            for r in refs]


def latest_reports(session: Session) -> dict[str, dict]:
    """The latest accepted report of each task that has one: its date and note."""
    rows = session.execute(select(ProgressReport.task_id, ProgressReport.reported_on, ProgressReport.text,
                                  ProgressReport.agency_id)
                           .where(ProgressReport.review == "accepted")
                           .order_by(ProgressReport.created_at, ProgressReport.id))
    return {tid: {"reported_on": on.isoformat(), "note": text, "agency": agency} for tid, on, text, agency in rows}


def _linked_districts(session: Session, today: dt.date) -> dict[str, list[int]]:
    """Task id -> the former districts it is linked to (direct or through a feature), as progress counts them."""
    out: dict[str, list[int]] = defaultdict(list)
    for code in progress.districts_with_tasks(session):
        for tid in progress.district_tasks(session, code, today).linked:
            out[tid].append(code)
    return out


def task_browser(session: Session, today: dt.date | None = None) -> dict:
    """Every task, and the names its ids refer to; computed once per data version and day."""
    today = today or dt.date.today()
    return _BROWSER.get(session, lambda s: _read(s, today), today)


def _read(session: Session, today: dt.date) -> dict:
    states = progress.task_states(session, today)
    districts = _linked_districts(session, today)
    communes = task_units(session)
    reports = latest_reports(session)
    tasks = session.scalars(select(Task).order_by(Task.plan, Task.section, Task.item, Task.bullet, Task.id))
    rows = [_task(t, states[t.id], districts.get(t.id, []), communes.get(t.id, []), reports.get(t.id))
            for t in tasks]
    agencies = {a.id: {"code": a.code, "name": a.name, "name_en": a.name_en}
                for a in session.scalars(select(Agency).order_by(Agency.name))}
    names = {d.gso_code: {"name": d.name, "short_name": d.short_name, "type": d.type}
             for d in session.scalars(select(District).order_by(District.short_name))}
    index = admin_index(session)
    units = {c.code: {"name": c.name, "full_name": c.full_name, "type": c.type} for c in index.communes.values()}
    return {"tasks": rows, "agencies": agencies, "districts": names, "communes": units}


def _task(t: Task, state: progress.TaskState, districts: list[int], communes: list[str],
          report: dict | None) -> dict:
    return {
        "id": t.id, "plan": t.plan, "section": t.section, "item": t.item,
        "text": t.text, "summary_en": t.summary_en, "source": source_refs(t.source),
        "leads": [a.id for a in t.leads], "partners": sorted(a.id for a in t.partners),
        "deadline": t.deadline.isoformat() if t.deadline else None,
        "deadline_text": t.deadline_text, "deadline_text_en": t.deadline_text_en,
        "status": state.status, "percent": state.percent, "overdue": state.overdue,
        "report": report, "features": sorted(f.id for f in t.features),
        "districts_named": sorted(d.gso_code for d in t.districts), "districts": sorted(districts),
        "communes": communes,
    }
