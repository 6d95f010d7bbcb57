"""Use cases over deposits and projects: find them by commodity, province or distance; show one."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from maadan.agreements.model import Agreement
from maadan.errors import InvalidInput
from maadan.minerals.names import NameIndex
from maadan.minerals.service import mineral_index
from maadan.organisations.model import Organisation
from maadan.projects.model import Project
from maadan.unit_of_work import AbstractUnitOfWork


@dataclass(frozen=True)
class Near:
    lat: float
    lon: float
    within_km: float

    @classmethod
    def parse(cls, text: str, within_km: float | None) -> "Near":
        m = re.fullmatch(r"\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*", text or "")
        if not m:
            raise InvalidInput(f"--near must be LAT,LON in decimal degrees (e.g. 29.13,62.06), not {text!r}")
        lat, lon = float(m.group(1)), float(m.group(2))
        if not -90 <= lat <= 90:
            hint = " (did you swap latitude and longitude?)" if -90 <= lon <= 90 else ""
            raise InvalidInput(f"--near latitude {lat} is outside -90..90{hint}")
        if not -180 <= lon <= 180:
            raise InvalidInput(f"--near longitude {lon} is outside -180..180")
        if within_km is None or within_km <= 0 or within_km != within_km:
            raise InvalidInput("--within-km must be a positive number of kilometres when --near is given")
        return cls(lat, lon, within_km)


@dataclass
class ProjectRow:
    project: Project
    distance_km: float | None = None  # to the nearest place the deposit may be (its box or circle)
    centre_km: float | None = None  # to its point, or the centre of its box or circle

    @property
    def uncertain(self) -> bool:
        """Within the radius only because of the location's uncertainty (its centre lies beyond)."""
        return self.distance_km is not None and self.centre_km is not None and self.centre_km > self.distance_km


@dataclass
class ProjectDetail:
    project: Project
    organisations: dict[str, Organisation]
    mineral_names: dict[str, str]
    agreements: list[Agreement] = field(default_factory=list)  # linked in the agreements registry

    @property
    def names(self) -> dict[str, str]:
        return {**self.mineral_names, **{k: o.name for k, o in self.organisations.items()}}


def _project_index(uow: AbstractUnitOfWork) -> NameIndex:
    return NameIndex.build("project", uow.projects.names())


def find_projects(uow: AbstractUnitOfWork, *, kind: str | None = None, commodity: str | None = None,
                  province: str | None = None, near: Near | None = None) -> list[ProjectRow]:
    """Deposits and projects matching every filter given; sorted by distance when `near` is given.
    The distance is to the nearest place the deposit may lie (a box, or a point with its radius of
    uncertainty, counts from its edge), so an imprecisely located deposit is not missed; the distance
    to its centre is given too. Sites with no known location are left out of a distance search."""
    with uow:
        mineral_id = mineral_index(uow).resolve(commodity) if commodity else None
        projects = uow.projects.all()
    rows = []
    for p in projects:
        if kind and p.kind != kind:
            continue
        if mineral_id and mineral_id not in p.commodities and mineral_id not in p.byproducts:
            continue
        if province and (p.province or "").lower() != province.strip().lower():
            continue
        dist = centre = None
        if near:
            loc = p.location
            if loc is None:
                continue
            dist, centre = loc.distances_km(near.lat, near.lon)
            if dist > near.within_km:
                continue
        rows.append(ProjectRow(p, None if dist is None else round(dist, 1),
                               None if centre is None else round(centre, 1)))
    if near:
        rows.sort(key=lambda r: (r.distance_km, r.centre_km))
    return rows


def project_detail(uow: AbstractUnitOfWork, name: str) -> ProjectDetail:
    """One deposit or project by id, name or alias; unknown names raise NotFound with suggestions."""
    with uow:
        pid = _project_index(uow).resolve(name)
        project = uow.projects.get(pid)
        orgs = {o.id: o for o in uow.organisations.all()}
        names = {m.id: m.name for m in uow.minerals.all()}
        agreements = uow.agreements.linked_to("project", pid)
    assert project is not None
    return ProjectDetail(project, orgs, names, agreements)
