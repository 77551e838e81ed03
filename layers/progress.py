"""Where the plan stands: each task's state, and the progress of features, former districts and agencies.

A task is one item of a plan document; the document names one or more lead agencies for it, and each lead
reports on its own share (its latest accepted report). The task's state combines its leads' states:

- ``done`` when every lead is done or cancelled (``cancelled`` when all cancelled);
- ``in_progress`` when a lead is in progress or done; ``not_started`` when a lead reported only that;
- ``not_reported`` when no lead has an accepted report (never made up);
- percent: the mean over the leads, a lead without a report counting 0, once any lead has reported.

``overdue`` is derived: the deadline has passed and the task is neither done nor cancelled. States are stored
(``task_states``) in the transaction of every write, so filters on them run in the database.

Counts of a former district's tasks, defined here once and named the same in every output:
``tasks_direct`` (tasks whose item names the district), ``tasks_via_features`` (tasks linked to a plan feature
the plan places in the district) and ``tasks_linked`` (either; what the district panel and the printed sheet
list, and what the district's progress is computed over).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import and_, delete, select
from sqlalchemy.orm import Session

from layers.models import (
    FeatureDistrict,
    ProgressReport,
    Task,
    TaskDistrict,
    TaskFeature,
    TaskLead,
)
from layers.models import TaskState as StateRow
from layers.store import version
from layers.store.version import VersionedCache

NOT_REPORTED = "not_reported"
FINISHED = ("done", "cancelled")


@dataclass(frozen=True)
class TaskState:
    task_id: str
    status: str  # not_reported | not_started | in_progress | done | cancelled
    percent: float | None
    reported_on: dt.date | None
    deadline: dt.date | None
    overdue: bool


def is_overdue(deadline: dt.date | None, status: str, today: dt.date) -> bool:
    return deadline is not None and deadline < today and status not in FINISHED


def overdue_clause(today: dt.date):
    """``overdue`` as an SQL condition on ``tasks`` joined with ``task_states`` (for filters and sorts)."""
    return and_(Task.deadline.is_not(None), Task.deadline < today, StateRow.status.not_in(FINISHED))


def combine(leads: int, latest: list[ProgressReport]) -> tuple[str, float | None, dt.date | None]:
    """A task's (status, percent, reported_on) from the latest accepted report of each lead that reported."""
    if not latest:
        return NOT_REPORTED, None, None
    statuses = [r.status for r in latest] + [NOT_REPORTED] * (leads - len(latest))
    if all(s in FINISHED for s in statuses):
        status = "done" if "done" in statuses else "cancelled"
    elif any(s in ("in_progress", "done") for s in statuses):
        status = "in_progress"
    elif "not_started" in statuses:
        status = "not_started"
    else:
        status = NOT_REPORTED
    percent = round(sum(r.percent for r in latest) / max(leads, len(latest)), 1)
    return status, percent, max(r.reported_on for r in latest)


def refresh_states(session: Session, task_ids: Iterable[str] | None = None) -> None:
    """Recompute the stored state of ``task_ids`` (every task when None) from the accepted reports."""
    ids = None if task_ids is None else sorted(set(task_ids))
    leads: dict[str, list[str]] = defaultdict(list)
    lead_query = select(TaskLead.task_id, TaskLead.agency_id).order_by(TaskLead.position)
    reports = select(ProgressReport).where(ProgressReport.review == "accepted").order_by(
        ProgressReport.created_at, ProgressReport.id)
    if ids is not None:
        lead_query = lead_query.where(TaskLead.task_id.in_(ids))
        reports = reports.where(ProgressReport.task_id.in_(ids))
    for task_id, agency_id in session.execute(lead_query):
        leads[task_id].append(agency_id)
    latest: dict[str, dict[str, ProgressReport]] = defaultdict(dict)
    for r in session.scalars(reports):
        own = leads.get(r.task_id) or [r.agency_id]
        # A report filed by a partner or a coordinator stands for the first lead (reports name their lead).
        latest[r.task_id][r.agency_id if r.agency_id in own else own[0]] = r  # later reports replace earlier
    task_query = select(Task.id) if ids is None else select(Task.id).where(Task.id.in_(ids))
    present = list(session.scalars(task_query))
    session.execute(delete(StateRow).where(StateRow.task_id.in_(present)) if ids is not None else delete(StateRow))
    for task_id in present:
        reported = list(latest[task_id].values())
        status, percent, on = combine(max(len(leads.get(task_id, ())), 1), reported)
        session.add(StateRow(task_id=task_id, status=status, percent=percent, reported_on=on))
    session.flush()


