"""The agreements registry and partners through the CLI, on every backend."""

from __future__ import annotations

import json

import yaml

from tests.conftest import bundled_agreement_ids

SEEDED = len(bundled_agreement_ids())
BUNDLED = len(bundled_agreement_ids(withdrawn=True))
CORRECTION = ("correction:\n  why: the agreement was completed\n  sources:\n"
              "    - {publisher: Wire, url: 'https://wire.example/1', date: 2025-10-31, evidence: completed}\n")
USSM_FWO = "2025-09-08-ussm-fwo-mou"


def test_seed_loads_the_timeline_once(fresh_cli):
    assert fresh_cli("db", "init")[0] == 0
    data = fresh_cli.json("agreements", "list")
    assert data["count"] == SEEDED
    code, _, err = fresh_cli("db", "seed", "--force")
    assert code == 0 and f"agreements: 0 added, 0 updated, {BUNDLED} unchanged" in " ".join(err.split())
    assert fresh_cli.json("agreements", "list")["count"] == SEEDED


def test_list_filters(cli):
    ids = lambda *args: [a["id"] for a in cli.json("agreements", "list", *args)["items"]]  # noqa: E731
    assert ids("--party", "USSM") == [USSM_FWO, "2025-10-02-first-shipment-to-ussm"]
    assert ids("--party", "Strategic Metals") == [USSM_FWO, "2025-10-02-first-shipment-to-ussm"]
    assert ids("--kind", "joint_venture") == ["2025-03-29-ogdcl-pmdc-antimony-jv"]
    assert ids("--mineral", "Sb", "--kind", "mou") == [USSM_FWO]
    assert set(ids("--mineral", "neodymium")) == {"2025-10-02-first-shipment-to-ussm"}
    assert "2025-10-02-first-shipment-to-ussm" in ids("--mineral", "rare earths")
    assert ids("--year", "2026") == ["2026-02-barrick-reko-diq-board-review", "2026-03-26-barrick-slows-reko-diq"]
    assert ids("--country", "cn") == ["2025-04-08-gsp-cgs-lithium-mou"]
    reko = ids("--project", "Reko Diq")
    assert len(reko) == 8 and reko[:2] == ["2025-04-08-reko-diq-project-finance",
                                           "2025-04-ifc-reko-diq-debt-commitment"]  # timeline order
    assert "2025-11-23-us-exim-reko-diq-loan" in reko
    assert ids("--organisation", "EXIM") == ["2025-11-23-us-exim-reko-diq-loan"]


def test_bad_filters_say_what(cli):
    code, out, err = cli("agreements", "list", "--kind", "treaty")
    assert code == 2 and "kind: 'treaty' is not one of" in err
    code, _, err = cli("agreements", "list", "--mineral", "antimny")
    assert code == 2 and "Did you mean: antimony" in err
    code, _, err = cli("agreements", "list", "--country", "Pakistan")
    assert code == 2 and "ISO 3166-1 alpha-2" in err
    code, _, err = cli("agreements", "list", "--party", "--")
    assert code == 2 and "no letters or digits" in err


def test_show_and_timeline(cli):
    code, out, err = cli("agreements", "show", "2025-09-08-nlc-mota-engil-logistics-mou")
    assert code == 0
    assert "Readings (sources disagree)" in out and "Free Press Journal" in out and "newindianexpress.com" in out
    data = cli.json("agreements", "show", "2025-06-12-ifc-ida-reko-diq-loan")
    assert data["amount"] == 700_000_000 and data["amount_basis"] == "approved"
    assert [r["field"] for r in data["readings"]] == ["amount", "amount"]
    assert data["project_names"] == {"reko-diq": "Reko Diq"}
    code, _, err = cli("agreements", "show", "2025-09-08-ussm-fwo")
    assert code == 2 and f"Did you mean: {USSM_FWO}" in err
    timeline = cli.json("agreements", "timeline")["items"]
    dates = [t["date"] for t in timeline]
    assert dates == sorted(dates) and dates[0] == "2025-03-25" and dates[-1] == "2026-03-26"
    code, out, _ = cli("agreements", "timeline", "--project", "reko-diq")
    assert code == 0 and "(sources disagree)" in out and "8 on the timeline." in out


