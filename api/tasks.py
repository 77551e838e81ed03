"""Tasks and progress: read tasks (with ETag), report progress (If-Match), review reports, the audit log,
missing reports and the provincial XLSX export. SQL stays in ``layers``; this module speaks HTTP."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Header, Path, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from api import body, conditional, report_pages
from api.auth import AUTH_RESPONSES, Coordinator, MaybeUser, Reporter
from api.deps import primary
from api.errors import ApiError, responses
from api.params import GSO_MAX, GSO_MIN
from api.report_xlsx import workbook_bytes
from layers import audit, progress, reporting, reporting_periods, task_edit
from layers.accounts import Principal
from layers.models import TASK_STATUSES, Task
from layers.reporting import MAX_ATTACHMENT, MAX_TEXT, MAX_URL, Attachment, ReportError

router = APIRouter(tags=["tasks"])
router.include_router(report_pages.router)  # the pages ride on this router: app.py lists api.tasks
ReportId = Annotated[int, Path(ge=1, le=2**31 - 1)]
GsoCode = Annotated[int, Field(ge=GSO_MIN, le=GSO_MAX)]
WRITE_RESPONSES = AUTH_RESPONSES | responses(404, 412)
IfMatch = Annotated[str | None, Header(alias="If-Match", description="the ETag of the task as read; * for any")]
IfNoneMatch = Annotated[str | None, Header(alias="If-None-Match", description="the ETag of the copy held")]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ReportBody(BaseModel):
    """A progress report; the values are checked by ``layers.reporting.validate`` (422 naming each field).

    Other fields (a form's ``csrf_token``) are ignored."""

    status: str = Field(json_schema_extra={"enum": list(TASK_STATUSES)})
    percent: int | str = Field(json_schema_extra={"anyOf": [
        {"type": "integer", "minimum": 0, "maximum": 100}, {"type": "string", "pattern": "^[0-9]{1,3}$"}]},
        description="0 to 100; 100 when done")
    reported_on: str | None = Field(None, description="YYYY-MM-DD, not in the future; default today",
                                    json_schema_extra={"format": "date"})
    text: str | None = Field(None, json_schema_extra={"maxLength": MAX_TEXT})
    evidence_url: str | None = Field(None, description="an http(s) link",
                                     json_schema_extra={"maxLength": MAX_URL, "format": "uri"})
    lead: str | None = Field(None, max_length=64, description="the lead agency whose share this report is on "
                             "(a task with several leads; a lead's own reporter always reports its own share)")


class TaskChanges(BaseModel):
    """What a coordinator may change of a task; every field is optional."""

    model_config = ConfigDict(extra="forbid")
    deadline: str | None = Field(None, description="YYYY-MM-DD or null", json_schema_extra={"format": "date"})
    deadline_text: str | None = Field(None, max_length=500)
    leads: list[Annotated[str, Field(max_length=64)]] | None = Field(
        None, min_length=1, max_length=20, description="ids of the lead agencies, in the document's order")
    partners: list[Annotated[str, Field(max_length=64)]] | None = Field(None, max_length=100)
    features: list[Annotated[str, Field(max_length=128)]] | None = Field(None, max_length=1000)
    districts: list[GsoCode] | None = Field(None, max_length=100)


class ReviewBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str | None = Field(None, max_length=MAX_TEXT, description="why (shown in the audit log)")


def _fail(exc: ReportError) -> ApiError:
    return ApiError(exc.status, exc.code, exc.description)


@router.get("/api/tasks")
def list_tasks(request: Request, agency: str | None = None, plan: str | None = None):
    """Every task with its current state; ``agency`` keeps the tasks it leads or partners."""
    with primary(request) as session:
        states = progress.task_states(session)
        tasks = reporting.find_tasks(session, agency, plan)
        return {"tasks": [reporting.task_dict(t, states[t.id]) for t in tasks], "count": len(tasks)}


@router.get("/api/tasks/{task_id}", responses={304: {"description": "Not modified (If-None-Match)"},
                                               **responses(401, 404)})
def get_task(task_id: str, request: Request, who: MaybeUser, if_none_match: IfNoneMatch = None):
    """One task, its state and its reports (returned or pending ones only for coordinators)."""
    with primary(request) as session:
        task = session.get(Task, task_id)
        if task is None:
            raise ApiError(404, "NotFound", f"no task {task_id!r}")
        etag = progress.task_etag(session, task_id)
        if conditional.not_modified(request, etag):
            return Response(status_code=304, headers={"ETag": etag})
        answer = reporting.task_dict(task, progress.task_state(session, task_id))
        everything = who is not None and who.at_least("coordinator")
        answer["reports"] = reporting.report_dicts(session, [r for r in reporting.reports_of(session, task_id)
                                                             if everything or r.review == "accepted"])
    return JSONResponse(answer, headers={"ETag": etag, "Cache-Control": "no-cache"})


@router.patch("/api/tasks/{task_id}", openapi_extra=body.document(TaskChanges, forms=False),
              responses=WRITE_RESPONSES | responses(428))
async def patch_task(task_id: str, request: Request, who: Coordinator, if_match: IfMatch = None):
    """Edit deadline, lead and links (coordinators); If-Match is required: 428 without, 412 when stale."""
    if if_match is None:
        raise ApiError(428, "PreconditionRequired", "send If-Match with the task's ETag (GET it first)")
    changes = await body.read(request, TaskChanges, forms=False, code="InvalidTask")
    return await run_in_threadpool(_save_task, request, task_id, who, changes.model_dump(exclude_unset=True),
                                   if_match)


def _save_task(request: Request, task_id: str, who: Principal, changes: dict, if_match: str) -> JSONResponse:
    with primary(request) as session:
        try:
            with session.begin():
                if not reporting.lock_task(session, task_id):
                    raise ReportError(404, "NotFound", f"no task {task_id!r}")
                conditional.require_match(request, progress.task_etag(session, task_id))
                task_edit.edit_task(session, who, task_id, changes)
                progress.after_write(session, [task_id])
        except ReportError as exc:
            raise _fail(exc) from exc
        session.expire_all()
        task = session.get(Task, task_id)
        body = reporting.task_dict(task, progress.task_state(session, task_id))
        etag = progress.task_etag(session, task_id)
    return JSONResponse(body, headers={"ETag": etag})


async def _report_input(request: Request) -> tuple[dict, Attachment | None]:
    """Fields from JSON or a (multipart) form, and the attachment of a form."""
    data, files, was_json = await body.fields(request, max_file=MAX_ATTACHMENT + 1)
    fields = body.validate(ReportBody, data, strict=was_json, code="InvalidReport").model_dump(exclude_unset=True)
    upload = files.get("attachment")
    if upload is None or not upload.filename:
        return fields, None
    # at most one byte over the limit: enough to refuse it, whatever Content-Length said
    return fields, Attachment(upload.filename, await upload.read(MAX_ATTACHMENT + 1))


@router.post("/api/tasks/{task_id}/reports", status_code=201, responses=WRITE_RESPONSES,
             openapi_extra=body.document(ReportBody, files={"attachment": "evidence: a PDF, PNG or JPEG file"}))
async def post_report(task_id: str, request: Request, who: Reporter, if_match: IfMatch = None):
    """Append a progress report (201 with the report and the task's new ETag); ``If-Match`` is optional."""
    fields, attachment = await _report_input(request)
    return await run_in_threadpool(_save_report, request, task_id, who, fields, attachment, if_match)


def _locked_write(request: Request, find_task, write, missing: str, if_match: str | None):
    """One transaction: lock the task, check ``If-Match`` against it, write; returns (body, new ETag, state).

    In a worker thread: the database work must not stall the event loop for other requests.
    """
    with primary(request) as session:
        try:
            with session.begin():
                task_id = find_task(session)
                if task_id is None or not reporting.lock_task(session, task_id):
                    raise ReportError(404, "NotFound", missing)
                conditional.require_match(request, progress.task_etag(session, task_id))
                answer = reporting.report_dicts(session, [write(session, task_id)])[0]
                progress.after_write(session, [task_id])
        except ReportError as exc:
            raise _fail(exc) from exc
        return answer, progress.task_etag(session, task_id), progress.task_state(session, task_id)


def _save_report(request: Request, task_id: str, who: Principal, fields: dict, attachment,
                 if_match: str | None) -> JSONResponse:
    review = request.app.state.settings.review_on_submit  # the province's choice (layers/settings.py)
    answer, etag, state = _locked_write(
        request, lambda _s: task_id,
        lambda session, tid: reporting.submit(session, who, tid, fields, attachment, review=review),
        f"no task {task_id!r}", if_match)
    answer["task_state"] = {"status": state.status, "percent": state.percent, "overdue": state.overdue}
    return JSONResponse(answer, 201, headers={"ETag": etag, "Location": f"/api/tasks/{task_id}"})


async def _review(report_id: int, move: str, request: Request, who: Principal, if_match: str | None) -> JSONResponse:
    review = await body.read(request, ReviewBody, forms=False, code="InvalidReview")
    return await run_in_threadpool(_save_review, request, report_id, move, who, review.note, if_match)


def _save_review(request: Request, report_id: int, move: str, who: Principal, note: str | None,
                 if_match: str | None) -> JSONResponse:
    answer, etag, _ = _locked_write(request, lambda session: reporting.task_of_report(session, report_id),
                                    lambda session, _tid: reporting.review(session, who, report_id, move, note),
                                    f"no report {report_id}", if_match)
    return JSONResponse(answer, headers={"ETag": etag})


REVIEW = {"openapi_extra": body.document(ReviewBody, forms=False, required=False),
          "responses": WRITE_RESPONSES | responses(409)}


@router.post("/api/reports/{report_id}/accept", **REVIEW)
async def accept_report(report_id: ReportId, request: Request, who: Coordinator, if_match: IfMatch = None):
    return await _review(report_id, "accept", request, who, if_match)


@router.post("/api/reports/{report_id}/return", **REVIEW)
async def return_report(report_id: ReportId, request: Request, who: Coordinator, if_match: IfMatch = None):
    return await _review(report_id, "return", request, who, if_match)


@router.get("/api/attachments/{token}", response_class=Response, responses={
    200: {"content": {kind: {} for kind in reporting.MAGIC.values()}, "description": "the file"},
    **responses(401, 404)})
def get_attachment(token: Annotated[str, Path(max_length=64)], request: Request, who: MaybeUser):
    """A report's attachment, for logged-in users (coordinators only while the report is not accepted).

    The URL (``attachment.href`` of a report) carries a random token; unknown and forbidden look the same."""
    if who is None:
        raise ApiError(401, "Unauthorized", "log in to read report attachments", {"WWW-Authenticate": "Bearer"})
    with primary(request) as session:
        att = reporting.readable_attachment(session, who, token)
        if att is None:
            raise ApiError(404, "NotFound", "no such attachment, or not one you may read")
        return Response(att.data, media_type=att.content_type, headers={
            "Content-Disposition": f'attachment; filename="report-{att.report_id}"', "Cache-Control": "private"})


@router.get("/api/audit", responses=AUTH_RESPONSES | {200: {"content": {"text/csv": {}}, "description": "JSON or CSV"}})
@router.get("/api/audit.csv", responses=AUTH_RESPONSES | {200: {"content": {"text/csv": {}}, "description": "CSV"}})
def get_audit(request: Request, who: Coordinator, entity: Annotated[str | None, Query(max_length=32)] = None,
              entity_id: Annotated[str | None, Query(max_length=96)] = None,
              after: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
              limit: Annotated[int, Query(ge=1, le=10000)] = 1000,
              f: Annotated[Literal["json", "csv"], Query(description="csv: the same as /api/audit.csv")] = "json"):
    """The audit log, oldest first (``after`` = last id seen); ``/api/audit.csv`` or ``?f=csv`` as CSV."""
    with primary(request) as session:
        rows = audit.entries(session, entity, entity_id, after, limit)
    if request.url.path.endswith(".csv") or f == "csv":
        return Response(audit.to_csv(rows), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="audit.csv"'})
    return {"entries": [audit.as_dict(e) for e in rows]}


@router.get("/api/reporting/missing", responses=AUTH_RESPONSES)
def get_missing(request: Request, who: Coordinator):
    """For each plan's current period, the lead agencies that have not reported on some of their tasks."""
    with primary(request) as session:
        return {"today": dt.date.today().isoformat(), "periods": reporting_periods.missing_reports(session)}


@router.get("/api/reporting/export.xlsx", response_class=Response, responses=AUTH_RESPONSES | {
    200: {"content": {XLSX: {}}, "description": "one sheet of every task and its state"}})
def get_export(request: Request, who: Coordinator):
    with primary(request) as session:
        groups = reporting_periods.export_rows(session)
    return Response(workbook_bytes(groups), headers={"Content-Disposition": 'attachment; filename="tien-do.xlsx"'},
                    media_type=XLSX)


@router.get("/api/progress")
def get_progress(request: Request):
    """Progress by feature, district, lead agency and section, for the map, dashboard and statistics."""
    with primary(request) as session:
        return {
            "features": {k: v.as_dict() for k, v in progress.feature_progress(session).items()},
            "districts": {str(code): progress.district_tasks(session, code).progress.as_dict()
                          for code in progress.districts_with_tasks(session)},
            "agencies": {k: v.as_dict() for k, v in progress.grouped_progress(session, "lead").items()},
            "sections": {k: v.as_dict() for k, v in progress.grouped_progress(session, "section").items()},
        }
