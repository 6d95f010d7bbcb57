"""The issue's list of bad input, end to end through `maadan`: each a clear error (exit 2, what and where),
or a plain statement (IRR undefined, data missing); never a traceback, never a number made up."""

import pytest
import yaml

from maadan.analytics.params import fiscal_dir


@pytest.fixture
def case_file(tmp_path):
    def write(edit):
        d = yaml.safe_load((fiscal_dir() / "cases" / "reko-diq.yaml").read_text(encoding="utf-8"))
        edit(d)
        f = tmp_path / "case.yaml"
        f.write_text(yaml.safe_dump(d), encoding="utf-8")
        return str(f)
    return write


@pytest.mark.parametrize("edit, message", [
    (lambda d: d["schedule"][1].update(ore_mt=-45), "schedule 2030-2033: ore tonnage must be >= 0"),
    (lambda d: d["schedule"][1]["grades"].update(copper=-0.5), "copper grade must be >= 0"),
    (lambda d: d["commodities"]["gold"].update(recovery_pct=101), "gold: recovery must be between 0 and 100 %"),
    (lambda d: d["partners"][0].update(equity_pct=55), "partner equity shares sum to 104.99 %, not 100 %"),
    (lambda d: d.update(discount_rate=8), "unknown key 'discount_rate'"),
    (lambda d: d.update(fiscal="PK-XX"), "Unknown fiscal jurisdiction 'PK-XX'"),
], ids=["negative-tonnage", "negative-grade", "recovery-above-100", "shares-not-100", "unknown-key", "no-fiscal-file"])
def test_bad_case_files(acli, case_file, edit, message):
    code, out, err = acli("economics", "--params", case_file(edit))
    assert code == 2 and out == ""
    assert message in err and "Traceback" not in err
    if "fiscal" not in message:
        assert "case.yaml, line " in err  # file and line


def test_a_royalty_basis_the_economics_cannot_compute(acli, tmp_path):
    d = yaml.safe_load((fiscal_dir() / "PK-BA.yaml").read_text(encoding="utf-8"))
    d["agreements"][0]["levies"][0]["basis"]["value"] = "net-profit"
    f = tmp_path / "PK-XX.yaml"
    f.write_text(yaml.safe_dump(d, sort_keys=False), encoding="utf-8")
    c = yaml.safe_load((fiscal_dir() / "cases" / "reko-diq.yaml").read_text(encoding="utf-8"))
    c["fiscal"] = str(f)
    cf = tmp_path / "case.yaml"
    cf.write_text(yaml.safe_dump(c), encoding="utf-8")
    code, out, err = acli("economics", "--params", str(cf))
    assert code == 2 and out == "" and "Traceback" not in err
    import re
    line = int(re.search(r", line (\d+)", err).group(1))
    assert "PK-XX.yaml" in err and "agreements[0].levies[0].basis" in err and "'net-profit'" in err
    assert "basis" in f.read_text(encoding="utf-8").splitlines()[line - 1] or "net-profit" in \
        f.read_text(encoding="utf-8").splitlines()[line - 1]


def test_negative_tonnage_in_a_whatif(acli):
    code, _, err = acli("whatif", "--add", "-240", "--unit", "kt/yr", "--mineral", "copper")
    assert code == 2 and "must be a non-negative number" in err


def test_discount_rate_of_minus_100(acli):
    for cmd in (["economics", "--project", "reko-diq", "--discount", "-100"],
                ["montecarlo", "--project", "reko-diq", "--discount", "-100", "--paths", "100"]):
        code, _, err = acli(*cmd)
        assert code == 2 and "-100 % is refused" in err and "undefined" in err


def test_no_sign_change_says_irr_undefined(acli, case_file):
    # Free-carried Balochistan never funds anything: all its cash flows are >= 0.
    data = acli.json("economics", "--project", "reko-diq")
    carried = next(p for p in data["partners"] if p["carried"])
    assert carried["irr_pct"] is None and "no sign change" in carried["irr_note"]
    # A project that never pays back (price 0): all net cash flows negative.
    data = acli.json("economics", "--params", case_file(lambda d: [d["commodities"][c]["price"].update(value=0)
                                                                   for c in ("copper", "gold")]))
    assert data["irr_pct"] is None and "all cash flows are negative" in data["irr_note"]
    code, out, _ = acli("economics", "--params", case_file(lambda d: [d["commodities"][c]["price"].update(value=0)
                                                                      for c in ("copper", "gold")]))
    assert code == 0 and "IRR of the project undefined: no sign change" in out


def test_mineral_without_production_data(acli):
    (m,) = acli.json("criticality", "--mineral", "cerium")["minerals"]
    assert m["score"] is None
    assert "world production by country with a numeric world total" in m["missing"]
    code, out, _ = acli("whatif", "--add", "10", "--unit", "t", "--mineral", "cerium")
    assert code == 0 and "cerium: no world production table with a numeric world total" in out


def test_profile_with_an_unknown_key(acli, tmp_path):
    from maadan.analytics.profiles import profiles_dir

    d = yaml.safe_load((profiles_dir() / "us-investor.yaml").read_text(encoding="utf-8"))
    d["weights"]["luck"] = {"value": 0, "why": "x", "verified": False}
    f = tmp_path / "p.yaml"
    f.write_text(yaml.safe_dump(d), encoding="utf-8")
    code, _, err = acli("screen", "--profile", str(f))
    assert code == 2 and "weights: unknown key 'luck'" in err
