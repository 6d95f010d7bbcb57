"""Expected disruption loss: supply risk as probability x exposure x value of US consumption
(docs/analytics.md §2b), and its validation against the USGS 2025 ranking and list.

Pure functions over the knowledge base's figures (passed in) and three bundled tables: US consumption and price
(data/usgs/mcs2025_consumption_value.csv), export restrictions (data/lists/export_restrictions.csv) and the
USGS 2025 economic-effects order (data/lists/usgs_2025_economic_rank.csv).
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import numpy as np

from maadan.analytics import governance as gov
from maadan.analytics.criticality import MineralRisk
from maadan.analytics.validation import roc_auc

P_RESTRICTED = 1.0  # fixed before measuring (docs/analytics.md §2b)
P_OTHER = 0.1
GRID = (0.01, 0.03, 0.1, 0.3, 1.0)
# Added after the first measurement (docs/analytics.md §2b, 'After measuring'): R_a = L x C^a, a tuned on the
# training half only.
GRID_A = (0.0, 0.25, 0.5, 1.0)
METHOD = ("R = NIR/100 x sum_i p_i e_i x (US apparent consumption x price); p_i = 1 for a country restricting "
          "exports of the commodity, else p_0; e_i = US import share from i where known, else i's share of world "
          "production")


def _data(*parts: str) -> Path:
    return Path(str(resources.files("maadan").joinpath("data", *parts)))


@dataclass(frozen=True)
class Value:
    mineral_id: str
    stage: str
    consumption_t: float | None
    price_usd_per_t: float | None
    value_musd: float | None
    note: str
    source: str
    us_production_withheld: str = ""  # USGS columns published as "W" (withheld: few producers)


@dataclass(frozen=True)
class Restriction:
    country: str
    mineral_id: str
    measure: str
    effective: str
    source: str


def load_values() -> dict[str, list[Value]]:
    out: dict[str, list[Value]] = {}
    with _data("usgs", "mcs2025_consumption_value.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            def num(k: str) -> float | None:
                return float(r[k]) if r[k] else None
            out.setdefault(r["mineral_id"], []).append(Value(
                r["mineral_id"], r["stage"], num("consumption_t"), num("price_usd_per_t"), num("value_musd"),
                r["note"], r["source"], r.get("us_production_withheld", "")))
    return out


def load_restrictions() -> list[Restriction]:
    with _data("lists", "export_restrictions.csv").open(encoding="utf-8") as fh:
        return [Restriction(r["country"], r["mineral_id"], r["measure"], r["effective"], r["source"])
                for r in csv.DictReader(fh)]


@dataclass(frozen=True)
class UsgsRank:
    rank: int | None
    mineral_id: str
    route: str
    source: str


def load_usgs_rank() -> list[UsgsRank]:
    with _data("lists", "usgs_2025_economic_rank.csv").open(encoding="utf-8") as fh:
        return [UsgsRank(int(r["rank"]) if r["rank"] else None, r["mineral_id"], r["route"], r["source"])
                for r in csv.DictReader(fh)]


@dataclass
class StageScore:
    stage: str
    nir_pct: float
    nir_basis: str
    value_musd: float
    likelihood: float
    score_musd: float


@dataclass
class LossScore:
    mineral_id: str
    name: str
    score_musd: float | None  # expected US consumption at risk, MUSD a year
    likelihood: float | None
    value_musd: float | None
    exposure_basis: str  # "US import shares (...)" or "world production shares (...)"
    restricted_by: list[str]
    possible_single_producer: bool
    stages: list[StageScore] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)


def _norm(country: str) -> str:
    return country.strip().lower().replace("hong kong", "china") if country else ""


def likelihood(nir_pct: float, exposure: Sequence[tuple[str, float]], restricted: set[str], p_other: float,
               residual: float) -> float:
    """NIR/100 x (sum over listed countries of p_i e_i + p_other x the unlisted rest); shares as fractions."""
    s = sum((P_RESTRICTED if _norm(c) in restricted else p_other) * e for c, e in exposure)
    return nir_pct / 100.0 * (s + p_other * max(0.0, residual))


def nir_bases(reliance) -> dict[str, float]:
    """Every net-import-reliance basis of the year used (the stages: refined, ores, ...) with its value; 'E'
    (net exporter) counts 0."""
    bases = {reliance.basis: reliance.value_pct}
    for ob in reliance.other_bases:
        name, _, shown = ob.rpartition(": ")
        try:
            bases[name] = float(shown.lstrip("<>"))
        except ValueError:
            bases[name] = 0.0 if shown.strip() == "E" else bases.get(name, 0.0)
    return bases


def score(risk: MineralRisk, values: Sequence[Value], restrictions: Sequence[Restriction],
          withheld: bool, p_other: float = P_OTHER) -> LossScore:
    restricted = {_norm(r.country) for r in restrictions if r.mineral_id == risk.mineral_id}
    missing = []
    exposure: list[tuple[str, float]] = []
    residual = 0.0
    basis = ""
    sources: list[str] = []
    if risk.imports is not None and risk.imports.shares:
        exposure = [(c, v / 100.0) for c, v in risk.imports.shares]
        residual = risk.imports.other_pct / 100.0
        basis = f"US import shares, {risk.imports.category} ({risk.imports.edition}, {risk.imports.period})"
        sources.append(risk.imports.source)
    elif risk.production is not None:
        exposure = [(r.country, r.share_pct / 100.0) for r in risk.production.rows]
        residual = 1.0 - risk.production.coverage_pct / 100.0
        basis = f"world production shares, {risk.production.series} {risk.production.year} ({risk.production.edition})"
        sources.extend(risk.production.sources[:1])
    else:
        missing.append("US import shares or world production by country")
    if risk.reliance is None:
        missing.append("US net import reliance")
    usable = [v for v in values if v.value_musd is not None]
    if not values:
        missing.append("US apparent consumption and price (not in the MCS 2025 salient files used)")
    elif not usable:
        missing.append("US apparent consumption x price: " + "; ".join(
            f"{v.stage or 'all'} {'consumption withheld or not given' if v.consumption_t is None else 'no price'}"
            for v in values))
    stages = []
    if not missing:
        assert risk.reliance is not None
        bases = nir_bases(risk.reliance)
        for v in usable:
            nir, nb = risk.reliance.value_pct, risk.reliance.basis
            if v.stage:
                match = [(b, x) for b, x in bases.items() if v.stage.lower() in b.lower()]
                if match:
                    nb, nir = match[0]
            L = likelihood(nir, exposure, restricted, p_other, residual)
            stages.append(StageScore(v.stage, nir, nb, v.value_musd, L, L * v.value_musd))  # type: ignore[operator]
            sources.append(v.source)
        sources.append(risk.reliance.source)
    best = max(stages, key=lambda s: s.score_musd) if stages else None
    return LossScore(risk.mineral_id, risk.name, best.score_musd if best else None, best.likelihood if best else None,
                     best.value_musd if best else None, basis, sorted(restricted), withheld, stages, missing,
                     list(dict.fromkeys(sources)))


def rank(scores: Iterable[LossScore]) -> list[LossScore]:
    s = list(scores)
    return sorted((x for x in s if x.score_musd is not None), key=lambda x: (-x.score_musd, x.name)) + \
        sorted((x for x in s if x.score_musd is None), key=lambda x: x.name)


def _ranks(x: Sequence[float]) -> np.ndarray:
    """Average ranks (1 = smallest), ties share their mean rank."""
    a = np.asarray(x, dtype=float)
    order = np.argsort(a, kind="mergesort")
    r = np.empty(a.size)
    i = 0
    while i < a.size:
        j = i
        while j + 1 < a.size and a[order[j + 1]] == a[order[i]]:
            j += 1
        r[order[i:j + 1]] = (i + j) / 2.0 + 1.0
        i = j + 1
    return r


def spearman(x: Sequence[float], y: Sequence[float]) -> float:
    if len(x) != len(y) or len(x) < 3:
        raise ValueError("Spearman's rho needs at least 3 paired values")
    rx, ry = _ranks(x), _ranks(y)
    return float(np.corrcoef(rx, ry)[0, 1])


def half(mineral_id: str) -> str:
    """'train' or 'test', fixed by the first byte of SHA-1 of the id (docs/analytics.md §2b)."""
    return "train" if hashlib.sha1(mineral_id.encode()).digest()[0] % 2 == 0 else "test"


@dataclass
class Disagreement:
    mineral_id: str
    name: str
    usgs_rank: int
    model_rank: int

    @property
    def gap(self) -> int:
        return self.model_rank - self.usgs_rank


@dataclass
class RankCheck:
    score_name: str
    n: int
    rho: float
    pairs: list[tuple[str, str, int, float]]  # (id, name, USGS rank, score)
    disagreements: list[Disagreement]  # largest |gap| first
    uncovered: list[str]  # ranked by USGS, not scored here


def rank_check(score_name: str, scores: Mapping[str, tuple[str, float]], usgs: Sequence[UsgsRank],
               ids: set[str] | None = None) -> RankCheck:
    ranked = [u for u in usgs if u.rank is not None and (ids is None or u.mineral_id in ids)]
    pairs = [(u.mineral_id, scores[u.mineral_id][0], u.rank, scores[u.mineral_id][1]) for u in ranked
             if u.mineral_id in scores]
    uncovered = [u.mineral_id for u in ranked if u.mineral_id not in scores]
    if len(pairs) < 3:
        return RankCheck(score_name, len(pairs), float("nan"), pairs, [], uncovered)
    rho = spearman([-p[3] for p in pairs], [p[2] for p in pairs])  # high score <-> rank 1
    model_rank = _ranks([-p[3] for p in pairs])
    usgs_rank = _ranks([p[2] for p in pairs])
    dis = [Disagreement(p[0], p[1], int(round(u)), int(round(m))) for p, u, m in zip(pairs, usgs_rank, model_rank)]
    dis.sort(key=lambda d: (-abs(d.gap), d.name))
    return RankCheck(score_name, len(pairs), rho, pairs, dis, uncovered)


@dataclass
class ListAuc:
    score_name: str
    auc: float
    n_critical: int
    n_other: int
    missed: list[tuple[str, float]]  # critical, below the k-th score
    false_alarms: list[tuple[str, float]]  # not critical, within the top k


def list_auc(score_name: str, scores: Mapping[str, tuple[str, float]], critical: set[str]) -> ListAuc:
    pos = [(n, s) for m, (n, s) in scores.items() if m in critical]
    neg = [(n, s) for m, (n, s) in scores.items() if m not in critical]
    auc = roc_auc([s for _, s in pos], [s for _, s in neg])
    k = len(pos)
    allv = sorted((s for _, s in [*pos, *neg]), reverse=True)
    threshold = allv[k - 1] if k else float("inf")
    return ListAuc(score_name, auc, len(pos), len(neg),
                   sorted([(n, s) for n, s in pos if s < threshold], key=lambda x: x[1]),
                   sorted([(n, s) for n, s in neg if s >= threshold], key=lambda x: -x[1]))


# --- Disruption shortfall (docs/analytics.md §2c) -------------------------------------------------------------

K_PRIOR = 2  # severity exponent, fixed before measuring (§2c)
GRID_K = (1, 2)
SHORTFALL_METHOD = ("D = sum_i p_i x_i^k with x_i = NIR/100 x e_i (the share of US supply lost if partner i stops "
                    "for a year), k = 2; p_i = 1 for a country restricting exports of the commodity, else p_0; "
                    "e_i = US import share from i where known, else i's share of world production; the value of US "
                    "consumption is shown beside, not multiplied in (docs/analytics.md §2c)")


def shortfall(nir_pct: float, exposure: Sequence[tuple[str, float]], restricted: set[str], p_other: float,
              residual: float, k: int = K_PRIOR, p_country: Mapping[str, float] | None = None,
              world: Mapping[str, float] | None = None) -> float:
    """sum_i p_i (NIR/100 x e_i [x w_i])^k over listed partners; shares as fractions. The unlisted rest counts
    p_other x NIR/100 x residual when k = 1 and nothing when k > 1 (many small suppliers, §2c).
    Variants (§2d): `p_country` gives an unrestricting country its own p instead of p_other (V1); `world` damps
    each partner's shortfall by its share of world production, 1 where unknown (V2)."""
    f = nir_pct / 100.0
    pc = p_country or {}

    def p(c: str) -> float:
        return P_RESTRICTED if _norm(c) in restricted else pc.get(_norm(c), p_other)

    def w(c: str) -> float:
        return 1.0 if world is None else world.get(_norm(c), 1.0)
    s = sum(p(c) * (f * e * w(c)) ** k for c, e in exposure)
    if k == 1:
        s += p_other * f * max(0.0, residual)
    return s