def after_write(session: Session, task_ids: Iterable[str] = ()) -> int:
    """Every write ends here, in its transaction: the states of ``task_ids`` and the data version move on."""
    ids = list(task_ids)
    if ids:
        refresh_states(session, ids)
    return version.bump(session)


# -- reading: cached per data version and day ------------------------------------------------------------------

_STATES = VersionedCache("task_states", per_day=True)


def _read_states(session: Session, today: dt.date) -> dict[str, TaskState]:
    rows = session.execute(select(Task.id, Task.deadline, StateRow.status, StateRow.percent, StateRow.reported_on)
                           .outerjoin(StateRow, StateRow.task_id == Task.id))
    return {tid: TaskState(tid, status or NOT_REPORTED, percent, on, deadline,
                           is_overdue(deadline, status or NOT_REPORTED, today))
            for tid, deadline, status, percent, on in rows}


def task_states(session: Session, today: dt.date | None = None) -> dict[str, TaskState]:
    """The current state of every task."""
    today = today or dt.date.today()
    return _STATES.get(session, lambda s: _read_states(s, today), today)


def task_state(session: Session, task_id: str, today: dt.date | None = None) -> TaskState | None:
    """The current state of one task (None when there is no such task)."""
    return task_states(session, today).get(task_id)


@dataclass(frozen=True)
class Links:
    """Who is linked to what, as the plan data says (changes only with the data version)."""

    feature_tasks: dict[str, list[str]]
    district_direct: dict[int, list[str]]
    district_features: dict[int, list[str]]
    district_of_feature: dict[str, list[int]]  # the former districts the plan names for each feature
    task_leads: dict[str, list[str]]


_LINKS = VersionedCache("links")


def _read_links(session: Session) -> Links:
    feature_tasks, direct, features, of_feature, leads = (defaultdict(list) for _ in range(5))
    for fid, tid in session.execute(select(TaskFeature.feature_id, TaskFeature.task_id).order_by(TaskFeature.task_id)):
        feature_tasks[fid].append(tid)
    for code, tid in session.execute(select(TaskDistrict.gso_code, TaskDistrict.task_id).order_by(TaskDistrict.task_id)):
        direct[code].append(tid)
    for code, fid in session.execute(select(FeatureDistrict.gso_code, FeatureDistrict.feature_id)
                                     .order_by(FeatureDistrict.feature_id, FeatureDistrict.gso_code)):
        features[code].append(fid)
        of_feature[fid].append(code)
    for tid, agency in session.execute(select(TaskLead.task_id, TaskLead.agency_id).order_by(TaskLead.position)):
        leads[tid].append(agency)
    return Links(dict(feature_tasks), dict(direct), dict(features), dict(of_feature), dict(leads))


def links(session: Session) -> Links:
    return _LINKS.get(session, _read_links)


@dataclass
class Rollup:
    """Progress of a feature, district, agency or section from its tasks."""

    tasks: int = 0
    done: int = 0
    overdue: int = 0
    reported: int = 0
    percent_sum: float = 0.0
    task_ids: list[str] = field(default_factory=list)

    @property
    def mean_percent(self) -> float | None:
        return round(self.percent_sum / self.reported, 1) if self.reported else None

    @property
    def state(self) -> str:
        """One word for symbology: ``overdue`` > ``done`` > ``in_progress`` > ``not_reported`` / ``no_tasks``."""
        if not self.tasks:
            return "no_tasks"
        if self.overdue:
            return "overdue"
        if self.done == self.tasks:
            return "done"
        return "in_progress" if self.reported else NOT_REPORTED

    def add(self, s: TaskState) -> None:
        self.tasks += 1
        self.task_ids.append(s.task_id)
        self.done += s.status == "done"
        self.overdue += s.overdue
        if s.percent is not None:
            self.reported += 1
            self.percent_sum += s.percent

    def as_dict(self) -> dict:
        return {"tasks": self.tasks, "done": self.done, "overdue": self.overdue, "reported": self.reported,
                "mean_percent": self.mean_percent, "state": self.state}


