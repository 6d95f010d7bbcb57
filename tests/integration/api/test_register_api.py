"""/api/register on both backends: checkpoints and the public key as text, proofs that verify
offline, a check of a kept checkpoint, the public export; bad input answered 4xx."""

import io
import json

import pytest
from fastapi.testclient import TestClient

from maadan.http.app import create_app
from maadan.audit import keys, merkle, note, verify_export
from maadan.config import load_settings
from tests.integration.audit.conftest import NAME, Register


@pytest.fixture
def reg(seeded_copy, tmp_path):
    r = Register(seeded_copy.url, tmp_path / "keys" / "register-key.pem")
    yield r
    r.close()


@pytest.fixture
def api(reg):
    with TestClient(create_app(load_settings({"MAADAN_DATABASE_URL": reg.url}))) as c:
        yield c


def test_nothing_signed_yet_is_a_clear_404(api, reg):
    reg.add(3)
    for path in ("/api/register/checkpoint", "/api/register/public-key"):
        r = api.get(path)
        assert r.status_code == 404 and "signed yet" in r.json()["message"]
    r = api.get("/api/register/proof/inclusion", params={"seq": 2})  # against the current, unsigned tree
    assert r.status_code == 200 and r.json()["checkpoint"] is None and r.json()["tree_size"] == 3


def test_checkpoint_key_and_proofs(api, reg):
    reg.add(300)
    first = reg.sign()
    reg.add(20)
    latest = reg.sign()
    r = api.get("/api/register/checkpoint")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain") and r.text == latest.note
    vkey = api.get("/api/register/public-key").text
    key = note.parse_vkey(vkey)
    assert vkey.strip() == reg.pub.read_text().strip()
    assert api.get("/api/register/public-key", params={"key_id": key.key_id.hex()}).text == vkey
    assert api.get("/api/register/public-key", params={"key_id": "00000000"}).status_code == 404
    assert api.get(f"/api/register/checkpoints/{first.id}").text == first.note
    listed = api.get("/api/register/checkpoints").json()
    assert listed["total"] == 2 and listed["items"][0]["id"] == latest.id

    cp = note.verify_checkpoint(note.parse_checkpoint(r.text), key)
    p = api.get("/api/register/proof/inclusion", params={"seq": 17}).json()
    assert p["tree_size"] == 320 and p["checkpoint"] == latest.note
    merkle.verify_inclusion(16, 320, merkle.leaf_hash(p["leaf"].encode()), [bytes.fromhex(h) for h in p["proof"]],
                            cp.root)
    c = api.get("/api/register/proof/consistency", params={"first": 300}).json()
    old = note.parse_checkpoint(c["first_checkpoint"])
    merkle.verify_consistency(300, 320, old.root, cp.root, [bytes.fromhex(h) for h in c["proof"]])

    events = api.get("/api/register/events", params={"limit": 2, "offset": 10}).json()
    assert events["total"] == 320 and [e["seq"] for e in events["items"]] == [11, 12]
    assert "actor" not in events["items"][0] and len(events["items"][0]["private"]) == 64


def test_a_kept_checkpoint_checked_by_the_server(api, reg, tmp_path):
    reg.add(10)
    kept = reg.sign().note
    reg.add(5)
    reg.sign()
    body = api.get("/api/register/verify", params={"checkpoint": kept}).json()
    assert body["ok"] and body["tree_size"] == 15 and body["checkpoint"]["tree_size"] == 10
    proof = body["consistency"]
    assert proof["first"] == 10 and proof["second"] == 15
    proof_file = tmp_path / "c.json"
    proof_file.write_text(json.dumps(proof))
    out = io.StringIO()
    assert verify_export.main(["--key", str(reg.pub), "--proof", str(proof_file)], out) == 0, out.getvalue()

    reg.sql("DELETE FROM audit_event WHERE seq > 8")
    body = api.get("/api/register/verify", params={"checkpoint": kept}).json()
    assert body["ok"] is False and body["problem"] == "truncated" and "events 9–10 were deleted" in body["reason"]


