"""Lint that fails the suite: ruff's F (undefined names, unused imports), E9 (syntax errors), W
(stray whitespace) and B (bugbear: mutable defaults, loop variables left unused, exceptions raised
in `except` without a cause, expressions with no effect...), but three of B's rules:
- B008, a call in a default argument: FastAPI's `Depends(...)`, `Query(...)` and Typer's options are
  written that way by design;
- B905, `zip` without `strict=`: most zips here pair arrays made the same length a line before;
- B023, a closure over a loop variable: every one it finds here is called within its iteration
  (a `lambda` timed at once, a helper reading the current row)."""

import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import require

ROOT = Path(__file__).resolve().parents[2]
SELECT, IGNORE = "F,E9,W,B", "B008,B905,B023"


def test_lint_rules_pass():
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    require(ruff, "ruff (it comes with `pip install -e '.[test]'`)")
    out = subprocess.run([ruff, "check", "--select", SELECT, "--ignore", IGNORE, "--output-format", "concise",
                          "src", "tests", "bench", "scripts"], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
