"""Key numbers of the knowledge base and the register, for the CLI summary and the home page."""

from __future__ import annotations

from dataclasses import dataclass

from maadan.cadastre import lifecycle as lc
from maadan.minerals.service import list_minerals
from maadan.projects.service import find_projects
from maadan.unit_of_work import AbstractUnitOfWork


@dataclass(frozen=True)
class KeyNumbers:
    lists: list[tuple[str, str, int]]  # (list id, name, minerals on it)
    official_counts: dict[str, int]  # list id -> count in the official list
    minerals_on_any_list: int
    world_statistics: int
    organisations: int
    projects: int
    deposits: int
    titles: int
    synthetic_titles: int
    pending_applications: int


def key_numbers(uow: AbstractUnitOfWork) -> KeyNumbers:
    listing = list_minerals(uow)
    sites = find_projects(uow)
    with uow:
        world = uow.statistics.count_world()
        orgs = len(uow.organisations.all())
        titles = uow.cadastre.count_titles()
        synthetic = uow.cadastre.count_titles(synthetic=True)
        pending = uow.cadastre.count_applications(lc.PENDING)
    return KeyNumbers(
        lists=[(cl.id, cl.name, sum(1 for m in listing.minerals if cl.id in m.entries)) for cl in listing.lists],
        official_counts={cl.id: cl.official_count for cl in listing.lists},
        minerals_on_any_list=len(listing.minerals), world_statistics=world, organisations=orgs,
        projects=sum(1 for r in sites if r.project.kind == "project"),
        deposits=sum(1 for r in sites if r.project.kind == "deposit"),
        titles=titles, synthetic_titles=synthetic, pending_applications=pending,
    )
