"""Analytics use cases: read the knowledge base through a unit of work, call the pure functions."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from maadan.analytics import (calibration, criticality, document, economics, finance, governance, montecarlo, params,
                              profiles, reports, scenarios, screening, sensitivity, supplyrisk, whatif)
from maadan.analytics.criticality import MineralRisk
from maadan.analytics.outcomes import ListCheck, WhatIfReport
from maadan.analytics.validation import descendants, validate
from maadan.errors import InvalidInput, MaadanError, NotFound
from maadan.minerals.names import NameIndex
from maadan.minerals.service import mineral_index
from maadan.unit_of_work import AbstractUnitOfWork

LIST_ID = "usgs-2025"


def _assess_all(uow: AbstractUnitOfWork, ids: list[str] | None) -> list[MineralRisk]:
    minerals = {m.id: m for m in uow.minerals.all()}
    out = []
    for mid in ids if ids is not None else sorted(minerals):
        stats = uow.statistics.world(mid)
        reliance = uow.statistics.reliance(mid)
        if ids is None and not stats and not reliance:
            continue  # no USGS figures at all: not an MCS commodity in this knowledge base
        out.append(_with_geopolrisk(criticality.assess(mid, minerals[mid].name, stats, reliance,
                                                       uow.statistics.import_sources(mid))))
    return out


def _with_geopolrisk(r: MineralRisk) -> MineralRisk:
    """GeoPolRisk (§1) from the bundled WGI table, with the partner-share basis or why it is unknown."""
    g = supplyrisk.geopolrisk(r)
    r.geopolrisk = g.value
    r.geopolrisk_note = (g.exposure_basis if g.value is not None else "unknown: " + "; ".join(g.missing))
    if g.unknown_partners:
        r.geopolrisk_note += f"; no WGI value for {', '.join(g.unknown_partners)} (counted g = 0.5)"
    wgi = {row.source for row in governance.load().values()}
    r.geopolrisk_sources = [x for x in g.sources if x in wgi]  # the WGI table's own (the rest are r.sources)
    return r


def supply_risk(uow: AbstractUnitOfWork, mineral: str | None = None) -> list[MineralRisk]:
    """Indicators for one mineral (any name or alias), or for every mineral with USGS figures, ranked."""
    with uow:
        ids = [mineral_index(uow).resolve(mineral)] if mineral else None
        risks = _assess_all(uow, ids)
    return criticality.rank(risks)


def check_against_list(uow: AbstractUnitOfWork, list_id: str = LIST_ID) -> ListCheck:
    """ROC AUC of the composite score and of production HHI alone against an official list (docs/analytics.md §2)."""
    with uow:
        risks = _assess_all(uow, None)
        listed = {e.mineral_id for e in uow.minerals.entries(list_id=list_id)}
        if not listed:
            raise InvalidInput(f"No entries for list {list_id!r}")
        parents = {m.id: m.group_id for m in uow.minerals.all()}
    mcs = [r for r in risks if r.production is not None]
    composite = {r.mineral_id: (r.name, r.score) for r in mcs if r.score is not None}
    hhi_only = {r.mineral_id: (r.name, r.production.hhi_normalised) for r in mcs}
    return ListCheck(
        primary=validate(composite, listed, parents, score_name="composite",
                         method=criticality.SCORE_METHOD, list_id=list_id),
        secondary=validate(hhi_only, listed, parents, score_name="production HHI",
                           method="normalised HHI of world mine production (lower bound)", list_id=list_id),
        unscored=sorted(r.name for r in risks if r.production is None),
    )


def _phase_matches(fact_phase: str | None, wanted: str | None) -> bool:
    if wanted is None:
        return True
    if not fact_phase:
        return False
    w = wanted.strip().lower()
    f = fact_phase.strip().lower()
    return f == w or f == f"phase {w}" or re.sub(r"^phase\s+", "", f) == w


def project_whatif(uow: AbstractUnitOfWork, project: str | None, *, phase: str | None = None, mineral: str | None = None,
                   value: float | None = None, unit: str | None = None, us_share_pct: float | None = None,
                   us_imports: whatif.ImportVolume | None = None, import_category: str | None = None,
                   country: str = "Pakistan") -> WhatIfReport:
    """Add a project's planned output (or a figure given by hand) to `country` and recompute the shares."""
    if us_share_pct is not None and not 0 <= us_share_pct <= 100:
        raise InvalidInput(f"--us-share must be between 0 and 100 %, not {us_share_pct:g}")
    with uow:
        index = mineral_index(uow)
        mineral_id = index.resolve(mineral) if mineral else None
        additions, skipped = [], []
        if value is not None:
            if mineral_id is None or not unit:
                raise InvalidInput("A figure given by hand needs --mineral and --unit as well as --add")
            label = f"{value:g} {unit} of {mineral_id} given by hand"
            additions.append(whatif.Addition(mineral_id, label, value, unit, "given by hand", country))
            pid, pname = (project or "by-hand"), (project or "figure given by hand")
        else:
            if not project:
                raise InvalidInput("Give --project (and --phase), or a figure with --add VALUE --unit U --mineral M")
            pid = NameIndex.build("project", uow.projects.names()).resolve(project)
            p = uow.projects.get(pid)
            assert p is not None
            pname = p.name
            facts = [f for f in p.facts_of("production") if not f.alternative  # one figure per reading group
                     and f.data.get("kind") == "planned" and _phase_matches(f.data.get("phase"), phase)]
            if not facts:
                phases = sorted({str(f.data.get("phase")) for f in p.facts_of("production") if f.data.get("phase")})
                raise InvalidInput(f"{p.name} has no planned production for phase {phase!r}; phases: "
                                   f"{', '.join(phases) or 'none'}")
            known = {m.id for m in uow.minerals.all()}
            for f in facts:
                c = str(f.data.get("commodity"))
                if c not in known:
                    skipped.append(f"{c} ({f.data.get('value')} {f.data.get('unit')}): not a mineral with world figures")
                    continue
                if mineral_id and c != mineral_id:
                    continue
                label = f"{p.name} {f.data.get('phase') or ''} planned {c}".replace("  ", " ")
                additions.append(whatif.Addition(c, label, float(f.data["value"]), str(f.data["unit"]),
                                                 f.source, country))
        supply, imports = [], []
        for a in additions:
            stats = uow.statistics.world(a.mineral_id)
            base = criticality.production_concentration(stats)
            if base is None:
                skipped.append(f"{a.mineral_id}: no world production table with a numeric world total")
                continue
            supply.append(whatif.add_supply(base, a))
            if us_share_pct is None:
                continue
            cats = criticality.import_categories(uow.statistics.import_sources(a.mineral_id))
            cat = next((c for c in cats if c.category == import_category), None) if import_category \
                else criticality.headline_category(cats)
            if cat is None:
                names = ", ".join(c.category for c in cats)
                skipped.append(f"{a.mineral_id}: US import shares " +
                               (f"not in category {import_category!r} (have: {names})" if import_category and cats
                                else "in percent are not in the knowledge base" if not cats
                                else f"have no headline category; choose --import-category from: {names}"))
                continue
            if us_imports is None:
                skipped.append(f"{a.mineral_id}: the knowledge base holds US import shares but no import volumes; "
                               f"give --us-imports VALUE --us-imports-unit U --us-imports-source S for "
                               f"'{cat.category}' ({cat.period})")
                continue
            imports.append(whatif.add_us_imports(cat, a, us_share_pct, us_imports))
    return WhatIfReport(pid, pname, phase, supply, imports, skipped)


