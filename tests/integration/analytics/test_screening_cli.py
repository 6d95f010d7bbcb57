"""`maadan screen`: ranks projects and open ground for an investor profile, with reasons."""

import pytest
import yaml

from maadan.analytics.profiles import profiles_dir
from tests.conftest import bundled_project_count


def test_screening_ranks_every_candidate_with_reasons(acli):
    data = acli.json("screen", "--profile", "us-investor")
    cands = data["candidates"]
    n = bundled_project_count()
    assert len(cands) == n and [c["rank"] for c in cands] == list(range(1, n + 1))
    assert [c["score"] for c in cands] == sorted((c["score"] for c in cands), reverse=True)
    weights = data["profile"]["weights"]
    assert sum(w["value"] for w in weights.values()) == pytest.approx(1.0)
    assert all(w["why"] for w in weights.values())
    for c in cands:  # the score is the weighted sum of the factor scores shown
        assert c["score"] == pytest.approx(sum(weights[k]["value"] * f["score"] for k, f in c["factors"].items()),
                                           abs=1e-3)
        assert len(c["reasons"]) == 5
        gov = c["factors"]["governance"]  # every bundled candidate is in Pakistan: WGI PV 2023 -1.94 (§8)
        assert gov["known"] is True and gov["score"] == pytest.approx((-1.9403838 + 2.5) / 5, abs=1e-3)
        assert "Pakistan" in gov["reason"] and "GOV_WGI_PV.EST" in gov["sources"][0]
    rd = next(c for c in cands if c["project"] == "reko-diq")
    assert rd["factors"]["economics"]["known"] and "NPV @10%" in rd["factors"]["economics"]["reason"]
    assert rd["factors"]["security"]["score"] == 0 and "attacks" in rd["factors"]["security"]["reason"]
    assert [("arabnews.pk/node/2633290" in s) for s in rd["factors"]["security"]["sources"]] == [True]
    saindak = next(c for c in cands if c["project"] == "saindak")
    assert saindak["factors"]["economics"]["known"] is True and saindak["factors"]["security"]["known"] is False
    assert "inputs verified" in saindak["factors"]["economics"]["reason"]
    thar = next(c for c in cands if c["project"] == "thar-block-ii")
    assert thar["factors"]["economics"]["known"] is True  # a case exists: no longer "unknown"
    assert next(c for c in cands if c["project"] == "duddar")["factors"]["economics"]["known"] is False
    assert {c["category"] for c in cands} == {"project", "open ground"}
    assert "cadastre holds no titles" in rd["ground"]["detail"]


def test_screening_text_output(acli):
    code, out, _ = acli("screen")
    assert code == 0 and "Reko Diq" in out and "unknown" in out and "security: 1 recorded incident" in out


def test_bad_profiles(acli, tmp_path):
    base = yaml.safe_load((profiles_dir() / "us-investor.yaml").read_text(encoding="utf-8"))
    bad = dict(base, colour="blue")
    f = tmp_path / "p.yaml"
    f.write_text(yaml.safe_dump(bad), encoding="utf-8")
    code, _, err = acli("screen", "--profile", str(f))
    assert code == 2 and "unknown key 'colour'" in err
    bad = yaml.safe_load(yaml.safe_dump(base))
    bad["weights"]["stage"]["value"] = 0.5
    f.write_text(yaml.safe_dump(bad), encoding="utf-8")
    code, _, err = acli("screen", "--profile", str(f))
    assert code == 2 and "must sum to 1" in err
    bad = yaml.safe_load(yaml.safe_dump(base))
    bad["weights"]["stage"]["why"] = ""
    f.write_text(yaml.safe_dump(bad), encoding="utf-8")
    code, _, err = acli("screen", "--profile", str(f))
    assert code == 2 and "needs a reason" in err
    code, _, err = acli("screen", "--profile", "hedge-fund")
    assert code == 2 and "us-investor" in err


def test_free_ground_in_the_demo_cadastre(seeded_copy):
    import shapely
    from sqlalchemy import create_engine

    from maadan.analytics import service
    from maadan.cadastre import service as cadastre
    from maadan.projects.model import Location, Project
    from maadan.store.uow import UnitOfWork

    engine = create_engine(seeded_copy.url)
    cadastre.load_demo_cadastre(UnitOfWork(engine, write=True), titles=50, seed=1, actor="cli:test")
    with UnitOfWork(engine) as uow:
        title = uow.cadastre.titles(states=["active"], limit=1)[0]
    inside = shapely.get_coordinates(title.geometry.representative_point())[0]

    def site(pid, lon, lat, kind="deposit"):
        return Project(id=pid, name=pid, full_name=pid, kind=kind, country="PK", status="exploration", sources=["s"],
                       locations=[Location(kind="point", lat=lat, lon=lon, preferred=True)])

    sites = [site("in-title", inside[0], inside[1]), site("free", 66.525, 28.025),
             site("sindh", 68.4, 25.4), site("project", 66.525, 28.025, kind="project")]
    with UnitOfWork(engine) as uow:
        ground = service._ground(uow, sites)
    engine.dispose()
    assert ground["in-title"].free is False and title.number in ground["in-title"].detail
    assert ground["free"].free is True and "free ground as recorded in the cadastre (PK-BA)" in ground["free"].detail
    assert "synthetic demo titles" in ground["free"].detail
    # Sindh has rule files now, but the demo register holds nothing there: unknown, not free
    assert ground["sindh"].free is None and "records no titles or applications in PK-SD" in ground["sindh"].detail
    assert ground["project"].free is None and "owner of record" in ground["project"].detail