def test_add_from_options_and_file_then_duplicate_is_a_conflict(copy_cli, tmp_path):
    code, _, err = copy_cli("agreements", "add", "--title", "Test offtake", "--kind", "offtake",
                            "--signed", "2025-12-01", "--party", "US Strategic Metals:offtaker:ussm",
                            "--party", "Frontier Works Organisation:other:fwo", "--mineral", "antimony",
                            "--amount", "1000000", "--currency", "usd", "--source", "https://example.org/news/1")
    assert code == 0 and "Added agreement 2025-12-01-test-offtake" in err
    shown = copy_cli.json("agreements", "show", "2025-12-01-test-offtake")
    assert shown["currency"] == "USD" and shown["sources"][0]["url"] == "https://example.org/news/1"
    assert [p["organisation_id"] for p in shown["parties"]] == ["ussm", "fwo"]
    code, _, err = copy_cli("agreements", "add", "--title", "Test offtake", "--kind", "offtake",
                            "--signed", "2025-12-01", "--source", "x")
    assert code == 3 and "already exists" in err
    path = tmp_path / "two.yaml"
    path.write_text(yaml.safe_dump({"agreements": [
        {"title": "New JV", "kind": "joint_venture", "signed": "2025-12", "sources": ["a"],
         "parties": [{"name": "A", "share": 60}, {"name": "B", "share": 40}]},
        {"id": USSM_FWO, "title": "Dup", "kind": "mou", "sources": ["b"]}]}))
    code, _, err = copy_cli("agreements", "add", str(path))
    assert code == 3 and "agreement 2 of 2" in err and "nothing was added" in err
    assert copy_cli.json("agreements", "list", "--kind", "joint_venture")["count"] == 1  # all or nothing


def test_the_same_agreement_under_another_title_is_a_conflict_naming_it(copy_cli):
    code, _, err = copy_cli("agreements", "add", "--title", "USSM and FWO sign minerals MoU", "--kind", "mou",
                            "--signed", "2025-09", "--party", "USSM:company:ussm",
                            "--party", "FWO:other:fwo", "--source", "a second report")
    assert code == 3 and f"already holds this agreement as {USSM_FWO}" in err
    # another kind, or another date, between the same parties is a different agreement
    code, _, err = copy_cli("agreements", "add", "--title", "USSM and FWO MoU, 2026", "--kind", "mou",
                            "--signed", "2026-01-15", "--party", "USSM:company:ussm",
                            "--party", "FWO:other:fwo", "--source", "a later report")
    assert code == 0, err


def test_add_refuses_bad_input_with_the_field(copy_cli, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"title": "X", "kind": "loan", "amount": 5, "sources": ["s"]}))
    code, _, err = copy_cli("agreements", "add", str(path))
    assert code == 2 and "currency: is required when an amount is given" in err
    path.write_text("{not json")
    code, _, err = copy_cli("agreements", "add", str(path))
    assert code == 2 and "line 1" in err and "not valid JSON" in err
    empty = tmp_path / "empty.yaml"
    empty.write_text("")
    assert copy_cli("agreements", "add", str(empty))[0] == 2
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"\xff\xfe\x00\x01")
    code, out, err = copy_cli("agreements", "add", str(binary))
    assert code == 2 and "not UTF-8" in err and "Traceback" not in out + err
    assert copy_cli.json("agreements", "list")["count"] == SEEDED


def test_edit_changes_fields_or_nothing(copy_cli, tmp_path):
    path = tmp_path / "edit.yaml"
    path.write_text("status: closed\neffective: 2025-10\n")
    code, _, err = copy_cli("agreements", "edit", USSM_FWO, str(path))  # the status is sourced: say why
    assert code == 2 and "a sourced claim is corrected, not overwritten" in err
    path.write_text("status: closed\neffective: 2025-10\n" + CORRECTION)
    data = copy_cli.json("agreements", "edit", USSM_FWO, str(path))
    assert data["status"] == "closed" and data["effective"] == "2025-10" and data["signed"] == "2025-09-08"
    path.write_text("effective: 2025-08-01\n")
    code, _, err = copy_cli("agreements", "edit", USSM_FWO, str(path))
    assert code == 2 and "effective: 2025-08-01 is before signed 2025-09-08" in err
    path.write_text("parties:\n  - {name: A, share: 70}\n  - {name: B, share: 40}\n")
    code, _, err = copy_cli("agreements", "edit", "2025-03-29-ogdcl-pmdc-antimony-jv", str(path))
    assert code == 2 and "shares sum to 110" in err
    after = copy_cli.json("agreements", "show", USSM_FWO)
    assert after["effective"] == "2025-10" and len(after["parties"]) == 5
    jv = copy_cli.json("agreements", "show", "2025-03-29-ogdcl-pmdc-antimony-jv")
    assert [p["share"] for p in jv["parties"]] == [50, 50]
    # a person's edit survives a reseed of the bundle
    assert copy_cli("db", "seed", "--force")[0] == 0
    assert copy_cli.json("agreements", "show", USSM_FWO)["status"] == "closed"