def project_case(uow: AbstractUnitOfWork, project: str | None, *, params_file: str | None = None,
                 readings: tuple[str, ...] = ()) -> economics.Case:
    """A project's bundled case (by project name or alias) or a case file given by path."""
    if params_file:
        return params.case_file(params_file, readings)
    if not project:
        raise InvalidInput("Give --project or --params FILE")
    with uow:
        pid = NameIndex.build("project", uow.projects.names()).resolve(project)
    if pid not in params.case_ids():
        raise NotFound("economics case", pid, params.case_ids())
    return params.bundled_case(pid, readings)


def project_economics(uow: AbstractUnitOfWork, project: str | None, *, params_file: str | None = None,
                      rates_pct: tuple[float, ...] = (8.0, 10.0), us_share_pct: float | None = None,
                      readings: tuple[str, ...] = ()) -> economics.Evaluation:
    """DCF of a project's bundled case (by project name or alias) or of a case file given by path."""
    case = project_case(uow, project, params_file=params_file, readings=readings)
    if us_share_pct is not None:
        case = replace(case, fiscal=replace(case.fiscal, us_sales_share_pct=us_share_pct),
                       provenance={**case.provenance, "us_sales_share_pct": params.Cited(
                           us_share_pct, "% of sales", note="given on the command line")})
    return economics.evaluate(case, rates_pct)


