"""The import rules of docs/architecture.md, checked: import-linter's contracts (pyproject.toml,
[tool.importlinter]) and no module importing another module's private (underscored) names."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import require

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "maadan"


def test_import_contracts_are_kept():
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which("lint-imports")
    require(lint, "import-linter's lint-imports (it comes with `pip install -e '.[test]'`)")
    out = subprocess.run([lint, "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]
    assert "0 broken" in out.stdout and "4 kept" in out.stdout


def _private_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("maadan"):
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.module}.{alias.name}")
    return found


def test_no_module_imports_another_modules_private_names():
    found = [hit for path in sorted(SRC.rglob("*.py")) for hit in _private_imports(path)]
    assert not found, "make them public or move them where both modules can use them:\n" + "\n".join(found)