@dataclass
class ShortfallScore:
    mineral_id: str
    name: str
    score: float | None  # D, 0-1
    usd_musd: float | None  # D x V where V is known (shown beside, not ranked on)
    value_musd: float | None
    nir_pct: float | None
    nir_basis: str
    exposure_basis: str
    restricted_by: list[str]
    restricted_share: float | None  # sum of e_i over restricting partners
    top_partner: str
    top_share: float | None
    possible_single_producer: bool
    borrowed: list[str] = field(default_factory=list)  # inputs taken from a group, e.g. "net import reliance from rare-earths"
    stages: list[tuple[str, float, float]] = field(default_factory=list)  # (NIR basis, NIR %, D at that basis)
    missing: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    unknown_governance: list[str] = field(default_factory=list)  # V7: partners without a WGI value (g = 0.5)

    def components(self) -> dict[str, float | None]:
        """The inputs the check names as drivers of a disagreement (higher = riskier)."""
        return {"net import reliance": self.nir_pct, "share from restricting partners": self.restricted_share,
                "largest partner's share": self.top_share, "value of US consumption": self.value_musd}


def _exposure(risk: MineralRisk) -> tuple[list[tuple[str, float]], float, str, list[str]]:
    if risk.imports is not None and risk.imports.shares:
        return ([(c, v / 100.0) for c, v in risk.imports.shares], risk.imports.other_pct / 100.0,
                f"US import shares, {risk.imports.category} ({risk.imports.edition}, {risk.imports.period})",
                [risk.imports.source])
    if risk.production is not None:
        return ([(r.country, r.share_pct / 100.0) for r in risk.production.rows],
                1.0 - risk.production.coverage_pct / 100.0,
                f"world production shares, {risk.production.series} {risk.production.year} "
                f"({risk.production.edition})", list(risk.production.sources[:1]))
    return [], 0.0, "", []


