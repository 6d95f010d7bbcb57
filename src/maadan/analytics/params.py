"""Cited parameter files: fiscal terms, tariffs and project economics cases (YAML, strict keys).

Every number in a bundled file is a mapping with `value` and its provenance (`source` or
`legal_basis`, or an `assumption` / `derived` note) and a `verified` flag. A user's file may give
bare numbers; they are recorded as "given in <file>, no source". An unknown key is an error that
names the key; so is anything that is not the expected type.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any, Mapping

import yaml

from maadan import bundled
from maadan.analytics import fiscal as fiscal_data
from maadan.analytics.cited import Cited
from maadan.analytics import yamlfile
from maadan.analytics.economics import Case, CapexItem, Commodity, Fiscal, Partner, Period
from maadan.errors import DataFileError, InvalidInput, NotFound

CITED_KEYS = {"value", "unit", "source", "legal_basis", "verified", "assumption", "derived", "note", "confidence"}
ENTRY_KEYS = CITED_KEYS | {"applies_to", "origin"}
FISCAL_TOP = {"schema", "id", "name", "jurisdiction", "parameters", "notes"}
CASE_SCHEMAS = {"maadan.economics-case/1", "maadan.economics-case/2"}
CASE_TOP = {"schema", "project", "name", "basis", "start_year", "fiscal", "fiscal_readings", "tariffs",
            "commodities", "schedule", "opex_usd_per_t_ore", "offsite_pct_of_revenue", "sustaining_musd_per_yr",
            "sustaining_last_year", "capex", "partners", "us_sales_share_pct", "tariff_incidence_pct", "valuation",
            "income_tax_after_holiday_pct",
            "financing", "published", "notes"}
VALUATIONS = {"start-of-start-year": 1, "first-cash-flow-undiscounted": 0}
COMMODITY_KEYS = {"grade_unit", "price", "recovery_pct", "payable_pct"}
PERIOD_KEYS = {"years", "ore_mt", "grades", "note"}
CAPEX_KEYS = {"label", "construction", "total_musd", "phasing_pct", "note"}
PARTNER_KEYS = {"name", "equity_pct", "carried", "government", "note"}
FISCAL_PARAMS = {"royalty_pct", "income_tax_pct", "depreciation_years"}
TARIFF_PARAMS = {"us_tariff_pct"}


class _Reader:
    """Walks one parsed file, checking keys and types, and collects the provenance of every value."""

    def __init__(self, path: str, doc: yamlfile.YamlDoc | None = None):
        self.path = path
        self.doc = doc
        self.provenance: dict[str, Cited] = {}

    def fail(self, where: str, message: str) -> None:
        if self.doc is not None:
            raise self.doc.error(where, message)
        raise DataFileError(self.path, f"{where}: {message}" if where else message)

    def keys(self, data: Any, allowed: set[str], where: str, required: set[str] = frozenset()) -> dict:
        if not isinstance(data, dict):
            self.fail(where, f"expected a mapping, got {type(data).__name__}")
        for k in data:
            if k not in allowed:
                self.fail(where, f"unknown key {k!r} (allowed: {', '.join(sorted(allowed))})")
        for k in required:
            if k not in data:
                self.fail(where, f"missing key {k!r}")
        return data

    def cited(self, data: Any, where: str, *, bundled: bool, integer: bool = False) -> float:
        if isinstance(data, bool):
            self.fail(where, f"expected a number, got {data!r}")
        if isinstance(data, (int, float)):
            if bundled:
                self.fail(where, "a bundled value needs its provenance: write {value: ..., source: ..., verified: ...}")
            c = Cited(float(data), note=f"given in {self.path}, no source")
        else:
            d = self.keys(data, CITED_KEYS, where, {"value"})
            if bundled and not (d.get("source") or d.get("legal_basis") or d.get("assumption") or d.get("derived")):
                self.fail(where, "no source, legal_basis, assumption or derived note")
            if bundled and "verified" not in d:
                self.fail(where, "missing key 'verified'")
            if not isinstance(d.get("verified", False), bool):
                self.fail(where, "verified must be true or false")
            v = d["value"]
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                self.fail(where, f"value must be a number, not {v!r}")
            c = Cited(float(v), d.get("unit"), d.get("source"), d.get("legal_basis"), bool(d.get("verified", False)),
                      d.get("assumption"), d.get("derived"), d.get("note"), d.get("confidence"))
        if integer and not float(c.value).is_integer():
            self.fail(where, f"must be a whole number, not {c.value!r}")
        self.provenance[where] = c
        return c.value


def load_yaml(path: Path | str, text: str | None = None) -> Any:
    """YAML from `text`, or from the user's file at `path` (command line only)."""
    if text is None:
        text = bundled.read_text(path, f"parameter file {path}")
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise DataFileError(str(path), f"not valid YAML: {getattr(exc, 'problem', exc)}",
                            line=mark.line + 1 if mark else None) from None


