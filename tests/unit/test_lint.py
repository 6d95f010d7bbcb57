"""Undefined names, unused imports and syntax errors fail the suite (ruff's F and E9 rules)."""

import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import require

ROOT = Path(__file__).resolve().parents[2]


def test_pyflakes_rules_pass():
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    require(ruff, "ruff (it comes with `pip install -e '.[test]'`)")
    out = subprocess.run([ruff, "check", "--select", "F,E9", "--output-format", "concise", "src", "tests", "bench",
                          "scripts"], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
