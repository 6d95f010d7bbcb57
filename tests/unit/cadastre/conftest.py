"""Fixtures for the rule-file tests: the bundled rules, and a writable copy to break."""

import shutil

import pytest

from maadan.cadastre.rule_files import default_rules_dir, load_rulesets
from maadan.errors import DataFileError


@pytest.fixture(scope="module")
def rulesets():
    return load_rulesets()


@pytest.fixture
def rules_copy(tmp_path):
    """A writable copy of the bundled rule folder, and a helper to edit one file's text (`edit.folder`)."""
    folder = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), folder)

    def edit(name: str, old: str, new: str, count: int = 1) -> None:
        path = folder / name
        text = path.read_text(encoding="utf-8")
        assert text.count(old) >= count, f"{old!r} not in {name}"
        path.write_text(text.replace(old, new, count), encoding="utf-8")

    edit.folder = folder
    return edit


def refusal(folder) -> DataFileError:
    """The error loading `folder` raises (the test fails if it loads)."""
    with pytest.raises(DataFileError) as err:
        load_rulesets(folder)
    return err.value


def version(rulesets, jurisdiction, v):
    return next(r for r in rulesets if (r.jurisdiction, r.version) == (jurisdiction, v))