def world_shares(risk: MineralRisk) -> dict[str, float] | None:
    """Each country's share of world production (fraction) from the commodity's MCS world table, or None."""
    if risk.production is None:
        return None
    return {_norm(r.country): r.share_pct / 100.0 for r in risk.production.rows}


def score_shortfall(risk: MineralRisk, values: Sequence[Value], restrictions: Sequence[Restriction],
                    withheld: bool, p_other: float = P_OTHER, k: int = K_PRIOR,
                    borrowed: Sequence[str] = (), p_country: Mapping[str, float] | None = None,
                    spare_capacity: bool = False, governance: bool = False) -> ShortfallScore:
    """D of one commodity (§2c). `risk` may carry inputs borrowed from a group; `borrowed` names them.
    `p_country` and `spare_capacity` are the §2d variants V1 and V2; `governance` is §2e's V7 (an unrestricting
    partner's p is its WGI instability g, 0.5 where unknown). Defaults: §2c as stated."""
    restricted = {_norm(r.country) for r in restrictions if r.mineral_id == risk.mineral_id}
    exposure, residual, basis, sources = _exposure(risk)
    unknown_gov: list[str] = []
    if governance:
        p_country = {}
        for c, _ in exposure:
            g = gov.lookup(c)
            p_country[_norm(c)] = g.instability if g is not None else gov.UNKNOWN_G
            if g is None:
                unknown_gov.append(c)
            elif g.source not in sources:
                sources.append(g.source)
    world = world_shares(risk) if spare_capacity else None
    missing = []
    if not exposure:
        missing.append("US import shares or world production by country")
    if risk.reliance is None:
        missing.append("US net import reliance")
    usable = [v for v in values if v.value_musd is not None]
    value = None
    if usable and risk.reliance is not None:
        match = [v for v in usable if v.stage and v.stage.lower() in risk.reliance.basis.lower()]
        value = (match or sorted(usable, key=lambda v: -(v.value_musd or 0.0)))[0].value_musd
    top = max(exposure, key=lambda x: x[1]) if exposure else ("", None)
    r_share = sum(e for c, e in exposure if _norm(c) in restricted) if exposure else None
    d = None
    stages: list[tuple[str, float, float]] = []
    if not missing:
        assert risk.reliance is not None
        d = shortfall(risk.reliance.value_pct, exposure, restricted, p_other, residual, k, p_country, world)
        stages = [(b, v, shortfall(v, exposure, restricted, p_other, residual, k, p_country, world))
                  for b, v in nir_bases(risk.reliance).items()]
        sources.append(risk.reliance.source)
        sources.extend(v.source for v in usable)
    return ShortfallScore(
        risk.mineral_id, risk.name, d, d * value if d is not None and value is not None else None, value,
        risk.reliance.value_pct if risk.reliance else None, risk.reliance.basis if risk.reliance else "", basis,
        sorted(restricted), r_share, top[0], top[1], withheld, list(borrowed), stages, missing,
        list(dict.fromkeys(sources)), unknown_gov)


