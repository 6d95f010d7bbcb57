"""A public that can check (issue 16 item 5): the verification page, the history as the public sees
it (private fields redacted), downloads read back (CSV, GeoJSON, GeoPackage with pyogrio) with the
licence, and the statistics with their CSV."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from datetime import date, datetime, timedelta, timezone

import pyogrio
import pytest

from maadan.cadastre import service as cadastre
from maadan.cadastre import statistics
from maadan.cadastre.model import Holder
from tests.integration.web.conftest import square

pytestmark = pytest.mark.slow


def file_with_private_owner(web):
    inp = cadastre.ApplicationInput(
        jurisdiction="PK-BA", title_type="EL", minerals=("copper",),
        holders=(Holder("Chagai Minerals (Pvt) Ltd", 100.0, "PK", "private", beneficial_owners=("Secret Person",)),),
        area=cadastre.AreaInput(geojson=square(66.5, 28.0)), applicant_org="chagai-minerals")
    return cadastre.apply(web.uow(True), inp, actor="user:test",
                          now=datetime.now(timezone.utc) - timedelta(days=3)).application


def test_verification_page_says_what_the_chain_proves_and_how_to_verify_offline(web):
    page = web.client.get("/register")
    assert page.status_code == 200
    for text in ("What the record proves", "Consistent.", "verify_export", "register.pub", "/api/register/export",
                 "CC BY 4.0", "/register/downloads/titles.gpkg"):
        assert text in page.text, text
    assert "No checkpoint has been signed yet" in page.text  # none in the test database
    assert "at most every 10 minutes" in page.text  # how far behind a download may be (MAADAN_DOWNLOAD_MAX_AGE)


def test_history_is_public_with_private_fields_redacted(web):
    app = file_with_private_owner(web)
    page = web.client.get("/register/history")
    assert page.status_code == 200
    assert f"PK-BA/A{app.number}" in page.text and "application.received" in page.text
    assert "Secret Person" not in page.text and "chagai-minerals" not in page.text  # private: redacted
    assert "/beneficial_owners" in page.text and "/applicant_org" in page.text
    first = web.client.get("/register/history", params={"seq": 1})
    assert 'id="e1" class="highlight"' in first.text
    assert web.client.get("/register/history", params={"page": 0}).status_code == 422


def test_downloads_read_back_with_the_licence(web, tmp_path):
    app = file_with_private_owner(web)
    titles_csv = web.client.get("/register/downloads/titles.csv")
    assert titles_csv.status_code == 200 and 'rel="license"' in titles_csv.headers["link"]
    rows = list(csv.DictReader(io.StringIO(titles_csv.text)))
    assert len(rows) == 50 and rows[0]["synthetic"] == "1"  # the 50 synthetic demo titles
    for field in ("number", "holders", "minerals", "granted_on", "expires_on", "term_years", "applied_on", "WKT"):
        assert field in rows[0], field
    gj = web.client.get("/register/downloads/applications.geojson").json()
    assert gj["license"]["id"] == "CC-BY-4.0"
    feature = next(f for f in gj["features"] if f["properties"]["reference"] == f"PK-BA/A{app.number}")
    assert feature["geometry"]["type"] == "Polygon"
    assert "Secret Person" not in json.dumps(gj) and "fee" not in feature["properties"]
    gpkg = web.client.get("/register/downloads/titles.gpkg")
    path = tmp_path / "titles.gpkg"
    path.write_bytes(gpkg.content)
    info = pyogrio.read_info(path)
    assert info["features"] == 50 and "EPSG:4326" in (info["crs"] or "")
    assert "CC BY 4.0" in (info.get("layer_metadata") or {}).get("LICENSE", "")
    meta, _, geometry, fields = pyogrio.raw.read(path)
    assert len(geometry) == 50 and "holders" in list(meta["fields"])
    lic = web.client.get("/register/downloads/LICENCE.txt")
    assert "creativecommons.org/licenses/by/4.0" in lic.text
    for bad in ("titles.exe", "../etc.csv", "secrets.csv", "titles"):
        assert web.client.get(f"/register/downloads/{bad}", headers={"Accept": "application/json"}).status_code == 404


def _count_builds(monkeypatch) -> list:
    from maadan.cadastre import public_exports

    builds: list = []
    real = public_exports.write

    def counted(*args):
        builds.append(args[1:4])
        return real(*args)

    monkeypatch.setattr(public_exports, "write", counted)
    return builds


def _max_age(web, seconds: int) -> None:
    import dataclasses

    state = web.client.app.state  # the test's own app (the `web` fixture): nothing to restore
    state.settings = dataclasses.replace(state.settings, download_max_age=seconds)


def test_downloads_are_built_once_per_state_of_the_register_and_kept_as_files(web, monkeypatch):
    """A download reads the whole register, and anyone may ask for it: it is built on the first
    request, kept as a file (and its gzip copy) named by the register's sequence and chain hash, and
    sent from disk to the next; an ETag answers 304 without a build. With a maximum age of 0, a
    change builds it again at the next request and the old file goes."""
    import gzip

    from maadan.web import download_files

    builds = _count_builds(monkeypatch)
    monkeypatch.setattr(download_files, "GRACE_S", 0)
    _max_age(web, 0)
    plain = {"Accept-Encoding": "identity"}
    first = web.client.get("/register/downloads/applications.csv", headers=plain)
    again = web.client.get("/register/downloads/applications.csv", headers=plain)
    assert first.status_code == again.status_code == 200 and first.content == again.content
    assert first.headers["x-feature-count"] == again.headers["x-feature-count"]
    assert 'filename="maadan-applications.csv"' in again.headers["content-disposition"]
    with web.uow() as u:
        assert first.headers["x-register-sequence"] == str(u.audit.size())
    assert len(builds) == 1
    raw = web.client.get("/register/downloads/applications.csv", headers={"Accept-Encoding": "gzip"})
    assert raw.headers["content-encoding"] == "gzip" and raw.content == first.content  # decoded by the client
    unchanged = web.client.get("/register/downloads/applications.csv", headers={**plain, "If-None-Match": first.headers["etag"]})
    assert unchanged.status_code == 304 and len(builds) == 1
    other = web.client.get("/register/downloads/applications.csv", params={"jurisdiction": "PK-BA"}, headers=plain)
    assert other.status_code == 200 and len(builds) == 2  # another file

    app = file_with_private_owner(web)  # the register moves
    after = web.client.get("/register/downloads/applications.csv", headers=plain)
    assert len(builds) == 3 and after.headers["etag"] != first.headers["etag"]
    assert int(after.headers["x-register-sequence"]) > int(first.headers["x-register-sequence"])
    assert f"PK-BA/A{app.number}" in after.text and f"PK-BA/A{app.number}" not in first.text
    folder = web.client.app.state.settings.data_dir / "downloads"
    names = sorted(p.name for p in folder.iterdir())
    assert all(download_files.NAME.fullmatch(n.split(".")[0]) for n in names), names
    stems = [n for n in names if "-applications-all-" in n]
    assert len(stems) == 2 and {n.rsplit(".", 1)[-1] for n in stems} == {"csv", "gz"}  # the old state's went
    kept = next(folder / n for n in stems if n.endswith(".csv"))
    assert kept.read_bytes() == after.content and gzip.decompress((folder / (kept.name + ".gz")).read_bytes()) == after.content
    for bad in ("titles.exe", "secrets.csv", "..%2Fetc.csv"):
        got = web.client.get(f"/register/downloads/{bad}", headers={"Accept": "application/json", "If-None-Match": "*"})
        assert got.status_code == 404, bad
    assert web.client.get("/register/downloads/titles.csv", params={"jurisdiction": "../PK"}).status_code == 422

    # A data folder that cannot be written (a full disk): the download is sent from memory, not lost;
    # whether no file could be made at all or the disk filled while the gzip copy was written.
    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    import tempfile
    from pathlib import Path

    made: list[Path] = []  # the folders of downloads built for one request: removed once sent
    real_mkdtemp = tempfile.mkdtemp

    def mkdtemp(*args, **kwargs):
        made.append(Path(real_mkdtemp(*args, **kwargs)))
        return str(made[-1])

    monkeypatch.setattr(tempfile, "mkdtemp", mkdtemp)
    for broken in ("_temporary", "gzip_ng.open"):
        with monkeypatch.context() as m:
            module, _, name = broken.rpartition(".")
            m.setattr(getattr(download_files, module) if module else download_files, name, full)
            blocked = web.client.get("/register/downloads/titles.csv", params={"jurisdiction": "PK-BA"}, headers=plain)
        assert not any("-titles-PK-BA-" in p.name or "building" in p.name for p in folder.iterdir()), broken
        assert blocked.status_code == 200 and blocked.headers["x-feature-count"] == "50", broken
        assert len(list(csv.DictReader(io.StringIO(blocked.text)))) == 50, broken
        built_for_it = [p for p in made if p.name.startswith("maadan-download-")]
        assert built_for_it and not any(p.exists() for p in built_for_it), broken


def test_a_download_is_sent_as_kept_for_its_maximum_age_and_says_which_state_it_holds(web, monkeypatch):
    """A busy register moves every minute: within MAADAN_DOWNLOAD_MAX_AGE the kept file is sent
    after a change, saying the sequence it holds; after it, the next request builds the file again.
    A file whose state is not one of this register's (another chain) is never sent."""
    from maadan.web import download_files

    builds = _count_builds(monkeypatch)
    settings = web.client.app.state.settings
    _max_age(web, 600)
    first = web.client.get("/register/downloads/applications.geojson")
    held = first.headers["x-register-sequence"]
    app = file_with_private_owner(web)  # the register moves on
    stale = web.client.get("/register/downloads/applications.geojson")
    assert len(builds) == 1 and stale.headers["x-register-sequence"] == held and stale.content == first.content
    assert stale.headers["last-modified"] == first.headers["last-modified"]
    assert web.client.get("/register/downloads/applications.geojson",
                          headers={"If-None-Match": first.headers["etag"]}).status_code == 304

    _max_age(web, 0)  # as if ten minutes had passed
    fresh = web.client.get("/register/downloads/applications.geojson")
    assert len(builds) == 2 and int(fresh.headers["x-register-sequence"]) > int(held)
    assert f"PK-BA/A{app.number}" in fresh.text

    # A newer file at this sequence but of another register's chain (the same name, another hash): not sent.
    folder = settings.data_dir / "downloads"
    # (the file just built: the first one is still there, at the older sequence, for a minute)
    mine = next(p for p in folder.iterdir() if p.name.endswith(".geojson") and "-applications-all-" in p.name
                and p.name.startswith(fresh.headers["x-register-sequence"] + "-"))
    m = download_files.NAME.fullmatch(mine.name.split(".")[0])
    fake = folder / f"{fresh.headers['x-register-sequence']}-{'f' * 16}-{int(m['built']) + 1}-applications-all-1.geojson"
    fake.write_bytes(b'{"type": "FeatureCollection", "features": []}')
    (folder / (fake.name + ".gz")).write_bytes(b"")
    _max_age(web, 600)
    after = web.client.get("/register/downloads/applications.geojson")
    assert after.status_code == 200 and f"PK-BA/A{app.number}" in after.text and len(builds) == 3


