"""`maadan db ...`: create and update the schema, load the bundled data, say where it lives."""

from __future__ import annotations

import typer
from rich.table import Table

from maadan.cadastre.lifecycle import PENDING
from maadan.cli import common
from maadan.ingest.service import seed_reference_data
from maadan.store import migrate
from maadan.store.database import describe

app = typer.Typer(help="Create, migrate and seed the database.", no_args_is_help=True)

JSON = typer.Option(False, "--json", help="Print JSON instead of a table.")


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
def status(json_out: bool = JSON) -> None:
    """Where the database is, its schema revision and the datasets loaded."""
    c = common.get()
    c.json_mode = json_out
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
        c.out.print(f"  {d['dataset']}: {d['rows']} rows, loaded {d['loaded_at']}, sha256 {d['checksum'][:12]}…")


def summary(json_out: bool = JSON) -> None:
    """Key numbers of the knowledge base."""
    from maadan.minerals.service import list_minerals
    from maadan.projects.service import find_projects

    c = common.get()
    c.json_mode = json_out
    listing = list_minerals(c.uow())
    sites = find_projects(c.uow())
    with c.uow() as uow:
        n_world = uow.statistics.count_world()
        n_orgs = len(uow.organisations.all())
        n_titles = uow.cadastre.count_titles()
        n_synthetic = uow.cadastre.count_titles(synthetic=True)
        n_pending = uow.cadastre.count_applications(PENDING)
    counts = {cl.id: sum(1 for m in listing.minerals if cl.id in m.entries) for cl in listing.lists}
    data = {
        "database": describe(c.engine),
        "critical_lists": [{"id": cl.id, "name": cl.name, "entries": counts[cl.id],
                            "official_count": cl.official_count} for cl in listing.lists],
        "minerals_on_any_list": len(listing.minerals),
        "world_statistics": n_world,
        "organisations": n_orgs,
        "projects": sum(1 for r in sites if r.project.kind == "project"),
        "deposits": sum(1 for r in sites if r.project.kind == "deposit"),
        "titles": n_titles,
        "synthetic_titles": n_synthetic,
        "pending_applications": n_pending,
    }
    if json_out:
        common.print_json(data)
        return
    t = Table(title=f"Maadan knowledge base — {data['database']}")
    t.add_column("what")
    t.add_column("count", justify="right")
    for cl in data["critical_lists"]:
        t.add_row(cl["name"], str(cl["entries"]))
    t.add_row("Minerals on at least one list", str(data["minerals_on_any_list"]))
    t.add_row("USGS figures (production, reserves, capacity)", str(n_world))
    t.add_row("Organisations", str(n_orgs))
    t.add_row("Projects / other deposits", f"{data['projects']} / {data['deposits']}")
    t.add_row("Mineral titles (of which SYNTHETIC demo titles)", f"{data['titles']} ({data['synthetic_titles']})")
    t.add_row("Pending title applications", str(data["pending_applications"]))
    c.out.print(t)