def fiscal_dir() -> Path:
    """The bundled parameter files (data/fiscal)."""
    return Path(str(resources.files("maadan") / "data" / "fiscal"))


def is_file_name(name: str) -> bool:
    """True when the command line names a user's YAML file rather than a bundled id."""
    return str(name).lower().endswith((".yaml", ".yml"))


def _bundled(kind: str, name: str) -> tuple[str, str]:
    """(shown path, text) of the bundled file of id `name`: looked up among the folder's files, so
    the name is never a path."""
    folder = fiscal_dir() / kind if kind else fiscal_dir()
    f = bundled.find(folder, ".yaml", name, "parameter file" if not kind else "economics case")
    return f"data/fiscal/{kind + '/' if kind else ''}{f.name}", f.read_text(encoding="utf-8")


@dataclass(frozen=True)
class ParameterFile:
    id: str
    name: str
    path: str
    parameters: Mapping[str, list[tuple[str, Cited]]]  # name -> [(applies_to, value)]
    notes: str | None

    def value(self, name: str, project: str) -> tuple[float, Cited, str]:
        """The entry for `project`, else the default; raises when neither exists."""
        entries = self.parameters.get(name)
        if not entries:
            raise InvalidInput(f"{self.path}: no parameter {name!r}")
        for applies, c in entries:
            if applies == project:
                return c.value, c, f"{self.path} {name} ({applies})"
        for applies, c in entries:
            if applies == "default":
                return c.value, c, f"{self.path} {name} (default)"
        raise InvalidInput(f"{self.path}: {name} has no entry for {project!r} and no default")


def parse_parameter_file(path: str, data: Any, allowed_params: set[str]) -> ParameterFile:
    r = _Reader(path)
    top = r.keys(data, FISCAL_TOP, "", {"schema", "id", "name", "parameters"})
    params: dict[str, list[tuple[str, Cited]]] = {}
    for name, entries in r.keys(top["parameters"], allowed_params, "parameters").items():
        if not isinstance(entries, list) or not entries:
            r.fail(f"parameters.{name}", "expected a list of entries")
        for i, e in enumerate(entries):
            where = f"parameters.{name}[{i}]"
            d = r.keys(e, ENTRY_KEYS, where, {"value", "applies_to", "verified"})
            r.cited({k: v for k, v in d.items() if k in CITED_KEYS}, where, bundled=True)
            params.setdefault(name, []).append((str(d["applies_to"]), r.provenance[where]))
    return ParameterFile(str(top["id"]), str(top["name"]), path, params, top.get("notes"))


def load_parameter_file(name_or_path: str, allowed_params: set[str], *, files: bool = True) -> ParameterFile:
    """A bundled parameter file by id, or (when `files`) a user's .yaml file by path."""
    if files and is_file_name(name_or_path):
        return parse_parameter_file(str(name_or_path), load_yaml(name_or_path), allowed_params)
    path, text = _bundled("", name_or_path)
    return parse_parameter_file(path, load_yaml(path, text), allowed_params)


def _years(r: _Reader, text: Any, where: str) -> tuple[int, int]:
    s = str(text).strip()
    try:
        a, _, b = s.partition("-")
        first, last = int(a), int(b or a)
    except ValueError:
        r.fail(where, f"years must be 'YYYY' or 'YYYY-YYYY', not {text!r}")
    return first, last


def parse_case(path: str, data: Any, *, bundled: bool, doc: yamlfile.YamlDoc | None = None,
               readings: tuple[str, ...] = ()) -> Case:
    """A project economics case (see data/fiscal/cases/reko-diq.yaml) with its jurisdiction's royalties, rents
    and income tax, and the tariff file, applied. Every error names the file (and the line, when known)."""
    try:
        return _parse_case(path, data, bundled, doc, readings)
    except DataFileError:
        raise
    except NotFound:
        raise
    except InvalidInput as exc:
        raise DataFileError(path, exc.message) from None


