"""The partner match score: each factor's points and its reason."""

from __future__ import annotations

from maadan.organisations.model import Organisation
from maadan.partners.model import Profile, covers, score


def profile(oid: str, **attrs) -> Profile:
    p = Profile(Organisation(id=oid, name=oid.upper(), kind="company", source="test"))
    for attribute in ("capabilities", "minerals", "regions"):
        for value in attrs.get(attribute, ()):
            p.add(attribute, value, "test evidence")
    p.agreements = list(attrs.get("agreements", []))
    p.partners = dict(attrs.get("partners", {}))
    return p


ME = profile("me", capabilities=["refining"], minerals=["antimony", "copper"], regions=["Balochistan"])
GROUPS = {"neodymium": "light-rare-earths", "light-rare-earths": "rare-earths", "rare-earths": None}


def test_each_factor_adds_its_points_with_a_reason():
    other = profile("fwo", capabilities=["exploration", "refining", "logistics"], minerals=["antimony"],
                    regions=["Balochistan"], agreements=["a1", "a2"], partners={"me": ["a1"]})
    c = score(ME, other, mineral="antimony", region="Balochistan")
    points = {r.factor: r.points for r in c.reasons}
    assert points == {"complementary_capabilities": 4, "mineral": 4, "region": 3, "track_record": 2,
                      "existing_partner": 2}
    assert c.score == 15
    assert "exploration, logistics" in c.reasons[0].text and "ME has: refining" in c.reasons[0].text


def test_without_mineral_or_region_shared_ones_count():
    other = profile("x", minerals=["copper", "antimony", "gold"], regions=["Balochistan", "Sindh"])
    c = score(ME, other)
    assert {r.factor: r.points for r in c.reasons} == {"shared_minerals": 2, "shared_region": 1}


def test_caps_and_nothing_for_nothing():
    many = profile("y", capabilities=["exploration", "mining", "processing", "logistics", "finance"],
                   agreements=[f"a{i}" for i in range(9)])
    c = score(ME, many)
    assert {r.factor: r.points for r in c.reasons} == {"complementary_capabilities": 6, "track_record": 3}
    assert score(ME, profile("z")).score == 0


def test_mineral_groups_cover_their_members_both_ways():
    assert covers("neodymium", "rare-earths", GROUPS) and covers("rare-earths", "neodymium", GROUPS)
    assert not covers("copper", "rare-earths", GROUPS)
    c = score(ME, profile("ree", minerals=["neodymium"]), mineral="rare-earths", groups=GROUPS)
    assert [r.factor for r in c.reasons] == ["mineral"]
