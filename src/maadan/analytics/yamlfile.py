"""Parameter files (cases, fiscal terms, scenarios) with line numbers: every error names the file, the line and
the key. A thin layer over `maadan.ingest.yamlfile` (which finds the line of a key path) that takes the key path
as one dotted string (`agreements[0].levies[1].basis`), as the analytics loaders write it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from maadan import bundled
from maadan.errors import DataFileError
from maadan.ingest import yamlfile as base


@dataclass
class YamlDoc:
    path: str
    data: Any
    file: base.YamlFile | None = None

    def line(self, where: str) -> int | None:
        """Line of the deepest known element of the dotted path `where` (1-based)."""
        return self.file.line(*base.field_path(where)) if self.file is not None else None

    def error(self, where: str, message: str) -> DataFileError:
        return DataFileError(self.path, message, line=self.line(where), key=where or None)


def parse(path: str, text: str) -> YamlDoc:
    """A file's text (a bundled file read from the package, or a test's): `path` names it in messages."""
    try:
        root, data = base.compose_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise DataFileError(path, f"not valid YAML: {getattr(exc, 'problem', None) or exc}",
                            line=mark.line + 1 if mark else None) from None
    except ValueError as exc:  # a YAML timestamp that is no calendar date
        raise DataFileError(path, f"not valid YAML: {exc} (a date that does not exist?)") from None
    return YamlDoc(path, data, base.YamlFile(Path(path), path, data, root))


def load(path: Path | str) -> YamlDoc:
    """A user's file (the command line's own files); a file that cannot be read is InvalidInput saying why."""
    return parse(str(path), bundled.read_text(path, f"parameter file {path}"))
