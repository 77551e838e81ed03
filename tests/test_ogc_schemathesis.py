"""Schemathesis over /ogc/api against the real server: generated requests never cause a 5xx."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings


def test_no_server_errors(live_server):
    schema = schemathesis.openapi.from_url(f"{live_server}/ogc/api")
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case):
            response = case.call()
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} {case.query}: {response.status_code}")

        check()
    assert not failures, failures[:5]
