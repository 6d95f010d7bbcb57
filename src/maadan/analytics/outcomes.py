"""What the list check and the what-if return: plain records that the use cases (service) build and the JSON
view (report) reads. Their own module, so that report need not import service (no import cycle)."""

from __future__ import annotations

from dataclasses import dataclass, field

from maadan.analytics import whatif
from maadan.analytics.validation import ValidationReport


@dataclass
class ListCheck:
    primary: ValidationReport
    secondary: ValidationReport
    unscored: list[str] = field(default_factory=list)  # MCS commodities with no production concentration


@dataclass
class WhatIfReport:
    project_id: str
    project_name: str
    phase: str | None
    supply: list[whatif.SupplyWhatIf]
    imports: list[whatif.ImportWhatIf]
    skipped: list[str]
