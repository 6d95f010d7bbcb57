"""Screening: the weighted score, unknowns as neutral and shown as unknown, security only from sourced events."""

import pytest

from maadan.analytics import screening
from maadan.analytics.profiles import load_profile
from maadan.evidence.model import Source
from maadan.projects.model import Project, ProjectFact


def project(pid, kind="project", status="operating", commodities=("copper",), events=()):
    return Project(id=pid, name=pid.title(), full_name=pid, kind=kind, country="PK", status=status, sources=["s"],
                   commodities=list(commodities),
                   facts=[ProjectFact("event", {"date": d, "event": e}, (Source(src),)) for d, e, src in events])


MINERALS = {"copper": screening.MineralValue("copper", "Copper", True, 0.05),
            "gallium": screening.MineralValue("gallium", "Gallium", True, 1.0),
            "salt": screening.MineralValue("salt", "Salt", False, None)}


def test_governance_of_a_country_the_wgi_table_does_not_hold_stays_unknown():
    prof = load_profile("us-investor")
    p = Project(id="x", name="X", full_name="x", kind="project", country="Atlantis", status="operating", sources=["s"])
    comp = screening._governance(p, prof)
    assert not comp.known and comp.score == prof.unknown_score.value and "Atlantis" in comp.reason


def test_weighted_score_and_reasons():
    prof = load_profile("us-investor")
    a = project("a", commodities=("gallium",))
    b = project("b", kind="deposit", status="exploration", commodities=("salt",),
                events=[("2026-01", "Camp attacked by militants", "news.example/1")])
    econ = {"a": screening.EconomicsValue(2500.0, 10.0, "15.00 %", "case.yaml")}
    ground = {"b": screening.Ground(True, "free ground in PK-BA")}
    s = screening.screen(prof, [b, a], MINERALS, econ, ground)
    first, second = s.items
    assert (first.project_id, first.rank, second.project_id, second.rank) == ("a", 1, "b", 2)
    f = {c.factor: c for c in first.components}
    assert f["minerals"].score == pytest.approx(1.0)  # listed and the highest S
    assert f["economics"].score == pytest.approx(0.5) and f["economics"].known
    assert f["stage"].score == 1.0 and not f["security"].known and f["security"].score == 0.5
    stability = (-1.9403838 + 2.5) / 5  # Pakistan, WGI political stability 2023 (§8)
    assert f["governance"].known and f["governance"].score == pytest.approx(stability)
    assert "Pakistan" in f["governance"].reason and "GOV_WGI_PV.EST" in f["governance"].sources[0]
    assert first.total == pytest.approx(0.35 * 1 + 0.25 * 0.5 + 0.2 * 1 + 0.1 * 0.5 + 0.1 * stability)
    g = {c.factor: c for c in second.components}
    assert g["minerals"].score == pytest.approx(0.25)  # not listed; unknown S counts neutral
    assert not g["economics"].known and g["security"].known and g["security"].score == 0
    assert g["security"].sources == ["news.example/1"]
    assert second.category == "open ground" and first.category == "project"
    assert len(first.reasons) == 5 and first.reasons[0].startswith("minerals: best commodity Gallium")


def test_a_titled_deposit_is_not_open_ground():
    prof = load_profile("us-investor")
    d = project("d", kind="deposit")
    s = screening.screen(prof, [d], MINERALS, {}, {"d": screening.Ground(False, "not free: inside active title X")})
    assert s.items[0].category == "project"
