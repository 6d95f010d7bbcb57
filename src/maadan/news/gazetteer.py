"""Known entities from the bundled data: organisations (names, short names, aliases), minerals (names and
aliases, never one- or two-letter symbols), projects, countries (names, demonyms, capitals used as
metonyms: "Washington" means the United States) and places. Built once per process, on first use."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from maadan.ingest.reference import (
    data_dir,
    load_mineral_catalogue,
    load_organisations,
    load_projects,
)

# Organisation kinds in organisations.csv -> party roles in the agreements contract.
PARTY_ROLE = {"government": "government", "agency": "government", "state-enterprise": "state_owned_enterprise",
              "company": "company", "cooperative": "company", "lender": "lender", "other": "other"}

# Mineral words that are also ordinary English words: only taken as minerals next to a mining word or
# another mineral (see pipeline._keep_mineral).
AMBIGUOUS_MINERALS = frozenset({"lead", "tin", "salt", "iron", "mercury", "steel", "coal", "silicon", "helium"})


@dataclass(frozen=True)
class Entry:
    phrase: str
    kind: str  # organisation | mineral | project | country | place
    id: str  # catalogue id, ISO code, or the place's canonical name
    note: str | None = None  # "demonym", "capital (metonym)", "class"...


@dataclass
class Country:
    code: str
    name: str
    government_id: str | None  # organisation id of its government, when bundled


@dataclass
class Place:
    name: str
    kind: str
    country: str | None


@dataclass
class Gazetteer:
    entries: list[Entry] = field(default_factory=list)
    organisations: dict[str, dict] = field(default_factory=dict)  # id -> {name, country, kind}
    countries: dict[str, Country] = field(default_factory=dict)
    places: dict[str, Place] = field(default_factory=dict)
    minerals: dict[str, str] = field(default_factory=dict)  # id -> name
    projects: dict[str, str] = field(default_factory=dict)  # id -> name
    _org_names: dict[str, str] = field(default_factory=dict)  # normalised name -> id

    def link_organisation(self, name: str, cutoff: float = 90) -> tuple[str | None, float]:
        """Best organisation id for a name not in the gazetteer verbatim (rapidfuzz token-sort ratio
        at least `cutoff`), with its score; (None, best score) when nothing is close enough."""
        from rapidfuzz import fuzz, process

        key = normalise_name(name)
        if key in self._org_names:
            return self._org_names[key], 100.0
        best = process.extractOne(key, list(self._org_names), scorer=fuzz.token_sort_ratio)
        if best and best[1] >= cutoff:
            return self._org_names[best[0]], float(best[1])
        return None, float(best[1]) if best else 0.0


def normalise_name(name: str) -> str:
    name = name.replace("’", "'").replace("U.S.", "US").lower()
    name = re.sub(r"\borganization\b", "organisation", name)
    name = re.sub(r"[^\w&]+", " ", name)
    return " ".join(w for w in name.split() if w not in {"the", "pvt", "private"})


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(fh)]


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split(";") if v.strip()]


def _usable_alias(alias: str) -> bool:
    # One- and two-letter chemical symbols ("As", "W", "In") are ordinary words or initials in prose.
    return len(alias) >= 3 and not re.fullmatch(r"[A-Z][a-z]?\d*", alias)


@lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    """The gazetteer from the bundled data files; cached per process."""
    g = Gazetteer()
    orgs = load_organisations()
    for o in orgs:
        g.organisations[o.id] = {"name": o.name, "country": o.country, "kind": o.kind}
        for phrase in {o.name, o.short_name or o.name, *o.aliases}:
            if phrase.islower():
                continue  # a generic phrase ("federal government") names whichever the text means, not this one
            g.entries.append(Entry(phrase, "organisation", o.id))
            g._org_names.setdefault(normalise_name(phrase), o.id)
    catalogue = load_mineral_catalogue()
    for m in catalogue.minerals:
        g.minerals[m.id] = m.name
        names = {m.name, m.id.replace("-", " "), *m.aliases}
        for phrase in names:
            if _usable_alias(phrase):
                g.entries.append(Entry(phrase, "mineral", m.id))
    g.entries.append(Entry("rare earths", "mineral", "rare-earths"))
    for phrase in ("critical minerals", "critical mineral", "critical raw materials", "strategic minerals"):
        g.entries.append(Entry(phrase, "mineral", "critical-minerals", "class"))
    g.minerals["critical-minerals"] = "Critical minerals (class)"
    for p in load_projects(catalogue, orgs):
        g.projects[p.id] = p.name
        for phrase in {p.name, *(getattr(p, "aliases", ()) or ())}:
            # Codes such as "H13" and organisation names used as aliases are left to their own kinds.
            if len(phrase) >= 4 and not re.fullmatch(r"[A-Z0-9-]+", phrase) \
                    and normalise_name(phrase) not in g._org_names:
                g.entries.append(Entry(phrase, "project", p.id))
    base = data_dir() / "news"
    gov = {o.country: o.id for o in orgs if o.kind == "government" and o.country and o.id.startswith(
        ("government-of-", "us-government")) and o.id not in ("government-of-balochistan", "government-of-punjab",
                                                               "government-of-sindh")}
    for r in _read(base / "countries.csv"):
        g.countries[r["code"]] = Country(r["code"], r["name"], gov.get(r["code"]))
        for phrase in {r["name"], *_split(r["aliases"])}:
            g.entries.append(Entry(phrase, "country", r["code"]))
        for phrase in _split(r["demonyms"]):
            g.entries.append(Entry(phrase, "country", r["code"], "demonym"))
        for phrase in _split(r["capitals"]):
            g.entries.append(Entry(phrase, "country", r["code"], "capital (metonym)"))
    for r in _read(base / "places.csv"):
        g.places[r["name"]] = Place(r["name"], r["kind"], r["country"] or None)
        for phrase in {r["name"], *_split(r["aliases"])}:
            g.entries.append(Entry(phrase, "place", r["name"]))
    return g
