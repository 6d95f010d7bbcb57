"""`maadan serve` logs one JSON object a line, with the request id inside a request (issue 18 item 4)."""

from __future__ import annotations

import json
import logging

from maadan.http.logs import JsonFormatter
from maadan.http.middleware import current_request_id


def record(message: str, exc: bool = False) -> logging.LogRecord:
    exc_info = None
    if exc:
        try:
            raise ValueError("boom")
        except ValueError:
            import sys
            exc_info = sys.exc_info()
    return logging.LogRecord("maadan.requests", logging.ERROR if exc else logging.INFO, __file__, 1, message, None,
                             exc_info)


def test_a_plain_message_becomes_a_json_line_with_the_request_id():
    token = current_request_id.set("abc123")
    try:
        line = json.loads(JsonFormatter().format(record("spatial index warm in 0.5 s")))
    finally:
        current_request_id.reset(token)
    assert line["message"] == "spatial index warm in 0.5 s" and line["request_id"] == "abc123"
    assert line["level"] == "info" and line["logger"] == "maadan.requests" and line["time"].endswith("+00:00")


def test_a_request_line_is_merged_and_an_exception_kept():
    line = json.loads(JsonFormatter().format(record('{"method": "GET", "status": 200, "request_id": "r1"}')))
    assert line["method"] == "GET" and line["status"] == 200 and line["request_id"] == "r1" and "message" not in line
    failed = json.loads(JsonFormatter().format(record("internal error on GET /x", exc=True)))
    assert "ValueError: boom" in failed["exception"] and "request_id" not in failed