def project_validation(uow: AbstractUnitOfWork, project: str | None, *, params_file: str | None = None
                       ) -> tuple[economics.Case, list[calibration.Check], list[calibration.Step]]:
    """The case against its published figures, and the derivation of the inputs no source gives."""
    case = project_case(uow, project, params_file=params_file)
    if not calibration.published(case):
        raise InvalidInput(f"The case for {case.project_id} lists no published figures to validate against")
    return case, calibration.validate(case), calibration.derive(case)


@dataclass
class FinanceReport:
    levered: finance.Levered
    us: finance.UsView | None
    mc: montecarlo.MonteCarloResult | None


def project_finance(uow: AbstractUnitOfWork, project: str | None, *, params_file: str | None = None,
                    rate_pct: float = 8.0, paths: int = 0, seed: int = 2025) -> FinanceReport:
    """Levered case, equity IRR per partner, DSCR per year, the US-side view and (with paths) DSCR breaches."""
    case = project_case(uow, project, params_file=params_file)
    fin = finance.parse_financing(case)
    if fin is None or not fin.known:
        raise InvalidInput(f"The case for {case.project_id} has no financing with reported amounts")
    lev = finance.levered(case, fin, rate_pct)
    mc = None
    if paths:
        mc, _ = montecarlo.simulate(case, montecarlo.Uncertainty(), paths=paths, rate_pct=rate_pct, seed=seed,
                                    financing=fin)
    return FinanceReport(lev, finance.us_view(lev), mc)


def project_scenarios(uow: AbstractUnitOfWork, project: str | None, *, params_file: str | None = None,
                      scenario_file: str | None = None, rate_pct: float = 8.0, paths: int = 0,
                      seed: int = 2025) -> tuple[economics.Case, list[scenarios.Row]]:
    case = project_case(uow, project, params_file=params_file)
    return case, scenarios.compare(case, scenarios.load(case, scenario_file), rate_pct, paths=paths, seed=seed)


def _ground(uow: AbstractUnitOfWork, projects) -> dict[str, screening.Ground]:
    """Is each candidate's preferred location free ground in the cadastre: inside a jurisdiction it
    covers and outside every active title, pending application and reserved area?"""
    import shapely

    from maadan.cadastre import caches, lifecycle as lc
    from maadan.cadastre.boundaries import load_boundary

    total = uow.cadastre.count_titles()
    synthetic = uow.cadastre.count_titles(synthetic=True)
    note = f" ({synthetic} of the cadastre's {total} titles are synthetic demo titles)" if synthetic else ""
    areas: dict[str, object] = {}
    for j in caches.jurisdictions():
        try:
            areas[j] = load_boundary(j).geometry
        except MaadanError:
            continue  # no boundary for it: its ground cannot be located
    trees = {}
    for j in areas:
        rows = uow.cadastre.spatial_rows(j, lc.PENDING)
        geoms = shapely.from_wkb([r[2] for r in rows]) if rows else []
        trees[j] = ([(kind, ref) for kind, ref, _ in rows], shapely.STRtree(geoms))
    out = {}
    for p in projects:
        loc = p.location
        if loc is None:
            out[p.id] = screening.Ground(None, "no location recorded: title status unknown")
            continue
        if total == 0:
            out[p.id] = screening.Ground(None, "the cadastre holds no titles: title status unknown")
            continue
        # An imprecise location is its whole area (a box, or the circle of its radius of uncertainty):
        # free only when no title touches any of it, not free only when one title covers all of it.
        where = loc.geometry()
        point = shapely.Point(loc.lon, loc.lat)
        j = next((code for code, area in areas.items() if area.covers(point)), None)
        if j is None:
            out[p.id] = screening.Ground(None, f"outside the jurisdictions the cadastre covers "
                                               f"({', '.join(areas)}): title status unknown")
            continue
        refs, tree = trees[j]
        if not refs:  # nothing recorded there: an empty register is not evidence of free ground
            out[p.id] = screening.Ground(None, f"the cadastre records no titles or applications in {j}: "
                                               "title status unknown")
            continue
        found = tree.query(where, predicate="intersects") if refs else []
        hits = [refs[i] for i in found]
        words = {"title": "active title", "application": "pending application", "reserved": "reserved area"}
        listed = ", ".join(f"{words[k]} {ref}" for k, ref in sorted(hits))
        if hits and not loc.precise and not any(tree.geometries[i].covers(where) for i in found):
            out[p.id] = screening.Ground(None, f"uncertain: its location is only known as {loc.describe()}, "
                                               f"which {listed} partly covers" + note)
        elif hits:
            out[p.id] = screening.Ground(False, "not free: inside " + listed + note)
        elif p.kind == "project":
            # A project's own rights (e.g. a mining lease) may simply not be registered in Maadan's cadastre.
            out[p.id] = screening.Ground(None, f"a project with an owner of record; no title for it is registered "
                                               f"in the cadastre ({j}), so its rights are not shown here" + note)
        else:
            extent = "" if loc.precise else f" anywhere in {loc.describe()}"
            out[p.id] = screening.Ground(True, f"free ground as recorded in the cadastre ({j}): no active title, "
                                               f"pending application or reserved area covers its location{extent}"
                                         + note)
    return out


