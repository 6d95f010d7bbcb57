"""The cadastre as an officer and an applicant use it, through the CLI, on every backend."""

import itertools
import json
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import create_engine, text

from tests.integration.cadastre.conftest import square

JV = ["--holder", "US Strategic Metals=60:US:foreign", "--holder", "Frontier Works Organisation=40:PK:state-owned"]
LOCAL = ["--holder", "Chagai Minerals (Pvt) Ltd=100:PK:private"]


# Filings are recorded as paper filings received three days ago (in order), so that their day is over
# and they may be offered at once (rule 10 keeps a day's filings simultaneous until the day ends).
_BASE = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(days=3)
_clock = itertools.count()


def received() -> str:
    return (_BASE + timedelta(seconds=next(_clock))).isoformat()


def apply(cli, path, *extra, kind="EL", expect=0):
    return cli.json("cadastre", "apply", str(path), "--type", kind, "--mineral", "copper", *(extra or JV),
                    "--received-at", received(), expect=expect)


def grant(cli, number):
    for action in ("accept", "review", "offer", "grant"):
        out = cli.json("cadastre", "decide", str(number), action, "--actor", "officer:amina")
    return out["title"]


def test_check_a_clean_area(copy_cli, area_file):
    data = copy_cli.json("cadastre", "check", str(area_file(square(64.0, 28.8))), "--type", "EL")
    assert data["ok"] and data["conflicts"] == [] and data["problems"] == []
    assert 100 < data["area_km2"] < 115
    assert data["fee"]["currency"] == "PKR"
    assert data["unverified_rules"]  # placeholders are named


def test_receipts_are_gapless_and_priority_follows_rule_10(copy_cli, area_file):
    a = apply(copy_cli, area_file(square(64.0, 28.8)))
    b = apply(copy_cli, area_file(square(64.05, 28.85)))  # overlaps a, same day
    c = apply(copy_cli, area_file(square(64.0, 28.7)))  # shares an edge with a only
    assert [a["number"], b["number"], c["number"]] == [1, 2, 3]
    assert a["priority"] == "clear" and a["holds_priority"]  # alone when it was filed
    assert b["priority"] == "competing" and [k["ref"] for k in b["conflicts"]] == ["1"]
    assert b["competition_group"] == "PK-BA/G1" and b["competing_with"] == ["PK-BA/A1"]
    assert b["conflicts"][0]["overlap_km2"] > 20
    assert c["priority"] == "clear" and c["conflicts"] == []
    listed = {r["number"]: r for r in copy_cli.json("cadastre", "applications")["items"]}
    assert listed[1]["priority"] == "competing" and listed[1]["competing_with"] == ["PK-BA/A2"]  # the first too
    assert listed[3]["priority"] == "clear"
    check = copy_cli.json("cadastre", "check", str(area_file(square(64.06, 28.86, 0.02))), "--type", "EL", expect=3)
    assert {k["ref"] for k in check["conflicts"]} == {"1", "2"}


def test_grant_issues_a_title_with_obligations_rent_and_a_register_entry(copy_cli, area_file):
    a = apply(copy_cli, area_file(square(64.0, 28.8)))
    number = grant(copy_cli, a["number"])
    assert number.startswith(f"PK-BA/EL/{date.today().year}/")
    titles = copy_cli.json("cadastre", "titles")
    assert [t["number"] for t in titles["items"] if not t["synthetic"]] == [number]
    due = copy_cli.json("cadastre", "due", "--within", "400d")
    kinds = {(i["kind"], i["ref"]) for i in due["items"]}
    assert ("obligation", number) in kinds
    assert ("rent", number) in kinds
    register = copy_cli.json("cadastre", "register")
    entry = next(t for t in register["titles"] if t["number"] == number)
    assert entry["holders"][0]["name"] == "US Strategic Metals"
    assert "beneficial_owners" not in json.dumps(register)
    # The ground is now taken: a new application over it is refused, and numbering stays gapless.
    code, out, err = copy_cli("cadastre", "apply", str(area_file(square(64.05, 28.85))), "--type", "EL",
                              "--mineral", "gold", *LOCAL)
    assert code == 3 and number in err
    nxt = apply(copy_cli, area_file(square(65.0, 28.5)))
    assert nxt["number"] == a["number"] + 1
    assert copy_cli("audit", "verify")[0] == 0


def test_illegal_and_repeated_transitions(copy_cli, area_file):
    a = apply(copy_cli, area_file(square(64.0, 28.8)))
    code, _, err = copy_cli("cadastre", "decide", str(a["number"]), "grant")
    assert code == 3 and "received" in err
    grant(copy_cli, a["number"])
    code, _, err = copy_cli("cadastre", "decide", str(a["number"]), "grant")
    assert code == 3 and "granted" in err
    code, _, err = copy_cli("cadastre", "decide", "999", "accept")
    assert code == 2 and "999" in err


