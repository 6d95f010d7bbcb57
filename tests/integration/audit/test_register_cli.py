"""`maadan audit ...` on both backends: keys, checkpoints, proofs, and every way of tampering with
the register detected and named."""

import json
import os
from datetime import datetime, timedelta, timezone

from maadan.audit import keys, merkle, note
from maadan.audit import service as audit
from tests.conftest import Database

from .conftest import NAME, Register


def test_keygen_checkpoint_verify_and_proofs(register, audit_cli):
    code, out, _ = audit_cli("audit", "keygen")
    assert code == 0 and os.stat(register.key).st_mode & 0o777 == 0o600
    vkey = register.pub.read_text().strip()
    assert vkey in out and note.parse_vkey(vkey).name == NAME
    code, _, err = audit_cli("audit", "keygen")
    assert code == 3 and "never overwrites" in err

    register.add(300)  # more than 256: the first stored tree node exists
    code, out, err = audit_cli("audit", "checkpoint")
    assert code == 0 and "Checkpoint #1 signed" in err
    cp = note.verify_checkpoint(note.parse_checkpoint(out), note.parse_vkey(vkey))
    assert cp.size == 300
    kept = register.key.parent / "kept.txt"
    kept.write_text(out)

    register.add(5)
    listed = audit_cli.json("audit", "checkpoints")
    assert listed["total"] == 1 and listed["items"][0]["note"] == out
    body = audit_cli.json("audit", "verify", "--checkpoint", kept, "--key", register.pub)
    assert body["ok"] and body["events"] == 305 and body["kept"]["extended"] and body["checkpoints_verified"] == 1
    code, out, _ = audit_cli("audit", "verify", "--checkpoint", kept, "--key", register.pub)
    assert code == 0 and "extends your checkpoint of 300 events" in out

    proof = audit_cli.json("audit", "inclusion", "123")  # default: the latest checkpoint
    assert proof["tree_size"] == 300 and proof["checkpoint"] == kept.read_text()
    merkle.verify_inclusion(122, 300, merkle.leaf_hash(proof["leaf"].encode()),
                            [bytes.fromhex(h) for h in proof["proof"]], cp.root)
    assert json.loads(proof["leaf"])["seq"] == 123
    cons = audit_cli.json("audit", "consistency", "300", "305")
    merkle.verify_consistency(300, 305, cp.root, bytes.fromhex(cons["second_root"]),
                              [bytes.fromhex(h) for h in cons["proof"]])
    assert cons["first_checkpoint"] == kept.read_text() and cons["second_checkpoint"] is None


def test_a_missing_key_file_is_named_and_nothing_is_signed(register, audit_cli):
    register.add(3)
    code, _, err = audit_cli("audit", "checkpoint")
    assert code == 78 and str(register.key) in err and "maadan audit keygen" in err
    assert audit_cli.json("audit", "checkpoints")["total"] == 0


def test_deleted_tail_events_are_named(register, audit_cli):
    register.add(20)
    register.sign()
    kept = register.key.parent / "kept.txt"
    kept.write_text(register.sign().note)
    register.sql("DELETE FROM audit_event WHERE seq > 15")
    code, out, _ = audit_cli("audit", "verify", "--checkpoint", kept, "--key", register.pub, "--json")
    body = json.loads(out)
    assert code == 1 and body["problem"] == "truncated" and body["first_bad_seq"] == 16
    assert "events 16–20 were deleted" in body["reason"] and "the checkpoint you kept" in body["reason"]
    # Without the citizen's checkpoint, the register's own checkpoints still show it.
    body = json.loads(audit_cli("audit", "verify", "--json")[1])
    assert body["problem"] == "truncated" and "checkpoint #" in body["reason"]
    # And the authority's key will not sign the shortened register.
    code, _, err = audit_cli("audit", "checkpoint")
    assert code == 3 and "deleted" in err