def test_one_download_is_made_at_a_time_and_the_others_get_what_is_kept_or_a_503(web, monkeypatch):
    """At a million titles a build takes minutes and gigabytes: a process makes one file at a time.
    Meanwhile a request for another file gets the newest kept file of this register, whatever its
    age (saying which state it holds), or a 503 with Retry-After when none is kept."""
    from maadan.web import download_files

    builds = _count_builds(monkeypatch)
    _max_age(web, 0)
    kept = web.client.get("/register/downloads/titles.csv")
    assert kept.status_code == 200 and len(builds) == 1
    file_with_private_owner(web)  # the register moves: the kept file is no longer current
    assert download_files._build_slot.acquire(blocking=False)  # another file is being made
    try:
        older = web.client.get("/register/downloads/titles.csv")
        assert older.status_code == 200 and older.content == kept.content
        assert older.headers["x-register-sequence"] == kept.headers["x-register-sequence"]
        none_kept = web.client.get("/register/downloads/applications.gpkg", headers={"Accept": "application/json"})
        assert none_kept.status_code == 503 and none_kept.headers["retry-after"] == "30"
        assert "being made" in none_kept.json()["message"] and len(builds) == 1
    finally:
        download_files._build_slot.release()
    after = web.client.get("/register/downloads/applications.gpkg")
    assert after.status_code == 200 and len(builds) == 2


