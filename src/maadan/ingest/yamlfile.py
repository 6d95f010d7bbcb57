"""A bundled YAML file read with the line of every key, so that a loader can say "file, line N,
key K" for any field a parser refuses ("agreements[3]" + "sources[1].url" -> line 57)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from maadan.errors import DataFileError, InvalidInput

_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def field_path(text: str) -> list[str | int]:
    """'sources[1].url' -> ['sources', 1, 'url']; text that is not a path gives what parses of it."""
    return [int(i) if i else name for name, i in _STEP.findall(text or "")]


@dataclass
class YamlFile:
    path: Path
    label: str  # the path as shown in messages (relative to the package)
    data: Any
    root: yaml.Node | None

    def line(self, *steps: str | int) -> int | None:
        """The line (1-based) of the deepest node reached along `steps` (mapping keys, list indexes)."""
        node, line = self.root, None
        if node is None:
            return None
        line = node.start_mark.line + 1
        for step in steps:
            if isinstance(node, yaml.MappingNode) and isinstance(step, str):
                pair = next(((k, v) for k, v in node.value if getattr(k, "value", None) == step), None)
                if pair is None:
                    return line
                line, node = pair[0].start_mark.line + 1, pair[1]
            elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
                node = node.value[step]
                line = node.start_mark.line + 1
            else:
                return line
        return line

    def error(self, steps: list[str | int], message: str, key: str | None = None) -> DataFileError:
        """A DataFileError naming this file, the line of `steps` and the key."""
        return DataFileError(self.label, message, line=self.line(*steps), key=key)

    def refuse(self, steps: list[str | int], exc: InvalidInput, label: str) -> DataFileError:
        """Re-raise a parser's InvalidInput (whose details name a field) at the field's line in this file."""
        field = str((exc.details or {}).get("field") or "")
        return DataFileError(self.label, f"{label}: {exc.message}", line=self.line(*steps, *field_path(field)),
                             key=field or None)


def compose_load(text: str) -> tuple[yaml.Node | None, Any]:
    """`text`'s node tree (with the line of every node) and its data, as `yaml.compose` and `yaml.safe_load`
    give them, from one parse. libyaml's parser when PyYAML has it (about ten times faster than the pure-Python
    one); text it refuses is parsed again in pure Python, so that every error and its message stay the same."""
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        try:
            return _compose_load(text, fast)
        except Exception:  # noqa: BLE001 - parsed again below, which raises the error users are shown
            pass
    return _compose_load(text, yaml.SafeLoader)


def _compose_load(text: str, loader_class: type) -> tuple[yaml.Node | None, Any]:
    loader = loader_class(text)
    try:
        root = loader.get_single_node()
        return root, (loader.construct_document(root) if root is not None else None)
    finally:
        loader.dispose()


def read(path: Path, label: str) -> YamlFile:
    """Parse `path` (safe YAML); a syntax error names the file and line."""
    try:
        text = path.read_text(encoding="utf-8")
        root, data = compose_load(text)
    except UnicodeDecodeError as exc:
        raise DataFileError(label, f"is not UTF-8 text (byte {exc.start})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise DataFileError(label, f"is not valid YAML: {getattr(exc, 'problem', None) or exc}",
                            line=mark.line + 1 if mark else None) from None
    except ValueError as exc:  # a YAML timestamp that is no calendar date (2025-02-30)
        raise DataFileError(label, f"is not valid YAML: {exc} (a date that does not exist?)") from None
    return YamlFile(path, label, data, root)