def test_refusal_needs_a_reason_and_documents_are_hashed(copy_cli, area_file, tmp_path):
    a = apply(copy_cli, area_file(square(64.0, 28.8)))
    copy_cli.json("cadastre", "decide", str(a["number"]), "accept")
    copy_cli.json("cadastre", "decide", str(a["number"]), "review")
    code, _, err = copy_cli("cadastre", "decide", str(a["number"]), "refuse")
    assert code == 2 and "reason" in err
    memo = tmp_path / "memo.pdf"
    memo.write_bytes(b"%PDF-1.4 refusal memo")
    copy_cli.json("cadastre", "decide", str(a["number"]), "refuse", "--reason", "overlaps a protected area",
                  "--document", str(memo), "--actor", "officer:amina")
    log = copy_cli.json("audit", "log")
    refusal = log["items"][-1]
    assert refusal["kind"] == "application.refuse" and refusal["actor"] == "cli:officer:amina"
    assert refusal["reason"] == "overlaps a protected area"
    assert refusal["documents"][0]["name"] == "memo.pdf" and len(refusal["documents"][0]["sha256"]) == 64


def test_transfer_relinquish_renew(copy_cli, area_file):
    number = grant(copy_cli, apply(copy_cli, area_file(square(64.0, 28.8)))["number"])
    code, _, err = copy_cli("cadastre", "title", number, "transfer", "--holder", "A=60", "--holder", "B=30")
    assert code == 2 and "90%" in err
    assert copy_cli.json("cadastre", "titles")["items"][-1]["holders"][0][0] == "US Strategic Metals"
    t = copy_cli.json("cadastre", "title", number, "transfer", "--holder", "US Strategic Metals=49:US:foreign",
                      "--holder", "Frontier Works Organisation=51:PK:state-owned")
    assert t["holders"] == [["US Strategic Metals", 49], ["Frontier Works Organisation", 51]]
    # Keep the western half; the eastern half becomes free ground.
    t = copy_cli.json("cadastre", "title", number, "relinquish", "--area", str(area_file(square(64.0, 28.8, 0.05))))
    assert t["area_km2"] < 30
    freed = apply(copy_cli, area_file({"type": "Polygon", "coordinates": [[[64.05, 28.8], [64.1, 28.8], [64.1, 28.9],
                                                                          [64.05, 28.9], [64.05, 28.8]]]}))
    assert freed["priority"] == "clear"
    code, _, err = copy_cli("cadastre", "title", number, "relinquish", "--area", str(area_file(square(63.0, 28.0))))
    assert code == 2 and "inside" in err


@pytest.mark.parametrize("geometry, fragment", [
    ({"type": "Polygon", "coordinates": [[[64.0, 28.8], [64.1, 28.9], [64.1, 28.8], [64.0, 28.9], [64.0, 28.8]]]},
     "elf-intersection"),
    ({"type": "Polygon", "coordinates": [[[64.0, 28.8], [64.1, 28.8], [64.1, 28.9], [64.0, 28.9]]]}, "closed"),
    ({"type": "Point", "coordinates": [64.0, 28.8]}, "Point"),
    ({"type": "Polygon", "coordinates": [[[28.8, 64.0], [28.9, 64.0], [28.9, 64.1], [28.8, 64.1], [28.8, 64.0]]]},
     "swapped"),
    ("{not json", "JSON"),
])
def test_bad_geometry_is_refused_and_nothing_is_written(copy_cli, area_file, geometry, fragment):
    code, out, err = copy_cli("cadastre", "apply", str(area_file(geometry)), "--type", "EL", "--mineral", "copper", *JV)
    assert code == 2, err
    assert fragment in err
    assert copy_cli.json("cadastre", "applications")["count"] == 0
    assert copy_cli.json("audit", "log")["count"] == 0


def test_unknown_title_type_and_bad_holders(copy_cli, area_file):
    path = area_file(square(64.0, 28.8))
    code, _, err = copy_cli("cadastre", "apply", str(path), "--type", "XL", "--mineral", "copper", *JV)
    assert code == 2 and "EL" in err
    code, _, err = copy_cli("cadastre", "apply", str(path), "--type", "EL", "--mineral", "copper",
                            "--holder", "A=-10", "--holder", "B=110")
    assert code == 2 and "positive" in err
    code, _, err = copy_cli("cadastre", "apply", str(path), "--type", "EL", "--mineral", "unobtainium", *JV)
    assert code == 2 and "unobtainium" in err
    assert copy_cli.json("cadastre", "applications")["count"] == 0