def screen_candidates(uow: AbstractUnitOfWork, profile: str | profiles.Profile = "us-investor") -> screening.Screening:
    """Rank every project and deposit for an investor profile (docs/analytics.md §8): a bundled
    profile's id (never a path), or a Profile the command line read from the user's file."""
    if not isinstance(profile, profiles.Profile):
        profile = profiles.bundled_profile(profile)
    with uow:
        risks = {r.mineral_id: r for r in _assess_all(uow, None)}
        minerals = {m.id: m for m in uow.minerals.all()}
        listed_ids = {e.mineral_id for e in uow.minerals.entries(list_id=profile.list_id)}
        if not listed_ids:
            raise InvalidInput(f"{profile.path}: no entries for list {profile.list_id!r}")
        parents = {m.id: m.group_id for m in minerals.values()}
        projects = uow.projects.all()
        ground = _ground(uow, projects)
    values = {}
    for mid, m in minerals.items():
        r = risks.get(mid)
        values[mid] = screening.MineralValue(mid, m.name, bool(descendants(parents, mid) & listed_ids),
                                             r.score if r else None)
    econ = {}
    cases = set(params.case_ids())
    rate = profile.hurdle_rate_pct.value
    for p in projects:
        if p.id in cases:
            e = economics.evaluate(params.bundled_case(p.id), (rate,))
            ok, total = params.verified_share(e.case)
            econ[p.id] = screening.EconomicsValue(e.npv[rate], rate, e.irr.short(),
                                                  e.case.provenance.get("_files", ["?"])[0],
                                                  f"{ok} of {total} inputs verified")
    return screening.screen(profile, projects, values, econ, ground)


def report_mineral(uow: AbstractUnitOfWork, mineral: str) -> document.Document:
    """The supply-risk report of one mineral (any name or alias)."""
    with uow:
        mid = mineral_index(uow).resolve(mineral)
        ranked = criticality.rank(_assess_all(uow, None))
        risk = next((r for r in ranked if r.mineral_id == mid), None) or _assess_all(uow, [mid])[0]
    scored = [r for r in ranked if r.score is not None]
    position = next((i for i, r in enumerate(scored, 1) if r.mineral_id == mid), None)
    return reports.mineral_document(risk, position, len(scored))


def report_project(uow: AbstractUnitOfWork, project: str, *, rate_pct: float = 8.0, paths: int = 20_000,
                   seed: int = 2025) -> document.Document:
    """The project report: facts, and where a case exists, economics, tornado and Monte Carlo."""
    with uow:
        pid = NameIndex.build("project", uow.projects.names()).resolve(project)
        p = uow.projects.get(pid)
    assert p is not None
    facts = [["Name", p.full_name, ""], ["Kind and stage", f"{p.kind}, {p.status}", p.status_note or ""],
             ["Where", ", ".join(x for x in (p.district, p.province, p.country) if x), ""],
             ["Commodities", ", ".join(p.commodities + p.byproducts), ""]]
    for r in p.ownership:
        facts.append([f"Ownership ({r.basis})", "; ".join(
            f"{h.organisation_id or h.label}{' via ' + h.via_id if h.via_id else ''} "
            f"{'unknown' if h.share_pct is None else f'{h.share_pct:g} %'}" for h in r.holders), r.source])
    for f in p.facts_of("production"):
        d = f.data
        facts.append([f"Production ({d.get('kind', '')}{', ' + str(d['phase']) if d.get('phase') else ''})",
                      f"{d.get('value')} {d.get('unit')} {d.get('commodity')}", f.source])
    for d, text, src in screening.security_events(p):
        facts.append([f"Security event {d}", text, src])
    e = t = mc = None
    extras: dict = {}
    if pid in params.case_ids():
        case = params.bundled_case(pid)
        e = economics.evaluate(case, (rate_pct, 10.0) if rate_pct != 10.0 else (rate_pct,))
        t = sensitivity.tornado(case, rate_pct)
        fin = finance.parse_financing(case)
        mc, _ = montecarlo.simulate(case, montecarlo.Uncertainty(), paths=paths, rate_pct=rate_pct, seed=seed,
                                    financing=fin)
        from maadan.analytics import report as report_json
        if calibration.published(case):
            extras["validation"] = report_json.validation_table(case, calibration.validate(case),
                                                                calibration.derive(case))
        if fin is not None and fin.known:
            lev = finance.levered(case, fin, rate_pct)
            extras["finance"] = report_json.finance_report(FinanceReport(lev, finance.us_view(lev), None))
        if scenarios.scenario_file(case.project_id) is not None:
            extras["scenarios"] = scenarios.as_dicts(scenarios.compare(case, scenarios.load(case), rate_pct))
    return reports.project_document(p.name, facts, list(p.sources), e, t, mc, extras)


