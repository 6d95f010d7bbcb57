"""Reading rule files: data/rules/<JURISDICTION>/<YYYY-MM-DD>.yaml into RuleSets. Every value must
carry its legal basis and a verified flag; a later version may `extend` an earlier one. Malformed
files are refused with the file, line and key path."""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import replace
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any, Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from maadan.cadastre.rules import (
    AREA_MODES,
    COMPETITION_METHODS,
    LOSER_OUTCOMES,
    ELIGIBILITY_KINDS,
    OBLIGATION_EVENTS,
    PLACEHOLDER,
    PRIORITY_WINDOWS,
    CompetitionRule,
    Conversion,
    Eligibility,
    Money,
    Obligation,
    RuleSet,
    RuleValue,
    TitleType,
)
from maadan.errors import DataFileError

# --- reading YAML with positions ----------------------------------------------------------------

class _Map(dict):
    """A YAML mapping that remembers the file and line where each key was written."""

    def __init__(self, origin: str, line: int):
        super().__init__()
        self.origin = origin
        self.line = line
        self.lines: dict[Any, tuple[str, int]] = {}

    def where(self, key: Any = None) -> tuple[str, int]:
        return self.lines.get(key, (self.origin, self.line))


class _Loader(yaml.SafeLoader):
    origin = ""


# Dates stay strings so that a bad date is reported with its key path, not as a YAML crash.
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> _Map:
    loader.flatten_mapping(node)
    out = _Map(loader.origin, node.start_mark.line + 1)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in out:
            raise yaml.constructor.ConstructorError(None, None, f"key {key!r} appears twice", key_node.start_mark)
        out[key] = loader.construct_object(value_node, deep=True)
        out.lines[key] = (loader.origin, key_node.start_mark.line + 1)
    return out


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)


