"""Structured logs (issue 18 item 4): every line `maadan serve` writes is one JSON object with the time, the
level, the logger, the message and, inside a request, its request id (the X-Request-ID of its answer).
A request's own line (http/middleware.py RequestLog) is already a JSON object: its fields are merged in."""

from __future__ import annotations

import json
import logging
from datetime import datetime, timezone

from maadan.http.middleware import current_request_id


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        line: dict = {"time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
                      "level": record.levelname.lower(), "logger": record.name}
        fields = None
        if message.startswith("{"):
            try:
                fields = json.loads(message)
            except ValueError:
                fields = None
        if isinstance(fields, dict):
            line.update(fields)
        else:
            line["message"] = message
        rid = current_request_id.get()
        if rid is not None:
            line.setdefault("request_id", rid)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)