def rank_shortfall(scores: Iterable[ShortfallScore]) -> list[ShortfallScore]:
    s = list(scores)
    return sorted((x for x in s if x.score is not None), key=lambda x: (-x.score, x.name)) + \
        sorted((x for x in s if x.score is None), key=lambda x: x.name)


@dataclass
class Driver:
    mineral_id: str
    name: str
    usgs_rank: int
    model_rank: int
    driver: str  # the input whose rank pulls hardest in the direction of the error
    driver_rank: int  # that input's rank among the commodities compared (1 = riskiest)
    of: int


def drivers(check: RankCheck, components: Mapping[str, Mapping[str, float | None]], top: int = 10) -> list[Driver]:
    """For the `top` largest disagreements: a commodity ranked too high is driven by its riskiest input (lowest
    rank), one ranked too low by its least risky input (highest rank); ranks among the compared commodities,
    unknown inputs left out. Ties: the order of the components."""
    ids = [p[0] for p in check.pairs]
    names = list(next(iter(components.values())).keys()) if components else []
    ranks: dict[str, dict[str, int]] = {i: {} for i in ids}
    for n in names:
        known = [(i, components[i][n]) for i in ids if components.get(i, {}).get(n) is not None]
        if not known:
            continue
        r = _ranks([-float(v) for _, v in known])  # type: ignore[arg-type]
        for (i, _), x in zip(known, r):
            ranks[i][n] = int(round(x))
    out = []
    for d in check.disagreements[:top]:
        rk = ranks.get(d.mineral_id, {})
        if not rk or d.gap == 0:
            continue
        pick = min(rk, key=lambda n: rk[n]) if d.gap < 0 else max(rk, key=lambda n: rk[n])
        out.append(Driver(d.mineral_id, d.name, d.usgs_rank, d.model_rank, pick, rk[pick], check.n))
    return out


