"""YAML parameter files with line numbers: every error names the file, the line and the key.

`load` parses with the safe loader and, from the same text, records the line of every key and list item
(by path: `agreements[0].levies[1].basis`), so a loader can say where a bad value sits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from maadan.errors import DataFileError, InvalidInput

_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


@dataclass
class YamlDoc:
    path: str
    data: Any
    lines: dict[tuple, int] = field(default_factory=dict)

    def line(self, where: str) -> int | None:
        """Line of the deepest known element of the dotted path `where` (1-based)."""
        parts: list[Any] = []
        for key, index in _PART.findall(where or ""):
            parts.append(int(index) if index else key)
        while parts:
            if tuple(parts) in self.lines:
                return self.lines[tuple(parts)]
            parts.pop()
        return self.lines.get((), None)

    def error(self, where: str, message: str) -> DataFileError:
        return DataFileError(self.path, f"{where}: {message}" if where else message, line=self.line(where))


def _walk(node: yaml.Node, path: tuple, out: dict[tuple, int]) -> None:
    out.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            key = path + (str(k.value),)
            out[key] = k.start_mark.line + 1
            _walk(v, key, out)
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            out[path + (i,)] = v.start_mark.line + 1
            _walk(v, path + (i,), out)


def parse(path: str, text: str) -> YamlDoc:
    try:
        data = yaml.safe_load(text)
        root = yaml.compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise DataFileError(path, f"not valid YAML: {getattr(exc, 'problem', exc)}",
                            line=mark.line + 1 if mark else None) from None
    lines: dict[tuple, int] = {}
    if root is not None:
        _walk(root, (), lines)
    return YamlDoc(path, data, lines)


def load(path: Path | str) -> YamlDoc:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidInput(f"Parameter file {path} does not exist") from None
    except UnicodeDecodeError:
        raise DataFileError(str(path), "not UTF-8 text") from None
    return parse(str(path), text)