def report_screening(uow: AbstractUnitOfWork, profile: str | profiles.Profile = "us-investor") -> document.Document:
    return reports.screening_document(screen_candidates(uow, profile))


@dataclass
class LossCheck:
    """The expected-disruption-loss method against the USGS 2025 ranking and list, with the composite score
    of §1 as 'before' on the same populations, and the split used if p_0 is tuned (docs/analytics.md §2b)."""

    scores: list[supplyrisk.LossScore]
    rank_after: supplyrisk.RankCheck
    rank_before: supplyrisk.RankCheck
    auc_after: supplyrisk.ListAuc
    auc_before: supplyrisk.ListAuc
    split: dict[str, object]
    list_id: str


def _element_tables(uow: AbstractUnitOfWork, risks: list[MineralRisk]) -> list[MineralRisk]:
    """Copies of `risks` where an element without its own production table takes its series in its group's
    table (e.g. palladium: "Mine production, Palladium content"). Call inside an open unit of work."""
    minerals = {m.id: m for m in uow.minerals.all()}
    out = []
    for r in risks:
        parent = minerals[r.mineral_id].group_id if r.mineral_id in minerals else None
        if r.production is None and parent:
            _, tables = criticality.pick_tables(uow.statistics.world(parent), "production")
            match = [c for t, c in tables if minerals[r.mineral_id].name.lower() in t.series.lower()]
            if match:
                r = replace(r, production=match[0])
        out.append(r)
    return out


def _loss_inputs(uow: AbstractUnitOfWork) -> list[MineralRisk]:
    with uow:
        return _element_tables(uow, _assess_all(uow, None))


def _loss_from(risks: list[MineralRisk], p_other: float) -> list[supplyrisk.LossScore]:
    values = supplyrisk.load_values()
    restrictions = supplyrisk.load_restrictions()
    out = [supplyrisk.score(r, values.get(r.mineral_id, []), restrictions,
                            any(v.us_production_withheld for v in values.get(r.mineral_id, [])), p_other)
           for r in risks]
    return supplyrisk.rank(out)


def loss_scores(uow: AbstractUnitOfWork, p_other: float = supplyrisk.P_OTHER) -> list[supplyrisk.LossScore]:
    """Expected disruption loss of every MCS commodity with figures (docs/analytics.md §2b), ranked."""
    return _loss_from(_loss_inputs(uow), p_other)


