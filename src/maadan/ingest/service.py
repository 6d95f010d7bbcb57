"""Use cases that bring outside data in: seeding the bundled reference data and ingesting a
USGS MCS world-data release. Each runs in one unit of work: all or nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from maadan.agreements.model import References
from maadan.agreements.service import seed_agreements
from maadan.errors import DatabaseNotReady, InvalidInput
from maadan.ingest import reference
from maadan.ingest.agreement_data import load_agreements
from maadan.ingest.usgs_mcs import SkippedRow, parse_world_data
from maadan.unit_of_work import SyncCounts
from maadan.unit_of_work import AbstractUnitOfWork

REFERENCE = "reference"


@dataclass
class SeedReport:
    skipped: bool  # True when the stored data already matched the bundle
    counts: dict[str, SyncCounts] = field(default_factory=dict)
    checksum: str = ""


def seed_reference_data(uow: AbstractUnitOfWork, *, force: bool = False) -> SeedReport:
    """Load every bundled data file; a no-op when the bundle has not changed since the last seed."""
    checksum = reference.bundle_checksum()
    catalogue = reference.load_mineral_catalogue()
    lists, entries = reference.load_lists(catalogue)
    world = reference.load_world_statistics(catalogue)
    reliance = reference.load_import_reliance(catalogue)
    sources = reference.load_import_sources(catalogue)
    orgs = reference.load_organisations({m.id for m in catalogue.minerals})
    projects = reference.load_projects(catalogue, orgs)
    agreements = load_agreements(References(minerals=frozenset(m.id for m in catalogue.minerals),
                                            organisations=frozenset(o.id for o in orgs),
                                            projects=frozenset(p.id for p in projects)))
    with uow:
        if not force and uow.datasets.checksum(REFERENCE) == checksum:
            return SeedReport(skipped=True, checksum=checksum)
        report = SeedReport(skipped=False, checksum=checksum)
        report.counts["minerals and lists"] = uow.minerals.sync(catalogue.minerals, catalogue.aliases, lists, entries)
        report.counts["world statistics"] = uow.statistics.sync_world(world)
        report.counts["net import reliance"] = uow.statistics.sync_reliance(reliance)
        report.counts["import sources"] = uow.statistics.sync_import_sources(sources)
        report.counts["organisations"] = uow.organisations.sync(orgs)
        report.counts["deposits and projects"] = uow.projects.replace_all(projects)
        report.counts["agreements"] = seed_agreements(uow, agreements)
        total = (len(catalogue.minerals) + len(entries) + len(world) + len(reliance) + len(sources) + len(orgs)
                 + len(projects) + len(agreements))
        uow.datasets.record(REFERENCE, checksum, total)
        uow.commit()
    return report


@dataclass
class IngestReport:
    path: str
    edition: str
    rows_read: int
    figures: int
    counts: SyncCounts
    skipped: list[SkippedRow]
    checksum: str


def ingest_usgs_mcs(uow: AbstractUnitOfWork, path: Path,
                    progress: Callable[[int, int], None] | None = None) -> IngestReport:
    """Read a USGS MCS world-data CSV and store its figures; a second run changes nothing."""
    if not path.is_file():
        raise InvalidInput(f"{path}: no such file")
    with uow:
        if not uow.minerals.alias_rows():
            raise DatabaseNotReady("The mineral catalogue is empty. Run: maadan db init")
        catalogue = reference.load_mineral_catalogue()
        parsed = parse_world_data(path, catalogue.usgs_labels)
        counts = uow.statistics.sync_world(parsed.statistics, progress=progress)
        uow.datasets.record(f"usgs-mcs:{parsed.edition}", parsed.checksum, len(parsed.statistics))
        uow.commit()
    return IngestReport(path=str(path), edition=parsed.edition, rows_read=parsed.rows_read,
                        figures=len(parsed.statistics), counts=counts, skipped=parsed.skipped,
                        checksum=parsed.checksum)
