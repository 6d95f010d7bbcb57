"""One error hierarchy: every error Maadan raises on purpose carries an HTTP-like status,
a stable code and a public message that says what went wrong and where."""

from __future__ import annotations

from typing import Any


class MaadanError(Exception):
    """Base of all deliberate errors. `message` is safe to show to any user."""

    status = 400
    code = "error"
    exit_code = 1

    def __init__(self, message: str, *, details: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or {}

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"error": self.code, "message": self.message}
        if self.details:
            body["details"] = self.details
        return body


class NotFound(MaadanError):
    """A named thing (mineral, project, title...) does not exist; carries close matches."""

    status = 404
    code = "not_found"
    exit_code = 2

    def __init__(self, kind: str, name: str, suggestions: list[str] | None = None):
        self.kind = kind
        self.name = name
        self.suggestions = suggestions or []
        hint = f" Did you mean: {', '.join(self.suggestions)}?" if self.suggestions else ""
        super().__init__(
            f"Unknown {kind} {name!r}.{hint}",
            details={"kind": kind, "name": name, "suggestions": self.suggestions},
        )


class InvalidInput(MaadanError):
    """Input that cannot be used; the message names the field, line or column."""

    status = 422
    code = "invalid_input"
    exit_code = 2


class DataFileError(InvalidInput):
    """A data file (ingested or bundled) is malformed at a given line and column."""

    code = "invalid_data_file"

    def __init__(self, path: str, message: str, *, line: int | None = None, column: str | None = None,
                 key: str | None = None):
        where = path
        if line is not None:
            where += f", line {line}"
        if column is not None:
            where += f", column {column!r}"
        if key is not None:  # a YAML file's key (e.g. "locations[1].south")
            where += f", key {key!r}"
        super().__init__(f"{where}: {message}", details={"path": path, "line": line, "column": column, "key": key})
        self.path = path
        self.line = line
        self.column = column
        self.key = key


class Conflict(MaadanError):
    """The request clashes with the current state (a duplicate, an illegal transition)."""

    status = 409
    code = "conflict"
    exit_code = 3


class DatabaseNotReady(MaadanError):
    """The database has no schema or no reference data yet."""

    status = 503
    code = "database_not_ready"
    exit_code = 4


class StoreBusy(MaadanError):
    """Another transaction held a lock this one needed for longer than MAADAN_LOCK_WAIT_MS (SQLite's
    "database is locked", PostgreSQL's lock timeout or a deadlock). Nothing was written; the same request
    may be sent again (HTTP 503 with Retry-After)."""

    status = 503
    code = "busy"
    exit_code = 75  # EX_TEMPFAIL: try again later

    def __init__(self, retry_after_s: int = 1):
        super().__init__("the database is busy with another write; nothing was written: try again in a moment",
                         details={"retry_after_s": retry_after_s})
        self.headers = {"Retry-After": str(retry_after_s)}


class CannotWrite(MaadanError):
    """The server could not write a file it needs to answer (its disk is full, or its folder cannot
    be written). Nothing is lost and nothing was changed; the same request may be sent again later
    (HTTP 503 with Retry-After)."""

    status = 503
    code = "cannot_write"
    exit_code = 74  # EX_IOERR

    def __init__(self, what: str, retry_after_s: int = 60):
        super().__init__(f"the server could not write {what} (its disk is full or cannot be written); "
                         "nothing was changed: try again later", details={"retry_after_s": retry_after_s})
        self.headers = {"Retry-After": str(retry_after_s)}


class ConfigError(MaadanError):
    """A setting has a value Maadan cannot use."""

    status = 500
    code = "config_error"
    exit_code = 78