def test_statistics_count_real_applications_and_decisions(web):
    app = file_with_private_owner(web)
    cadastre.decide(web.uow(True), "PK-BA", app.number, "accept", "user:o")
    cadastre.decide(web.uow(True), "PK-BA", app.number, "review", "user:o")
    cadastre.decide(web.uow(True), "PK-BA", app.number, "refuse", "user:o", reason="no work programme")
    page = web.client.get("/register/statistics")
    assert page.status_code == 200
    assert "Applications received per month — title type EL" in page.text and "<svg" in page.text
    assert "refused" in page.text and "Median days" in page.text
    assert "PKR" in page.text  # the application fee, with its currency
    data = list(csv.reader(io.StringIO(web.client.get("/register/statistics.csv").text)))
    assert data[0] == ["section", "key", "measure", "value"]
    month = app.received_at.astimezone(timezone(timedelta(hours=5))).strftime("%Y-%m")
    assert ["applications per month", f"{month} EL", "applications", "1"] in data
    refused = next(r for r in data if r[0] == "days to decision" and r[1] == "refused")
    assert 2.9 < float(refused[3]) < 3.2  # filed three days before the refusal
    assert any(r[0] == "area granted (synthetic demo titles)" for r in data)


def test_statistics_summed_by_the_store_equal_a_read_of_every_title(web):
    """The figures come from the store's sums (a national register has a million titles), and equal
    what reading every title and event gives: real titles by state, synthetic ones apart, area
    granted per year, decisions."""
    app = file_with_private_owner(web)
    for action in ("accept", "review", "offer", "grant"):
        cadastre.decide(web.uow(True), "PK-BA", app.number, action, "user:o")
    s = statistics.register_statistics(web.uow())
    with web.uow() as u:
        titles = u.cadastre.titles()
        decisions = Counter(statistics.DECISIONS[e.kind] for e in u.cadastre.events() if e.kind in statistics.DECISIONS)
    real = [t for t in titles if not t.synthetic]
    assert len(real) == 1 and s.synthetic_titles == len(titles) - 1 == 50
    assert s.titles == dict(Counter(t.state for t in real))
    for figures, chosen in ((s.area_granted, real), (s.area_granted_synthetic, [t for t in titles if t.synthetic])):
        years = sorted({str(t.granted_on.year) for t in chosen})
        assert list(figures) == years
        for y in years:
            assert figures[y] == pytest.approx(sum(t.area_km2 for t in chosen if str(t.granted_on.year) == y))
    assert s.decisions == dict(decisions) == {"granted": 1}
    assert sum(m.invoiced for m in s.fees.values()) > 0  # the real application's fee is counted

    # Money, summed by the store too: rent for the synthetic titles is left out; paid, part-paid and
    # all-but-a-fraction-paid invoices; arrears to the cent on invoices due before today.
    granted = real[0].granted_on.year  # today: its first year's rent was invoiced at the grant
    for year in (granted + 1, granted + 2):
        cadastre.issue_rent(web.uow(True), "PK-BA", year, "user:o")
    with web.uow() as u:
        invoices = u.cadastre.invoices()
    real_rent = [i for i in invoices if i.kind == "rent" and i.title_number == real[0].number]
    assert len(real_rent) == 3 and len([i for i in invoices if i.kind == "rent"]) > 100
    for inv, amount in zip(real_rent, (real_rent[0].amount / 3, real_rent[1].amount - 0.004)):
        cadastre.record_payment(web.uow(True), inv.id, round(amount, 3), "user:o", "BANK-1")
    today = date(granted + 3, 6, 1)
    s = statistics.register_statistics(web.uow(), today=today)
    with web.uow() as u:
        invoices = [i for i in u.cadastre.invoices() if i.title_number not in {t.number for t in titles if t.synthetic}]
    for kind, table in (("rent", s.rent), ("application-fee", s.fees)):
        mine = [i for i in invoices if i.kind == kind]
        late = [i for i in mine if i.outstanding > 0 and i.due_on < today]
        assert set(table) == {i.currency for i in mine}
        for cur, m in table.items():
            assert m.invoiced == pytest.approx(sum(i.amount for i in mine if i.currency == cur))
            assert m.collected == pytest.approx(sum(i.paid for i in mine if i.currency == cur))
            assert m.arrears == pytest.approx(sum(i.outstanding for i in late if i.currency == cur))
            assert m.arrears_invoices == len([i for i in late if i.currency == cur])
    assert s.rent["PKR"].arrears_invoices == len(real_rent) - 1  # the invoice paid but for 0.4 paisa is not late