def check_loss(uow: AbstractUnitOfWork, list_id: str = LIST_ID) -> LossCheck:
    with uow:
        assessed = _assess_all(uow, None)
        risks = {r.mineral_id: r for r in assessed}
        listed = {e.mineral_id for e in uow.minerals.entries(list_id=list_id)}
        parents = {m.id: m.group_id for m in uow.minerals.all()}
        inputs = _element_tables(uow, assessed)
    if not listed:
        raise InvalidInput(f"No entries for list {list_id!r}")
    usgs = supplyrisk.load_usgs_rank()
    scored = _loss_from(inputs, supplyrisk.P_OTHER)
    after = {s.mineral_id: (s.name, s.score_musd) for s in scored if s.score_musd is not None}
    before = {m: (r.name, r.score) for m, r in risks.items() if r.score is not None}
    critical = {m for m in set(after) | set(before) if descendants(parents, m) & listed}
    # The split: train chooses (p_0, a) from the grids, test reports them (docs/analytics.md §2b).
    ranked = [u for u in usgs if u.rank is not None]
    train = {u.mineral_id for u in ranked if supplyrisk.half(u.mineral_id) == "train"}
    test = {u.mineral_id for u in ranked if supplyrisk.half(u.mineral_id) == "test"}
    grid = {}
    for p0 in supplyrisk.GRID:
        base = _loss_from(inputs, p0)
        for a in supplyrisk.GRID_A:
            s = {x.mineral_id: (x.name, x.likelihood * x.value_musd ** a) for x in base if x.score_musd is not None}
            grid[(p0, a)] = (supplyrisk.rank_check("loss", s, usgs, train), supplyrisk.rank_check("loss", s, usgs, test),
                             supplyrisk.rank_check("loss", s, usgs))
    prior = (supplyrisk.P_OTHER, 1.0)

    def train_rho(k):
        r = grid[k][0].rho
        return (r if r == r else -9.0, k == prior, k[0] == prior[0])  # ties: the prior values first
    best = max(grid, key=train_rho)
    split = {"rule": "parity of the first byte of SHA-1 of the mineral id", "train": sorted(train),
             "test": sorted(test), "prior": {"p0": prior[0], "a": prior[1]},
             "tuned_on_train": {"p0": best[0], "a": best[1]},
             "grid": [{"p0": k[0], "a": k[1], "rho_train": round(tr.rho, 4), "n_train": tr.n,
                       "rho_test": round(te.rho, 4), "n_test": te.n, "rho_all": round(al.rho, 4), "n_all": al.n}
                      for k, (tr, te, al) in grid.items()],
             "test_rho_prior": round(grid[prior][1].rho, 4), "test_rho_tuned": round(grid[best][1].rho, 4),
             "all_rho_tuned": round(grid[best][2].rho, 4),
             "note": "rho on the training half chose (p0, a); the test half was not looked at to choose"}
    return LossCheck(scored, supplyrisk.rank_check("expected disruption loss", after, usgs),
                     supplyrisk.rank_check("composite (HHI x NIR)", before, usgs),
                     supplyrisk.list_auc("expected disruption loss", after, critical),
                     supplyrisk.list_auc("composite (HHI x NIR)", before, critical), split, list_id)


# --- Disruption shortfall (docs/analytics.md §2c) -------------------------------------------------------------

def _with_group_inputs(uow: AbstractUnitOfWork, risks: list[MineralRisk]) -> list[tuple[MineralRisk, list[str]]]:
    """Every MCS commodity, plus every element of a group, where an input missing from the element (net import
    reliance; exposure = import shares or production) is taken from its nearest group that has it, and named.
    Call inside an open unit of work."""
    minerals = {m.id: m for m in uow.minerals.all()}
    have = {r.mineral_id for r in risks}
    groups = {m.group_id for m in minerals.values() if m.group_id}
    extra = [m.id for m in sorted(minerals.values(), key=lambda m: m.id)
             if m.group_id and m.id not in have and m.id not in groups]  # elements, not sub-groups
    cache: dict[str, MineralRisk] = {r.mineral_id: r for r in risks}

    def assessed(mid: str) -> MineralRisk:
        if mid not in cache:
            cache[mid] = criticality.assess(mid, minerals[mid].name, uow.statistics.world(mid),
                                            uow.statistics.reliance(mid), uow.statistics.import_sources(mid))
        return cache[mid]

    out = []
    for r in [*risks, *_element_tables(uow, [assessed(m) for m in extra])]:
        borrowed: list[str] = []
        parent = minerals[r.mineral_id].group_id if r.mineral_id in minerals else None
        while parent and parent in minerals and (r.reliance is None or (r.imports is None and r.production is None)):
            g = assessed(parent)
            if r.reliance is None and g.reliance is not None:
                r = replace(r, reliance=g.reliance)
                borrowed.append(f"net import reliance from group {parent}")
            if r.imports is None and r.production is None and (g.imports is not None or g.production is not None):
                r = replace(r, imports=g.imports, production=g.production)
                borrowed.append(f"exposure (import or production shares) from group {parent}")
            parent = minerals[parent].group_id
        if r.reliance is None and r.imports is None and r.production is None and r.mineral_id in set(extra):
            continue  # an element nothing is known about, not even through its group: not an MCS commodity here
        out.append((r, borrowed))
    return out


def _shortfall_from(inputs: list[tuple[MineralRisk, list[str]]], p_other: float,
                    k: int, p_country: dict[str, float] | None = None,
                    spare_capacity: bool = False, governance: bool = False) -> list[supplyrisk.ShortfallScore]:
    values = supplyrisk.load_values()
    restrictions = supplyrisk.load_restrictions()
    return supplyrisk.rank_shortfall(
        supplyrisk.score_shortfall(r, values.get(r.mineral_id, []), restrictions,
                                   any(v.us_production_withheld for v in values.get(r.mineral_id, [])),
                                   p_other, k, borrowed, p_country, spare_capacity, governance)
        for r, borrowed in inputs)


