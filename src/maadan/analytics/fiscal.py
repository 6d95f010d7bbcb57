"""Royalties, rents and income tax as data, per jurisdiction, mineral and period (docs/analytics.md §4).

A jurisdiction file (`data/fiscal/<ID>.yaml`, schema `maadan.fiscal/2`) holds the general schedule (royalty by
mineral and period, rents) and project agreements, which override the schedule for their project and period.
Alternative readings of the same terms share a `group`; the `preferred` one applies unless another is chosen.
A province names its `parent` (the federation), which holds income tax, super tax, tax depreciation and the
exchange rate for rupee amounts. `resolve` turns the files into the levies, fixed payments and tax regime of
one project, with the provenance of every value. Every error names the file, the line and the key.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Iterable

from maadan import bundled
from maadan.analytics import yamlfile
from maadan.analytics.cited import Cited
from maadan.analytics.economics import BASES, FixedPayment, Levy, RatePeriod, TaxRegime
from maadan.analytics.yamlfile import YamlDoc
from maadan.errors import DataFileError, InvalidInput, NotFound

SCHEMA = "maadan.fiscal/2"
CITED_KEYS = {"value", "unit", "source", "legal_basis", "verified", "assumption", "derived", "note", "confidence"}
TOP_KEYS = {"schema", "id", "name", "jurisdiction", "parent", "exchange_rates", "income_tax", "super_tax",
            "depreciation_years", "schedule", "agreements", "notes"}
ENTRY_KEYS = {"id", "minerals", "from", "to", "title", "status", "levies", "rents", "note", "source"}
AGREEMENT_KEYS = {"id", "project", "group", "reading", "preferred", "from", "to", "title", "levies", "rents",
                  "advance_royalty", "income_tax", "note", "source"}
LEVY_KEYS = {"name", "payee", "basis", "rate_pct", "minimum_pkr_per_t", "minimum_usd_per_t", "commodities",
             "higher_of_dead_rent", "dead_rent_pkr_per_year", "dead_rent_usd_per_year", "government", "note",
             "source"}
RENT_KEYS = {"name", "payee", "from", "to", "pkr_per_year", "usd_per_year", "note", "source"}
ADVANCE_KEYS = {"name", "payee", "first_year", "amounts_musd", "then_musd_per_year", "cap_musd", "note"}
AGREEMENT_TAX_KEYS = {"holiday_production_years", "capped_pct", "stabilised_years", "super_tax_in_stabilisation",
                      "note"}
TAX_KEYS = {"id", "from", "to", "rate_pct", "note"}
SUPER_KEYS = {"id", "from", "to", "legal_basis", "source", "verified", "confidence", "bands_pkr_million", "note"}
CONFIDENCE = {"H", "M", "L"}
MID_YEAR = (7, 1)  # the terms in force on 1 July govern a calendar year's cash flows


CitedValue = Cited  # the same record as in case files


def _date(doc: YamlDoc, value: Any, where: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise doc.error(where, f"expected a date YYYY-MM-DD, not {value!r}") from None


class _Reader:
    def __init__(self, doc: YamlDoc, bundled: bool):
        self.doc = doc
        self.bundled = bundled

    def keys(self, data: Any, allowed: set[str], where: str, required: Iterable[str] = ()) -> dict:
        if not isinstance(data, dict):
            raise self.doc.error(where, f"expected a mapping, got {type(data).__name__}")
        for k in data:
            if k not in allowed:
                raise self.doc.error(f"{where}.{k}" if where else str(k),
                                     f"unknown key {k!r} (allowed: {', '.join(sorted(allowed))})")
        for k in required:
            if k not in data:
                raise self.doc.error(where, f"missing key {k!r}")
        return data

    def cited(self, data: Any, where: str, kind: str = "number", allow_null: bool = False) -> CitedValue:
        """A cited value; a bare value is accepted in users' files and recorded as unsourced."""
        if isinstance(data, dict):
            d = self.keys(data, CITED_KEYS, where, {"value"})
            if self.bundled and d.get("value") is not None and not (
                    d.get("source") or d.get("legal_basis") or d.get("assumption") or d.get("derived")):
                raise self.doc.error(where, "no source, legal_basis, assumption or derived note")
            if self.bundled and d.get("value") is not None and "verified" not in d:
                raise self.doc.error(where, "missing key 'verified'")
            if not isinstance(d.get("verified", False), bool):
                raise self.doc.error(f"{where}.verified", "verified must be true or false")
            if d.get("confidence") is not None and d["confidence"] not in CONFIDENCE:
                raise self.doc.error(f"{where}.confidence", f"confidence must be H, M or L, not {d['confidence']!r}")
            c = CitedValue(d["value"], d.get("unit"), d.get("source"), d.get("legal_basis"),
                           bool(d.get("verified", False)), d.get("assumption"), d.get("derived"), d.get("note"),
                           d.get("confidence"))
        else:
            if self.bundled:
                raise self.doc.error(where, "a bundled value needs its provenance: "
                                            "write {value: ..., source: ..., verified: ...}")
            c = CitedValue(data, note=f"given in {self.doc.path}, no source")
        self._check_kind(c.value, where, kind, allow_null)
        return c

    def _check_kind(self, v: Any, where: str, kind: str, allow_null: bool) -> None:
        if v is None:
            if not allow_null:
                raise self.doc.error(where, "value is missing (null)")
            return
        if kind == "number" and (isinstance(v, bool) or not isinstance(v, (int, float))):
            raise self.doc.error(where, f"value must be a number, not {v!r}")
        if kind == "numbers" and (not isinstance(v, list) or any(
                isinstance(x, bool) or not isinstance(x, (int, float)) for x in v)):
            raise self.doc.error(where, f"value must be a list of numbers, not {v!r}")
        if kind == "text" and not isinstance(v, str):
            raise self.doc.error(where, f"value must be text, not {v!r}")


