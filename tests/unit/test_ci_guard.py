"""Under CI=true nothing may skip: a missing tool, file or package fails the run instead (the
`require` helper and the hook in tests/conftest.py). Checked on a throwaway test file run by pytest."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = '''
from pathlib import Path

import pytest
from tests.conftest import require, require_tools

def test_missing_tool():
    require_tools("no-such-program-maadan", package="nothing")

def test_missing_file():
    require(Path("/nonexistent/maadan").exists(), "/nonexistent/maadan")

def test_bare_skip():
    pytest.skip("skipped by hand")

def test_fine():
    assert True

@pytest.mark.local_only("what no CI machine may hold")
def test_local_only():
    pytest.skip("its inputs are not here")
'''


def _run(tmp_path: Path, ci: bool) -> subprocess.CompletedProcess:
    probe = tmp_path / "test_probe.py"
    probe.write_text(PROBE)
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env |= {"CI": "true", "MAADAN_TEST_POSTGRES_URL": env.get("MAADAN_TEST_POSTGRES_URL") or "postgresql://unused"} if ci else {}
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "tests.conftest", "-p", "no:cacheprovider", "-q",
                           "-rA", "--rootdir", str(tmp_path), str(probe)], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


def test_outside_ci_missing_things_skip_with_the_reason(tmp_path):
    out = _run(tmp_path, ci=False)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "1 passed, 4 skipped" in out.stdout  # a local_only test runs, or skips, outside CI
    assert "needs no-such-program-maadan on PATH (Debian package nothing)" in out.stdout


def test_under_ci_missing_things_fail_the_run(tmp_path):
    out = _run(tmp_path, ci=True)
    assert out.returncode == 1, out.stdout + out.stderr
    assert "3 failed, 1 passed, 1 deselected" in out.stdout
    assert "not run under CI=true: 1 local_only tests" in out.stdout
    assert "test_probe.py::test_local_only: what no CI machine may hold" in out.stdout
    assert "CI=true and this test needs no-such-program-maadan on PATH" in out.stdout
    assert "CI=true and this test needs /nonexistent/maadan" in out.stdout
    assert "CI=true: no test may be skipped, and this one was: Skipped: skipped by hand" in out.stdout
