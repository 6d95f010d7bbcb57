"""Reader for the bundled deposits and projects (maadan/data/projects/*.yaml): every claim cited from
the source catalogue, every location a point, a box or a point with a radius of uncertainty, checked
against the country's outline. Errors name the file, the line and the key; nothing loads half (the
whole bundle is read before anything is stored)."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from maadan import bundled
from maadan.errors import DataFileError, InvalidInput
from maadan.evidence import fields
from maadan.evidence.model import Source, check_as_of, parse_correction, parse_sources
from maadan.ingest.citations import expand
from maadan.ingest.yamlfile import YamlFile, read
from maadan.projects.model import CONFIDENCE, LOCATION_KINDS, Holding, Location, OwnershipReading, Project, ProjectFact

PROJECT_STATUSES = {"occurrence", "exploration", "feasibility", "development", "operating", "small-scale", "historic"}
FACT_KINDS = {"resources": "resource", "production": "production", "phases": "phase", "capex": "capex",
              "key_dates": "event", "life_of_mine": "life-of-mine"}
CLAIM_KEYS = ("status", "operator", "commodities", "deposit_type")
PROJECT_KEYS = {
    "id", "name", "full_name", "aliases", "kind", "country", "province", "district", "commodities", "byproducts",
    "deposit_type", "status", "status_note", "operator", "locations", "location_note", "ownership",
    "ownership_incomplete", "ownership_note", "notes", "claims", "corrections", *FACT_KINDS,
}
LOCATION_KEYS = ("kind", "lat", "lon", "south", "west", "north", "east", "radius_km", "confidence", "preferred",
                 "derived", "label", "note", "sources", "source")
META_KEYS = ("sources", "source", "as_of", "reading", "preferred")  # keys of a fact that are not its data
MAX_RADIUS_KM = 500.0
OUTLINE_TOLERANCE_DEG = 0.05  # the bundled outlines are generalised (about 1 km); a little slack at borders


@lru_cache(maxsize=None)
def country_outline(country: str):
    """The union of the bundled boundaries of `country` (e.g. PK-BA, PK-PB ... for PK), slightly buffered;
    None when no boundary of that country is bundled. The bundled files are our own WGS 84 GeoJSON
    Features (maadan/data/boundaries, see its PROVENANCE.md), read here directly: the cadastre, which
    reads boundaries for users, itself reads files through this package, and the two stay acyclic."""
    import shapely
    from shapely.geometry import shape

    folder = Path(str(resources.files("maadan") / "data" / "boundaries"))
    shapes = []
    for code in bundled.ids(folder, ".geojson"):
        if code.startswith(f"{country}-"):
            doc = json.loads((folder / f"{code}.geojson").read_text(encoding="utf-8"))
            shapes.append(shape(doc["geometry"]))
    return shapely.union_all(shapes).buffer(OUTLINE_TOLERANCE_DEG) if shapes else None


class _Reader:
    """Reads one project file; `bad` raises at the line of the key being read."""

    def __init__(self, doc: YamlFile, catalogue: dict[str, dict]):
        self.doc, self.catalogue = doc, catalogue

    def bad(self, steps: list[str | int], message: str) -> DataFileError:
        key = ".".join(str(s) if isinstance(s, str) else f"[{s}]" for s in steps).replace(".[", "[")
        return self.doc.error(steps, message, key=key or None)

    def sources(self, item: dict[str, Any], steps: list[str | int], *, required: bool = True) -> tuple[Source, ...]:
        """The sources of one claim: `sources: [{ref, quote}]` (cited), or a legacy `source: text` (a bare name)."""
        if item.get("sources") is not None:
            expanded = expand(item["sources"], self.catalogue, self.doc, [*steps, "sources"])
            try:
                return parse_sources(expanded, "sources", required=required)
            except InvalidInput as exc:
                raise self.doc.refuse(steps, exc, "sources") from None
        text = str(item.get("source") or "").strip()
        if not text and required:
            raise self.bad([*steps, "sources"], "has no source (give sources: [{ref, quote}])")
        return (Source(publisher=text),) if text else ()

    def number(self, value: Any, steps: list[str | int], low: float, high: float) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
            raise self.bad(steps, f"{value!r} must be a number in [{low:g}, {high:g}]")
        return float(value)

    def location(self, loc: Any, i: int, country: str) -> Location:
        steps: list[str | int] = ["locations", i]
        if not isinstance(loc, dict):
            raise self.bad(steps, "must be a mapping")
        unknown = sorted(str(k) for k in loc if k not in LOCATION_KEYS)
        if unknown:
            raise self.bad([*steps, unknown[0]], f"unknown key(s) {', '.join(unknown)}")
        kind = loc.get("kind", "point")
        if kind not in LOCATION_KINDS:
            raise self.bad([*steps, "kind"], f"{kind!r} is not one of {', '.join(LOCATION_KINDS)}")
        confidence = loc.get("confidence")
        if confidence not in CONFIDENCE:
            raise self.bad([*steps, "confidence"], f"{confidence!r} is not one of {', '.join(CONFIDENCE)}")
        extra: dict[str, Any] = {}
        if kind == "box":
            for key in ("south", "north"):
                extra[key] = self.number(loc.get(key), [*steps, key], -90, 90)
            for key in ("west", "east"):
                extra[key] = self.number(loc.get(key), [*steps, key], -180, 180)
            if extra["south"] >= extra["north"]:
                raise self.bad([*steps, "south"], f"south {extra['south']:g} is not below north {extra['north']:g}")
            if extra["west"] >= extra["east"]:
                raise self.bad([*steps, "west"], f"west {extra['west']:g} is not west of east {extra['east']:g}")
            lat, lon = (extra["south"] + extra["north"]) / 2, (extra["west"] + extra["east"]) / 2
            for key in ("lat", "lon", "radius_km"):
                if loc.get(key) is not None:
                    raise self.bad([*steps, key], f"a box is given by south, west, north and east, not {key}")
        else:
            lat = self.number(loc.get("lat"), [*steps, "lat"], -90, 90)
            lon = self.number(loc.get("lon"), [*steps, "lon"], -180, 180)
            for key in ("south", "west", "north", "east"):
                if loc.get(key) is not None:
                    raise self.bad([*steps, key], f"a {kind} has no {key} (use kind: box)")
            if kind == "circle":
                extra["radius_km"] = self.number(loc.get("radius_km"), [*steps, "radius_km"], 0.001, MAX_RADIUS_KM)
            elif loc.get("radius_km") is not None:
                raise self.bad([*steps, "radius_km"], "a point has no radius (use kind: circle)")
        found = Location(kind=kind, lat=lat, lon=lon, confidence=confidence, preferred=bool(loc.get("preferred")),
                         derived=bool(loc.get("derived")), label=loc.get("label"), note=loc.get("note"),
                         sources=self.sources(loc, steps), **extra)
        self.inside(found, country, steps)
        return found

    def inside(self, loc: Location, country: str, steps: list[str | int]) -> None:
        """A deposit of `country` must lie in it: a point or circle centre inside the outline, a box overlapping it."""
        import shapely

        outline = country_outline(country)
        if outline is None:
            return
        shape = loc.geometry() if loc.kind == "box" else shapely.Point(loc.lon, loc.lat)
        ok = outline.intersects(shape) if loc.kind == "box" else outline.covers(shape)
        if not ok:
            key = "south" if loc.kind == "box" else "lat"
            raise self.bad([*steps, key], f"{loc.describe()} lies outside {country} (a deposit of {country} must "
                                          f"lie in its bundled outline); are latitude and longitude swapped?")

    def facts(self, doc: dict[str, Any], minerals: set[str]) -> list[ProjectFact]:
        out = []
        for key, kind in FACT_KINDS.items():
            items = doc.get(key) or []
            listed = [items] if isinstance(items, dict) else items
            if not isinstance(listed, list):
                raise self.bad([key], "must be a list")
            for i, item in enumerate(listed):
                steps: list[str | int] = [key] if isinstance(items, dict) else [key, i]
                if not isinstance(item, dict):
                    raise self.bad(steps, "must be a mapping")
                for num_key in ("value", "value_high", "ore_mt", "ore_mt_high", "throughput_mtpa", "years"):
                    v = item.get(num_key)
                    if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0):
                        raise self.bad([*steps, num_key], "must be a non-negative number")
                for sub in ("grades", "contained"):
                    for k, g in enumerate(item.get(sub) or []):
                        if g.get("commodity") not in minerals and g.get("commodity") not in ("ore", "concentrate"):
                            raise self.bad([*steps, sub, k, "commodity"], f"unknown mineral {g.get('commodity')!r}")
                sources = self.sources(item, steps)
                as_of = self.partial(item.get("as_of"), [*steps, "as_of"])
                try:
                    check_as_of(as_of, sources, "as_of")
                except InvalidInput as exc:
                    raise self.bad([*steps, "as_of"], exc.message) from None
                reading = item.get("reading")
                out.append(ProjectFact(kind=kind, data={k: v for k, v in item.items() if k not in META_KEYS},
                                       sources=sources, as_of=as_of, reading=str(reading) if reading else None,
                                       preferred=bool(item.get("preferred", True))))
        return out

    def partial(self, value: Any, steps: list[str | int]) -> str | None:
        try:
            return fields.partial_date(value, "as_of")
        except InvalidInput as exc:
            raise self.bad(steps, exc.message) from None


def read_project(path: Path, label: str, catalogue: dict[str, dict], minerals: set[str], orgs: set[str]) -> Project:
    doc = read(path, label)
    r = _Reader(doc, catalogue)
    data = doc.data
    if not isinstance(data, dict):
        raise doc.error([], "must hold one mapping (a project)")

    def need(key: str) -> Any:
        if data.get(key) in (None, ""):
            raise r.bad([key], f"field {key!r} is required")
        return data[key]

    unknown = sorted(set(data) - PROJECT_KEYS)
    if unknown:
        raise r.bad([unknown[0]], f"unknown field(s) {', '.join(unknown)}")
    pid = need("id")
    if pid != path.stem:
        raise r.bad(["id"], f"id {pid!r} must match the file name {path.stem!r}")
    if data.get("kind") not in ("project", "deposit"):
        raise r.bad(["kind"], "field 'kind' must be project or deposit")
    if need("status") not in PROJECT_STATUSES:
        raise r.bad(["status"], f"field 'status' must be one of {', '.join(sorted(PROJECT_STATUSES))}")
    for key in ("commodities", "byproducts"):
        for i, m in enumerate(data.get(key) or []):
            if m not in minerals:
                raise r.bad([key, i], f"{key}: unknown mineral id {m!r}")
    operator = data.get("operator")
    if operator and operator not in orgs:
        raise r.bad(["operator"], f"operator: unknown organisation id {operator!r}")
    country = data.get("country") or "PK"

    claims = data.get("claims") or {}
    if not isinstance(claims, dict):
        raise r.bad(["claims"], "must be a mapping of claim -> {sources, as_of}")
    claim_sources: dict[str, tuple[Source, ...]] = {}
    status_as_of = None
    for name, spec in claims.items():
        if name not in CLAIM_KEYS:
            raise r.bad(["claims", name], f"{name!r} is not one of {', '.join(CLAIM_KEYS)}")
        if not isinstance(spec, dict):
            raise r.bad(["claims", name], "must be a mapping {sources, as_of}")
        claim_sources[name] = r.sources(spec, ["claims", name])
        if spec.get("as_of") is not None:
            if name != "status":
                raise r.bad(["claims", name, "as_of"], "only the status has an 'as of' date")
            status_as_of = r.partial(spec["as_of"], ["claims", name, "as_of"])
            try:
                check_as_of(status_as_of, claim_sources[name], "as_of")
            except InvalidInput as exc:
                raise r.bad(["claims", name, "as_of"], exc.message) from None

    locations = [r.location(loc, i, country) for i, loc in enumerate(data.get("locations") or [])]
    if sum(loc.preferred for loc in locations) > 1:
        raise r.bad(["locations"], "at most one location may be preferred")

    readings = []
    for i, reading in enumerate(data.get("ownership") or []):
        holders = []
        for j, h in enumerate(reading.get("holders") or []):
            steps: list[str | int] = ["ownership", i, "holders", j]
            org, label_ = h.get("organisation"), h.get("label")
            if org is None and not label_:
                raise r.bad(steps, "needs an organisation id or a label")
            if org is not None and org not in orgs:
                raise r.bad([*steps, "organisation"], f"unknown organisation id {org!r}")
            if h.get("via") and h["via"] not in orgs:
                raise r.bad([*steps, "via"], f"unknown organisation {h['via']!r}")
            share = h.get("share_pct")
            if share is not None and (isinstance(share, bool) or not isinstance(share, (int, float))
                                      or not 0 <= share <= 100):
                raise r.bad([*steps, "share_pct"], "must be in 0-100")
            holders.append(Holding(organisation_id=org, label=label_, share_pct=share, via_id=h.get("via"),
                                   note=h.get("note")))
        readings.append(OwnershipReading(basis=reading.get("basis") or "equity", holders=tuple(holders),
                                         sources=r.sources(reading, ["ownership", i]), note=reading.get("note")))

    facts = r.facts(data, minerals)
    corrections = []
    for i, c in enumerate(data.get("corrections") or []):
        try:
            corrections.append(parse_correction(expand(c, catalogue, doc, ["corrections", i]), "correction"))
        except InvalidInput as exc:
            raise doc.refuse(["corrections", i], exc, f"corrections[{i}]") from None

    project = Project(
        id=pid, name=need("name"), full_name=data.get("full_name") or data["name"], kind=data["kind"],
        country=country, status=data["status"], sources=[], province=data.get("province"),
        district=data.get("district"), deposit_type=data.get("deposit_type"), status_note=data.get("status_note"),
        operator_id=operator, commodities=list(data.get("commodities") or []),
        byproducts=list(data.get("byproducts") or []), aliases=[str(a) for a in data.get("aliases") or []],
        locations=locations, location_note=data.get("location_note"), ownership=readings,
        ownership_incomplete=bool(data.get("ownership_incomplete")), ownership_note=data.get("ownership_note"),
        facts=facts, notes=data.get("notes"), claim_sources=claim_sources, status_as_of=status_as_of,
        corrections=corrections,
    )
    project.sources = list(dict.fromkeys(s.reference for s in project.all_sources()))
    problems = project.ownership_problems()
    if problems:
        raise r.bad(["ownership"], problems[0])
    return project


def load_project_files(folder: Path, catalogue: dict[str, dict], minerals: set[str], orgs: set[str],
                       rel) -> list[Project]:
    return [read_project(path, rel(path), catalogue, minerals, orgs) for path in sorted(folder.glob("*.yaml"))]
