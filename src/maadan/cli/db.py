"""`maadan db ...`: create and update the schema, load the bundled data, say where it lives."""

from __future__ import annotations

import typer
from rich.table import Table

from maadan.cli import common
from maadan.ingest.service import seed_reference_data
from maadan.store import migrate
from maadan.store.database import describe

app = typer.Typer(help="Create, migrate and seed the database.", no_args_is_help=True)



@app.command("upgrade")
def upgrade() -> None:
    """Create or migrate the schema to the newest version."""
    c = common.get()
    migrate.upgrade(c.engine)
    c.err.print(f"Schema at revision {migrate.current_revision(c.engine)} in {describe(c.engine)}")


@app.command("seed")
def seed(force: bool = typer.Option(False, "--force", help="Reload even if the bundle did not change.")) -> None:
    """Load the bundled reference data (lists, USGS figures, organisations, deposits, projects)."""
    c = common.get()
    report = seed_reference_data(c.uow(write=True), force=force)
    if report.skipped:
        c.err.print("Reference data already up to date.")
        return
    for name, counts in report.counts.items():
        c.err.print(f"{name:>24}: {counts.inserted} added, {counts.updated} updated, {counts.unchanged} unchanged")


@app.command("init")
def init() -> None:
    """upgrade + seed: make a ready-to-use database (safe to run again)."""
    upgrade()
    seed(force=False)
    c = common.get()
    c.err.print(f"Database ready: {describe(c.engine)}")


@app.command("status")
def status(json_out: bool = common.JSON) -> None:
    """Where the database is, its schema revision and the datasets loaded."""
    c = common.get()
    current = migrate.current_revision(c.engine)
    data = {
        "database": describe(c.engine),
        "revision": current,
        "head": migrate.head_revision(),
        "datasets": [],
    }
    if current:
        with c.uow() as uow:
            data["datasets"] = uow.datasets.all()
    if json_out:
        common.print_json(data)
        return
    c.out.print(f"{data['database']}\nschema revision {current or 'none (run maadan db init)'}"
                f"{' (newest)' if current == data['head'] else ''}")
    for d in data["datasets"]:
        c.out.print(f"  {d['dataset']}: {common.counted(d['rows'], 'row')}, loaded {d['loaded_at']}, sha256 {d['checksum'][:12]}…")


def summary(json_out: bool = common.JSON) -> None:
    """Key numbers of the knowledge base."""
    from maadan.overview import key_numbers

    c = common.get()
    n = key_numbers(c.uow())
    data = {
        "database": describe(c.engine),
        "critical_lists": [{"id": lid, "name": name, "entries": count, "official_count": n.official_counts[lid]}
                           for lid, name, count in n.lists],
        "minerals_on_any_list": n.minerals_on_any_list,
        "world_statistics": n.world_statistics,
        "organisations": n.organisations,
        "projects": n.projects,
        "deposits": n.deposits,
        "titles": n.titles,
        "synthetic_titles": n.synthetic_titles,
        "pending_applications": n.pending_applications,
    }
    if json_out:
        common.print_json(data)
        return
    t = Table(title=f"Maadan knowledge base — {data['database']}")
    t.add_column("what")
    t.add_column("count", justify="right")
    for cl in data["critical_lists"]:
        t.add_row(cl["name"], str(cl["entries"]))
    t.add_row("Minerals on at least one list", str(n.minerals_on_any_list))
    t.add_row("USGS figures (production, reserves, capacity)", str(n.world_statistics))
    t.add_row("Organisations", str(n.organisations))
    t.add_row("Projects / other deposits", f"{n.projects} / {n.deposits}")
    t.add_row("Mineral titles (of which SYNTHETIC demo titles)", f"{n.titles} ({n.synthetic_titles})")
    t.add_row("Pending title applications", str(n.pending_applications))
    c.out.print(t)


GROUPS = {"db": app}
COMMANDS = {"summary": summary}
