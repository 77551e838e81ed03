"""Coordinators edit a task's deadline, lead agencies and links (partners, features, districts), audited.

Example::

    edit_task(session, coordinator, "2024-III.3.a-3", {"deadline": "2026-12-31", "partners": ["so-tai-chinh"]})
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from layers import audit
from layers.accounts import Principal
from layers.models import Agency, District, Feature, Task, TaskDistrict, TaskFeature, TaskLead, TaskPartner
from layers.reporting import ReportError, lock_task

EDITABLE = ("deadline", "deadline_text", "leads", "partners", "features", "districts")


def _snapshot(task: Task) -> dict:
    return {"deadline": task.deadline.isoformat() if task.deadline else None, "deadline_text": task.deadline_text,
            "leads": [a.id for a in task.leads], "partners": sorted(a.id for a in task.partners),
            "features": sorted(f.id for f in task.features), "districts": sorted(d.gso_code for d in task.districts)}


def _ids(session: Session, model, column, values, field: str, problems: list[str]) -> list:
    if not isinstance(values, list):
        problems.append(f"{field}: a list is expected")
        return []
    values = list(dict.fromkeys(values))
    known = set(session.scalars(select(column).where(column.in_(values)))) if values else set()
    unknown = [v for v in values if v not in known]
    if unknown:
        problems.append(f"{field}: unknown {', '.join(map(str, unknown))}")
    return values


def _clean(session: Session, changes: dict) -> dict:
    problems = [f"{k}: not editable (editable: {', '.join(EDITABLE)})" for k in changes if k not in EDITABLE]
    out = dict(changes)
    if "deadline" in changes and changes["deadline"] is not None:
        try:
            out["deadline"] = dt.date.fromisoformat(str(changes["deadline"]))
        except ValueError:
            problems.append(f"deadline: {changes['deadline']!r} is not a date (YYYY-MM-DD)")
    if "deadline_text" in changes and not isinstance(changes["deadline_text"], (str, type(None))):
        problems.append("deadline_text: text or null")
    if "leads" in changes and (not isinstance(changes["leads"], list) or not changes["leads"]):
        problems.append("leads: a non-empty list of agency ids (the document's order)")
    for field, model, column in (("leads", Agency, Agency.id), ("partners", Agency, Agency.id),
                                 ("features", Feature, Feature.id),
                                 ("districts", District, District.gso_code)):
        if field in changes:
            out[field] = _ids(session, model, column, changes[field], field, problems)
    if problems:
        raise ReportError(422, "InvalidTask", "; ".join(problems))
    return out


def edit_task(session: Session, who: Principal, task_id: str, changes: dict) -> Task:
    """Apply ``changes`` in the caller's transaction: 403 below coordinator, 404 unknown, 422 bad fields."""
    if not who.at_least("coordinator"):
        raise ReportError(403, "Forbidden", "only a coordinator edits tasks")
    task = session.get(Task, task_id) if lock_task(session, task_id) else None
    if task is None:
        raise ReportError(404, "NotFound", f"no task {task_id!r}")
    clean = _clean(session, changes)
    before = _snapshot(task)
    for field in ("deadline", "deadline_text"):
        if field in clean:
            setattr(task, field, clean[field])
    leads = clean.get("leads") or [a.id for a in task.leads]
    if "leads" in clean:
        task.lead_id = leads[0]
        session.execute(delete(TaskLead).where(TaskLead.task_id == task_id))
        session.add_all(TaskLead(task_id=task_id, agency_id=a, position=i) for i, a in enumerate(leads))
    links = (("partners", TaskPartner, TaskPartner.agency_id, "agency_id"),
             ("features", TaskFeature, TaskFeature.feature_id, "feature_id"),
             ("districts", TaskDistrict, TaskDistrict.gso_code, "gso_code"))
    for field, model, _, key in links:
        if field in clean:
            session.execute(delete(model).where(model.task_id == task_id))
            session.add_all(model(task_id=task_id, **{key: v}) for v in clean[field]
                            if not (field == "partners" and v in leads))
    session.flush()
    session.expire(task)
    after = _snapshot(task)
    audit.record(session, who.username, "task.edit", "task", task_id, before, after)
    return task
