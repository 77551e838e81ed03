"""Where the plan stands: each task's current state, and feature/district progress derived from tasks.

A task's state is its latest accepted progress report; with none it is ``not_reported`` (never made up).
``overdue`` is derived: a deadline passed and the task not done or cancelled.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from layers.models import ProgressReport, Task, TaskDistrict, TaskFeature

NOT_REPORTED = "not_reported"


@dataclass(frozen=True)
class TaskState:
    task_id: str
    status: str  # not_reported | not_started | in_progress | done | cancelled
    percent: int | None
    reported_on: dt.date | None
    deadline: dt.date | None
    overdue: bool


@dataclass
class Rollup:
    """Progress of a feature or district from its linked tasks."""

    tasks: int = 0
    done: int = 0
    overdue: int = 0
    reported: int = 0
    percent_sum: int = 0
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

    def as_dict(self) -> dict:
        return {"tasks": self.tasks, "done": self.done, "overdue": self.overdue, "reported": self.reported,
                "mean_percent": self.mean_percent, "state": self.state}


def is_overdue(deadline: dt.date | None, status: str, today: dt.date) -> bool:
    return deadline is not None and deadline < today and status not in ("done", "cancelled")


def task_states(session: Session, today: dt.date | None = None) -> dict[str, TaskState]:
    """The current state of every task."""
    today = today or dt.date.today()
    latest: dict[str, ProgressReport] = {}
    reports = session.scalars(
        select(ProgressReport).where(ProgressReport.review == "accepted")
        .order_by(ProgressReport.created_at, ProgressReport.id)
    )
    for report in reports:
        latest[report.task_id] = report
    states = {}
    for task_id, deadline in session.execute(select(Task.id, Task.deadline)):
        r = latest.get(task_id)
        status = r.status if r else NOT_REPORTED
        states[task_id] = TaskState(task_id, status, r.percent if r else None, r.reported_on if r else None,
                                    deadline, is_overdue(deadline, status, today))
    return states


def _rollup(pairs, states: dict[str, TaskState]) -> dict:
    out: dict = {}
    for key, task_id in pairs:
        roll = out.setdefault(key, Rollup())
        s = states[task_id]
        roll.tasks += 1
        roll.task_ids.append(task_id)
        roll.done += s.status == "done"
        roll.overdue += s.overdue
        if s.percent is not None:
            roll.reported += 1
            roll.percent_sum += s.percent
    return out


def feature_progress(session: Session, today: dt.date | None = None) -> dict[str, Rollup]:
    """Progress of every feature that has linked tasks, by feature id."""
    states = task_states(session, today)
    return _rollup(session.execute(select(TaskFeature.feature_id, TaskFeature.task_id)), states)


def district_progress(session: Session, today: dt.date | None = None) -> dict[int, Rollup]:
    """Progress of every former district that has linked tasks, by GSO code."""
    states = task_states(session, today)
    return _rollup(session.execute(select(TaskDistrict.gso_code, TaskDistrict.task_id)), states)


def task_state(session: Session, task_id: str, today: dt.date | None = None) -> TaskState | None:
    """The current state of one task (None when there is no such task)."""
    today = today or dt.date.today()
    deadline = session.scalar(select(Task.deadline).where(Task.id == task_id))
    if deadline is None and session.get(Task, task_id) is None:
        return None
    r = session.scalars(
        select(ProgressReport).where(ProgressReport.task_id == task_id, ProgressReport.review == "accepted")
        .order_by(ProgressReport.created_at.desc(), ProgressReport.id.desc()).limit(1)
    ).first()
    status = r.status if r else NOT_REPORTED
    return TaskState(task_id, status, r.percent if r else None, r.reported_on if r else None, deadline,
                     is_overdue(deadline, status, today))


def task_etag(session: Session, task_id: str) -> str:
    """A validator of the task as a client sees it: changes with every report and every review decision."""
    task = session.get(Task, task_id)
    reports = session.execute(select(ProgressReport.id, ProgressReport.review)
                              .where(ProgressReport.task_id == task_id).order_by(ProgressReport.id)).all()
    parts = [task_id, str(task.deadline) if task else "", task.lead_id if task else "",
             ",".join(sorted(a.id for a in task.partners)) if task else "",
             ",".join(sorted(f.id for f in task.features)) if task else "",
             ",".join(sorted(str(d.gso_code) for d in task.districts)) if task else "",
             ";".join(f"{i}:{review}" for i, review in reports)]
    return '"' + hashlib.sha256("|".join(parts).encode()).hexdigest()[:32] + '"'


def grouped_progress(session: Session, by: str, today: dt.date | None = None) -> dict[str, Rollup]:
    """Progress of tasks grouped ``by`` ``"lead"`` (agency id) or ``"section"`` (``"<plan> <section>"``)."""
    states = task_states(session, today)
    if by == "lead":
        pairs = session.execute(select(Task.lead_id, Task.id))
    elif by == "section":
        pairs = ((f"{plan} {section}", tid) for plan, section, tid in
                 session.execute(select(Task.plan, Task.section, Task.id)))
    else:
        raise ValueError(f"group by lead or section, not {by!r}")
    return dict(sorted(_rollup(pairs, states).items(), key=lambda kv: _natural(kv[0])))


def _natural(key: str) -> list:
    """"III.2" before "III.10", as the documents number them."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", key)]
