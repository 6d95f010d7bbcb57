"""Resolving what people type ("REE", "chromite", "Cu") to a mineral id, with suggestions."""

from __future__ import annotations

import re
import unicodedata
from typing import Iterable, Mapping

from rapidfuzz import fuzz, process

from maadan.errors import InvalidInput, NotFound


def normalise(name: str) -> str:
    """Lower-case, accents removed, punctuation folded to single spaces."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    text = re.sub(r"[\s_\-/]+", " ", text.strip().lower())
    return re.sub(r"\s+", " ", text).strip()


class NameIndex:
    """Maps normalised names and aliases to ids; unknown names raise NotFound with suggestions."""

    def __init__(self, kind: str, names: Mapping[str, str], display: Mapping[str, str]):
        self.kind = kind
        self._names = dict(names)  # normalised alias -> id
        self._display = dict(display)  # id -> display name

    @classmethod
    def build(cls, kind: str, entries: Iterable[tuple[str, str, Iterable[str]]]) -> "NameIndex":
        """entries: (id, display name, aliases). Raises InvalidInput when an alias is ambiguous."""
        names: dict[str, str] = {}
        display: dict[str, str] = {}
        for id_, name, aliases in entries:
            display[id_] = name
            for alias in (id_, name, *aliases):
                key = normalise(alias)
                if not key:
                    continue
                if names.get(key, id_) != id_:
                    raise InvalidInput(f"{kind} alias {alias!r} names both {names[key]!r} and {id_!r}")
                names[key] = id_
        return cls(kind, names, display)

    def get(self, name: str) -> str | None:
        return self._names.get(normalise(name))

    def resolve(self, name: str) -> str:
        found = self.get(name)
        if found is None:
            raise NotFound(self.kind, name, self.suggest(name))
        return found

    def suggest(self, name: str, limit: int = 5) -> list[str]:
        """Ids whose names or aliases are close to `name`, best first."""
        query = normalise(name)
        if not query:
            return []
        matches = process.extract(query, list(self._names), scorer=fuzz.WRatio, limit=limit * 3, score_cutoff=70)
        out: list[str] = []
        for alias, _score, _ in matches:
            id_ = self._names[alias]
            if id_ not in out:
                out.append(id_)
        return out[:limit]