def test_tampering_with_the_register_is_detected(copy_cli, area_file):
    for x in (64.0, 64.5, 65.0):
        apply(copy_cli, area_file(square(x, 28.8)))
    assert copy_cli("audit", "verify")[0] == 0
    eng = create_engine(copy_cli.url)
    with eng.begin() as conn:
        conn.execute(text("UPDATE audit_event SET actor = 'someone else' WHERE seq = 2"))
    eng.dispose()
    code, out, _ = copy_cli("audit", "verify", "--json")
    body = json.loads(out)
    assert code == 1 and body["ok"] is False and body["first_bad_seq"] == 2
    with eng.begin() as conn:
        conn.execute(text("DELETE FROM audit_event WHERE seq = 2"))
    eng.dispose()
    body = json.loads(copy_cli("audit", "verify", "--json")[1])
    assert body["first_bad_seq"] == 2 and "deleted" in body["reason"]


def test_payments_and_arrears(copy_cli, area_file):
    from maadan.cadastre import service
    from maadan.config import load_settings
    from maadan.store.database import create_db_engine
    from maadan.store.uow import UnitOfWork

    number = grant(copy_cli, apply(copy_cli, area_file(square(64.0, 28.8)))["number"])
    due = copy_cli.json("cadastre", "due", "--within", "0d")
    rent = next(i for i in due["items"] if i["kind"] == "rent" and i["ref"] == number)
    invoice = int(rent["note"].split()[1].rstrip(";"))
    code, _, err = copy_cli("cadastre", "pay", str(invoice), str(rent["amount"] * 2), "--reference", "HBL-1")
    assert code == 2 and "outstanding" in err
    paid = copy_cli.json("cadastre", "pay", str(invoice), str(round(rent["amount"] / 2, 2)), "--reference", "HBL-1")
    assert paid["outstanding"] == pytest.approx(rent["amount"] / 2, abs=0.01)
    engine = create_db_engine(load_settings({"MAADAN_DATABASE_URL": copy_cli.url}))
    later = service.due(UnitOfWork(engine), 0, today=date.today() + timedelta(days=400))
    engine.dispose()
    arrears = next(i for i in later if i.kind == "rent" and i.ref == number)
    assert arrears.flag_revocation and arrears.overdue_days >= 400


def test_demo_cadastre_is_deterministic_non_overlapping_and_labelled(copy_cli):
    import shapely

    from maadan.cadastre.spatial_index import SpatialIndex

    first = copy_cli.json("demo", "cadastre", "--titles", "150", "--seed", "7")
    assert first["titles"] == 150 and first["synthetic"]
    register = copy_cli.json("cadastre", "register")
    titles = [t for t in register["titles"] if t["synthetic"]]
    assert len(titles) == 150 and all(t["number"].startswith("SYN-") for t in titles)
    geoms = [shapely.geometry.shape(t["geometry"]) for t in titles]
    index = SpatialIndex([(t["number"], g) for t, g in zip(titles, geoms)])
    assert [p for p in index.bulk_conflicts(geoms) if titles[p[0]]["number"] != p[1]] == []
    # sizes come from titles granted in practice: ELs of 501 to about 980 km², small-scale leases up to 875 acres
    els = [t for t in titles if t["type"] == "EL"]
    assert els and all(490 < t["area_km2"] < 990 for t in els)
    assert all(t["area_km2"] < 3.55 for t in titles if t["type"] == "SSML")
    again = copy_cli.json("demo", "cadastre", "--titles", "150", "--seed", "7")
    register2 = copy_cli.json("cadastre", "register")
    assert [(t["number"], t["area_km2"]) for t in register2["titles"]] == [(t["number"], t["area_km2"]) for t in titles]
    assert again == first


@pytest.mark.parametrize("suffix", [".geojson", ".gpkg", ".zip", ".csv"])
def test_export_reimports_without_loss(copy_cli, area_file, tmp_path, suffix):
    a = apply(copy_cli, area_file(square(64.0, 28.8)))
    number = grant(copy_cli, a["number"])
    copy_cli.json("demo", "cadastre", "--titles", "20", "--seed", "3")
    out = tmp_path / f"titles{suffix}"
    report = copy_cli.json("cadastre", "export", str(out))
    assert report["features"] == 21
    before = copy_cli.json("cadastre", "register")["titles"]
    # Re-import into an empty register: wipe titles first, then import the file.
    eng = create_engine(copy_cli.url)
    with eng.begin() as conn:
        conn.execute(text("DELETE FROM holder WHERE title_id IS NOT NULL"))
        conn.execute(text("DELETE FROM title"))
    eng.dispose()
    assert copy_cli.json("cadastre", "import", str(out))["imported"] == 21
    after = copy_cli.json("cadastre", "register")["titles"]
    key = lambda t: t["number"]
    for b, a2 in zip(sorted(before, key=key), sorted(after, key=key)):
        skip = ("geometry", "area_km2")
        assert {k: v for k, v in b.items() if k not in skip} == {k: v for k, v in a2.items() if k not in skip}
        assert a2["area_km2"] == pytest.approx(b["area_km2"], rel=1e-6)
        import shapely
        gb, ga = shapely.geometry.shape(b["geometry"]), shapely.geometry.shape(a2["geometry"])
        assert gb.symmetric_difference(ga).area < 1e-12
    assert number in {t["number"] for t in after}
    code, _, err = copy_cli("cadastre", "import", str(out))
    assert code == 3 and "already" in err


