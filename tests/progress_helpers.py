"""Helpers shared by the progress, auth and browser tests: accounts, logged-in clients, tasks by agency."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from layers import accounts
from layers.models import Feature, Task, TaskFeature, TaskLead, TaskPartner
from layers.models_accounts import User

PASSWORD = "correct horse battery"
SCT, STC = "so-cong-thuong", "so-tai-chinh"


def ensure_user(engine: Engine, username: str, role: str, agency: str | None = None) -> None:
    with Session(engine) as s, s.begin():
        if s.scalar(select(User.id).where(User.username == username)) is None:
            accounts.create_user(s, username, PASSWORD, role, agency, actor="test")


def logged_in(app, engine: Engine, username: str, role: str, agency: str | None = None) -> tuple[TestClient, str]:
    """A client of its own (the shared ``client`` stays anonymous) with the session cookie; and its CSRF token."""
    ensure_user(engine, username, role, agency)
    c = TestClient(app, base_url="http://testserver")
    r = c.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return c, r.json()["csrf_token"]


def led_by(engine: Engine, agency: str, exclude_partner: str | None = None) -> list[str]:
    """Ids of the tasks ``agency`` leads (optionally where ``exclude_partner`` is not a partner)."""
    with Session(engine) as s:
        query = select(TaskLead.task_id.label("id")).where(TaskLead.agency_id == agency).order_by(TaskLead.task_id)
        if exclude_partner:
            query = query.where(TaskLead.task_id.not_in(select(TaskPartner.task_id)
                                                        .where(TaskPartner.agency_id == exclude_partner)),
                                TaskLead.task_id.not_in(select(TaskLead.task_id)
                                                        .where(TaskLead.agency_id == exclude_partner)))
        return list(s.scalars(query))


def partnered_by(engine: Engine, agency: str) -> list[str]:
    with Session(engine) as s:
        return list(s.scalars(select(TaskPartner.task_id).where(TaskPartner.agency_id == agency)
                              .order_by(TaskPartner.task_id)))


def feature_task(engine: Engine, agency: str, layer: str = "industrial_parks") -> tuple[str, str] | None:
    """(feature id, task id): a feature of ``layer`` whose linked tasks are all ``agency``'s (lead or
    partner) and none overdue, so one report changes its progress state; None if the data has none."""
    today = dt.date.today()
    with Session(engine) as s:
        links = s.execute(select(Feature.id, Task).join(TaskFeature, TaskFeature.feature_id == Feature.id)
                          .join(Task, Task.id == TaskFeature.task_id).where(Feature.layer == layer)
                          .order_by(Feature.id, Task.id)).all()
        by_feature: dict[str, list[Task]] = {}
        for fid, task in links:
            by_feature.setdefault(fid, []).append(task)
        for fid, tasks in by_feature.items():
            ours = [t for t in tasks if agency in {a.id for a in t.leads} | {p.id for p in t.partners}]
            fine = all(t.deadline is None or t.deadline >= today for t in tasks)
            if ours and fine and len(ours) == len(tasks):
                return fid, ours[0].id
        for fid, tasks in by_feature.items():  # fall back: any feature with a task of the agency
            ours = [t for t in tasks if agency in {a.id for a in t.leads} | {p.id for p in t.partners}]
            if ours:
                return fid, ours[0].id
    return None