def test_bad_input_is_answered_4xx(api, reg, tmp_path):
    reg.add(10)
    good = reg.sign().note
    other = tmp_path / "other.pem"
    keys.generate(other, NAME)
    from maadan.audit import service as audit

    wrong = audit.checkpoint(reg.uow(write=True), keys.load(other, NAME)).note  # the register, another key
    for checkpoint, message in ((good.replace("\n10\n", "\n11\n"), "altered or forged"),
                                (good[:good.index("\n\n")], "truncated"),
                                (good[:40], "truncated"),
                                ("x" * 20_000, "at most 16384 characters"),
                                (wrong.replace(wrong.split("\n\u2014 ")[1].split(" ")[1].strip(), "AAAA" * 17), None)):
        r = api.get("/api/register/verify", params={"checkpoint": checkpoint})
        assert r.status_code == 422, (checkpoint[:60], r.text)
        if message:
            assert message in r.json()["message"], r.text
    r = api.get("/api/register/verify")
    assert r.status_code == 422 and "checkpoint: Field required" in r.json()["message"]
    for params, message in (({"seq": 12}, "event 12 is beyond the tree: the register has 10 events"),
                            ({"seq": 2, "tree_size": 99}, "99 is beyond the tree"),
                            ({"seq": 0}, "greater than or equal to 1"),
                            ({"seq": "abc"}, "integer")):
        r = api.get("/api/register/proof/inclusion", params=params)
        assert r.status_code == 422 and message in r.json()["message"], r.text
    r = api.get("/api/register/proof/consistency", params={"first": 5, "second": 40})
    assert r.status_code == 422 and "40 is beyond the tree" in r.json()["message"]
    assert api.get("/api/register/checkpoints/999").status_code == 404
    assert api.get("/api/register/public-key", params={"key_id": "../../etc"}).status_code == 422
    assert api.get("/api/register/export", params={"size": 50}).status_code == 422


def test_export_download_verifies_offline(api, reg, tmp_path):
    reg.add(270)
    reg.sign()
    reg.add(4)  # not yet signed: the download stops at the latest checkpoint
    r = api.get("/api/register/export")
    assert r.status_code == 200 and 'filename="register-270.jsonl"' in r.headers["content-disposition"]
    export = tmp_path / "register.jsonl"
    export.write_bytes(r.content)
    assert len(r.content.splitlines()) == 271
    out = io.StringIO()
    assert verify_export.main(["--key", str(reg.pub), str(export)], out) == 0, out.getvalue()
    everything = api.get("/api/register/export", params={"size": 274})
    assert len(everything.content.splitlines()) == 275 and json.loads(everything.content.splitlines()[0])["checkpoint"] is None


def test_the_public_quick_check(api, reg):
    reg.add(12)
    assert api.get("/api/audit/verify").json()["ok"]
    reg.sign()
    body = api.get("/api/audit/verify").json()
    assert body["ok"] and body["checkpoints_verified"] == 1 and "quick check" in body["notes"][0]
    reg.sql("DELETE FROM audit_event WHERE seq > 10")
    body = api.get("/api/audit/verify").json()
    assert body["ok"] is False and body["problem"] == "truncated"


def test_one_export_at_a_time(api, reg):
    import threading

    reg.add(3)
    gate = api.app.state.register_export = threading.BoundedSemaphore(1)
    gate.acquire()  # an export is streaming
    r = api.get("/api/register/export")
    assert r.status_code == 429 and r.headers["retry-after"] == "60" and "already being prepared" in r.json()["message"]
    gate.release()
    assert api.get("/api/register/export").status_code == 200
    assert api.get("/api/register/export").status_code == 200  # the gate is released after each download


def test_openapi_documents_every_register_body(api):
    doc = api.get("/openapi.json").json()
    ok = {path: op["get"]["responses"]["200"]["content"] for path, op in doc["paths"].items()
          if path.startswith("/api/register/")}
    ref = {path: next(iter(c.values()))["schema"].get("$ref", "") for path, c in ok.items()}
    assert ref["/api/register/proof/inclusion"].endswith("/InclusionProofOut")
    assert ref["/api/register/proof/consistency"].endswith("/ConsistencyProofOut")
    assert ref["/api/register/verify"].endswith("/CheckpointCheckOut")
    assert ref["/api/register/checkpoints"].endswith("Paged_CheckpointOut_")
    assert ref["/api/register/events"].endswith("Paged_PublicEventOut_")
    for path in ("/api/register/checkpoint", "/api/register/checkpoints/{checkpoint_id}", "/api/register/public-key"):
        assert ok[path]["text/plain"]["schema"] == {"type": "string"}, path
    assert ok["/api/register/export"]["application/x-ndjson"]["schema"] == {"type": "string"}
    schemas = doc["components"]["schemas"]
    assert {"seq", "leaf", "proof", "root_hash"} <= set(schemas["InclusionProofOut"]["required"])
    assert {"private", "redacted", "leaf_hash"} <= set(schemas["PublicEventOut"]["required"])
    assert {"problem", "checkpoints_verified"} <= set(schemas["VerificationOut"]["properties"])