def test_projects_show_lists_agreements(cli):
    data = cli.json("projects", "show", "reko-diq")
    assert len(data["agreements"]) == 8 and data["agreements"][0]["id"] == "2025-04-08-reko-diq-project-finance"
    code, out, _ = cli("projects", "show", "qila-abdullah-antimony")
    assert code == 0 and "2025-03-29-ogdcl-pmdc-antimony-jv" in out


def test_partners_match_ranks_with_reasons(cli):
    data = cli.json("partners", "match", "--for", "US Strategic Metals", "--mineral", "antimony",
                    "--region", "Balochistan")
    assert data["for"] == "ussm" and data["mineral"] == "antimony" and data["region"] == "Balochistan"
    items = data["items"]
    assert items[0]["id"] == "fwo"
    factors = {r["factor"]: r["points"] for r in items[0]["reasons"]}
    assert factors == {"complementary_capabilities": 2, "mineral": 4, "region": 3, "track_record": 2,
                       "existing_partner": 2}
    assert items[0]["score"] == 13
    assert [i["score"] for i in items] == sorted((i["score"] for i in items), reverse=True)
    assert {"ogdcl", "pmdc"} <= {i["id"] for i in items[:5]}
    assert "ussm" not in {i["id"] for i in items}
    code, out, _ = cli("partners", "match", "--for", "USSM")
    assert code == 0 and "Frontier Works Organisation" in out and "+2 already party with US Strategic Metals" in out


def test_partners_lookup_misses_suggest(cli):
    code, _, err = cli("partners", "match", "--for", "US Strategic Metal")
    assert code == 2 and "Did you mean: ussm" in err
    code, _, err = cli("partners", "match", "--for", "USSM", "--region", "Balochstan")
    assert code == 2 and "Did you mean: Balochistan" in err


def test_partners_list_and_show(cli):
    logistics = cli.json("partners", "list", "--capability", "logistics")["items"]
    assert {p["id"] for p in logistics} == {"nlc", "mota-engil"}
    lenders = cli.json("partners", "list", "--capability", "finance")["items"]
    assert {"us-exim", "adb", "ifc", "ida"} <= {p["id"] for p in lenders}
    unknown = cli.json("partners", "list", "--ownership", "unknown")["items"]
    assert "ussm" in {p["id"] for p in unknown}
    fwo = cli.json("partners", "show", "FWO")
    assert fwo["ownership"] == "unknown"
    assert fwo["partner_names"]["ussm"] == "US Strategic Metals"
    assert "Balochistan" in fwo["regions"] and "exploration" in fwo["capabilities"]
    code, out, _ = cli("partners", "show", "nlc")
    assert code == 0 and "Capabilities" in out and "Minerals: unknown" in out


def test_a_withdrawn_record_is_kept_with_the_reason_and_left_out_of_lists(cli):
    mari = "2025-04-barrick-mari-energies-mou"
    code, out, _ = cli("agreements", "show", mari)
    assert code == 0 and "WITHDRAWN" in out and "Rio Tinto" in out and "world-economist.com" in out
    data = cli.json("agreements", "show", mari)
    assert data["withdrawn"]["why"].startswith("No source read supports") and data["final"]
    assert data["withdrawn"]["sources"][0]["evidence"]
    assert mari not in [a["id"] for a in cli.json("agreements", "list")["items"]]
    assert mari not in [a["id"] for a in cli.json("agreements", "stale", "--older-than", "1")["items"]]


def test_organisation_claims_carry_their_sources_and_corrections(cli):
    data = cli.json("partners", "show", "FWO")
    assert data["unsourced"] == [] and {c["claim"] for c in data["claims"]} >= {"name", "note", "profile"}
    assert all(s["url"] and s["evidence"] for c in data["claims"] for s in c["sources"])
    assert data["corrections"][0]["claim"] == "note" and "EL-320" in data["corrections"][0]["old"]
    mari = cli.json("partners", "show", "Mari Mining Company")  # the old name is an alias
    assert mari["name"] == "Mari Minerals (Pvt) Ltd" and [c["claim"] for c in mari["corrections"]] == ["name", "parent"]
