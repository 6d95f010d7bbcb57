"""A progress bar for long commands (a million-title demo cadastre or import), on standard error so
`--json` output stays clean. Use cases report `(stage, done, total)`; each stage gets its own bar
(Rich). On a terminal the bars move; otherwise (a pipe, a log, a test) each stage's final state
is printed once when the command ends."""

from __future__ import annotations

import contextlib
from typing import Iterator

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from maadan.cadastre.titles import StageProgress


@contextlib.contextmanager
def stages(console: Console) -> Iterator[StageProgress]:
    bars = Progress(TextColumn("{task.description:<10}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=console, transient=False)
    tasks: dict[str, TaskID] = {}

    def report(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = bars.add_task(stage, total=max(total, 1))
        bars.update(tasks[stage], completed=done, total=max(total, 1))

    with bars:
        yield report