def _read(path: Path, label: str) -> _Map:
    loader = _Loader(path.read_text(encoding="utf-8"))
    loader.origin = label
    try:
        doc = loader.get_single_data()
    except (yaml.YAMLError, TypeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        raise DataFileError(label, f"is not valid YAML: {getattr(exc, 'problem', None) or exc}",
                            line=mark.line + 1 if mark else None) from None
    finally:
        loader.dispose()
    if not isinstance(doc, _Map):
        raise DataFileError(label, "must hold one mapping (a rule set)")
    return doc


def _merge(base: _Map, over: _Map, additive: tuple[str, ...] = ()) -> _Map:
    """`over` on top of `base`: mappings merge key by key; lists, values and any mapping that
    carries a legal_basis replace whole (a new basis never inherits the old note); lists under
    the keys in `additive` are appended to the base's."""
    out = _Map(over.origin, over.line)
    for k, v in base.items():
        out[k], out.lines[k] = v, base.where(k)
    for k, v in over.items():
        if k == "extends":
            continue
        old = out.get(k)
        if isinstance(v, _Map) and isinstance(old, _Map) and "legal_basis" not in v:
            out[k] = _merge(old, v)
        elif k in additive and isinstance(v, list) and isinstance(old, list):
            out[k] = old + v
        else:
            out[k] = v
        out.lines[k] = over.where(k)
    return out


# --- validation helpers -------------------------------------------------------------------------

def _fail(m: _Map, key: Any, path: str, message: str) -> DataFileError:
    origin, line = m.where(key)
    err = DataFileError(origin, f"{path}: {message}", line=line)
    err.details["key"] = path
    return err


def _keys(m: _Map, path: str, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> None:
    allowed = required + optional
    for k in m:
        if k not in allowed:
            close = difflib.get_close_matches(str(k), allowed, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; allowed: {', '.join(allowed)}"
            raise _fail(m, k, f"{path}.{k}".lstrip("."), f"unknown key{hint}")
    for k in required:
        if k not in m:
            raise _fail(m, None, f"{path}.{k}".lstrip("."), "is required")


def _get_map(m: _Map, key: str, path: str) -> _Map:
    v = m.get(key)
    if not isinstance(v, _Map):
        raise _fail(m, key, path, f"must be a mapping, got {v!r}")
    return v


def _get_list(m: _Map, key: str, path: str) -> list:
    v = m.get(key)
    if not isinstance(v, list):
        raise _fail(m, key, path, f"must be a list (use [] for none), got {v!r}")
    return v


def _text(m: _Map, key: str, path: str) -> str:
    v = m.get(key)
    if not isinstance(v, str) or not v.strip():
        raise _fail(m, key, path, f"must be non-empty text, got {v!r}")
    return v.strip()


def _flag(m: _Map, key: str, path: str) -> bool:
    v = m.get(key)
    if not isinstance(v, bool):
        raise _fail(m, key, path, f"must be true or false, got {v!r}")
    return v


def _number(m: _Map, key: str, path: str, *, integer: bool = False, minimum: float = 0) -> float:
    v = m.get(key)
    ok = isinstance(v, int) if integer else isinstance(v, (int, float))
    if isinstance(v, bool) or not ok or not math.isfinite(v):
        raise _fail(m, key, path, f"must be {'a whole number' if integer else 'a number'}, got {v!r}")
    if v < minimum:
        raise _fail(m, key, path, f"must not be {'negative' if minimum == 0 else f'below {minimum:g}'}, got {v!r}")
    return v


def _is_iso_date(v: Any) -> bool:
    if not isinstance(v, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", v):
        return False
    try:
        date.fromisoformat(v)
    except ValueError:
        return False
    return True


def _date(m: _Map, key: str, path: str, *, nullable: bool = False) -> date | None:
    v = m.get(key)
    if v is None and nullable:
        return None
    if not _is_iso_date(v):
        raise _fail(m, key, path, f"must be an ISO date YYYY-MM-DD{' or null' if nullable else ''}, got {v!r}")
    return date.fromisoformat(v)


def _money(m: _Map, key: str, path: str) -> Money:
    sub = _get_map(m, key, path)
    _keys(sub, path, ("amount", "currency"))
    currency = sub.get("currency")
    if not isinstance(currency, str) or not re.fullmatch(r"[A-Z]{3}", currency):
        raise _fail(sub, "currency", f"{path}.currency", f"must be an ISO 4217 code such as PKR, got {currency!r}")
    return Money(float(_number(sub, "amount", f"{path}.amount")), currency)


def _basis(m: _Map, path: str) -> tuple[str, bool, str | None]:
    """legal_basis, verified and note of a mapping; a placeholder may not claim to be verified."""
    basis, verified = _text(m, "legal_basis", f"{path}.legal_basis"), _flag(m, "verified", f"{path}.verified")
    if basis == PLACEHOLDER and verified:
        raise _fail(m, "verified", f"{path}.verified", "a placeholder cannot be verified")
    note = _text(m, "note", f"{path}.note") if "note" in m else None
    return basis, verified, note


Parse = Callable[[_Map, str, str], Any]


def _rule_value(m: _Map, key: str, path: str, parse: Parse, *, optional: bool = False) -> RuleValue | None:
    if optional and m.get(key) is None:
        return None
    sub = _get_map(m, key, path)
    _keys(sub, path, ("value", "legal_basis", "verified"), ("note",))
    value = parse(sub, "value", f"{path}.value")
    return RuleValue(value, *_basis(sub, path))


def _non_negative(sub: _Map, key: str, path: str) -> float:
    return _number(sub, key, path)


def _whole(sub: _Map, key: str, path: str) -> int:
    return int(_number(sub, key, path, integer=True))


def _codes(sub: _Map, key: str, path: str) -> tuple[str, ...]:
    v = sub.get(key)
    if not isinstance(v, list) or not v or not all(isinstance(c, str) and c for c in v):
        raise _fail(sub, key, path, f"must be a non-empty list of title type codes, got {v!r}")
    return tuple(v)


# --- one rule file ------------------------------------------------------------------------------

_TT_REQUIRED = ("name", "exclusive", "application_fee", "annual_rent_per_km2", "obligations", "eligibility")
_TT_OPTIONAL = ("min_area_km2", "max_area_km2", "term_years", "max_renewals", "renewal_term_years",
                "rent_grace_days", "grants_after", "note")


def _rent_schedule(m: _Map, path: str) -> tuple[tuple[int, RuleValue], ...]:
    steps: list[tuple[int, RuleValue]] = []
    for i, step in enumerate(_get_list(m, "annual_rent_per_km2", path)):
        where = f"{path}[{i}]"
        if not isinstance(step, _Map):
            raise _fail(m, "annual_rent_per_km2", where, "must be a mapping {from_year, rate}")
        _keys(step, where, ("from_year", "rate"))
        year = int(_number(step, "from_year", f"{where}.from_year", integer=True, minimum=1))
        if (not steps and year != 1) or (steps and year <= steps[-1][0]):
            raise _fail(step, "from_year", f"{where}.from_year",
                        "steps must start at year 1 and rise" + (f" (previous: {steps[-1][0]})" if steps else ""))
        rate = _rule_value(step, "rate", f"{where}.rate", _money)
        assert rate is not None
        if steps and rate.value.currency != steps[0][1].value.currency:
            raise _fail(step, "rate", f"{where}.rate.value.currency", "all steps must use one currency")
        steps.append((year, rate))
    return tuple(steps)


def _obligations(m: _Map, path: str) -> tuple[Obligation, ...]:
    out: list[Obligation] = []
    for i, ob in enumerate(_get_list(m, "obligations", path)):
        where = f"{path}[{i}]"
        if not isinstance(ob, _Map):
            raise _fail(m, "obligations", where, "must be a mapping")
        _keys(ob, where, ("code", "description", "due", "legal_basis", "verified"), ("note",))
        due = _get_map(ob, "due", f"{where}.due")
        _keys(due, f"{where}.due", ("days", "after"))
        after = due.get("after")
        if after not in OBLIGATION_EVENTS:
            raise _fail(due, "after", f"{where}.due.after", f"must be one of {', '.join(OBLIGATION_EVENTS)}, got {after!r}")
        code = _text(ob, "code", f"{where}.code")
        if any(o.code == code for o in out):
            raise _fail(ob, "code", f"{where}.code", f"{code!r} is listed twice")
        out.append(Obligation(code, _text(ob, "description", f"{where}.description"),
                              _whole(due, "days", f"{where}.due.days"), after, *_basis(ob, where)))
    return tuple(out)


def _eligibility(m: _Map, path: str) -> tuple[Eligibility, ...]:
    out: list[Eligibility] = []
    for i, rule in enumerate(_get_list(m, "eligibility", path)):
        where = f"{path}[{i}]"
        if not isinstance(rule, _Map):
            raise _fail(m, "eligibility", where, "must be a mapping")
        kind = rule.get("kind")
        if kind not in ELIGIBILITY_KINDS:
            raise _fail(rule, "kind", f"{where}.kind", f"must be one of {', '.join(ELIGIBILITY_KINDS)}, got {kind!r}")
        takes_value = ELIGIBILITY_KINDS[kind]
        _keys(rule, where, ("kind", "legal_basis", "verified") + (("value_pct",) if takes_value else ()), ("note",))
        value = None
        if takes_value:
            value = float(_number(rule, "value_pct", f"{where}.value_pct"))
            if value > 100:
                raise _fail(rule, "value_pct", f"{where}.value_pct", f"is a percentage, got {value:g}")
        out.append(Eligibility(kind, value, *_basis(rule, where)))
    return tuple(out)


def _title_type(code: str, m: _Map, path: str) -> TitleType:
    _keys(m, path, _TT_REQUIRED, _TT_OPTIONAL)
    opt: dict[str, RuleValue | None] = {
        k: _rule_value(m, k, f"{path}.{k}", parse, optional=True)
        for k, parse in (("min_area_km2", _non_negative), ("max_area_km2", _non_negative), ("term_years", _non_negative),
                         ("max_renewals", _whole), ("renewal_term_years", _non_negative), ("rent_grace_days", _whole),
                         ("grants_after", _codes))
    }
    lo, hi = opt["min_area_km2"], opt["max_area_km2"]
    if lo is not None and hi is not None and lo.value > hi.value:
        raise _fail(m, "min_area_km2", f"{path}.min_area_km2.value", f"{lo.value:g} is above max_area_km2 {hi.value:g}")
    exclusive = _rule_value(m, "exclusive", f"{path}.exclusive", _flag)
    fee = _rule_value(m, "application_fee", f"{path}.application_fee", _money)
    assert exclusive is not None and fee is not None
    return TitleType(
        code=code, name=_text(m, "name", f"{path}.name"), exclusive=exclusive, application_fee=fee,
        rent_schedule=_rent_schedule(m, f"{path}.annual_rent_per_km2"),
        obligations=_obligations(m, f"{path}.obligations"), eligibility=_eligibility(m, f"{path}.eligibility"),
        note=_text(m, "note", f"{path}.note") if "note" in m else None, **opt,
    )


_TOP_REQUIRED = ("jurisdiction", "name", "authority", "effective_from", "effective_to", "priority", "area_mode",
                 "max_vertices", "sources", "title_types")
_TOP_OPTIONAL = ("grid", "notes", "effective_from_basis", "competition", "conversions")


def _text_list(m: _Map, key: str) -> tuple[str, ...]:
    items = _get_list(m, key, key)
    for i, s in enumerate(items):
        if not isinstance(s, str) or not s.strip():
            raise _fail(m, key, f"{key}[{i}]", f"must be non-empty text, got {s!r}")
    return tuple(s.strip() for s in items)


def _priority(doc: _Map) -> tuple[RuleValue, str]:
    """Whether same-date applications are simultaneous, and the time zone their date is read in."""
    pri = _get_map(doc, "priority", "priority")
    _keys(pri, "priority", ("same_date_simultaneous", "window", "timezone", "legal_basis", "verified"), ("note",))
    if pri.get("window") not in PRIORITY_WINDOWS:
        raise _fail(pri, "window", "priority.window",
                    f"must be one of {', '.join(PRIORITY_WINDOWS)}, got {pri.get('window')!r}")
    tz = _text(pri, "timezone", "priority.timezone")
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise _fail(pri, "timezone", "priority.timezone", f"{tz!r} is not an IANA time zone such as Asia/Karachi") from None
    flag = _flag(pri, "same_date_simultaneous", "priority.same_date_simultaneous")
    return RuleValue(flag, *_basis(pri, "priority")), tz


def _grid(doc: _Map, mode: str) -> RuleValue | None:
    if doc.get("grid") is None:
        if mode == "grid":
            raise _fail(doc, "area_mode", "grid", "is required when area_mode is grid")
        return None
    sub = _get_map(doc, "grid", "grid")
    _keys(sub, "grid", ("cell_arcsec", "legal_basis", "verified"), ("note",))
    cell = _whole(sub, "cell_arcsec", "grid.cell_arcsec")
    if cell <= 0 or 3600 % cell:
        raise _fail(sub, "cell_arcsec", "grid.cell_arcsec", f"must divide 3600 (e.g. 15, 30, 60), got {cell}")
    return RuleValue(cell, *_basis(sub, "grid"))


def _title_types(doc: _Map) -> dict[str, TitleType]:
    types = _get_map(doc, "title_types", "title_types")
    if not types:
        raise _fail(doc, "title_types", "title_types", "must name at least one title type")
    out: dict[str, TitleType] = {}
    for code in types:
        path = f"title_types.{code}"
        if not isinstance(code, str) or not re.fullmatch(r"[A-Z][A-Z0-9]{0,9}", code):
            raise _fail(types, code, path, "a title type code is 1-10 capital letters or digits, such as EL")
        out[code] = _title_type(code, _get_map(types, code, path), path)
    for code, tt in out.items():
        unknown = [c for c in (tt.grants_after.value if tt.grants_after else ()) if c not in out]
        if unknown:
            raise _fail(types[code], "grants_after", f"title_types.{code}.grants_after.value",
                        f"{', '.join(unknown)} is not a title type here; known: {', '.join(sorted(out))}")
    return out


def _ruleset(doc: _Map, version: str) -> RuleSet:
    _keys(doc, "", _TOP_REQUIRED, _TOP_OPTIONAL)
    start = _date(doc, "effective_from", "effective_from")
    assert start is not None
    end = _date(doc, "effective_to", "effective_to", nullable=True)
    if end is not None and end <= start:
        raise _fail(doc, "effective_to", "effective_to", f"{end} is not after effective_from {start}")
    basis = None
    if "effective_from_basis" in doc:
        sub = _get_map(doc, "effective_from_basis", "effective_from_basis")
        _keys(sub, "effective_from_basis", ("legal_basis", "verified"), ("note",))
        basis = RuleValue(start, *_basis(sub, "effective_from_basis"))
    simultaneous, tz = _priority(doc)
    mode = doc.get("area_mode")
    if mode not in AREA_MODES:
        raise _fail(doc, "area_mode", "area_mode", f"must be one of {', '.join(AREA_MODES)}, got {mode!r}")
    vertices = _rule_value(doc, "max_vertices", "max_vertices",
                           lambda m, k, p: int(_number(m, k, p, integer=True, minimum=4)))
    assert vertices is not None
    sources = _text_list(doc, "sources")
    if not sources:
        raise _fail(doc, "sources", "sources", "must list at least one source")
    types = _title_types(doc)
    return RuleSet(
        jurisdiction=_text(doc, "jurisdiction", "jurisdiction"), name=_text(doc, "name", "name"), version=version,
        effective_from=start, effective_to=end, authority=_text(doc, "authority", "authority"),
        title_types=types, same_date_simultaneous=simultaneous, timezone=tz,
        grid_cell_arcsec=_grid(doc, mode), max_vertices=vertices.value, sources=sources, area_mode=mode,
        effective_from_basis=basis, notes=_text_list(doc, "notes") if "notes" in doc else (),
        competition=_competition(doc, types), conversions=_conversions(doc, types),
    )


# --- competition and conversions (issue 10): top-level keys with their own parsers --------------

def _competition_rule(m: _Map, path: str) -> CompetitionRule:
    _keys(m, path, ("method", "losers", "legal_basis", "verified"), ("bid_days", "note"))
    method, losers = m.get("method"), m.get("losers")
    if method not in COMPETITION_METHODS:
        raise _fail(m, "method", f"{path}.method", f"must be one of {', '.join(COMPETITION_METHODS)}, got {method!r}")
    if losers not in LOSER_OUTCOMES:
        raise _fail(m, "losers", f"{path}.losers", f"must be one of {', '.join(LOSER_OUTCOMES)}, got {losers!r}")
    bid_days = None
    if method == "sealed-bids":
        if "bid_days" not in m:
            raise _fail(m, None, f"{path}.bid_days", "is required for sealed-bids (days bids stay open after the group's day)")
        bid_days = int(_number(m, "bid_days", f"{path}.bid_days", integer=True, minimum=1))
    elif "bid_days" in m:
        raise _fail(m, "bid_days", f"{path}.bid_days", "only sealed-bids take bid_days")
    basis, verified, note = _basis(m, path)
    return CompetitionRule(method, losers, basis, verified, bid_days=bid_days, note=note)


def _competition(doc: _Map, types: dict[str, TitleType]) -> dict[str, CompetitionRule]:
    """competition: {default: RULE, title_types: {CODE: RULE}}: how same-day competition groups are
    resolved, per title type, with the file's default for the rest."""
    if doc.get("competition") is None:
        return {}
    sub = _get_map(doc, "competition", "competition")
    _keys(sub, "competition", ("default",), ("title_types",))
    out = {"*": _competition_rule(_get_map(sub, "default", "competition.default"), "competition.default")}
    if sub.get("title_types") is not None:
        per_type = _get_map(sub, "title_types", "competition.title_types")
        for code in per_type:
            path = f"competition.title_types.{code}"
            if code not in types:
                raise _fail(per_type, code, path, f"{code!r} is not a title type here; known: {', '.join(sorted(types))}")
            out[code] = _competition_rule(_get_map(per_type, code, path), path)
    return out


def _conversions(doc: _Map, types: dict[str, TitleType]) -> tuple[Conversion, ...]:
    """conversions: [{from: CODE, to: [CODE...], legal_basis, verified}]: which title's holders alone
    may apply for which titles over its ground."""
    if doc.get("conversions") is None:
        return ()
    out: list[Conversion] = []
    for i, item in enumerate(_get_list(doc, "conversions", "conversions")):
        where = f"conversions[{i}]"
        if not isinstance(item, _Map):
            raise _fail(doc, "conversions", where, "must be a mapping {from, to, legal_basis, verified}")
        _keys(item, where, ("from", "to", "legal_basis", "verified"), ("note",))
        parent = item.get("from")
        if parent not in types:
            raise _fail(item, "from", f"{where}.from", f"{parent!r} is not a title type here; known: {', '.join(sorted(types))}")
        children = _codes(item, "to", f"{where}.to")
        unknown = [c for c in children if c not in types]
        if unknown:
            raise _fail(item, "to", f"{where}.to", f"{', '.join(map(str, unknown))} is not a title type here; "
                        f"known: {', '.join(sorted(types))}")
        if parent in children:
            raise _fail(item, "to", f"{where}.to", f"a {parent} cannot convert into itself")
        if any(c.parent == parent for c in out):
            raise _fail(item, "from", f"{where}.from", f"{parent} is listed twice; list all its children in one entry")
        out.append(Conversion(parent, children, *_basis(item, where)))
    return tuple(out)


# --- folders and versions -----------------------------------------------------------------------

def default_rules_dir() -> Path:
    return Path(str(resources.files("maadan") / "data" / "rules"))


def _label(path: Path) -> str:
    try:
        return str(path.relative_to(Path(str(resources.files("maadan")))))
    except ValueError:
        return str(path)


def _resolve(stem: str, raw: dict[str, _Map]) -> _Map:
    doc = raw[stem]
    if "extends" not in doc:
        return doc
    parent = doc["extends"]
    if not isinstance(parent, str) or parent not in raw or parent >= stem:
        raise _fail(doc, "extends", "extends", f"must name an earlier version in this folder "
                    f"({', '.join(s for s in sorted(raw) if s < stem) or 'none'}), got {parent!r}")
    return _merge(_resolve(parent, raw), doc, additive=("sources", "notes"))


def _jurisdiction(folder: Path) -> list[RuleSet]:
    raw: dict[str, _Map] = {}
    for path in sorted(folder.glob("*.yaml")):
        if not _is_iso_date(path.stem):
            raise DataFileError(_label(path), "a rule file is named for the date it takes effect: YYYY-MM-DD.yaml")
        raw[path.stem] = _read(path, _label(path))
    versions: list[RuleSet] = []
    for stem in sorted(raw):
        doc = _resolve(stem, raw)
        rs = _ruleset(doc, stem)
        if rs.jurisdiction != folder.name:
            raise _fail(doc, "jurisdiction", "jurisdiction", f"{rs.jurisdiction!r} differs from its folder {folder.name!r}")
        if rs.effective_from.isoformat() != stem:
            raise _fail(doc, "effective_from", "effective_from", f"{rs.effective_from} differs from the file name {stem}")
        versions.append(rs)
    for i, rs in enumerate(versions[:-1]):
        nxt = versions[i + 1]
        if rs.effective_to is None:  # open-ended: the next version closes it
            versions[i] = replace(rs, effective_to=nxt.effective_from)
        elif rs.effective_to > nxt.effective_from:
            doc = raw[rs.version]
            raise _fail(doc, "effective_to", "effective_to", f"{rs.effective_to} overlaps version {nxt.version}")
    return versions


def load_rulesets(folder: Path | None = None) -> list[RuleSet]:
    """Every rule set under `folder` (default: the bundled data/rules), one per <JURISDICTION>/<date>.yaml,
    fully validated; an open effective_to ends where the next version begins. DataFileError names
    the file, line and key path of the first problem."""
    root = Path(folder) if folder is not None else default_rules_dir()
    if not root.is_dir():
        raise DataFileError(str(root), "rule folder not found")
    out: list[RuleSet] = []
    for sub in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))):
        if not re.fullmatch(r"[A-Z]{2}(-[A-Z0-9]{1,3})?", sub.name):
            raise DataFileError(_label(sub), "a rule folder is named for its jurisdiction, e.g. PK-BA")
        out += _jurisdiction(sub)
    if not out:
        raise DataFileError(_label(root), "holds no rule files (<JURISDICTION>/<YYYY-MM-DD>.yaml)")
    return out


# --- using the rules ----------------------------------------------------------------------------
