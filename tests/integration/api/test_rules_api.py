"""The rules for people over REST, and the rule version applied in checks, receipts and views
(issue 13 items 1, 7)."""

from tests.integration.cadastre.conftest import square


def test_rules_index_and_one_jurisdiction(read_client):
    index = read_client.get("/api/cadastre/rules", params={"at": "2025-10-01"})
    assert index.status_code == 200
    rows = {j["jurisdiction"]: j for j in index.json()["jurisdictions"]}
    assert set(rows) == {"PK-BA", "PK-PB", "PK-KP", "PK-SD", "PK-GB"}
    ba = read_client.get("/api/cadastre/rules/pk-ba", params={"at": "2025-10-01"}).json()
    assert ba["applied"]["version"] == "2020-03-03" and ba["applied"]["certain"] is False
    assert rows["PK-BA"]["applied"]["version"] == "2020-03-03"
    act = next(v for v in ba["versions"] if v["version"] == "2025-03-14")
    assert act["status_on_day"] == "suspended" and act["census"]["verified"] <= act["census"]["total"]
    assert all(not v["verified"] for v in act["values"] if v["placeholder"])
    kp = read_client.get("/api/cadastre/rules/PK-KP", params={"at": "2025-10-01", "values": "false"}).json()
    bill = next(v for v in kp["versions"] if v["version"] == "2025-04-15")
    assert bill["status_on_day"] == "pending" and bill.get("values") is None
    assert any("pending" in p for p in kp["applied"]["passed_over"])


def test_rules_diff(read_client):
    r = read_client.get("/api/cadastre/rules/PK-BA/diff", params={"from": "2002-03-08", "to": "2020-03-03"})
    assert r.status_code == 200
    body = r.json()
    assert body["from"]["version"] == "2002-03-08" and body["counts"]["value"] >= 1
    fee = next(c for c in body["changes"] if c["path"] == "title_types.EL.application_fee")
    assert fee["before"]["value"] != fee["after"]["value"] and fee["after"]["verified"] is True


def test_bad_rules_questions(read_client):
    r = read_client.get("/api/cadastre/rules/PK-XX")
    assert r.status_code == 404 and "PK-BA" in r.json()["details"]["suggestions"]
    assert read_client.get("/api/cadastre/rules", params={"at": "2025-13-01"}).status_code == 422
    r = read_client.get("/api/cadastre/rules/PK-BA/diff", params={"from": "1999", "to": "2020-03-03"})
    assert r.status_code == 404 and "2002-03-08" in r.json()["message"]
    assert read_client.get("/api/cadastre/rules/PK-BA/diff", params={"from": "2002-03-08"}).status_code == 422


def test_check_receipt_and_views_carry_the_rules_applied(role_client):
    check = role_client.post("/api/cadastre/check", json={"title_type": "EL", "area": {"geojson": square(66.5, 28.0)}})
    assert check.status_code == 200, check.text
    rules = check.json()["rules"]
    assert rules["version"] == check.json()["rules_version"] and rules["certain"] is False and rules["reasons"]
    filed = role_client.post("/api/cadastre/applications", headers=role_client.token("applicant.a"), json={
        "title_type": "EL", "minerals": ["copper"], "area": {"geojson": square(66.5, 28.0)},
        "holders": [{"name": "Chagai Minerals (Pvt) Ltd", "share_pct": 60, "country": "PK",
                     "shareholders": [{"name": "Ali Khan", "share_pct": 60}], "local_to": ["PK-BA"]},
                    {"name": "US Strategic Metals", "share_pct": 40, "country": "US", "organisation_id": "ussm"}]})
    assert filed.status_code == 201, filed.text
    body = filed.json()
    assert body["rules_basis"]["version"] == rules["version"] and body["rules_basis"]["certain"] is False
    assert body["holders"][0]["shareholders"] == [{"name": "Ali Khan", "share_pct": 60.0}]
    public = role_client.get(f"/api/cadastre/applications/PK-BA/{body['number']}").json()
    assert public["rules_basis"]["why"] == body["rules_basis"]["why"] and "holders" not in public


def test_punjab_check_applies_disclosure_and_the_rock_salt_embargo(read_client):
    base = {"jurisdiction": "PK-PB", "title_type": "ML", "area": {"geojson": square(72.9, 32.6, 0.05)},
            "minerals": ["salt"]}
    holder = {"name": "Chagai Minerals (Pvt) Ltd", "share_pct": 100, "country": "PK"}
    r = read_client.post("/api/cadastre/check", json=base | {"holders": [holder]}).json()
    assert any("disclosed" in p for p in r["problems"]) and any("rock salt" in p for p in r["problems"])
    r = read_client.post("/api/cadastre/check", json=base | {
        "holders": [holder | {"shareholders": []}], "declarations": ["bona-fide-industrial-user"]}).json()
    assert r["problems"] == [] and any("officer must verify" in n for n in r["notes"])
    bad = read_client.post("/api/cadastre/check", json=base | {"holders": [holder | {"local_to": ["../etc"]}]})
    assert bad.status_code == 422 and "local_to" in bad.json()["message"]
