"""Questions planners ask of the plan data: whose tasks, what concerns a district, what was due when."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from layers.models import Feature, FeatureDistrict, Task, TaskDistrict, TaskFeature, TaskPartner


def tasks_of_agency(session: Session, agency_id: str, *, as_partner: bool = False) -> list[Task]:
    """Tasks the agency leads (and, with ``as_partner``, those it takes part in), by id."""
    cond = Task.lead_id == agency_id
    if as_partner:
        cond = or_(cond, Task.id.in_(select(TaskPartner.task_id).where(TaskPartner.agency_id == agency_id)))
    return list(session.scalars(select(Task).where(cond).order_by(Task.id)))


def linked_to_district(session: Session, gso_code: int) -> tuple[list[Task], list[Feature]]:
    """Tasks linked to a former district (directly or through a feature in it) and the features in it."""
    features = list(session.scalars(
        select(Feature).join(FeatureDistrict).where(FeatureDistrict.gso_code == gso_code).order_by(Feature.id)
    ))
    feature_ids = [f.id for f in features]
    tasks = list(session.scalars(
        select(Task).where(or_(
            Task.id.in_(select(TaskDistrict.task_id).where(TaskDistrict.gso_code == gso_code)),
            Task.id.in_(select(TaskFeature.task_id).where(TaskFeature.feature_id.in_(feature_ids))),
        )).order_by(Task.id)
    ))
    return tasks, features


def tasks_due(session: Session, deadline: dt.date, plan: str | None = None) -> list[Task]:
    """Tasks whose deadline is ``deadline`` (e.g. 2022-06-30 for "quý II/2022")."""
    stmt = select(Task).where(Task.deadline == deadline)
    if plan:
        stmt = stmt.where(Task.plan == plan)
    return list(session.scalars(stmt.order_by(Task.id)))