def test_a_rewritten_history_with_recomputed_hashes_is_named(register, audit_cli):
    register.add(10)
    register.sign()
    register.add(10)
    kept = register.key.parent / "kept.txt"
    kept.write_text(register.sign().note)
    register.rewrite(14, {"i": 13, "note": "quietly changed"})
    chain_only = audit_cli.json("audit", "verify", expect=1)  # the chain itself is consistent again
    assert chain_only["problem"] == "rewritten" and "events 11–20" in chain_only["reason"]
    body = audit_cli.json("audit", "verify", "--checkpoint", kept, "--key", register.pub, expect=1)
    assert body["problem"] == "rewritten" and "the checkpoint you kept" in body["reason"]
    assert "rewritten after signing it" in body["reason"]
    # The intruder also removes the register's own checkpoints: the kept one still catches it.
    register.sql("DELETE FROM register_checkpoint")
    body = audit_cli.json("audit", "verify", "--checkpoint", kept, "--key", register.pub, expect=1)
    assert body["problem"] == "rewritten" and body["kept"]["extended"] is False


def test_an_edit_without_recomputing_is_named_at_its_event(register, audit_cli):
    register.add(12)
    register.sql("UPDATE audit_event SET data = :d WHERE seq = 5", d=json.dumps({"i": 99}))
    body = audit_cli.json("audit", "verify", expect=1)
    assert body["problem"] == "edited" and body["first_bad_seq"] == 5
    # A private field (the actor) changed and its chain hash recomputed: the leaf's commitment catches it.
    register.sql("UPDATE audit_event SET data = :d WHERE seq = 5", d=json.dumps({"i": 4}))
    register.rewrite(5, {"i": 4})  # back to consistent
    assert audit_cli("audit", "verify")[0] == 0
    register.sql("UPDATE audit_event SET salt = :s WHERE seq = 8", s="00" * 32)
    body = audit_cli.json("audit", "verify", expect=1)
    assert body["problem"] == "edited" and body["first_bad_seq"] == 8 and "leaf hash" in body["reason"]


def test_a_fork_is_named(register, audit_cli, tmp_path):
    register.add(30)
    register.sign()
    register.engine.dispose()  # the copy below needs the database at rest
    other = Database(register.url.split(":", 1)[0].split("+")[0], tmp_path,
                     template=type("T", (), {"url": register.url})())
    try:
        register.add(5, side="A")
        kept = tmp_path / "kept-from-A.txt"
        kept.write_text(register.sign().note)
        b = Register(other.url, register.key)  # the same authority, the same key, another history
        b.add(8, side="B")
        b.sign()
        b.close()
        audit_cli.url = other.url
        os.environ["MAADAN_DATABASE_URL"] = other.url
        body = audit_cli.json("audit", "verify", "--checkpoint", kept, "--key", register.pub, expect=1)
        assert body["problem"] == "fork" and "two histories" in body["reason"] and "checkpoint #2" in body["reason"]
        code, out, _ = audit_cli("audit", "verify", "--checkpoint", kept, "--key", register.pub)
        assert code == 1 and "Register broken (fork)" in out
    finally:
        other.close()


def test_bad_checkpoints_are_refused_with_exit_2(register, audit_cli, tmp_path):
    register.add(4)
    good = register.sign().note
    cases = {
        "forged": (good.replace("\n4\n", "\n3\n"), "altered or forged"),
        "truncated": (good[:good.index("\n\n")], "truncated"),
        "cut": (good[:-20], "cut off"),
        "empty": ("", "empty"),
    }
    for name, (content, message) in cases.items():
        f = tmp_path / f"{name}.txt"
        f.write_text(content)
        code, _, err = audit_cli("audit", "verify", "--checkpoint", f, "--key", register.pub)
        assert code == 2 and message in err, (name, err)
    other = tmp_path / "other" / "k.pem"
    keys.generate(other, NAME)
    wrong = tmp_path / "wrong.txt"
    wrong.write_text(audit.checkpoint(register.uow(write=True), keys.load(other, NAME)).note)
    code, _, err = audit_cli("audit", "verify", "--checkpoint", wrong, "--key", register.pub)
    assert code == 2 and "wrong or replaced key" in err
    code, _, err = audit_cli("audit", "verify", "--checkpoint", tmp_path / "nothing.txt")
    assert code == 2 and "no such file" in err
    code, _, err = audit_cli("audit", "verify", "--checkpoint", wrong, "--key", wrong)
    assert code == 2 and "key file" in err


