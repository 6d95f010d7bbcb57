"""Property-based fuzzing of /api/analytics/... from its OpenAPI document: whatever the parameters, the
answer is a 2xx or a 4xx with a JSON error, never a 500."""

from __future__ import annotations

import os

import schemathesis
from hypothesis import HealthCheck, given, settings

from .test_fuzz import CALL_TIMEOUT_S

DERANDOMIZE = os.environ.get("MAADAN_FUZZ_RANDOM") != "1"  # reproducible in CI (see test_fuzz.py)


def test_no_server_error_on_any_analytics_endpoint(read_client):
    schema = schemathesis.openapi.from_asgi("/openapi.json", read_client.app).include(path_regex="^/api/analytics/")
    operations = [r.ok() for r in schema.get_all_operations()]
    assert len(operations) == 16  # + GET /api/analytics/shortfall/variants (§2d)
    assert {"/api/analytics/shortfall", "/api/analytics/shortfall/check"} <= {op.path for op in operations}
    for op in operations:
        @given(case=op.as_strategy())
        @settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck), database=None,
                  derandomize=DERANDOMIZE)
        def check(case):
            response = case.call(timeout=CALL_TIMEOUT_S)
            assert response.status_code < 500, (case.path, case.path_parameters, case.query, response.text[:300])
            if response.status_code >= 400:
                body = response.json()
                assert body["error"] and body["message"]

        check()