@pytest.mark.parametrize("layer", ["titles", "applications"])
def test_a_download_written_a_page_at_a_time_is_the_file_written_at_once(web, tmp_path, monkeypatch, layer):
    """At a million titles the register is read and written a page at a time (public_exports.PAGE),
    never whole in memory: the pages must join into the file one page would give, in every format."""
    from maadan.cadastre import public_exports

    for i in range(3):
        cadastre.apply(web.uow(True), cadastre.ApplicationInput(
            jurisdiction="PK-BA", title_type="EL", minerals=("copper",), holders=(Holder(f"Filer {i} Ltd", 100.0, "PK"),),
            area=cadastre.AreaInput(geojson=square(66.0 + i * 0.2, 27.5))), actor="user:test")
    written = {}
    for page in (2, 7, public_exports.PAGE):
        monkeypatch.setattr(public_exports, "PAGE", page)
        for fmt in public_exports.FORMATS:
            path = tmp_path / f"{page}-{layer}.{fmt}"
            features = public_exports.write(web.uow(), layer, fmt, None, path).features
            written[page, fmt] = features, path
    whole = {fmt: written[public_exports.PAGE, fmt] for fmt in public_exports.FORMATS}
    assert whole["csv"][0] == whole["geojson"][0] == whole["gpkg"][0] >= 3
    for (page, fmt), (features, path) in written.items():
        assert features == whole[fmt][0], (page, fmt)
        if fmt == "gpkg":  # a GeoPackage's bytes hold its own timestamps: compare what it holds
            mine, theirs = pyogrio.raw.read(path), pyogrio.raw.read(whole[fmt][1])
            assert list(mine[0]["fields"]) == list(theirs[0]["fields"]) and list(mine[0]["dtypes"]) == list(theirs[0]["dtypes"])
            assert all((a == b).all() for a, b in zip(mine[3], theirs[3])) and (mine[2] == theirs[2]).all(), page
            assert "CC BY 4.0" in (pyogrio.read_info(path).get("layer_metadata") or {}).get("LICENSE", "")
        else:
            assert path.read_bytes() == whole[fmt][1].read_bytes(), (page, fmt)
    rows = list(csv.DictReader(io.StringIO(whole["csv"][1].read_text())))
    key = "number" if layer == "titles" else "reference"
    assert len(rows) == whole["csv"][0] and len({r[key] for r in rows}) == len(rows)  # each once
    collection = json.loads(whole["geojson"][1].read_text())
    assert collection["license"]["id"] == "CC-BY-4.0" and len(collection["features"]) == whole["geojson"][0]


