"""`maadan cadastre competition …`, `notices` and `apply --converts` as an officer uses them: clear
errors with exit codes, nothing written on a refusal."""

import itertools
from datetime import datetime, timedelta, timezone

from tests.integration.cadastre.conftest import square

BASE = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(days=5)
_clock = itertools.count()
LOCAL = ["--holder", "Chagai Minerals (Pvt) Ltd=100:PK:private"]


def apply(cli, path, *extra, holder=LOCAL, kind="EL", expect=0):
    received = (BASE + timedelta(minutes=next(_clock))).isoformat()
    return cli.json("cadastre", "apply", str(path), "--type", kind, "--mineral", "copper", *holder,
                    "--received-at", received, *extra, expect=expect)


def events(cli) -> int:
    return cli.json("audit", "log")["count"]


def test_competition_commands(copy_cli, area_file):
    a = apply(copy_cli, area_file(square(64.0, 28.8)), "--applicant-org", "chagai")
    b = apply(copy_cli, area_file(square(64.05, 28.8)), holder=["--holder", "Other Ltd=100:PK"])
    assert b["competition_group"] == "PK-BA/G1" and b["competing_with"] == [a["ref"]]
    listed = copy_cli.json("cadastre", "competition", "list")
    assert [g["ref"] for g in listed["items"]] == ["PK-BA/G1"]
    shown = copy_cli.json("cadastre", "competition", "show", "G1", "-j", "PK-BA")
    assert shown["method"]["method"] == "officer-decision" and not shown["method"]["verified"]
    code, out, _ = copy_cli("cadastre", "competition", "show", "PK-BA/G1")
    assert code == 0 and "officer-decision" in out and "PK-BA/A2" in out

    before = events(copy_cli)
    code, _, err = copy_cli("cadastre", "competition", "decide", "PK-BA/G9", "--winner", "1", "--reason", "x")
    assert code == 2 and "PK-BA/G9" in err
    code, _, err = copy_cli("cadastre", "competition", "decide", "G1", "--winner", "1")
    assert code == 2 and "write it as PK-BA/G3" in err  # no -j and no prefix: the form is explained
    code, _, err = copy_cli("cadastre", "competition", "decide", "PK-BA/G1", "--winner", "1")
    assert code == 2 and "reasons" in err
    code, _, err = copy_cli("cadastre", "competition", "decide", "PK-BA/G1", "--winner", "zz", "--reason", "x")
    assert code == 2 and "not an application number" in err
    code, _, err = copy_cli("cadastre", "competition", "bid", "PK-BA/G1", "--application", "1", "--amount", "5")
    assert code == 3 and "takes no bids" in err
    code, _, err = copy_cli("cadastre", "competition", "remainder", "PK-BA/G1", "1", "accept")
    assert code == 3 and "no remainder offer" in err
    assert events(copy_cli) == before

    decided = copy_cli.json("cadastre", "competition", "decide", "PK-BA/G1", "--winner", "PK-BA/A2",
                            "--reason", "the stronger work programme", "--actor", "amina")
    assert decided["decision"]["winner"] == 2 and decided["decision"]["decided_by"] == "cli:amina"
    code, _, err = copy_cli("cadastre", "competition", "decide", "PK-BA/G1", "--winner", "1", "--reason", "x")
    assert code == 3 and "already decided" in err
    apps = {r["number"]: r for r in copy_cli.json("cadastre", "applications")["items"]}
    assert apps[1]["state"] == "refused" and apps[2]["priority"] == "clear"

    notices = copy_cli.json("cadastre", "notices", "--org", "chagai")["items"]
    assert [n["kind"] for n in notices][-1] == "competition-refused"
    due = copy_cli.json("cadastre", "due", "--within", "0d")["items"]
    assert any(i["kind"] == "notice" and i["ref"] == a["ref"] for i in due)
    assert [n["kind"] for n in notices] == ["competing", "competition-refused"]  # A1 learnt it competes, then lost
    for n in notices:
        copy_cli.json("cadastre", "notices", "read", str(n["id"]))
    assert not copy_cli.json("cadastre", "notices", "--org", "chagai", "--unread")["items"]
    code, _, err = copy_cli("cadastre", "notices", "read", "9999")
    assert code == 2 and "9999" in err


def test_conversion_from_the_command_line(copy_cli, area_file):
    el = apply(copy_cli, area_file(square(64.0, 28.8)))
    for action in ("accept", "review", "offer", "grant"):
        out = copy_cli.json("cadastre", "decide", str(el["number"]), action)
    parent = out["title"]
    inside = area_file(square(64.02, 28.82, 0.04))
    before = events(copy_cli)
    code, _, err = copy_cli("cadastre", "apply", str(inside), "--type", "ML", "--mineral", "copper",
                            "--holder", "Stranger Mining Ltd=100:PK")
    assert code == 3 and parent in err and "only its holders" in err and "--converts" in err
    code, _, err = copy_cli("cadastre", "apply", str(inside), "--type", "ML", "--mineral", "copper",
                            "--holder", "Stranger Mining Ltd=100:PK", "--converts", parent)
    assert code == 3 and "only the holders" in err
    code, _, err = copy_cli("cadastre", "apply", str(area_file(square(64.08, 28.82, 0.04))), "--type", "ML",
                            "--mineral", "copper", *LOCAL, "--converts", parent)
    assert code == 2 and "outside" in err
    code, _, err = copy_cli("cadastre", "apply", str(inside), "--type", "ML", "--mineral", "copper", *LOCAL,
                            "--converts", parent, "--received-at", "2021-01-01T00:00:00+05:00")
    assert code == 2 and "before the latest application" in err
    assert events(copy_cli) == before
    ml = copy_cli.json("cadastre", "apply", str(inside), "--type", "ML", "--mineral", "copper", *LOCAL,
                       "--converts", parent)
    assert ml["converts"] == parent and ml["priority"] == "clear"