@pytest.mark.parametrize("suffix", [".gpkg", ".csv"])
def test_applications_export_and_reimport(copy_cli, area_file, tmp_path, suffix):
    a = apply(copy_cli, area_file(square(64.0, 28.8)))
    b = apply(copy_cli, area_file(square(64.05, 28.85)))
    copy_cli.json("cadastre", "decide", str(a["number"]), "accept")
    before = copy_cli.json("cadastre", "applications")["items"]
    out = tmp_path / f"apps{suffix}"
    assert copy_cli.json("cadastre", "export", str(out), "--kind", "applications")["features"] == 2
    code, _, err = copy_cli("cadastre", "import", str(out), "--kind", "applications")
    assert code == 3 and "already registered" in err
    eng = create_engine(copy_cli.url)
    with eng.begin() as conn:
        conn.execute(text("DELETE FROM holder WHERE application_id IS NOT NULL"))
        conn.execute(text("DELETE FROM application"))
    eng.dispose()
    assert copy_cli.json("cadastre", "import", str(out), "--kind", "applications")["imported"] == 2
    after = copy_cli.json("cadastre", "applications")["items"]
    strip = lambda r: {k: v for k, v in r.items() if k != "area_km2"}
    assert [strip(r) for r in after] == [strip(r) for r in before]
    assert apply(copy_cli, area_file(square(66.0, 28.0)))["number"] == b["number"] + 1


def test_an_export_the_disk_cannot_take_is_an_io_error_not_a_bug(copy_cli, tmp_path, monkeypatch):
    """A full disk (GDAL's commit fails) or a folder that is a file: exit 74 (EX_IOERR) with what
    failed, not "internal error ... please report it"; no file left."""
    import pyogrio.raw
    from pyogrio.errors import DataSourceError

    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    code, _, err = copy_cli("cadastre", "export", str(blocker / "titles.gpkg"))
    assert code == 74 and "input/output error" in err and "internal error" not in err

    def full(*args, **kwargs):
        raise DataSourceError("Failed to commit transaction")

    monkeypatch.setattr(pyogrio.raw, "write", full)
    code, _, err = copy_cli("cadastre", "export", str(tmp_path / "titles.gpkg"))
    assert code == 74 and "GDAL could not write titles.gpkg" in err and "internal error" not in err


@pytest.mark.parametrize("suffix", [".geojson", ".gpkg", ".zip", ".csv"])
def test_an_export_written_a_page_at_a_time_is_the_file_written_at_once(copy_cli, tmp_path, monkeypatch, suffix):
    """`maadan cadastre export` holds one page of titles at a time: a register of 3 pages (and a bit)
    reads back as the same features, fields and values as one written in a single page."""
    from maadan.cadastre import exchange
    from maadan.ingest import geofiles

    copy_cli.json("demo", "cadastre", "--titles", "22", "--seed", "5")
    whole, paged = tmp_path / f"whole{suffix}", tmp_path / f"paged{suffix}"
    assert copy_cli.json("cadastre", "export", str(whole))["features"] == 22
    monkeypatch.setattr(exchange, "EXPORT_CHUNK", 7)
    assert copy_cli.json("cadastre", "export", str(paged))["features"] == 22
    a, b = geofiles.read(whole), geofiles.read(paged)
    assert a.fields == b.fields and a.rows == b.rows and a.wkb == b.wkb and len(b.rows) == 22
    assert len({r["number"] for r in b.rows}) == 22


def test_a_shapefile_export_refused_on_a_later_page_leaves_nothing(copy_cli, tmp_path, monkeypatch):
    """A value too long for a Shapefile's field, met on the third page: the export is refused
    naming the feature, and no file is left (not the pages before it)."""
    from maadan.cadastre import exchange

    copy_cli.json("demo", "cadastre", "--titles", "22", "--seed", "5")
    monkeypatch.setattr(exchange, "EXPORT_CHUNK", 7)
    real = exchange._title_row
    rows = iter(range(10**6))

    def long_on_the_fifteenth(t):
        row = real(t)
        if next(rows) == 14:
            row["minerals"] = "x" * 300
        return row

    monkeypatch.setattr(exchange, "_title_row", long_on_the_fifteenth)
    out = tmp_path / "titles.zip"
    code, _, err = copy_cli("cadastre", "export", str(out))
    assert code != 0 and "15" in err and "minerals" in err, err
    assert not out.exists()