def test_an_empty_download_is_a_file_with_its_columns(web, tmp_path):
    from maadan.cadastre import public_exports

    for fmt in public_exports.FORMATS:
        path = tmp_path / f"none.{fmt}"
        assert public_exports.write(web.uow(), "applications", fmt, "PK-XX", path).features == 0
        if fmt == "csv":
            assert path.read_text().splitlines() == ["WKT," + ",".join(public_exports.APPLICATION_FIELDS)]
        elif fmt == "geojson":
            assert json.loads(path.read_text())["features"] == []
        else:
            info = pyogrio.read_info(path)
            assert info["features"] == 0 and list(info["fields"]) == public_exports.APPLICATION_FIELDS


def test_a_download_holds_one_state_of_the_register_whatever_is_filed_while_it_is_written(web, tmp_path, monkeypatch):
    """Read a page at a time, a download could mix two states: an application filed while it is
    written must not be in it, and the sequence it says it holds is the one before that filing."""
    from maadan.cadastre import public_exports
    from maadan.store.uow import UnitOfWork

    apps = [cadastre.apply(web.uow(True), cadastre.ApplicationInput(
        jurisdiction="PK-BA", title_type="EL", minerals=("copper",), holders=(Holder(f"Filer {i} Ltd", 100.0, "PK"),),
        area=cadastre.AreaInput(geojson=square(66.0 + i * 0.2, 27.5))), actor="user:test").application for i in range(3)]
    with web.uow() as u:
        sequence = u.audit.size()
        pending = len(u.cadastre.application_keys(None, public_exports.PUBLIC_STATES))
    monkeypatch.setattr(public_exports, "PAGE", 1)
    real, filed = public_exports._columns, []

    def meanwhile(fields, rows):  # after the first page is read, someone files and the last one withdraws
        if not filed:
            filed.append(cadastre.apply(web.uow(True), cadastre.ApplicationInput(
                jurisdiction="PK-BA", title_type="EL", minerals=("copper",), holders=(Holder("Late Ltd", 100.0, "PK"),),
                area=cadastre.AreaInput(geojson=square(67.0, 27.5))), actor="user:test").application)
            cadastre.decide(web.uow(True), "PK-BA", apps[-1].number, "withdraw", "user:test")
        return real(fields, rows)

    monkeypatch.setattr(public_exports, "_columns", meanwhile)
    written = public_exports.write(UnitOfWork(web.engine, snapshot=True), "applications", "csv", None, tmp_path / "a.csv")
    rows = {r["reference"]: r for r in csv.DictReader(io.StringIO((tmp_path / "a.csv").read_text()))}
    assert filed and written.sequence == sequence and written.features == len(rows) == pending
    assert f"PK-BA/A{filed[0].number}" not in rows
    assert rows[f"PK-BA/A{apps[-1].number}"]["state"] == "received"  # as it was when the download began
    with web.uow() as u:
        assert u.audit.size() > sequence  # both were committed, only not seen by the download