def rollup(task_ids: Iterable[str], states: dict[str, TaskState]) -> Rollup:
    out = Rollup()
    for tid in task_ids:
        out.add(states[tid])
    return out


def feature_progress(session: Session, today: dt.date | None = None) -> dict[str, Rollup]:
    """Progress of every feature that has linked tasks, by feature id."""
    states = task_states(session, today)
    return {fid: rollup(tids, states) for fid, tids in links(session).feature_tasks.items()}


@dataclass(frozen=True)
class DistrictTasks:
    """A former district's tasks, counted the three ways this module defines (see the module docstring)."""

    direct: tuple[str, ...]
    via_features: tuple[str, ...]
    linked: tuple[str, ...]
    progress: Rollup

    def counts(self) -> dict[str, int]:
        return {"tasks_direct": len(self.direct), "tasks_via_features": len(self.via_features),
                "tasks_linked": len(self.linked)}


def district_tasks(session: Session, gso_code: int, today: dt.date | None = None) -> DistrictTasks:
    """The tasks of one former district (empty for a code without any)."""
    lk = links(session)
    direct = sorted(set(lk.district_direct.get(gso_code, ())))
    via = sorted({t for fid in lk.district_features.get(gso_code, ()) for t in lk.feature_tasks.get(fid, ())})
    linked = sorted(set(direct) | set(via))
    return DistrictTasks(tuple(direct), tuple(via), tuple(linked), rollup(linked, task_states(session, today)))


def districts_with_tasks(session: Session) -> list[int]:
    """GSO codes of the former districts with at least one linked task."""
    lk = links(session)
    via = {code for code, fids in lk.district_features.items() if any(f in lk.feature_tasks for f in fids)}
    return sorted(set(lk.district_direct) | via)


def grouped_progress(session: Session, by: str, today: dt.date | None = None) -> dict[str, Rollup]:
    """Progress grouped ``by`` ``"lead"`` (a task counts for each of its lead agencies) or ``"section"``."""
    states = task_states(session, today)
    groups: dict[str, Rollup] = defaultdict(Rollup)
    if by == "lead":
        for tid, agencies in links(session).task_leads.items():
            for agency in agencies:
                groups[agency].add(states[tid])
    elif by == "section":
        for plan, section, tid in session.execute(select(Task.plan, Task.section, Task.id)):
            groups[f"{plan} {section}"].add(states[tid])
    else:
        raise ValueError(f"group by lead or section, not {by!r}")
    return dict(sorted(groups.items(), key=lambda kv: _natural(kv[0])))


def task_etag(session: Session, task_id: str) -> str:
    """A validator of the task as a client sees it: changes with every report and every review decision."""
    task = session.get(Task, task_id)
    reports = session.execute(select(ProgressReport.id, ProgressReport.review)
                              .where(ProgressReport.task_id == task_id).order_by(ProgressReport.id)).all()
    parts = [task_id, str(task.deadline) if task else "",
             ",".join(a.id for a in task.leads) if task else "",
             ",".join(sorted(a.id for a in task.partners)) if task else "",
             ",".join(sorted(f.id for f in task.features)) if task else "",
             ",".join(sorted(str(d.gso_code) for d in task.districts)) if task else "",
             ";".join(f"{i}:{review}" for i, review in reports)]
    return '"' + hashlib.sha256("|".join(parts).encode()).hexdigest()[:32] + '"'


def _natural(key: str) -> list:
    """"III.2" before "III.10", as the documents number them."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", key)]