# --- Variants of the shortfall score (docs/analytics.md §2d), each fixed before it was measured --------------

P_CHINA = 0.3  # V1: China where it does not restrict the commodity
CONSEQUENCE_POWER = 0.5  # V4
UPSTREAM = {"aluminum": "bauxite", "titanium": "titanium-mineral-concentrates",
            "magnesium": "magnesium-compounds", "iron-and-steel": "iron-ore"}  # V3: MCS chapter pairs
VARIANTS = {
    "V0": "D as stated (§2c: p0 0.1, k 2)",
    "V1": "partner risk: China p 0.3 where it does not restrict the commodity",
    "V2": "spare capacity: partner shortfall x its share of world production",
    "V3": "stages: max of the commodity's D and its upstream MCS commodity's D",
    "V4": "consequence: D x (US consumption value)^0.5, where known",
    "V5": "V1 + V2 + V3",
    "V6": "origin: max of D over US import shares and D over world production shares",
    "V7": "governance: an unrestricting partner's p is its WGI instability g = (2.5 - PV)/5 (§2e)",
    "V8": "GeoPolRisk: HHI_norm x NIR/100 x governance-weighted partner shares (§1, §2e)",
}


def with_upstream(scores: Mapping[str, tuple[str, float]]) -> dict[str, tuple[str, float]]:
    """V3: a commodity with a scored upstream stage (UPSTREAM) takes the larger D; unknown stays unknown."""
    out = dict(scores)
    for m, up in UPSTREAM.items():
        if m in scores and up in scores:
            out[m] = (scores[m][0], max(scores[m][1], scores[up][1]))
    return out


def damped_consequence(scores: Iterable[ShortfallScore], power: float = CONSEQUENCE_POWER
                       ) -> dict[str, tuple[str, float]]:
    """V4: D x V^power over the commodities whose D and V are both known."""
    return {s.mineral_id: (s.name, s.score * s.value_musd ** power) for s in scores
            if s.score is not None and s.value_musd is not None and s.value_musd > 0}


def larger_of(*pops: Mapping[str, tuple[str, float]]) -> dict[str, tuple[str, float]]:
    """V6: per commodity, the largest score among the populations that score it."""
    out: dict[str, tuple[str, float]] = {}
    for pop in pops:
        for m, (name, x) in pop.items():
            if m not in out or x > out[m][1]:
                out[m] = (name, x)
    return out