def test_a_build_left_halfway_by_a_dead_process_is_cleared_by_the_next_build(web):
    """A process killed while it builds a download leaves its temporary file (hundreds of megabytes at a
    million titles) in the downloads folder: the next build removes one untouched for an hour, and
    leaves a fresh one alone (another process may be writing it)."""
    import os
    import time

    folder = web.client.app.state.settings.data_dir / "downloads"
    folder.mkdir(parents=True, exist_ok=True)
    dead, live = folder / ".building-dead1234.csv", folder / ".building-live5678.gpkg"
    dead.write_bytes(b"half a file")
    live.write_bytes(b"being written")
    two_hours_ago = time.time() - 7200
    os.utime(dead, (two_hours_ago, two_hours_ago))
    assert web.client.get("/register/downloads/titles.csv").status_code == 200
    assert not dead.exists() and live.exists()
    assert web.client.get("/register/downloads/titles.csv").status_code == 200  # kept, sent: no build


def test_a_download_for_one_request_left_by_a_dead_process_is_cleared_by_the_next_one(web, monkeypatch, tmp_path):
    """A download that is not kept is built in a folder of its own under the system's temporary
    folder and removed once sent. A process killed while sending leaves that folder: the next such
    build removes one untouched for an hour, and leaves a fresh one and anything else alone."""
    import os
    import tempfile
    import time

    from maadan.web import download_files

    root = tmp_path / "tmp"
    root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(root))
    dead, live, other = root / "maadan-download-dead1234", root / "maadan-download-live5678", root / "someone-else"
    for d in (dead, live, other):
        d.mkdir()
        (d / "titles.csv").write_bytes(b"a file")
    two_hours_ago = time.time() - 7200
    for d in (dead, other):
        os.utime(d, (two_hours_ago, two_hours_ago))
    precious = tmp_path / "precious"  # a link planted in the shared temporary folder: not followed
    precious.mkdir()
    (precious / "keep.txt").write_text("mine")
    link = root / "maadan-download-link"
    link.symlink_to(precious, target_is_directory=True)
    os.utime(link, (two_hours_ago, two_hours_ago), follow_symlinks=False)

    def refused(*args, **kwargs):  # the data folder refuses the file: built for the request
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(download_files, "_temporary", refused)
    r = web.client.get("/register/downloads/titles.csv")
    assert r.status_code == 200 and int(r.headers["x-feature-count"]) > 0
    assert not dead.exists() and live.exists() and other.exists()
    assert sorted(p.name for p in root.iterdir()) == ["maadan-download-link", "maadan-download-live5678",
                                                      "someone-else"]  # its own: gone once sent
    assert (precious / "keep.txt").read_text() == "mine"


def test_a_download_for_one_request_with_no_temporary_folder_is_a_503(web, monkeypatch, tmp_path):
    import tempfile

    from maadan.web import download_files

    def refused(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(download_files, "_temporary", refused)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "gone"))
    r = web.client.get("/register/downloads/titles.csv", headers={"Accept": "application/json"})
    assert r.status_code == 503 and r.json()["error"] == "cannot_write" and str(tmp_path) not in r.text, r.text
