"""Schemathesis over both OpenAPI documents against the real server, with an admin's and a reporter's token so
that the write routes are reached: no answer is a 5xx, and every answer is one the document describes (status,
media type, headers, body schema); data the document forbids is refused.

The fuzzer writes (it adds users and tokens, reports, edits tasks and features), so it runs on a database of its
own. Besides made-up path values it uses real ones (a task, a report, a district, a feature), so that the
routes behind a lookup are reached too. Bounded: a few examples per operation, a time budget per document.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select
from sqlalchemy.orm import Session

from layers import accounts, reporting
from layers.db import make_engine
from layers.load import load
from layers.models import Feature
from layers.schema import upgrade
from tests.conftest import make_settings, serve
from tests.progress_helpers import PASSWORD, SCT, led_by

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance, negative_data_rejection]
EXAMPLES = 12  # per operation and generation mode
SLOW = {"/print/": 2}  # renders take seconds each: few examples (test_print prints every kind)
TIMEOUT = 180  # seconds for one answer: an uncached province sheet on a busy machine
BUDGET = 150  # seconds per document and backend; operations left when it is spent fail the test
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


@dataclass
class Target:
    base: str
    tokens: dict[str, str]  # role -> bearer token
    token_ids: set[int]  # the fuzzer's own tokens: DELETE /api/auth/tokens/{id} must not revoke them
    known: dict[str, str | int]  # path parameter -> a value that exists


@pytest.fixture(scope="module")
def target(backend, fresh_database, cache_dir) -> Iterator[Target]:
    from api.app import create_app

    settings = make_settings(fresh_database(backend), cache_dir)
    engine = make_engine(settings.database_url)
    upgrade(engine)
    load(engine, settings)
    tokens, ids = {}, set()
    task = led_by(engine, SCT)[0]
    with Session(engine) as s, s.begin():
        for name, role, agency in (("fuzz-admin", "admin", None), ("fuzz-reporter", "agency_reporter", SCT)):
            user = accounts.create_user(s, name, PASSWORD, role, agency, actor="test")
            row, tokens[role] = accounts.create_token(s, user, "fuzz", 1)
            ids.add(row.id)
        report = reporting.submit(s, accounts.principal(user), task, {"status": "in_progress", "percent": 10},
                                  reporting.Attachment("evidence.png", PNG))
        s.flush()
        known = {"task_id": task, "report_id": report.id, "gso_code": 907, "token_id": max(ids) + 1,
                 "token": reporting.report_dicts(s, [report])[0]["attachment"]["href"].rsplit("/", 1)[1],
                 "feature_id": s.scalar(select(Feature.id).where(Feature.layer == "industrial_parks")),
                 "featureId": s.scalar(select(Feature.id).where(Feature.layer == "industrial_parks")),
                 "collectionId": "industrial_parks"}
        accounts.create_token(s, user, "to be revoked by the fuzzer", 1)  # the reporter's, id max(ids) + 1
    engine.dispose()
    with serve(create_app(settings)) as base:
        yield Target(base, tokens, ids, known)


def _strategy(operation, known: dict):
    strategies = []
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        try:
            strategies.append(operation.as_strategy(generation_mode=mode))
        except Exception:  # noqa: BLE001 - nothing to negate in an operation without inputs
            continue
    names = {p.name for p in operation.path_parameters}
    if names & set(known):
        real = {name: known[name] for name in names & set(known)}
        strategies.append(operation.as_strategy(generation_mode=GenerationMode.POSITIVE, path_parameters=real))
    return st.one_of(strategies)


@dataclass
class Run:
    failures: list[str] = field(default_factory=list)
    left: list[str] = field(default_factory=list)  # operations not reached within the budget
    succeeded: set[str] = field(default_factory=set)  # "POST /path" of operations that answered 2xx
    sent: int = 0


def fuzz(url: str, target: Target, checks_for: Callable) -> Run:
    """Fuzz the document at ``url``; ``checks_for(operation)`` gives an operation's checks, or None to skip it."""
    schema = schemathesis.openapi.from_url(url)
    run = Run()
    deadline = time.monotonic() + BUDGET
    for result in schema.get_all_operations():
        operation = result.ok()
        checks = checks_for(operation)
        if checks is None:
            continue
        if time.monotonic() > deadline:
            run.left.append(f"{operation.method.upper()} {operation.path}")
            continue
        examples = next((n for prefix, n in SLOW.items() if operation.path.startswith(prefix)), EXAMPLES)

        @given(case=_strategy(operation, target.known), token=st.sampled_from(sorted(target.tokens.values())))
        @settings(max_examples=3 * examples, deadline=None, suppress_health_check=list(HealthCheck),
                  database=None, derandomize=True)
        def check(case, token):
            if case.path_parameters and case.path_parameters.get("token_id") in target.token_ids:
                case.path_parameters["token_id"] = target.known["token_id"]
            run.sent += 1
            try:
                response = case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=checks,
                                       allow_redirects=False, timeout=TIMEOUT)
            except FailureGroup as group:
                run.failures.append(f"{case.method} {case.formatted_path}: {group}")
                return
            if response.status_code < 300:
                run.succeeded.add(f"{case.method} {operation.path}")

        check()
    return run


def _api_checks(operation) -> list | None:
    """Every check, but the OGC routes: their reads go through /ogc/api below, their writes get 5xx only."""
    if not operation.path.startswith("/ogc"):
        return CHECKS
    return None if operation.method.upper() in ("GET", "HEAD", "OPTIONS") else [not_a_server_error]


def test_api_document(target):
    run = fuzz(f"{target.base}/api/openapi.json", target, _api_checks)
    assert run.sent > 500 and not run.left, (run.sent, run.left)
    assert not run.failures, "\n\n".join(run.failures[:10])
    # the tokens took the fuzzer past authentication to the writes
    assert {"POST /api/tasks/{task_id}/reports", "POST /api/auth/users", "POST /api/auth/tokens",
            "POST /api/reports/{report_id}/return"} <= run.succeeded, run.succeeded


def test_ogc_document(target):
    """The OGC routes (in /api/openapi.json too, skipped there) through their own OpenAPI 3.0 document.

    Only 5xx for now: that document is being rewritten to describe every answer; then it gets CHECKS."""
    run = fuzz(f"{target.base}/ogc/api", target, lambda _operation: [not_a_server_error])
    assert run.sent > 100 and not run.left, (run.sent, run.left)
    assert not run.failures, "\n\n".join(run.failures[:10])