def _shortfall_inputs(uow: AbstractUnitOfWork) -> list[tuple[MineralRisk, list[str]]]:
    with uow:
        return _with_group_inputs(uow, _element_tables(uow, _assess_all(uow, None)))


def shortfall_scores(uow: AbstractUnitOfWork, p_other: float = supplyrisk.P_OTHER,
                     k: int = supplyrisk.K_PRIOR) -> list[supplyrisk.ShortfallScore]:
    """Disruption shortfall D of every MCS commodity and group element with figures (§2c), ranked."""
    return _shortfall_from(_shortfall_inputs(uow), p_other, k)


@dataclass
class ShortfallCheck:
    """§2c against the USGS 2025 ranking and list; the composite (§1) and §2b as 'before', each on its own
    population; the train/test split of the tuned (p_0, k); the inputs driving the largest disagreements."""

    scores: list[supplyrisk.ShortfallScore]
    rank: dict[str, supplyrisk.RankCheck]  # composite, loss (§2b), shortfall (prior), shortfall x V, tuned
    auc: dict[str, supplyrisk.ListAuc]
    drivers: dict[str, list[supplyrisk.Driver]]
    split: dict[str, object]
    list_id: str
    single_producer: list[tuple[str, str, bool]]  # (id, name, on the list): US production withheld, the §2c flag


def check_shortfall(uow: AbstractUnitOfWork, list_id: str = LIST_ID) -> ShortfallCheck:
    with uow:
        assessed = _assess_all(uow, None)
        listed = {e.mineral_id for e in uow.minerals.entries(list_id=list_id)}
        parents = {m.id: m.group_id for m in uow.minerals.all()}
        elements = _element_tables(uow, assessed)
        inputs = _with_group_inputs(uow, elements)
    if not listed:
        raise InvalidInput(f"No entries for list {list_id!r}")
    usgs = supplyrisk.load_usgs_rank()
    prior = (supplyrisk.P_OTHER, supplyrisk.K_PRIOR)
    grid_scores = {(p0, k): _shortfall_from(inputs, p0, k) for p0 in supplyrisk.GRID for k in supplyrisk.GRID_K}
    after = grid_scores[prior]
    comp = {s.mineral_id: s.components() for s in after}
    pops = {
        "composite": {r.mineral_id: (r.name, r.score) for r in assessed if r.score is not None},
        "loss": {s.mineral_id: (s.name, s.score_musd) for s in _loss_from(elements, supplyrisk.P_OTHER)
                 if s.score_musd is not None},
        "shortfall": {s.mineral_id: (s.name, s.score) for s in after if s.score is not None},
        "shortfall_usd": {s.mineral_id: (s.name, s.usd_musd) for s in after if s.usd_musd is not None},
    }
    names = {"composite": "composite (HHI x NIR, §1)", "loss": "expected disruption loss (§2b)",
             "shortfall": "disruption shortfall D (§2c, prior p0 0.1, k 2)",
             "shortfall_usd": "D x value of US consumption (§2c, shown beside)"}
    ranked = [u for u in usgs if u.rank is not None]
    train = {u.mineral_id for u in ranked if supplyrisk.half(u.mineral_id) == "train"}
    test = {u.mineral_id for u in ranked if supplyrisk.half(u.mineral_id) == "test"}
    grid = {}
    for key, sc in grid_scores.items():
        s = {x.mineral_id: (x.name, x.score) for x in sc if x.score is not None}
        grid[key] = (supplyrisk.rank_check("D", s, usgs, train), supplyrisk.rank_check("D", s, usgs, test),
                     supplyrisk.rank_check("D", s, usgs), s)

    def train_rho(key):
        r = grid[key][0].rho
        return (r if r == r else -9.0, key == prior, key[0] == prior[0])  # ties: the prior first
    best = max(grid, key=train_rho)
    pops["tuned"] = grid[best][3]
    names["tuned"] = f"disruption shortfall D tuned on the training half (p0 {best[0]}, k {best[1]})"
    critical_of = {m for pop in pops.values() for m in pop if descendants(parents, m) & listed}
    rank = {key: supplyrisk.rank_check(names[key], pop, usgs) for key, pop in pops.items()}
    auc = {key: supplyrisk.list_auc(names[key], pop, critical_of) for key, pop in pops.items()}
    drivers = {key: supplyrisk.drivers(rank[key], comp) for key in ("loss", "shortfall", "tuned")}
    split = {"rule": "parity of the first byte of SHA-1 of the mineral id (§2b, unchanged)",
             "train": sorted(train), "test": sorted(test), "prior": {"p0": prior[0], "k": prior[1]},
             "tuned_on_train": {"p0": best[0], "k": best[1]},
             "grid": [{"p0": key[0], "k": key[1], "rho_train": round(tr.rho, 4), "n_train": tr.n,
                       "rho_test": round(te.rho, 4), "n_test": te.n, "rho_all": round(al.rho, 4), "n_all": al.n}
                      for key, (tr, te, al, _) in grid.items()],
             "prior_rho": {"train": round(grid[prior][0].rho, 4), "test": round(grid[prior][1].rho, 4),
                           "all": round(grid[prior][2].rho, 4)},
             "tuned_rho": {"train": round(grid[best][0].rho, 4), "test": round(grid[best][1].rho, 4),
                           "all": round(grid[best][2].rho, 4)},
             "note": "rho on the training half chose (p0, k); the test half was not used to choose"}
    single = [(s.mineral_id, s.name, bool(descendants(parents, s.mineral_id) & listed))
              for s in after if s.possible_single_producer]
    return ShortfallCheck(after, rank, auc, drivers, split, list_id, single)


