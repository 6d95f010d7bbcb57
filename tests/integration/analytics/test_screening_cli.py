"""`maadan screen`: ranks projects and open ground for an investor profile, with reasons."""

import pytest
import yaml

from maadan.analytics.profiles import profiles_dir


def test_screening_ranks_every_candidate_with_reasons(acli):
    data = acli.json("screen", "--profile", "us-investor")
    cands = data["candidates"]
    assert len(cands) == 16 and [c["rank"] for c in cands] == list(range(1, 17))
    assert [c["score"] for c in cands] == sorted((c["score"] for c in cands), reverse=True)
    weights = data["profile"]["weights"]
    assert sum(w["value"] for w in weights.values()) == pytest.approx(1.0)
    assert all(w["why"] for w in weights.values())
    for c in cands:  # the score is the weighted sum of the factor scores shown
        assert c["score"] == pytest.approx(sum(weights[k]["value"] * f["score"] for k, f in c["factors"].items()),
                                           abs=1e-3)
        assert len(c["reasons"]) == 5
        assert c["factors"]["governance"]["known"] is False and "WGI" in c["factors"]["governance"]["reason"]
    rd = next(c for c in cands if c["project"] == "reko-diq")
    assert rd["factors"]["economics"]["known"] and "NPV @10%" in rd["factors"]["economics"]["reason"]
    assert rd["factors"]["security"]["score"] == 0 and "attacks" in rd["factors"]["security"]["reason"]
    assert rd["factors"]["security"]["sources"] == ["arabnews.pk/node/2633290"]
    saindak = next(c for c in cands if c["project"] == "saindak")
    assert saindak["factors"]["economics"]["known"] is False and saindak["factors"]["security"]["known"] is False
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
