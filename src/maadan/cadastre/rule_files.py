"""Reading rule files: data/rules/<JURISDICTION>/<YYYY-MM-DD>.yaml into RuleSets. Every value must
carry its legal basis and a verified flag (a verified value also its source and the source's
confidence); a version has a dated legal status; a later version may `extend` an earlier one and
may mark what it inherits as carried over. Malformed files are refused with the file, line and key
path, and nothing loads half: one bad file refuses the whole folder."""

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

from maadan.cadastre.boundaries import available_zones
from maadan.cadastre.rules import (
    AREA_MODES,
    CERTAIN_BY_DEFAULT,
    CONFIDENCE,
    COMPETITION_METHODS,
    LOSER_OUTCOMES,
    ELIGIBILITY_KINDS,
    OBLIGATION_EVENTS,
    PRIORITY_WINDOWS,
    STATUSES,
    VERIFIABLE_CONFIDENCE,
    CompetitionRule,
    Conversion,
    Eligibility,
    MineralRestriction,
    Money,
    MoneyRange,
    Obligation,
    Observation,
    Reading,
    RuleSet,
    RuleValue,
    StatusEvent,
    TitleType,
    is_placeholder,
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


# Keys that belong to one version and are never inherited by a version that extends it.
VERSION_OWN = ("extends", "effective_from", "effective_to", "effective_from_basis", "legal_status", "title",
               "inherited")


def _merge(base: _Map, over: _Map, additive: tuple[str, ...] = ()) -> _Map:
    """`over` on top of `base`: mappings merge key by key; lists, values and any mapping that
    carries a legal_basis replace whole (a new basis never inherits the old note); lists under
    the keys in `additive` are appended to the base's. A version's own keys (VERSION_OWN) are not
    taken from the base."""
    out = _Map(over.origin, over.line)
    for k, v in base.items():
        if k not in VERSION_OWN:
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


def _carried(node: Any, parent: str, basis: str, note: str | None) -> Any:
    """A copy of `node` in which every value with a legal basis is marked as carried over from the
    `parent` version: unverified, with `basis` as its legal basis and the old basis in its note."""
    if isinstance(node, list):
        return [_carried(x, parent, basis, note) for x in node]
    if not isinstance(node, _Map):
        return node
    out = _Map(node.origin, node.line)
    for k, v in node.items():
        out[k], out.lines[k] = _carried(v, parent, basis, note), node.where(k)
    if "legal_basis" in node and isinstance(node.get("legal_basis"), str):
        old = str(node["legal_basis"])
        was = ("" if is_placeholder(old) else f"{old}" + (f"; {node['source']}" if node.get("source") else "")
               + ("; verified" if node.get("verified") is True else "; unverified"))
        text = f"carried over from version {parent}" + (f" ({was})" if was else " (a placeholder there too)")
        if node.get("note"):
            text += f"; {str(node['note']).rstrip('.')}"
        if note:
            text += f". {note}"
        out["legal_basis"], out["verified"], out["note"] = basis, False, text
        for k in ("source", "confidence"):
            out.pop(k, None)
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


def _items(m: _Map, key: str, path: str) -> list[tuple[str, _Map]]:
    """The mappings of a list, each with its key path; a non-mapping item is refused."""
    out = []
    for i, item in enumerate(_get_list(m, key, path)):
        where = f"{path}[{i}]"
        if not isinstance(item, _Map):
            raise _fail(m, key, where, "must be a mapping")
        out.append((where, item))
    return out


def _text(m: _Map, key: str, path: str) -> str:
    v = m.get(key)
    if not isinstance(v, str) or not v.strip():
        raise _fail(m, key, path, f"must be non-empty text, got {v!r}")
    return v.strip()


def _opt_text(m: _Map, key: str, path: str) -> str | None:
    return _text(m, key, path) if m.get(key) is not None else None


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
    if key not in m and not nullable:
        raise _fail(m, None, path, "is required (an ISO date YYYY-MM-DD)")
    if not _is_iso_date(v):
        raise _fail(m, key, path, f"must be an ISO date YYYY-MM-DD{' or null' if nullable else ''}, got {v!r}")
    return date.fromisoformat(v)


def _currency(m: _Map, path: str) -> str:
    currency = m.get("currency")
    if not isinstance(currency, str) or not re.fullmatch(r"[A-Z]{3}", currency):
        raise _fail(m, "currency", f"{path}.currency", f"must be an ISO 4217 code such as PKR, got {currency!r}")
    return currency


def _money(m: _Map, key: str, path: str) -> Money:
    sub = _get_map(m, key, path)
    _keys(sub, path, ("amount", "currency"))
    return Money(float(_number(sub, "amount", f"{path}.amount")), _currency(sub, path))


def _money_or_range(m: _Map, key: str, path: str) -> Money | MoneyRange:
    """{amount, currency} or, where a source gives only a range, {low, high, currency}."""
    sub = _get_map(m, key, path)
    if "amount" in sub:
        return _money(m, key, path)
    _keys(sub, path, ("low", "high", "currency"))
    low, high = float(_number(sub, "low", f"{path}.low")), float(_number(sub, "high", f"{path}.high"))
    if low > high:
        raise _fail(sub, "low", f"{path}.low", f"{low:g} is above high {high:g}")
    return MoneyRange(low, high, _currency(sub, path))


CITE_OPTIONAL = ("note", "source", "confidence")
Basis = tuple[str, bool, str | None, str | None, str | None]


def _basis(m: _Map, path: str) -> Basis:
    """legal_basis, verified, note, source and confidence of a mapping. A placeholder cannot be
    verified; a verified value names its source, whose confidence must be H, M-H or M."""
    basis, verified = _text(m, "legal_basis", f"{path}.legal_basis"), _flag(m, "verified", f"{path}.verified")
    note, source = _opt_text(m, "note", f"{path}.note"), _opt_text(m, "source", f"{path}.source")
    confidence = m.get("confidence")
    if confidence is not None and confidence not in CONFIDENCE:
        raise _fail(m, "confidence", f"{path}.confidence", f"must be one of {', '.join(CONFIDENCE)}, got {confidence!r}")
    if verified:
        if is_placeholder(basis):
            raise _fail(m, "verified", f"{path}.verified", "a placeholder cannot be verified")
        if source is None:
            raise _fail(m, "verified", f"{path}.source", "a verified value must name its source (where it was read)")
        if confidence not in VERIFIABLE_CONFIDENCE:
            raise _fail(m, "confidence" if "confidence" in m else "verified", f"{path}.confidence",
                        f"a verified value needs a source of confidence {', '.join(VERIFIABLE_CONFIDENCE)}; "
                        f"got {confidence!r} (mark it verified: false)")
    if source is not None and confidence is None:
        raise _fail(m, "source", f"{path}.confidence", "a source needs its confidence (H, M-H, M, L-M or L)")
    return basis, verified, note, source, confidence


Parse = Callable[[_Map, str, str], Any]


def _readings(m: _Map, path: str, parse: Parse) -> tuple[Reading, ...]:
    if m.get("readings") is None:
        return ()
    out = []
    for where, item in _items(m, "readings", f"{path}.readings"):
        _keys(item, where, ("value", "source", "confidence"), ("note",))
        confidence = item.get("confidence")
        if confidence not in CONFIDENCE:
            raise _fail(item, "confidence", f"{where}.confidence", f"must be one of {', '.join(CONFIDENCE)}, got {confidence!r}")
        out.append(Reading(parse(item, "value", f"{where}.value"), _text(item, "source", f"{where}.source"),
                           confidence, _opt_text(item, "note", f"{where}.note")))
    return tuple(out)


def _rule_value(m: _Map, key: str, path: str, parse: Parse, *, optional: bool = False) -> RuleValue | None:
    if optional and m.get(key) is None:
        return None
    sub = _get_map(m, key, path)
    _keys(sub, path, ("value", "legal_basis", "verified"), CITE_OPTIONAL + ("readings",))
    value = parse(sub, "value", f"{path}.value")
    basis, verified, note, source, confidence = _basis(sub, path)
    return RuleValue(value, basis, verified, note, source, confidence, _readings(sub, path, parse))


def _non_negative(sub: _Map, key: str, path: str) -> float:
    return _number(sub, key, path)


def _whole(sub: _Map, key: str, path: str) -> int:
    return int(_number(sub, key, path, integer=True))


def _codes(sub: _Map, key: str, path: str) -> tuple[str, ...]:
    v = sub.get(key)
    if not isinstance(v, list) or not v or not all(isinstance(c, str) and c for c in v):
        raise _fail(sub, key, path, f"must be a non-empty list of title type codes, got {v!r}")
    return tuple(v)


def _slugs(sub: _Map, key: str, path: str, *, empty: bool = False) -> tuple[str, ...]:
    v = sub.get(key)
    if not isinstance(v, list) or (not v and not empty) or \
            not all(isinstance(c, str) and re.fullmatch(r"[a-z0-9][a-z0-9-]*", c) for c in v):
        raise _fail(sub, key, path, f"must be a list of lower-case ids such as [salt], got {v!r}")
    return tuple(v)


# --- one rule file ------------------------------------------------------------------------------

_TT_REQUIRED = ("name", "exclusive", "application_fee", "obligations", "eligibility")
_TT_OPTIONAL = ("min_area_km2", "max_area_km2", "term_years", "max_renewals", "renewal_term_years",
                "rent_grace_days", "grants_after", "note", "annual_rent_per_km2", "annual_rent_per_title",
                "grant_fee", "renewal_fee", "security", "transfer_lock_years", "review_days", "min_investment",
                "observations")


def _rent_schedule(m: _Map, key: str, path: str) -> tuple[tuple[int, RuleValue], ...]:
    steps: list[tuple[int, RuleValue]] = []
    for i, step in enumerate(_get_list(m, key, path)):
        where = f"{path}[{i}]"
        if not isinstance(step, _Map):
            raise _fail(m, key, where, "must be a mapping {from_year, rate}")
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


def _rent(m: _Map, path: str) -> tuple[str, tuple[tuple[int, RuleValue], ...]]:
    """The rent schedule, per km² held or flat per title: exactly one of the two keys."""
    given = [k for k in ("annual_rent_per_km2", "annual_rent_per_title") if m.get(k) is not None]
    if len(given) != 1:
        raise _fail(m, given[-1] if given else None, f"{path}.annual_rent_per_km2",
                    "give exactly one of annual_rent_per_km2 and annual_rent_per_title (set the other to null)"
                    if given else "is required (or annual_rent_per_title for a flat rent)")
    key = given[0]
    return ("km2" if key.endswith("km2") else "title"), _rent_schedule(m, key, f"{path}.{key}")


def _obligations(m: _Map, path: str) -> tuple[Obligation, ...]:
    out: list[Obligation] = []
    for where, ob in _items(m, "obligations", path):
        _keys(ob, where, ("code", "description", "due", "legal_basis", "verified"), CITE_OPTIONAL)
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


def _eligibility(m: _Map, path: str, zones: tuple[str, ...]) -> tuple[Eligibility, ...]:
    out: list[Eligibility] = []
    for where, rule in _items(m, "eligibility", path):
        kind = rule.get("kind")
        if kind not in ELIGIBILITY_KINDS:
            raise _fail(rule, "kind", f"{where}.kind", f"must be one of {', '.join(ELIGIBILITY_KINDS)}, got {kind!r}")
        takes_value = ELIGIBILITY_KINDS[kind]
        own = (("value_pct",) if takes_value else ()) + (("zone",) if kind == "locals_only_in_zone" else ())
        _keys(rule, where, ("kind", "legal_basis", "verified") + own, CITE_OPTIONAL)
        value = None
        if takes_value:
            value = float(_number(rule, "value_pct", f"{where}.value_pct"))
            if value > 100:
                raise _fail(rule, "value_pct", f"{where}.value_pct", f"is a percentage, got {value:g}")
        zone = None
        if kind == "locals_only_in_zone":
            zone = _text(rule, "zone", f"{where}.zone")
            if zone not in zones:
                raise _fail(rule, "zone", f"{where}.zone", f"{zone!r} is not a bundled zone; known: {', '.join(zones) or 'none'}")
        out.append(Eligibility(kind, value, *_basis(rule, where), zone=zone))
    return tuple(out)


def _observations(m: _Map, path: str) -> tuple[Observation, ...]:
    """Titles granted in practice: cited notes on the type, never limits."""
    if m.get("observations") is None:
        return ()
    out = []
    for where, ob in _items(m, "observations", path):
        _keys(ob, where, ("label", "source", "confidence"), ("area", "term_years", "text", "note"))
        confidence = ob.get("confidence")
        if confidence not in CONFIDENCE:
            raise _fail(ob, "confidence", f"{where}.confidence", f"must be one of {', '.join(CONFIDENCE)}, got {confidence!r}")
        lo = hi = unit = None
        if ob.get("area") is not None:
            area = _get_map(ob, "area", f"{where}.area")
            _keys(area, f"{where}.area", ("unit",), ("value", "min", "max"))
            unit = area.get("unit")
            if unit not in ("km2", "acre"):
                raise _fail(area, "unit", f"{where}.area.unit", f"must be km2 or acre, got {unit!r}")
            if "value" in area:
                if "min" in area or "max" in area:
                    raise _fail(area, "value", f"{where}.area", "give value, or min and/or max, not both")
                lo = hi = float(_number(area, "value", f"{where}.area.value"))
            else:
                if "max" not in area:
                    raise _fail(area, None, f"{where}.area.max", "is required with min (or give value)")
                hi = float(_number(area, "max", f"{where}.area.max"))
                lo = float(_number(area, "min", f"{where}.area.min")) if "min" in area else None
                if lo is not None and lo > hi:
                    raise _fail(area, "min", f"{where}.area.min", f"{lo:g} is above max {hi:g}")
        term = float(_number(ob, "term_years", f"{where}.term_years")) if ob.get("term_years") is not None else None
        if lo is None and hi is None and term is None and ob.get("text") is None:
            raise _fail(ob, "label", where, "an observation states an area, a term or a text")
        out.append(Observation(_text(ob, "label", f"{where}.label"), _text(ob, "source", f"{where}.source"), confidence,
                               area_min=lo, area_max=hi, area_unit=unit, term_years=term,
                               text=_opt_text(ob, "text", f"{where}.text"), note=_opt_text(ob, "note", f"{where}.note")))
    return tuple(out)


def _title_type(code: str, m: _Map, path: str, zones: tuple[str, ...]) -> TitleType:
    _keys(m, path, _TT_REQUIRED, _TT_OPTIONAL)
    opt: dict[str, RuleValue | None] = {
        k: _rule_value(m, k, f"{path}.{k}", parse, optional=True)
        for k, parse in (("min_area_km2", _non_negative), ("max_area_km2", _non_negative), ("term_years", _non_negative),
                         ("max_renewals", _whole), ("renewal_term_years", _non_negative), ("rent_grace_days", _whole),
                         ("grants_after", _codes), ("grant_fee", _money_or_range), ("renewal_fee", _money_or_range),
                         ("security", _money_or_range), ("transfer_lock_years", _non_negative),
                         ("review_days", _whole), ("min_investment", _money))
    }
    lo, hi = opt["min_area_km2"], opt["max_area_km2"]
    if lo is not None and hi is not None and lo.value > hi.value:
        raise _fail(m, "min_area_km2", f"{path}.min_area_km2.value", f"{lo.value:g} is above max_area_km2 {hi.value:g}")
    exclusive = _rule_value(m, "exclusive", f"{path}.exclusive", _flag)
    fee = _rule_value(m, "application_fee", f"{path}.application_fee", _money)
    assert exclusive is not None and fee is not None
    rent_per, schedule = _rent(m, path)
    return TitleType(
        code=code, name=_text(m, "name", f"{path}.name"), exclusive=exclusive, application_fee=fee,
        rent_schedule=schedule, rent_per=rent_per,
        obligations=_obligations(m, f"{path}.obligations"), eligibility=_eligibility(m, f"{path}.eligibility", zones),
        note=_opt_text(m, "note", f"{path}.note"), observations=_observations(m, f"{path}.observations"), **opt,
    )


_TOP_REQUIRED = ("jurisdiction", "name", "authority", "effective_from", "priority", "area_mode",
                 "max_vertices", "sources", "title_types")
_TOP_OPTIONAL = ("effective_to", "grid", "notes", "effective_from_basis", "title", "legal_status", "mineral_restrictions",
                 "inherited", "competition", "conversions")


def _text_list(m: _Map, key: str) -> tuple[str, ...]:
    items = _get_list(m, key, key)
    for i, s in enumerate(items):
        if not isinstance(s, str) or not s.strip():
            raise _fail(m, key, f"{key}[{i}]", f"must be non-empty text, got {s!r}")
    return tuple(s.strip() for s in items)


def _priority(doc: _Map) -> tuple[RuleValue, str]:
    """Whether same-date applications are simultaneous, and the time zone their date is read in."""
    pri = _get_map(doc, "priority", "priority")
    _keys(pri, "priority", ("same_date_simultaneous", "window", "timezone", "legal_basis", "verified"), CITE_OPTIONAL)
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
    _keys(sub, "grid", ("cell_arcsec", "legal_basis", "verified"), CITE_OPTIONAL)
    cell = _whole(sub, "cell_arcsec", "grid.cell_arcsec")
    if cell <= 0 or 3600 % cell:
        raise _fail(sub, "cell_arcsec", "grid.cell_arcsec", f"must divide 3600 (e.g. 15, 30, 60), got {cell}")
    return RuleValue(cell, *_basis(sub, "grid"))


def _title_types(doc: _Map, zones: tuple[str, ...]) -> dict[str, TitleType]:
    types = _get_map(doc, "title_types", "title_types")
    if not types:
        raise _fail(doc, "title_types", "title_types", "must name at least one title type")
    out: dict[str, TitleType] = {}
    for code in types:
        path = f"title_types.{code}"
        if not isinstance(code, str) or not re.fullmatch(r"[A-Z][A-Z0-9]{0,9}", code):
            raise _fail(types, code, path, "a title type code is 1-10 capital letters or digits, such as EL")
        out[code] = _title_type(code, _get_map(types, code, path), path, zones)
    for code, tt in out.items():
        unknown = [c for c in (tt.grants_after.value if tt.grants_after else ()) if c not in out]
        if unknown:
            raise _fail(types[code], "grants_after", f"title_types.{code}.grants_after.value",
                        f"{', '.join(unknown)} is not a title type here; known: {', '.join(sorted(out))}")
    return out


def _legal_status(doc: _Map, start: date, basis: RuleValue | None) -> tuple[StatusEvent, ...]:
    """The version's dated status changes: the first on effective_from (a bill pending or in
    force), each later one after the one before; nothing after a repeal. Without legal_status a
    version is in force from effective_from."""
    if doc.get("legal_status") is None:
        if basis is not None:
            return (StatusEvent(start, "in-force", basis.legal_basis, basis.verified, basis.note, basis.source,
                                basis.confidence),)
        return (StatusEvent(start, "in-force", "effective_from in the rule file", False,
                            "No legal status or basis is given for this version."),)
    events: list[StatusEvent] = []
    items = _items(doc, "legal_status", "legal_status")
    if not items:
        raise _fail(doc, "legal_status", "legal_status", "must list at least the version's first status")
    for where, ev in items:
        _keys(ev, where, ("date", "status", "legal_basis", "verified"), CITE_OPTIONAL + ("certain",))
        status = ev.get("status")
        if status not in STATUSES:
            raise _fail(ev, "status", f"{where}.status", f"must be one of {', '.join(STATUSES)}, got {status!r}")
        on = _date(ev, "date", f"{where}.date")
        assert on is not None
        certain = _flag(ev, "certain", f"{where}.certain") if "certain" in ev else CERTAIN_BY_DEFAULT[status]
        if not events:
            if status not in ("pending", "in-force"):
                raise _fail(ev, "status", f"{where}.status", f"a version starts as pending or in-force, not {status}")
            if on != start:
                raise _fail(ev, "date", f"{where}.date", f"the first status is dated effective_from ({start}), got {on}")
        else:
            prev = events[-1]
            if on <= prev.on:
                raise _fail(ev, "date", f"{where}.date", f"{on} is not after the previous status change ({prev.on})")
            if prev.status == "repealed":
                raise _fail(ev, "status", f"{where}.status", f"nothing follows a repeal ({prev.on})")
            if status == "pending":
                raise _fail(ev, "status", f"{where}.status", f"a version cannot become pending again after {prev.status}")
        events.append(StatusEvent(on, status, *_basis(ev, where), certain=certain))
    return tuple(events)


def _restrictions(doc: _Map, types: dict[str, TitleType]) -> tuple[MineralRestriction, ...]:
    if doc.get("mineral_restrictions") is None:
        return ()
    out: list[MineralRestriction] = []
    for where, r in _items(doc, "mineral_restrictions", "mineral_restrictions"):
        _keys(r, where, ("code", "minerals", "since", "holder_kinds", "description", "legal_basis", "verified"),
              CITE_OPTIONAL + ("title_types", "exception", "exception_code"))
        code = _text(r, "code", f"{where}.code")
        if any(x.code == code for x in out):
            raise _fail(r, "code", f"{where}.code", f"{code!r} is listed twice")
        title_types = _codes(r, "title_types", f"{where}.title_types") if r.get("title_types") else ()
        unknown = [c for c in title_types if c not in types]
        if unknown:
            raise _fail(r, "title_types", f"{where}.title_types", f"{', '.join(unknown)} is not a title type here")
        exception, exc_code = _opt_text(r, "exception", f"{where}.exception"), _opt_text(r, "exception_code", f"{where}.exception_code")
        if (exception is None) != (exc_code is None):
            raise _fail(r, "exception" if exception else "exception_code", where,
                        "give both exception (in words) and exception_code (what an applicant declares), or neither")
        since = _date(r, "since", f"{where}.since")
        assert since is not None
        out.append(MineralRestriction(
            code, _slugs(r, "minerals", f"{where}.minerals"), since, title_types,
            _slugs(r, "holder_kinds", f"{where}.holder_kinds"), _text(r, "description", f"{where}.description"),
            *_basis(r, where), exception=exception, exception_code=exc_code))
    return tuple(out)


def _ruleset(doc: _Map, version: str, zones: tuple[str, ...]) -> RuleSet:
    _keys(doc, "", _TOP_REQUIRED, _TOP_OPTIONAL)
    start = _date(doc, "effective_from", "effective_from")
    assert start is not None
    end = _date(doc, "effective_to", "effective_to", nullable=True)
    if end is not None and end <= start:
        raise _fail(doc, "effective_to", "effective_to", f"{end} is not after effective_from {start}")
    basis = None
    if "effective_from_basis" in doc:
        sub = _get_map(doc, "effective_from_basis", "effective_from_basis")
        _keys(sub, "effective_from_basis", ("legal_basis", "verified"), CITE_OPTIONAL)
        basis = RuleValue(start, *_basis(sub, "effective_from_basis"))
    status = _legal_status(doc, start, basis)
    if end is not None and status[-1].on >= end:
        raise _fail(doc, "effective_to", "effective_to", f"{end} is not after the last status change ({status[-1].on})")
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
    types = _title_types(doc, zones)
    return RuleSet(
        jurisdiction=_text(doc, "jurisdiction", "jurisdiction"), name=_text(doc, "name", "name"), version=version,
        effective_from=start, effective_to=end, authority=_text(doc, "authority", "authority"),
        title_types=types, same_date_simultaneous=simultaneous, timezone=tz,
        grid_cell_arcsec=_grid(doc, mode), max_vertices=vertices.value, sources=sources, area_mode=mode,
        effective_from_basis=basis, notes=_text_list(doc, "notes") if "notes" in doc else (),
        title=_opt_text(doc, "title", "title") or "", status=status,
        mineral_restrictions=_restrictions(doc, types), max_vertices_basis=vertices,
        competition=_competition(doc, types), conversions=_conversions(doc, types),
    )


# --- competition and conversions (issue 10): top-level keys with their own parsers --------------

def _competition_rule(m: _Map, path: str) -> CompetitionRule:
    _keys(m, path, ("method", "losers", "legal_basis", "verified"), ("bid_days",) + CITE_OPTIONAL)
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
    basis, verified, note, source, confidence = _basis(m, path)
    return CompetitionRule(method, losers, basis, verified, bid_days=bid_days, note=note, source=source,
                           confidence=confidence)


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
        _keys(item, where, ("from", "to", "legal_basis", "verified"), CITE_OPTIONAL)
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
    base = _resolve(parent, raw)
    if doc.get("inherited") is not None:
        inh = _get_map(doc, "inherited", "inherited")
        _keys(inh, "inherited", ("legal_basis",), ("note",))
        text = _text(inh, "legal_basis", "inherited.legal_basis")
        if not is_placeholder(text):
            raise _fail(inh, "legal_basis", "inherited.legal_basis",
                        "values carried over unconfirmed are placeholders: begin the text with 'placeholder'")
        base = _carried(base, parent, text, _opt_text(inh, "note", "inherited.note"))
    return _merge(base, doc, additive=("sources", "notes"))


def _jurisdiction(folder: Path, zones: tuple[str, ...]) -> list[RuleSet]:
    raw: dict[str, _Map] = {}
    for path in sorted(folder.glob("*.yaml")):
        if not _is_iso_date(path.stem):
            raise DataFileError(_label(path), "a rule file is named for the date it takes effect: YYYY-MM-DD.yaml")
        raw[path.stem] = _read(path, _label(path))
    versions: list[RuleSet] = []
    for stem in sorted(raw):
        doc = _resolve(stem, raw)
        rs = _ruleset(doc, stem, zones)
        if rs.jurisdiction != folder.name:
            raise _fail(doc, "jurisdiction", "jurisdiction", f"{rs.jurisdiction!r} differs from its folder {folder.name!r}")
        if rs.effective_from.isoformat() != stem:
            raise _fail(doc, "effective_from", "effective_from", f"{rs.effective_from} differs from the file name {stem}")
        versions.append(rs if not isinstance(raw[stem].get("extends"), str) else
                        _with_parent(rs, raw[stem]["extends"]))
    for rs, nxt in zip(versions, versions[1:]):
        if rs.effective_to is not None and rs.effective_to > nxt.effective_from:
            raise _fail(raw[rs.version], "effective_to", "effective_to",
                        f"{rs.effective_to} overlaps version {nxt.version}, which takes effect on {nxt.effective_from}")
    return versions


def _with_parent(rs: RuleSet, parent: str) -> RuleSet:
    return replace(rs, extends=parent)


def load_rulesets(folder: Path | None = None) -> list[RuleSet]:
    """Every rule set under `folder` (default: the bundled data/rules), one per <JURISDICTION>/<date>.yaml,
    fully validated. Which version applies on a day follows from the versions' legal status (see
    rules.applicable_rules). DataFileError names the file, line and key path of the first problem;
    nothing is returned unless every file is sound."""
    root = Path(folder) if folder is not None else default_rules_dir()
    if not root.is_dir():
        raise DataFileError(str(root), "rule folder not found")
    zones = tuple(available_zones())
    out: list[RuleSet] = []
    for sub in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))):
        if not re.fullmatch(r"[A-Z]{2}(-[A-Z0-9]{1,3})?", sub.name):
            raise DataFileError(_label(sub), "a rule folder is named for its jurisdiction, e.g. PK-BA")
        out += _jurisdiction(sub, zones)
    if not out:
        raise DataFileError(_label(root), "holds no rule files (<JURISDICTION>/<YYYY-MM-DD>.yaml)")
    return out
