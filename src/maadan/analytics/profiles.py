"""Screening profiles (data/profiles/*.yaml): weights an investor gives to minerals, economics, stage and
risk, each with the reason for it. Strict keys: an unknown key or a weight without a reason is an error."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Mapping

from maadan import bundled
from maadan.analytics.params import _load_yaml, is_file_name
from maadan.errors import DataFileError

FACTORS = ("minerals", "economics", "stage", "security", "governance")
TOP = {"schema", "id", "name", "minerals", "weights", "stage_scores", "economics", "unknown_score", "notes"}
WEIGHT_KEYS = {"value", "why", "verified", "source"}


@dataclass(frozen=True)
class Weight:
    value: float
    why: str


@dataclass(frozen=True)
class Profile:
    id: str
    name: str
    path: str
    list_id: str
    list_source: str
    listed_weight: Weight
    score_weight: Weight
    weights: Mapping[str, Weight]  # factor -> weight
    stage_scores: Mapping[str, Weight]
    hurdle_rate_pct: Weight
    scale_musd: Weight
    unknown_score: Weight


def _keys(path: str, data: Any, allowed: set[str], where: str, required: set[str] | None = None) -> dict:
    if not isinstance(data, dict):
        raise DataFileError(path, f"{where or 'file'}: expected a mapping, got {type(data).__name__}")
    for k in data:
        if k not in allowed:
            raise DataFileError(path, f"{where + ': ' if where else ''}unknown key {k!r} "
                                      f"(allowed: {', '.join(sorted(allowed))})")
    for k in sorted(required if required is not None else allowed):
        if k not in data:
            raise DataFileError(path, f"{where + ': ' if where else ''}missing key {k!r}")
    return data


def _weight(path: str, data: Any, where: str, lo: float = 0.0, hi: float = 1.0) -> Weight:
    d = _keys(path, data, WEIGHT_KEYS, where, {"value", "why", "verified"})
    v = d["value"]
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not lo <= v <= hi:
        raise DataFileError(path, f"{where}: value must be a number between {lo:g} and {hi:g}, not {v!r}")
    if not str(d["why"] or "").strip():
        raise DataFileError(path, f"{where}: every weight needs a reason ('why')")
    return Weight(float(v), str(d["why"]).strip())


def parse_profile(path: str, data: Any) -> Profile:
    top = _keys(path, data, TOP, "", TOP - {"notes"})
    m = _keys(path, top["minerals"], {"list", "list_source", "listed_weight", "score_weight"}, "minerals")
    listed, scored = _weight(path, m["listed_weight"], "minerals.listed_weight"), \
        _weight(path, m["score_weight"], "minerals.score_weight")
    if abs(listed.value + scored.value - 1.0) > 1e-9:
        raise DataFileError(path, f"minerals: listed_weight + score_weight must sum to 1, not "
                                  f"{listed.value + scored.value:g}")
    w = _keys(path, top["weights"], set(FACTORS), "weights")
    weights = {k: _weight(path, w[k], f"weights.{k}") for k in FACTORS}
    total = sum(x.value for x in weights.values())
    if abs(total - 1.0) > 1e-9:
        raise DataFileError(path, f"weights: the factor weights must sum to 1 (100 %), not {total:g}")
    stages = top["stage_scores"]
    if not isinstance(stages, dict) or not stages:
        raise DataFileError(path, "stage_scores: expected a mapping of stage -> score")
    e = _keys(path, top["economics"], {"hurdle_rate_pct", "scale_musd"}, "economics")
    return Profile(
        id=str(top["id"]), name=str(top["name"]), path=path, list_id=str(m["list"]),
        list_source=str(m["list_source"]), listed_weight=listed, score_weight=scored, weights=weights,
        stage_scores={str(k): _weight(path, v, f"stage_scores.{k}") for k, v in stages.items()},
        hurdle_rate_pct=_weight(path, e["hurdle_rate_pct"], "economics.hurdle_rate_pct", -99.0, 100.0),
        scale_musd=_weight(path, e["scale_musd"], "economics.scale_musd", 1e-9, 1e9),
        unknown_score=_weight(path, top["unknown_score"], "unknown_score"),
    )


def profiles_dir() -> Path:
    return Path(str(resources.files("maadan") / "data" / "profiles"))


def load_profile(name_or_path: str) -> Profile:
    """A bundled profile by id (`us-investor`) or a user's .yaml file (the command line's --profile)."""
    if is_file_name(name_or_path):
        return parse_profile(str(name_or_path), _load_yaml(name_or_path))
    return bundled_profile(name_or_path)


def bundled_profile(profile_id: str) -> Profile:
    """The bundled profile of an id; the id is looked up among the bundled files, never used as a path."""
    f = bundled.find(profiles_dir(), ".yaml", profile_id, "screening profile")
    rel = f"data/profiles/{f.name}"
    return parse_profile(rel, _load_yaml(rel, f.read_text(encoding="utf-8")))


def profile_ids() -> list[str]:
    return bundled.ids(profiles_dir(), ".yaml")