# --- Variants of the shortfall score (docs/analytics.md §2d) --------------------------------------------------

@dataclass
class VariantRow:
    variant: str
    description: str
    all: supplyrisk.RankCheck
    train: supplyrisk.RankCheck
    test: supplyrisk.RankCheck
    auc: supplyrisk.ListAuc


@dataclass
class VariantCheck:
    """Every §2d variant on every set; the one chosen by rho on the training half only."""

    rows: list[VariantRow]
    chosen: str
    split_rule: str
    list_id: str
    resampled: dict[str, object]  # the choice over random halvings, a diagnostic (§2d)


def check_variants(uow: AbstractUnitOfWork, list_id: str = LIST_ID) -> VariantCheck:
    with uow:
        listed = {e.mineral_id for e in uow.minerals.entries(list_id=list_id)}
        parents = {m.id: m.group_id for m in uow.minerals.all()}
        inputs = _with_group_inputs(uow, _element_tables(uow, _assess_all(uow, None)))
    if not listed:
        raise InvalidInput(f"No entries for list {list_id!r}")
    p0, k = supplyrisk.P_OTHER, supplyrisk.K_PRIOR
    china = {"china": supplyrisk.P_CHINA}

    def pop(scores: list[supplyrisk.ShortfallScore]) -> dict[str, tuple[str, float]]:
        return {x.mineral_id: (x.name, x.score) for x in scores if x.score is not None}
    base = _shortfall_from(inputs, p0, k)
    pops = {"V0": pop(base),
            "V1": pop(_shortfall_from(inputs, p0, k, china)),
            "V2": pop(_shortfall_from(inputs, p0, k, spare_capacity=True)),
            "V3": supplyrisk.with_upstream(pop(base)),
            "V4": supplyrisk.damped_consequence(base),
            "V5": supplyrisk.with_upstream(pop(_shortfall_from(inputs, p0, k, china, spare_capacity=True))),
            "V6": supplyrisk.larger_of(pop(base), pop(_shortfall_from([(replace(r, imports=None), b)
                                                                       for r, b in inputs], p0, k))),
            "V7": pop(_shortfall_from(inputs, p0, k, governance=True)),
            "V8": {r.mineral_id: (r.name, g.value) for r, _ in inputs
                   if (g := supplyrisk.geopolrisk(r)).value is not None}}
    usgs = supplyrisk.load_usgs_rank()
    ranked = [u for u in usgs if u.rank is not None]
    train = {u.mineral_id for u in ranked if supplyrisk.half(u.mineral_id) == "train"}
    test = {u.mineral_id for u in ranked if supplyrisk.half(u.mineral_id) == "test"}
    rows = []
    for v, sc in pops.items():
        name = f"{v}: {supplyrisk.VARIANTS[v]}"
        critical = {m for m in sc if descendants(parents, m) & listed}
        rows.append(VariantRow(v, supplyrisk.VARIANTS[v], supplyrisk.rank_check(name, sc, usgs),
                               supplyrisk.rank_check(name, sc, usgs, train), supplyrisk.rank_check(name, sc, usgs, test),
                               supplyrisk.list_auc(name, sc, critical)))
    chosen = max(rows, key=lambda r: (r.train.rho if r.train.rho == r.train.rho else -9.0, -int(r.variant[1:])))
    return VariantCheck(rows, chosen.variant, "parity of the first byte of SHA-1 of the mineral id (§2b, unchanged)",
                        list_id, supplyrisk.resampled_choice(pops, usgs))