def _parse_case(path: str, data: Any, bundled: bool, doc: yamlfile.YamlDoc | None,
                readings: tuple[str, ...]) -> Case:
    r = _Reader(path, doc)
    top = r.keys(data, CASE_TOP, "", {"schema", "project", "name", "start_year", "fiscal", "tariffs", "commodities",
                                     "schedule", "opex_usd_per_t_ore", "offsite_pct_of_revenue",
                                     "sustaining_musd_per_yr", "capex", "partners"})
    if top["schema"] not in CASE_SCHEMAS:
        r.fail("schema", f"expected one of {', '.join(sorted(CASE_SCHEMAS))}, not {top['schema']!r}")
    project = str(top["project"])
    commodities = []
    for cid, c in r.keys(top["commodities"], set(top["commodities"] or {}), "commodities").items():
        w = f"commodities.{cid}"
        d = r.keys(c, COMMODITY_KEYS, w, COMMODITY_KEYS)
        price = r.cited(d["price"], f"{w}.price", bundled=bundled)
        unit = r.provenance[f"{w}.price"].unit or ""
        try:
            commodities.append(Commodity(cid, str(d["grade_unit"]), price, unit,
                                         r.cited(d["recovery_pct"], f"{w}.recovery_pct", bundled=bundled),
                                         r.cited(d["payable_pct"], f"{w}.payable_pct", bundled=bundled)))
        except InvalidInput as exc:
            r.fail(w, exc.message)
    schedule = []
    for i, p in enumerate(top["schedule"] or []):
        w = f"schedule[{i}]"
        d = r.keys(p, PERIOD_KEYS, w, {"years", "ore_mt", "grades"})
        first, last = _years(r, d["years"], f"{w}.years")
        grades = {g: r.cited(v, f"{w}.grades.{g}", bundled=bundled) for g, v in r.keys(
            d["grades"], {c.id for c in commodities}, f"{w}.grades").items()}
        try:
            schedule.append(Period(first, last, r.cited(d["ore_mt"], f"{w}.ore_mt", bundled=bundled), grades))
        except InvalidInput as exc:
            r.fail(w, exc.message)
    capex = []
    for i, c in enumerate(top["capex"] or []):
        w = f"capex[{i}]"
        d = r.keys(c, CAPEX_KEYS, w, {"label", "total_musd", "phasing_pct"})
        total = r.cited(d["total_musd"], f"{w}.total_musd", bundled=bundled)
        phasing = {}
        for y, share in r.keys(d["phasing_pct"], set(d["phasing_pct"] or {}), f"{w}.phasing_pct").items():
            yy, _ = _years(r, y, f"{w}.phasing_pct")
            phasing[yy] = r.cited(share, f"{w}.phasing_pct.{y}", bundled=False)
        if abs(sum(phasing.values()) - 100.0) > 0.01:
            r.fail(f"{w}.phasing_pct", f"shares sum to {sum(phasing.values()):g} %, not 100 %")
        if any(v < 0 for v in phasing.values()):
            r.fail(f"{w}.phasing_pct", "shares must be >= 0")
        for y in phasing:  # bare shares: their provenance is the capex item's note
            r.provenance[f"{w}.phasing_pct.{y}"] = Cited(phasing[y], "% of the total", assumption=d.get("note"))
        for y, share in sorted(phasing.items()):
            capex.append(CapexItem(str(d["label"]), y, total * share / 100.0, bool(d.get("construction", True))))
    partners = []
    for i, p in enumerate(top["partners"] or []):
        w = f"partners[{i}]"
        d = r.keys(p, PARTNER_KEYS, w, {"name", "equity_pct"})
        try:
            partners.append(Partner(str(d["name"]), r.cited(d["equity_pct"], f"{w}.equity_pct", bundled=bundled),
                                    bool(d.get("carried", False)), bool(d.get("government", False))))
        except InvalidInput as exc:
            r.fail(w, exc.message)
    try:
        start_year = int(top["start_year"])
    except (TypeError, ValueError):
        r.fail("start_year", f"start_year must be a year, not {top['start_year']!r}")
    offset = 0
    if "valuation" in top:
        v = top["valuation"]
        text = v.get("value") if isinstance(v, dict) else v
        if text not in VALUATIONS:
            r.fail("valuation", f"valuation must be one of {', '.join(VALUATIONS)}, not {text!r}")
        offset = VALUATIONS[text]
        if isinstance(v, dict):
            r.keys(v, CITED_KEYS, "valuation", {"value"})
            r.provenance["valuation"] = Cited(float(offset), "discount exponent of the first year", v.get("source"),
                                              v.get("legal_basis"), bool(v.get("verified", False)),
                                              v.get("assumption"), v.get("derived"), v.get("note"))
    chosen = tuple(top.get("fiscal_readings") or ()) + tuple(readings)
    if not all(isinstance(x, str) for x in chosen):
        r.fail("fiscal_readings", "expected a list of reading ids")
    tariff_file = load_parameter_file(str(top["tariffs"]), TARIFF_PARAMS, files=not bundled)
    if not schedule:
        r.fail("schedule", "a case needs a production schedule")
    first_prod = min(p.first_year for p in schedule)
    last_prod = max(p.last_year for p in schedule)
    resolved = fiscal_data.resolve(str(top["fiscal"]), project, [c.id for c in commodities], start_year,
                                   last_prod + 10, first_prod, readings=chosen,
                                   files=not bundled)
    provenance: dict[str, Any] = dict(r.provenance)
    for k, c in resolved.provenance.items():
        if c is None:
            continue
        numeric = isinstance(c.value, (int, float)) and not isinstance(c.value, bool)
        provenance[k] = Cited(float(c.value) if numeric else float("nan"), c.unit, c.source, c.legal_basis,
                              c.verified, c.assumption, c.derived, c.note, c.confidence,
                              None if numeric else ("unknown" if c.value is None else str(c.value)))
    us_tariff, cited, _ = tariff_file.value("us_tariff_pct", project)
    provenance["fiscal.us_tariff_pct"] = cited
    us_share = r.cited(top["us_sales_share_pct"], "us_sales_share_pct", bundled=bundled) \
        if "us_sales_share_pct" in top else 0.0
    incidence = r.cited(top["tariff_incidence_pct"], "tariff_incidence_pct", bundled=bundled) \
        if "tariff_incidence_pct" in top else 100.0
    tax = resolved.tax
    if "income_tax_after_holiday_pct" in top:
        rate = r.cited(top["income_tax_after_holiday_pct"], "income_tax_after_holiday_pct", bundled=bundled)
        if not 0 <= rate <= 100:
            r.fail("income_tax_after_holiday_pct", f"must be between 0 and 100 %, not {rate!r}")
        tax = replace(tax, capped_pct=rate, stabilised_years=10**6, rate_pct=max(tax.rate_pct, rate))
    fiscal = Fiscal(0.0, tax.rate_pct, resolved.depreciation_years, us_tariff, us_share, incidence,
                    levies=resolved.levies, fixed=resolved.fixed, tax=tax)
    opex = r.cited(top["opex_usd_per_t_ore"], "opex_usd_per_t_ore", bundled=bundled)
    offsite = r.cited(top["offsite_pct_of_revenue"], "offsite_pct_of_revenue", bundled=bundled)
    sustaining = r.cited(top["sustaining_musd_per_yr"], "sustaining_musd_per_yr", bundled=bundled)
    sustaining_last = None
    if top.get("sustaining_last_year") is not None:
        sustaining_last, _ = _years(r, top["sustaining_last_year"], "sustaining_last_year")
    notes = [n for n in (top.get("notes"), tariff_file.notes) if n] + resolved.notes
    try:
        return Case(project, str(top["name"]), start_year, tuple(commodities), tuple(schedule), opex, offsite,
                    sustaining, tuple(capex), tuple(partners), fiscal,
                    provenance={**r.provenance, **provenance,
                                "_files": [path, *resolved.files, tariff_file.path], "_notes": notes,
                                "_readings": resolved.readings, "_entries": resolved.entries,
                                "_financing": top.get("financing"), "_published": top.get("published"),
                                "_fiscal": str(top["fiscal"]), "_bundled": bundled,
                                "_doc": doc},
                    discount_offset=offset, sustaining_last_year=sustaining_last)
    except InvalidInput as exc:
        where = next((key for word, key in (("partner", "partners"), ("schedule", "schedule"), ("capex", "capex"),
                                            ("production starts", "schedule"), ("levy", "fiscal"),
                                            ("opex", "opex_usd_per_t_ore"), ("off-site", "offsite_pct_of_revenue"),
                                            ("sustaining", "sustaining_musd_per_yr"))
                      if word in exc.message), "")
        raise DataFileError(path, exc.message, line=doc.line(where) if doc is not None and where else None) from None


