"""A parameter value with where it comes from: source or legal basis, a derivation or an assumption, whether it
is verified and how confident the source is (H official, M reputable press or law firm, L weak or derived)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Cited:
    value: Any  # a number; in data files also a text (a royalty basis) or a list
    unit: str | None = None
    source: str | None = None
    legal_basis: str | None = None
    verified: bool = False
    assumption: str | None = None
    derived: str | None = None
    note: str | None = None
    confidence: str | None = None
    text: str | None = None  # how to show a value that is not a number ("unknown", a basis, a list)

    def shown(self) -> str:
        """The value as text, with its unit."""
        if self.text is not None:
            return self.text
        if isinstance(self.value, (int, float)) and not isinstance(self.value, bool):
            return f"{self.value:g}" + (f" {self.unit}" if self.unit else "")
        return str(self.value)

    def provenance(self) -> str:
        parts = [p for p in (self.source, self.legal_basis) if p]
        if self.derived:
            parts.append(f"derived: {self.derived}")
        if self.assumption:
            parts.append(f"ASSUMPTION: {self.assumption}")
        text = "; ".join(parts) or self.note or "no source"
        return f"{text} [confidence {self.confidence}]" if self.confidence else text