@dataclass(frozen=True)
class LevySpec:
    where: str
    name: str
    payee: str
    basis: CitedValue
    rate: CitedValue  # value None: unknown
    minimum_pkr: CitedValue | None
    minimum_usd: CitedValue | None
    commodities: tuple[str, ...] | None
    higher_of_dead_rent: bool
    dead_rent_pkr: CitedValue | None
    dead_rent_usd: CitedValue | None
    government: bool


@dataclass(frozen=True)
class RentSpec:
    where: str
    name: str
    payee: str
    start: dt.date
    end: dt.date | None
    pkr: CitedValue | None
    usd: CitedValue | None


@dataclass(frozen=True)
class Entry:
    """A schedule entry (by mineral) or a project agreement, in force from `start` to `end` (inclusive)."""

    where: str
    id: str
    start: dt.date
    end: dt.date | None
    levies: tuple[LevySpec, ...]
    rents: tuple[RentSpec, ...]
    minerals: tuple[str, ...] = ("any",)
    project: str | None = None
    group: str | None = None
    reading: str | None = None
    preferred: bool = False
    title: str | None = None
    advance: dict[str, CitedValue] | None = None
    advance_names: tuple[str, str] = ("advance royalty", "")
    income_tax: dict[str, Any] | None = None
    note: str | None = None

    def in_force(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class Band:
    above_pkr_m: float
    rate_pct: float


@dataclass(frozen=True)
class SuperTaxVersion:
    id: str
    start: dt.date
    end: dt.date | None
    bands: tuple[Band, ...]
    cited: CitedValue


@dataclass
class Jurisdiction:
    path: str
    id: str
    name: str
    parent: str | None
    pkr_per_usd: CitedValue | None
    income_tax: list[tuple[str, dt.date, dt.date | None, CitedValue]]
    super_tax: list[SuperTaxVersion]
    depreciation: CitedValue | None
    schedule: list[Entry]
    agreements: list[Entry]
    notes: str | None
    doc: YamlDoc = field(repr=False, default=None)  # type: ignore[assignment]


def fiscal_dir() -> Path:
    return Path(str(resources.files("maadan") / "data" / "fiscal"))


def _levy(r: _Reader, d: Any, where: str) -> LevySpec:
    d = r.keys(d, LEVY_KEYS, where, {"name", "payee", "basis", "rate_pct"})
    basis = r.cited(d["basis"], f"{where}.basis", kind="text")
    if basis.value not in BASES:
        raise r.doc.error(f"{where}.basis", f"royalty basis {basis.value!r} cannot be computed by the economics; "
                                            f"use one of: {', '.join(BASES)}")
    rate = r.cited(d["rate_pct"], f"{where}.rate_pct", allow_null=True)
    if rate.value is not None and not 0 <= rate.value <= 100:
        raise r.doc.error(f"{where}.rate_pct", f"rate must be between 0 and 100 %, not {rate.value!r}")
    opt = {k: (r.cited(d[k], f"{where}.{k}", allow_null=True) if k in d else None)
           for k in ("minimum_pkr_per_t", "minimum_usd_per_t", "dead_rent_pkr_per_year", "dead_rent_usd_per_year")}
    for k, c in opt.items():
        if c is not None and c.value is not None and c.value < 0:
            raise r.doc.error(f"{where}.{k}", f"must be >= 0, not {c.value!r}")
    comms = d.get("commodities")
    if comms is not None and (not isinstance(comms, list) or not all(isinstance(x, str) for x in comms)):
        raise r.doc.error(f"{where}.commodities", "expected a list of commodity ids")
    for k in ("higher_of_dead_rent", "government"):
        if k in d and not isinstance(d[k], bool):
            raise r.doc.error(f"{where}.{k}", "must be true or false")
    return LevySpec(where, str(d["name"]), str(d["payee"]), basis, rate, opt["minimum_pkr_per_t"],
                    opt["minimum_usd_per_t"], tuple(comms) if comms else None, bool(d.get("higher_of_dead_rent")),
                    opt["dead_rent_pkr_per_year"], opt["dead_rent_usd_per_year"], bool(d.get("government", True)))


def _rent(r: _Reader, d: Any, where: str, default_start: dt.date) -> RentSpec:
    d = r.keys(d, RENT_KEYS, where, {"name", "payee"})
    if ("pkr_per_year" in d) == ("usd_per_year" in d):
        raise r.doc.error(where, "give exactly one of pkr_per_year or usd_per_year")
    start = _date(r.doc, d["from"], f"{where}.from") if "from" in d else default_start
    end = _date(r.doc, d["to"], f"{where}.to") if d.get("to") is not None else None
    pkr = r.cited(d["pkr_per_year"], f"{where}.pkr_per_year") if "pkr_per_year" in d else None
    usd = r.cited(d["usd_per_year"], f"{where}.usd_per_year") if "usd_per_year" in d else None
    return RentSpec(where, str(d["name"]), str(d["payee"]), start, end, pkr, usd)


def _period(r: _Reader, d: dict, where: str) -> tuple[dt.date, dt.date | None]:
    if "from" not in d:
        raise r.doc.error(where, "missing key 'from' (the date the terms took effect)")
    start = _date(r.doc, d["from"], f"{where}.from")
    end = _date(r.doc, d["to"], f"{where}.to") if d.get("to") is not None else None
    if end is not None and end < start:
        raise r.doc.error(f"{where}.to", f"ends ({end}) before it starts ({start})")
    return start, end


def _overlap(a: Entry, b: Entry) -> bool:
    a_end = a.end or dt.date.max
    b_end = b.end or dt.date.max
    return a.start <= b_end and b.start <= a_end


def parse_jurisdiction(doc: YamlDoc, *, bundled: bool) -> Jurisdiction:
    r = _Reader(doc, bundled)
    top = r.keys(doc.data, TOP_KEYS, "", {"schema", "id", "name"})
    if top["schema"] != SCHEMA:
        raise doc.error("schema", f"expected {SCHEMA!r}, not {top['schema']!r}")
    fx = None
    if "exchange_rates" in top:
        rates = r.keys(top["exchange_rates"], {"PKR_per_USD"}, "exchange_rates")
        if "PKR_per_USD" in rates:
            fx = r.cited(rates["PKR_per_USD"], "exchange_rates.PKR_per_USD")
            if fx.value <= 0:
                raise doc.error("exchange_rates.PKR_per_USD", "must be > 0")
    taxes = []
    for i, t in enumerate(top.get("income_tax") or []):
        w = f"income_tax[{i}]"
        t = r.keys(t, TAX_KEYS, w, {"id", "rate_pct"})
        start, end = _period(r, t, w)
        c = r.cited(t["rate_pct"], f"{w}.rate_pct")
        if not 0 <= c.value <= 100:
            raise doc.error(f"{w}.rate_pct", f"must be between 0 and 100 %, not {c.value!r}")
        taxes.append((str(t["id"]), start, end, c))
    supers = []
    for i, s in enumerate(top.get("super_tax") or []):
        w = f"super_tax[{i}]"
        s = r.keys(s, SUPER_KEYS, w, {"id", "bands_pkr_million"})
        start, end = _period(r, s, w)
        if bundled and not (s.get("source") or s.get("legal_basis")):
            raise doc.error(w, "no source or legal_basis")
        bands = []
        for j, b in enumerate(s["bands_pkr_million"] or []):
            b = r.keys(b, {"above", "rate_pct"}, f"{w}.bands_pkr_million[{j}]", {"above", "rate_pct"})
            for k in ("above", "rate_pct"):
                if isinstance(b[k], bool) or not isinstance(b[k], (int, float)) or b[k] < 0:
                    raise doc.error(f"{w}.bands_pkr_million[{j}].{k}", f"must be a number >= 0, not {b[k]!r}")
            bands.append(Band(float(b["above"]), float(b["rate_pct"])))
        supers.append(SuperTaxVersion(str(s["id"]), start, end, tuple(bands), CitedValue(
            None, None, s.get("source"), s.get("legal_basis"), bool(s.get("verified", False)),
            note=s.get("note"), confidence=s.get("confidence"))))
    dep = r.cited(top["depreciation_years"], "depreciation_years") if "depreciation_years" in top else None
    if dep is not None and (not float(dep.value).is_integer() or dep.value < 1):
        raise doc.error("depreciation_years", f"must be a whole number >= 1, not {dep.value!r}")
    schedule = []
    for i, e in enumerate(top.get("schedule") or []):
        w = f"schedule[{i}]"
        e = r.keys(e, ENTRY_KEYS, w, {"id", "minerals"})
        start, end = _period(r, e, w)
        minerals = e["minerals"]
        if not isinstance(minerals, list) or not minerals or not all(isinstance(m, str) for m in minerals):
            raise doc.error(f"{w}.minerals", "expected a list of mineral ids (or [any])")
        schedule.append(Entry(w, str(e["id"]), start, end,
                              tuple(_levy(r, lv, f"{w}.levies[{j}]") for j, lv in enumerate(e.get("levies") or [])),
                              tuple(_rent(r, rt, f"{w}.rents[{j}]", start) for j, rt in enumerate(e.get("rents") or [])),
                              minerals=tuple(minerals), title=e.get("title"), note=e.get("note")))
    agreements = []
    for i, a in enumerate(top.get("agreements") or []):
        w = f"agreements[{i}]"
        a = r.keys(a, AGREEMENT_KEYS, w, {"id", "project"})
        start, end = _period(r, a, w)
        advance, names = None, ("advance royalty", "")
        if "advance_royalty" in a:
            ad = r.keys(a["advance_royalty"], ADVANCE_KEYS, f"{w}.advance_royalty",
                        {"first_year", "amounts_musd", "cap_musd"})
            advance = {"first_year": r.cited(ad["first_year"], f"{w}.advance_royalty.first_year"),
                       "amounts_musd": r.cited(ad["amounts_musd"], f"{w}.advance_royalty.amounts_musd", "numbers"),
                       "cap_musd": r.cited(ad["cap_musd"], f"{w}.advance_royalty.cap_musd")}
            if "then_musd_per_year" in ad:
                advance["then_musd_per_year"] = r.cited(ad["then_musd_per_year"],
                                                        f"{w}.advance_royalty.then_musd_per_year")
            names = (str(ad.get("name", "advance royalty")), str(ad.get("payee", "")))
        tax = None
        if "income_tax" in a:
            t = r.keys(a["income_tax"], AGREEMENT_TAX_KEYS, f"{w}.income_tax")
            tax = {k: r.cited(t[k], f"{w}.income_tax.{k}") for k in
                   ("holiday_production_years", "capped_pct", "stabilised_years") if k in t}
            tax["super_tax_in_stabilisation"] = bool(t.get("super_tax_in_stabilisation", True))
            tax["note"] = t.get("note")
        for k in ("preferred",):
            if k in a and not isinstance(a[k], bool):
                raise doc.error(f"{w}.{k}", "must be true or false")
        agreements.append(Entry(
            w, str(a["id"]), start, end,
            tuple(_levy(r, lv, f"{w}.levies[{j}]") for j, lv in enumerate(a.get("levies") or [])),
            tuple(_rent(r, rt, f"{w}.rents[{j}]", start) for j, rt in enumerate(a.get("rents") or [])),
            project=str(a["project"]), group=a.get("group"), reading=a.get("reading"),
            preferred=bool(a.get("preferred", False)), title=a.get("title"), advance=advance, advance_names=names,
            income_tax=tax, note=a.get("note")))
    _check_overlaps(doc, schedule, agreements)
    return Jurisdiction(doc.path, str(top["id"]), str(top["name"]), top.get("parent"), fx, taxes, supers, dep,
                        schedule, agreements, top.get("notes"), doc)


def _check_overlaps(doc: YamlDoc, schedule: list[Entry], agreements: list[Entry]) -> None:
    ids: dict[str, str] = {}
    for e in (*schedule, *agreements):
        if e.id in ids:
            raise doc.error(f"{e.where}.id", f"id {e.id!r} used twice (also at {ids[e.id]})")
        ids[e.id] = e.where
    for i, a in enumerate(schedule):
        for b in schedule[i + 1:]:
            if set(a.minerals) & set(b.minerals) and _overlap(a, b):
                common = ", ".join(sorted(set(a.minerals) & set(b.minerals)))
                raise doc.error(f"{b.where}.from", f"in force at the same time as {a.id} for {common}: "
                                                   "versions of the schedule must not overlap")
    for i, a in enumerate(agreements):
        for b in agreements[i + 1:]:
            if a.project != b.project or not _overlap(a, b):
                continue
            if a.group is not None and a.group == b.group:
                continue  # alternative readings of the same terms
            raise doc.error(f"{b.where}.from", f"in force at the same time as {a.id} for project {a.project}: "
                                               "agreements must not overlap unless they are readings of one group")
    groups: dict[str, list[Entry]] = {}
    for a in agreements:
        if a.group:
            groups.setdefault(a.group, []).append(a)
    for g, members in groups.items():
        preferred = [m for m in members if m.preferred]
        if len(preferred) != 1:
            raise doc.error(f"{members[0].where}.group",
                            f"group {g!r} needs exactly one preferred reading, has {len(preferred)}")


def load_jurisdiction(name_or_path: str, *, files: bool = True) -> Jurisdiction:
    """A bundled jurisdiction by id (`PK-BA`), or (when `files`: the command line's own case files) a user's
    .yaml file by path. An id is looked up among the bundled files, never used as a path."""
    if files and str(name_or_path).lower().endswith((".yaml", ".yml")):
        return parse_jurisdiction(yamlfile.load(name_or_path), bundled=False)
    f = bundled.find(fiscal_dir(), ".yaml", name_or_path, "fiscal jurisdiction")
    if f.stem == "US-tariffs":
        raise NotFound("fiscal jurisdiction", name_or_path, jurisdictions())
    doc = yamlfile.parse(f"data/fiscal/{f.name}", f.read_text(encoding="utf-8"))
    return parse_jurisdiction(doc, bundled=True)


def chain(name_or_path: str, *, files: bool = True) -> list[Jurisdiction]:
    """The jurisdiction and its parents, nearest first (a parent is always a bundled id)."""
    out = [load_jurisdiction(name_or_path, files=files)]
    while out[-1].parent:
        if any(j.id == out[-1].parent for j in out):
            raise DataFileError(out[-1].path, f"parent {out[-1].parent!r} loops back")
        out.append(load_jurisdiction(str(out[-1].parent), files=False))
    return out


@dataclass
class Resolved:
    """A project's fiscal terms for a span of calendar years, with provenance and the readings available."""

    levies: tuple[Levy, ...]
    fixed: tuple[FixedPayment, ...]
    tax: TaxRegime
    depreciation_years: int
    provenance: dict[str, CitedValue]
    readings: dict[str, list[tuple[str, str, bool]]]  # group -> [(entry id, reading, chosen)]
    entries: list[str]  # ids of the schedule entries and agreements used
    notes: list[str]
    files: list[str]


def _mid(year: int) -> dt.date:
    return dt.date(year, *MID_YEAR)


def resolve(jurisdiction: str, project: str, commodities: Iterable[str], first_year: int, last_year: int,
            first_production: int, *, readings: Iterable[str] = (), files: bool = True) -> Resolved:
    """Levies, fixed payments and income tax of `project` for calendar years first..last.

    For each year the project's agreements in force on 1 July apply; otherwise the schedule entries in force for
    the mineral. `readings` selects alternative readings by entry id (else each group's preferred one)."""
    js = chain(jurisdiction, files=files)
    local = js[0]
    commodities = tuple(commodities)
    chosen_ids = set(readings)
    known_ids = {a.id for j in js for a in j.agreements}
    for rid in sorted(chosen_ids - known_ids):
        alts = sorted(a.id for a in local.agreements if a.group and a.project == project)
        raise InvalidInput(f"Unknown fiscal reading {rid!r} for {project} in {local.id}; readings: "
                           f"{', '.join(alts) or 'none'}")
    groups: dict[str, list[Entry]] = {}
    for a in local.agreements:
        if a.project == project and a.group:
            groups.setdefault(a.group, []).append(a)
    use: dict[str, Entry] = {}
    for g, members in groups.items():
        picked = [m for m in members if m.id in chosen_ids]
        if len(picked) > 1:
            raise InvalidInput(f"readings {', '.join(m.id for m in picked)} are alternatives of {g!r}: choose one")
        use[g] = picked[0] if picked else next(m for m in members if m.preferred)
    agreements = [a for a in local.agreements if a.project == project and (not a.group or use[a.group] is a)]
    fx = next((j.pkr_per_usd for j in js if j.pkr_per_usd is not None), None)
    provenance: dict[str, CitedValue] = {}
    notes: list[str] = [j.notes for j in js if j.notes]
    used: list[str] = []
    # Which entries govern each year: the project's agreements, else the schedule by mineral.
    runs: dict[tuple[str, int], list[int]] = {}  # (entry id, levy index) -> years
    entries_by_id: dict[str, tuple[Jurisdiction, Entry]] = {}
    for year in range(first_year, last_year + 1):
        day = _mid(year)
        governing = [a for a in agreements if a.in_force(day)]
        if not governing:
            governing = [e for e in local.schedule if e.in_force(day)
                         and ("any" in e.minerals or set(e.minerals) & set(commodities))]
        for e in governing:
            entries_by_id[e.id] = (local, e)
            for k in range(len(e.levies)):
                runs.setdefault((e.id, k), []).append(year)
    levies: list[Levy] = []
    fixed: list[FixedPayment] = []
    for (eid, k), years in runs.items():
        _, e = entries_by_id[eid]
        spec = e.levies[k]
        if spec.rate.value is None:
            raise DataFileError(local.path, f"{spec.where}.rate_pct: the rate of {spec.name!r} for {project} in "
                                            f"{years[0]} is unknown ({spec.rate.note or 'no value'}); the economics "
                                            "cannot use it", line=local.doc.line(f"{spec.where}.rate_pct"))
        minimum = _usd(spec.minimum_pkr, spec.minimum_usd, fx, local, f"{spec.where}.minimum_pkr_per_t")
        rent = _usd(spec.dead_rent_pkr, spec.dead_rent_usd, fx, local, f"{spec.where}.dead_rent_pkr_per_year")
        periods = tuple(RatePeriod(a, b, float(spec.rate.value), minimum) for a, b in _spans(years))
        comms = spec.commodities
        if e.minerals != ("any",) and e.project is None:
            comms = tuple(c for c in commodities if c in e.minerals)
        levies.append(Levy(spec.name, spec.payee, str(spec.basis.value), periods, comms, spec.government,
                           rent / 1e6, spec.higher_of_dead_rent))
        key = f"fiscal.{eid}.{spec.name}"
        provenance[f"{key}.rate_pct"] = spec.rate
        provenance[f"{key}.basis"] = spec.basis
        for c, label in ((spec.minimum_pkr, "minimum_pkr_per_t"), (spec.minimum_usd, "minimum_usd_per_t")):
            if c is not None:
                provenance[f"{key}.{label}"] = c
        if eid not in used:
            used.append(eid)
    for eid in list(entries_by_id):
        _, e = entries_by_id[eid]
        for rent_spec in e.rents:
            amount = _usd(rent_spec.pkr, rent_spec.usd, fx, local, f"{rent_spec.where}.pkr_per_year")
            first = max(first_year, rent_spec.start.year + (1 if rent_spec.start > _mid(rent_spec.start.year) else 0))
            last = rent_spec.end.year if rent_spec.end else None
            fixed.append(FixedPayment(rent_spec.name, rent_spec.payee, first, (), amount / 1e6, last_year=last))
            provenance[f"fiscal.{eid}.{rent_spec.name}"] = rent_spec.pkr or rent_spec.usd  # type: ignore[assignment]
        if e.note:
            notes.append(f"{e.id}: {e.note}")
    tax_entry = next((a for a in agreements if a.income_tax), None)
    for a in agreements:
        if a.advance:
            ad = a.advance
            fixed.append(FixedPayment(a.advance_names[0], a.advance_names[1] or "host government",
                                      int(ad["first_year"].value), tuple(float(x) for x in ad["amounts_musd"].value),
                                      float(ad["then_musd_per_year"].value) if "then_musd_per_year" in ad else 0.0,
                                      until_production=True, cap_musd=float(ad["cap_musd"].value)))
            for k, v in ad.items():
                provenance[f"fiscal.{a.id}.advance_royalty.{k}"] = v
            if a.id not in used:
                used.append(a.id)
    tax, dep = _tax(js, tax_entry, provenance, fx, first_year, last_year)
    files = [j.path for j in js]
    read = {g: [(m.id, m.reading or m.id, use[g] is m) for m in members] for g, members in groups.items()}
    for g, members in groups.items():
        notes.append(f"Readings of {g}: " + "; ".join(
            f"{m.id} ({m.reading}){' [used]' if use[g] is m else ''}" for m in members))
    if not levies:
        raise InvalidInput(f"No royalty terms for {project} ({', '.join(commodities)}) in {local.id} for "
                           f"{first_year}-{last_year}: {local.path} has no schedule entry or agreement in force")
    return Resolved(tuple(levies), tuple(fixed), tax, dep, provenance, read, used, notes, files)


def _spans(years: list[int]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for y in sorted(years):
        if out and y == out[-1][1] + 1:
            out[-1] = (out[-1][0], y)
        else:
            out.append((y, y))
    return out


def _usd(pkr: CitedValue | None, usd: CitedValue | None, fx: CitedValue | None, j: Jurisdiction,
         where: str) -> float:
    """An amount in USD (per tonne or per year); rupee amounts at the exchange rate of the parent file."""
    if usd is not None and usd.value is not None:
        return float(usd.value)
    if pkr is None or pkr.value is None:
        if pkr is not None:
            raise DataFileError(j.path, f"{where}: amount unknown ({pkr.note or 'null'}); the economics cannot "
                                        "use it", line=j.doc.line(where))
        return 0.0
    if fx is None:
        raise DataFileError(j.path, f"{where}: a rupee amount needs exchange_rates.PKR_per_USD in this file or "
                                    "a parent", line=j.doc.line(where))
    return float(pkr.value) / float(fx.value)


def _tax(js: list[Jurisdiction], entry: Entry | None, provenance: dict[str, CitedValue], fx: CitedValue | None,
         first_year: int, last_year: int) -> tuple[TaxRegime, int]:
    standard = None
    for j in js:
        for tid, start, end, c in j.income_tax:
            if start <= _mid(last_year) and (end is None or end >= _mid(first_year)):
                standard = (tid, c)
        if standard:
            break
    if standard is None:
        raise InvalidInput(f"No corporate income tax rate in {', '.join(j.path for j in js)}")
    provenance[f"fiscal.{standard[0]}.rate_pct"] = standard[1]
    supers = []
    for j in js:
        for s in j.super_tax:
            if fx is None:
                raise DataFileError(j.path, f"super_tax {s.id}: bands in rupees need exchange_rates.PKR_per_USD")
            first = s.start.year + (1 if s.start > _mid(s.start.year) else 0)
            last = s.end.year if s.end else None
            bands = tuple((b.above_pkr_m / float(fx.value), b.rate_pct) for b in s.bands)  # MUSD thresholds
            supers.append((first, last, bands))
            provenance[f"fiscal.{s.id}.bands"] = s.cited
    dep = next((j.depreciation for j in js if j.depreciation is not None), None)
    if dep is None:
        raise InvalidInput(f"No depreciation_years in {', '.join(j.path for j in js)}")
    provenance["fiscal.depreciation_years"] = dep
    if fx is not None:
        provenance["fiscal.PKR_per_USD"] = fx
    kw: dict[str, Any] = {}
    if entry is not None and entry.income_tax:
        t = entry.income_tax
        for k in ("holiday_production_years", "capped_pct", "stabilised_years"):
            if k in t:
                provenance[f"fiscal.{entry.id}.income_tax.{k}"] = t[k]
        kw = {"holiday_years": int(t["holiday_production_years"].value) if "holiday_production_years" in t else 0,
              "capped_pct": float(t["capped_pct"].value) if "capped_pct" in t else None,
              "stabilised_years": int(t["stabilised_years"].value) if "stabilised_years" in t else None,
              "super_tax_in_stabilisation": t["super_tax_in_stabilisation"]}
    return TaxRegime(float(standard[1].value), super_tax=tuple(supers), **kw), int(dep.value)


def jurisdictions() -> list[str]:
    return [j for j in bundled.ids(fiscal_dir(), ".yaml") if j != "US-tariffs"]