def load_case(name_or_path: str, readings: tuple[str, ...] = ()) -> Case:
    """A bundled case by project id (`reko-diq`) or a user's .yaml file (the command line's --params);
    `readings` picks alternative fiscal readings by id (e.g. `saindak-report-2005`)."""
    if is_file_name(name_or_path):
        return case_file(name_or_path, readings)
    return bundled_case(name_or_path, readings)


def case_file(path: str | Path, readings: tuple[str, ...] = ()) -> Case:
    """A user's case file (the command line's --params), whatever its name."""
    doc = yamlfile.load(path)
    return parse_case(str(path), doc.data, bundled=False, doc=doc, readings=readings)


def bundled_case(project_id: str, readings: tuple[str, ...] = ()) -> Case:
    """The bundled case of a project id; the id is looked up, never used as a path."""
    path, text = _bundled("cases", project_id)
    doc = yamlfile.parse(path, text)
    return parse_case(path, doc.data, bundled=True, doc=doc, readings=readings)


def case_ids() -> list[str]:
    return bundled.ids(fiscal_dir() / "cases", ".yaml")


def assumptions(case: Case) -> list[tuple[str, Cited]]:
    """Every parameter not marked verified, with its provenance (what a reader must not take as fact)."""
    return [(k, v) for k, v in case.provenance.items() if isinstance(v, Cited) and not v.verified]


def verified_share(case: Case) -> tuple[int, int]:
    """(verified, all) cited parameters of a case."""
    cited = [v for v in case.provenance.values() if isinstance(v, Cited)]
    return sum(1 for v in cited if v.verified), len(cited)