def test_proofs_beyond_the_tree_are_refused(register, audit_cli):
    register.add(10)
    for args, message in ((["inclusion", "11"], "event 11 is beyond the tree: the register has 10 events"),
                          (["inclusion", "0"], "numbered from 1"),
                          (["inclusion", "3", "--tree-size", "12"], "12 is beyond the tree"),
                          (["inclusion", "8", "--tree-size", "5"], "beyond the tree of 5 events"),
                          (["consistency", "5", "11"], "11 is beyond the tree"),
                          (["consistency", "9", "4"], "cannot be a prefix")):
        code, _, err = audit_cli("audit", *args)
        assert code == 2 and message in err, (args, err)


def test_first_checkpoint_after_a_moment(register):
    register.add(2)
    t0 = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)
    first = register.sign(now=t0 + timedelta(hours=1))
    register.add(1)
    second = register.sign(now=t0 + timedelta(days=1))
    assert audit.first_checkpoint_after(register.uow(), t0).id == first.id
    assert audit.first_checkpoint_after(register.uow(), t0 + timedelta(hours=1)).id == second.id
    assert audit.first_checkpoint_after(register.uow(), t0 + timedelta(days=2)) is None
    assert first.note.splitlines()[3] == "time 2026-12-01T10:00:00Z"


def test_a_damaged_tree_node_or_stored_checkpoint_is_named(register, audit_cli):
    register.add(600)  # two stored nodes of 256 events
    register.sign()
    assert audit_cli("audit", "verify")[0] == 0
    register.sql("UPDATE audit_node SET hash = :h WHERE level = 8 AND idx = 1", h="00" * 32)
    body = audit_cli.json("audit", "verify", expect=1)
    assert body["problem"] == "tree" and "level 8, index 1 (events 257–512)" in body["reason"]
    code, _, err = audit_cli("audit", "inclusion", "300")  # proofs from it would not verify: say so, do not serve
    assert code == 3 and "checkpoint #1" in err and "maadan audit verify" in err
    register.sql("DELETE FROM audit_node")
    register.add(1)  # appending does not repair what was removed
    body = audit_cli.json("audit", "verify", expect=1)
    assert body["problem"] == "tree" and "level 8, index 0" in body["reason"]


def test_a_stored_checkpoint_altered_in_the_database_is_named(register, audit_cli):
    register.add(5)
    cp = register.sign()
    register.sql("UPDATE register_checkpoint SET root_hash = :r", r="11" * 32)
    body = audit_cli.json("audit", "verify", expect=1)
    assert body["problem"] == "forged" and f"checkpoint #{cp.id}" in body["reason"]
    register.sql("UPDATE register_checkpoint SET root_hash = :r, note = :n", r=cp.root_hash,
                 n=cp.note.replace("\n5\n", "\n4\n"))
    body = audit_cli.json("audit", "verify", expect=1)
    assert body["problem"] == "forged" and "altered or forged" in body["reason"]


def test_keygen_keep_existing_for_scripts(register, audit_cli):
    assert audit_cli("audit", "keygen", "--keep-existing")[0] == 0
    before = register.key.read_bytes()
    code, _, err = audit_cli("audit", "keygen", "--keep-existing")
    assert code == 0 and "Keeping the existing signing key" in err and register.key.read_bytes() == before


def test_an_event_whose_data_json_cannot_carry_is_refused(register):
    import pytest

    from maadan.errors import InvalidInput

    with pytest.raises(InvalidInput, match="NaN"):
        register.add(1, area_km2=float("nan"))
    with register.uow() as uow:
        assert uow.audit.size() == 0
