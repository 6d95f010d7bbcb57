"""Run the analytics commands in-process against the seeded knowledge base.

Until cli/app.py registers them, the commands are mounted on a private root app the way
`app.add_typer(analytics.app)` will mount them, with main()'s error handling."""

from __future__ import annotations

import json

import pytest
import typer

from maadan.cli import analytics, common
from maadan.errors import MaadanError


def _root() -> typer.Typer:
    from maadan.cli.app import app

    names = {c.name for c in app.registered_commands}
    if "criticality" in names:
        return app
    root = typer.Typer(pretty_exceptions_enable=False)

    @root.callback()
    def _cb() -> None:
        pass

    root.add_typer(analytics.app)
    return root


class AnalyticsCLI:
    def __init__(self, url: str, capsys, monkeypatch):
        self.capsys = capsys
        monkeypatch.setenv("MAADAN_DATABASE_URL", url)
        monkeypatch.setenv("COLUMNS", "200")

    def __call__(self, *args: str) -> tuple[int, str, str]:
        self.capsys.readouterr()
        code = 0
        try:
            _root()(args=[str(a) for a in args], prog_name="maadan")
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except MaadanError as exc:
            common.report_error(exc)
            code = exc.exit_code
        finally:
            common.reset()
        out = self.capsys.readouterr()
        return code, out.out, out.err

    def json(self, *args: str, expect: int = 0):
        code, out, err = self(*args, "--json")
        assert code == expect, f"exit {code}: {err}"
        return json.loads(out)


@pytest.fixture
def acli(seeded_db, capsys, monkeypatch) -> AnalyticsCLI:
    return AnalyticsCLI(seeded_db.url, capsys, monkeypatch)