def resampled_choice(pops: Mapping[str, Mapping[str, tuple[str, float]]], usgs: Sequence[UsgsRank],
                     draws: int = 1000, seed: int = 0) -> dict[str, object]:
    """Diagnostic of the train-half choice (§2d): over `draws` random halvings of the ranked commodities, how
    often each variant wins on train (ties: the first in `pops`), and the test rho of the winner and of each
    variant held fixed (mean, 10th and 90th percentiles; draws where a half has fewer than 3 pairs left out)."""
    rng = np.random.default_rng(seed)
    order = {u.mineral_id: u.rank for u in usgs if u.rank is not None}
    ranked = list(order)
    names = list(pops)
    # per variant: which ranked commodities it scores (a mask over `ranked`), their scores and USGS ranks
    cols = {v: np.array([m in pops[v] for m in ranked]) for v in names}
    vals = {v: np.array([-pops[v][m][1] if m in pops[v] else 0.0 for m in ranked]) for v in names}
    usgs_rank = np.array([float(order[m]) for m in ranked])

    def rho(v: str, half: np.ndarray) -> float:
        sel = half & cols[v]
        return spearman(vals[v][sel], usgs_rank[sel]) if sel.sum() >= 3 else float("nan")
    wins = {v: 0 for v in names}
    chosen_test: list[float] = []
    fixed: dict[str, list[float]] = {v: [] for v in names}
    for _ in range(draws):
        mask = rng.random(len(ranked)) < 0.5
        tr = {v: rho(v, mask) for v in names}
        te = {v: rho(v, ~mask) for v in names}
        for v in names:
            if te[v] == te[v]:
                fixed[v].append(te[v])
        best = max(names, key=lambda v: (tr[v] if tr[v] == tr[v] else -9.0, -names.index(v)))
        wins[best] += 1
        if te[best] == te[best]:
            chosen_test.append(te[best])

    def summary(x: list[float]) -> dict[str, float | int]:
        a = np.asarray(x)
        return {"mean": round(float(a.mean()), 4), "p10": round(float(np.percentile(a, 10)), 4),
                "p90": round(float(np.percentile(a, 90)), 4), "n": int(a.size)}
    return {"draws": draws, "seed": seed, "chosen_count": wins, "chosen_test_rho": summary(chosen_test),
            "fixed_test_rho": {v: summary(x) for v, x in fixed.items() if x}}


# --- GeoPolRisk with WGI governance weights (docs/analytics.md §1, §2e: V8) ------------------------------------

@dataclass
class GeoPolRisk:
    mineral_id: str
    value: float | None  # HHI_norm x NIR/100 x (sum_i g_i e_i + 0.5 x residual)
    hhi_normalised: float | None
    nir_pct: float | None
    weighted_share: float | None  # sum_i g_i e_i + 0.5 x residual, 0-1
    exposure_basis: str
    unknown_partners: list[str]  # partners without a WGI value: g = 0.5
    missing: list[str]
    sources: list[str]


def geopolrisk(risk: MineralRisk) -> GeoPolRisk:
    """GeoPolRisk of one commodity with the bundled WGI weights; None with the missing inputs named when the
    production HHI, the net import reliance or any exposure is unknown."""
    exposure, residual, basis, sources = _exposure(risk)
    missing = []
    if risk.production is None:
        missing.append("world production by country (for the HHI)")
    if risk.reliance is None:
        missing.append("US net import reliance")
    if not exposure:
        missing.append("US import shares or world production by country")
    unknown: list[str] = []
    weighted = None
    if exposure:
        weighted = gov.UNKNOWN_G * max(0.0, residual)
        for c, e in exposure:
            g = gov.lookup(c)
            if g is None:
                unknown.append(c)
            elif g.source not in sources:
                sources.append(g.source)
            weighted += (g.instability if g is not None else gov.UNKNOWN_G) * e
    value = None
    if not missing:
        assert risk.production is not None and risk.reliance is not None and weighted is not None
        value = risk.production.hhi_normalised * risk.reliance.value_pct / 100.0 * weighted
        sources.append(risk.reliance.source)
    return GeoPolRisk(risk.mineral_id, value, risk.production.hhi_normalised if risk.production else None,
                      risk.reliance.value_pct if risk.reliance else None, weighted, basis, unknown, missing,
                      list(dict.fromkeys(sources)))
