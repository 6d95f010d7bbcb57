"""`maadan cadastre rules` and the rule version applied in every CLI output (issue 13 items 1, 7)."""

from tests.integration.cadastre.conftest import square

LOCAL = ["--holder", "Chagai Minerals (Pvt) Ltd=100:PK:private"]


def test_rules_index_lists_every_jurisdiction_with_its_share_verified(cli):
    data = cli.json("cadastre", "rules", "--at", "2025-10-01")
    rows = {j["jurisdiction"]: j for j in data["jurisdictions"]}
    assert set(rows) == {"PK-BA", "PK-PB", "PK-KP", "PK-SD", "PK-GB"}
    assert rows["PK-BA"]["applied"]["version"] == "2020-03-03"  # the 2025 Act is suspended
    for j in rows.values():
        for c in filter(None, (j["applied"], j["all_versions"])):
            assert 0 <= c["verified"] <= c["total"] and c["share"] == round(c["verified"] / c["total"], 4)
    code, out, _ = cli("cadastre", "rules", "--at", "2025-10-01")
    assert code == 0 and "Balochistan" in out and "Gilgit-Baltistan" in out


def test_rules_of_balochistan_say_which_version_applies_and_that_it_is_uncertain(cli):
    during = cli.json("cadastre", "rules", "-j", "pk-ba", "--at", "2025-05-01")
    assert during["applied"]["version"] == "2025-03-14" and during["applied"]["certain"] is True
    after = cli.json("cadastre", "rules", "-j", "PK-BA", "--at", "2025-10-01")
    assert after["applied"]["version"] == "2020-03-03" and after["applied"]["certain"] is False
    assert any("suspended" in r for r in after["applied"]["reasons"])
    act = next(v for v in after["versions"] if v["version"] == "2025-03-14")
    assert act["status_on_day"] == "suspended"
    assert [e["status"] for e in act["status"] if not e["derived"]] == ["in-force", "suspended"]
    for v in after["versions"]:
        assert v["census"]["total"] == len(v["values"])
        for value in v["values"]:
            assert {"legal_basis", "source", "confidence", "verified", "placeholder"} <= set(value)
            assert not (value["verified"] and value["placeholder"])
    code, out, _ = cli("cadastre", "rules", "-j", "PK-BA", "--at", "2025-10-01")
    assert code == 0 and "UNCERTAIN" in out and "Which version applies when" in out


def test_diff_between_two_versions(cli):
    data = cli.json("cadastre", "rules", "-j", "PK-BA", "--diff", "2002-03-08", "--to", "2020-03-03")
    assert data["from"]["version"] == "2002-03-08" and data["to"]["version"] == "2020-03-03"
    fee = next(c for c in data["changes"] if c["path"] == "title_types.EL.application_fee")
    assert fee["kind"] == "value" and fee["before"]["value"] != fee["after"]["value"]
    assert data["counts"]["value"] == sum(1 for c in data["changes"] if c["kind"] == "value")
    nxt = cli.json("cadastre", "rules", "-j", "PK-BA", "--diff", "2002-03-08")  # --to defaults to the next version
    assert nxt["to"]["version"] == "2020-03-03"


def test_bad_rules_questions_say_what_is_wrong(cli):
    code, _, err = cli("cadastre", "rules", "--at", "2025-13-01")
    assert code == 2 and "--at '2025-13-01'" in err
    code, _, err = cli("cadastre", "rules", "-j", "PK-XX")
    assert code == 2 and "PK-BA" in err  # the known ones are suggested
    code, _, err = cli("cadastre", "rules", "-j", "PK-BA", "--version", "1999")
    assert code == 2 and "2002-03-08" in err
    code, _, err = cli("cadastre", "rules", "--diff", "2002-03-08")
    assert code == 2 and "--jurisdiction" in err
    code, _, err = cli("cadastre", "rules", "-j", "PK-BA", "--diff", "2025-03-14")
    assert code == 2 and "no later version" in err


def test_check_and_receipt_say_which_rules_applied_and_why(copy_cli, area_file):
    area = area_file(square(64.0, 28.8))
    check = copy_cli.json("cadastre", "check", str(area), "--type", "EL")
    rules = check["rules"]
    assert rules["jurisdiction"] == "PK-BA" and rules["version"] == check["rules_version"]
    assert rules["certain"] is False and rules["reasons"]  # the 2025 Act is suspended, its successor unclear
    code, out, _ = copy_cli("cadastre", "check", str(area), "--type", "EL")
    assert code == 0 and "Rules applied (UNCERTAIN)" in out
    receipt = copy_cli.json("cadastre", "apply", str(area), "--type", "EL", "--mineral", "copper", *LOCAL)
    assert receipt["rules_basis"]["version"] == rules["version"] and receipt["rules_basis"]["certain"] is False
    apps = copy_cli.json("cadastre", "applications")
    stored = next(a for a in apps["items"] if a["number"] == receipt["number"])
    assert stored["rules_basis"]["why"] == receipt["rules_basis"]["why"]
    code, out, _ = copy_cli("cadastre", "applications")
    assert code == 0 and f"{rules['version']} (uncertain)" in out


def test_check_applies_mineral_restrictions_disclosure_and_declared_exceptions(copy_cli, area_file):
    # Punjab: a large-scale lease needs every shareholder above 5% disclosed; the rock-salt embargo
    # holds back private holders unless they declare themselves bona fide industrial users (the
    # officer verifies the claim).
    area = str(area_file(square(72.9, 32.6, 0.05)))  # the Salt Range, Punjab
    holder = "Chagai Minerals (Pvt) Ltd"
    base = ["cadastre", "check", area, "-j", "PK-PB", "--type", "ML", "--mineral", "salt", "--holder",
            f"{holder}=100:PK:private"]
    blocked = copy_cli.json(*base, expect=2)
    assert any("disclosed" in p for p in blocked["problems"])
    assert any("rock salt" in p for p in blocked["problems"])
    disclosed = [f"--shareholder={holder}::Ali Khan=60", f"--shareholder={holder}::Sara Baloch=40"]
    still = copy_cli.json(*base, *disclosed, expect=2)
    assert [p for p in still["problems"] if "rock salt" in p] and not [p for p in still["problems"] if "disclosed" in p]
    ok = copy_cli.json(*base, *disclosed, "--declare", "bona-fide-industrial-user")
    assert ok["ok"] and ok["problems"] == []
    assert any("officer must verify" in n for n in ok["notes"])
    code, _, err = copy_cli(*base, "--shareholder", "Someone Else::none")
    assert code == 2 and "not one of the holders" in err
