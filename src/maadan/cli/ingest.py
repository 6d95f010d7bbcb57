"""`maadan ingest ...`: bring official releases into the knowledge base."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from maadan.cli import common
from maadan.ingest.service import ingest_usgs_mcs

app = typer.Typer(help="Ingest official data releases.", no_args_is_help=True)


def _test_pause() -> None:
    # Lets the crash-safety test kill an ingest while its transaction is open.
    if os.environ.get("MAADAN_TEST_PAUSE_DURING_INGEST"):
        sys.stderr.write("ingest paused for test\n")
        sys.stderr.flush()
        time.sleep(float(os.environ["MAADAN_TEST_PAUSE_DURING_INGEST"]))


@app.command("usgs-mcs")
def usgs_mcs(
    file: Path = typer.Argument(..., help="MCS world-data CSV, e.g. MCS2025_World_Data.csv"),
    json_out: bool = common.JSON,
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Show a progress bar on stderr."),
) -> None:
    """Read a USGS Mineral Commodity Summaries world-data CSV; running it twice changes nothing."""
    c = common.get()
    paused = False

    with Progress(TextColumn("writing figures"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=c.err, disable=not progress or json_out, transient=True) as bar:
        task = bar.add_task("ingest", total=None)

        def on_progress(done: int, total: int) -> None:
            nonlocal paused
            bar.update(task, completed=done, total=total or 1)
            if done and not paused:
                paused = True
                _test_pause()

        report = ingest_usgs_mcs(c.uow(write=True), file, progress=on_progress)
    if json_out:
        common.print_json({
            "path": report.path, "edition": report.edition, "rows_read": report.rows_read,
            "figures": report.figures, "inserted": report.counts.inserted, "updated": report.counts.updated,
            "unchanged": report.counts.unchanged, "sha256": report.checksum,
            "skipped_rows": [{"line": s.line, "reason": s.reason} for s in report.skipped],
        })
        return
    c.out.print(f"{report.edition}: {report.rows_read} rows read, {report.figures} figures: "
                f"{report.counts.inserted} added, {report.counts.updated} updated, "
                f"{report.counts.unchanged} unchanged.")
    if report.skipped:
        c.out.print(f"{len(report.skipped)} row(s) not used:")
        for s in report.skipped:
            c.out.print(f"  line {s.line}: {s.reason}")


def _published(value: str | None):
    from datetime import date

    from maadan.errors import InvalidInput

    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"--published: {value!r} is not a date (YYYY-MM-DD)",
                           details={"field": "published"}) from None


@app.command("news")
def news(
    file: Path = typer.Argument(..., help="An article: plain text or HTML."),
    published: str = typer.Option(None, "--published", help="Publication date YYYY-MM-DD (else found in the text)."),
    json_out: bool = common.JSON,
) -> None:
    """Read a news text into proposals for the agreements registry, each with its evidence; the same text
    twice creates nothing. Review them with `maadan news review`."""
    from maadan.cli.news import document_json, print_document
    from maadan.errors import InvalidInput
    from maadan.news.service import ingest_news

    c = common.get()
    day = _published(published)
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"{file}: cannot read it ({exc.strerror})", details={"field": "file"}) from None
    report = ingest_news(c.uow(write=True), raw, file.name, day, actor=common.actor())
    if json_out:
        common.print_json(document_json(report.document, created=report.created))
        return
    if not report.created:
        c.out.print(f"Already read: this text is document {report.document.id[:12]} "
                    f"(ingested {report.document.ingested_at:%Y-%m-%d %H:%M} UTC); nothing new was created.",
                    markup=False)
    print_document(report.document)
    if report.created:
        c.out.print(f"Review with `maadan news review <id> accept|edit|reject`, then "
                    f"`maadan news commit {report.document.id[:12]}`.", markup=False)


GROUPS = {"ingest": app}
