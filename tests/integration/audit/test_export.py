"""The public export and the standalone verifier: private parts stay out, and a journalist with
the export, a checkpoint and the public key detects a rewritten, truncated or forged register."""

import gzip
import io
import json
import subprocess
import sys
from pathlib import Path

from maadan.audit import verify_export

ROOT = Path(__file__).resolve().parents[3]
SECRETS = ("Jane Roe", "HBL-20261201-778", "user:tester", "passport.pdf")


def fill(register) -> None:
    from maadan.audit import service as audit
    from maadan.audit.events import document_from_bytes

    register.add(40)
    with register.uow(write=True) as uow:
        audit.record(uow, "user:tester", "application.received", "application PK-BA/A1",
                     {"holders": [["US Strategic Metals", 100.0]], "beneficial_owners": {"US Strategic Metals": ["Jane Roe"]}},
                     documents=[document_from_bytes("passport.pdf", b"%PDF-1.7")])
        audit.record(uow, "user:tester", "payment.recorded", "title PK-BA/EL/2026/0001",
                     {"amount": 1500.0, "currency": "PKR", "reference": "HBL-20261201-778"})
        uow.commit()
    register.add(260)  # past 256 events: proofs use a stored tree node


def run(*args) -> tuple[int, str]:
    out = io.StringIO()
    code = verify_export.main([str(a) for a in args], out)
    return code, out.getvalue()


def test_export_hides_private_parts_and_verifies(register, audit_cli, tmp_path):
    fill(register)
    cp = tmp_path / "cp.txt"
    cp.write_text(register.sign().note)
    export = tmp_path / "register.jsonl"
    code, _, err = audit_cli("audit", "export", export)
    assert code == 0 and "Exported 302 events (checkpoint #1" in err
    data = export.read_bytes()
    assert not any(s.encode() in data for s in SECRETS)
    payment = json.loads(data.splitlines()[42])
    assert payment["kind"] == "payment.recorded" and payment["data"] == {"amount": 1500.0, "currency": "PKR"}
    assert payment["redacted"] == ["/reference"]
    # The authority still holds every private part.
    log = audit_cli.json("audit", "log")
    assert log["items"][40]["data"]["beneficial_owners"] == {"US Strategic Metals": ["Jane Roe"]}

    code, out = run("--key", register.pub, export, "--checkpoint", cp)
    assert code == 0 and "everything verifies" in out and "302 events" in out

    gz = tmp_path / "register.jsonl.gz"
    assert audit_cli("audit", "export", gz)[0] == 0
    assert gzip.decompress(gz.read_bytes()).splitlines()[1:] == data.splitlines()[1:]
    assert run("--key", register.pub, gz)[0] == 0  # the checkpoint in the header is enough


def test_the_verifier_names_a_tampered_export(register, audit_cli, tmp_path):
    fill(register)
    cp = tmp_path / "cp.txt"
    cp.write_text(register.sign().note)
    export = tmp_path / "register.jsonl"
    audit_cli("audit", "export", export)
    lines = export.read_bytes().splitlines(keepends=True)

    edited = tmp_path / "edited.jsonl"
    edited.write_bytes(b"".join(lines[:10] + [lines[10].replace(b'"data":{', b'"data":{"added":1,')] + lines[11:]))
    code, out = run("--key", register.pub, edited, "--checkpoint", cp)
    assert code == 1 and "do not hash to the root" in out

    header = json.loads(lines[0])
    short = tmp_path / "short.jsonl"
    header["tree_size"] = 290
    short.write_bytes(json.dumps(header).encode() + b"\n" + b"".join(lines[1:291]))
    code, out = run("--key", register.pub, short, "--checkpoint", cp)
    assert code == 1 and "older than the checkpoint or was truncated (events 291–302 missing)" in out

    cut = tmp_path / "cut.jsonl"
    cut.write_bytes(b"".join(lines)[:-30])
    code, out = run("--key", register.pub, cut)
    assert code == 1 and "cut off" in out

    forged = tmp_path / "forged.txt"
    forged.write_text(cp.read_text().replace("\n302\n", "\n301\n"))
    code, out = run("--key", register.pub, export, "--checkpoint", forged)
    assert code == 1 and "altered or forged" in out

    code, out = run("--key", tmp_path / "none.pub", export)
    assert code == 2 and "ERROR key" in out
    code, out = run("--key", register.pub, cp)  # a checkpoint is not an export
    assert code == 2 and "not a Maadan register export" in out


def test_proofs_check_offline(register, audit_cli, tmp_path):
    fill(register)
    old = tmp_path / "old.txt"
    old.write_text(register.sign().note)
    register.add(3)
    new = tmp_path / "new.txt"
    new.write_text(register.sign().note)
    inc, cons = tmp_path / "inclusion.json", tmp_path / "consistency.json"
    assert audit_cli("audit", "inclusion", "41", "--out", inc)[0] == 0
    assert audit_cli("audit", "consistency", "302", "--out", cons)[0] == 0
    code, out = run("--key", register.pub, "--proof", inc, "--proof", cons)
    assert code == 0, out
    assert "event 41 (application.received" in out and "extends the signed tree of 302" in out

    proof = json.loads(inc.read_text())
    proof["proof"][0] = "00" * 32
    inc.write_text(json.dumps(proof))
    code, out = run("--key", register.pub, "--proof", inc)
    assert code == 1 and "does not lead to the root" in out

    # The key signed another root for the same size (shown to someone else): a fork.
    from datetime import datetime, timezone

    from maadan.audit import keys, note

    signer = keys.load(register.key, "maadan.local/register")
    other = note.sign(note.checkpoint_text(signer.name, 302, b"\x07" * 32, datetime.now(timezone.utc)), signer.name,
                      signer.private_key)
    twin = tmp_path / "twin.txt"
    twin.write_text(other.note)
    code, out = run("--key", register.pub, "--checkpoint", old, "--checkpoint", twin, "--proof", cons)
    assert code == 1 and "fork: checkpoint" in out and "two different histories" in out


def test_the_verifier_needs_no_database_or_web_libraries(register, audit_cli, tmp_path):
    """Run as a journalist would, from the source tree, with the heavy dependencies unavailable."""
    fill(register)
    register.sign()
    export = tmp_path / "register.jsonl"
    audit_cli("audit", "export", export)
    blocker = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in {'sqlalchemy', 'fastapi', 'shapely', 'numpy', 'typer', 'rich', 'pydantic',"
        " 'alembic', 'psycopg', 'yaml', 'pyproj', 'spacy'}:\n"
        "            raise ImportError('blocked: ' + name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "from maadan.audit.verify_export import main\n"
        f"sys.exit(main(['--key', {str(register.pub)!r}, {str(export)!r}]))\n")
    done = subprocess.run([sys.executable, "-c", blocker], capture_output=True, text=True,
                          env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stdout + done.stderr
    assert "everything verifies" in done.stdout
