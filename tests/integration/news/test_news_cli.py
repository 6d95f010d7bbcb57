"""Reading news texts on every backend: ingest, the same text twice, review, commit with a recorder in
place of the registry, and the CLI's answers to bad input."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from maadan.config import load_settings
from maadan.errors import Conflict
from maadan.news.service import commit_document, ingest_news, review_proposal, show_document
from maadan.store import news_tables as t
from maadan.store.database import create_db_engine
from maadan.store.uow import UnitOfWork
from tests.conftest import shared_file

TEXT = ("ISLAMABAD: Zarkon Mining Company Ltd and Pakistan Mineral Development Corporation signed a joint "
        "venture at Prime Minister House on Tuesday to explore antimony in Balochistan, worth $120 million, "
        "Federal Minister Amina Qureshi said. Separately, Washington and Islamabad hailed a trade deal.\n")


@pytest.fixture
def engine(seeded_copy):
    eng = create_db_engine(load_settings({"MAADAN_DATABASE_URL": seeded_copy.url}))
    yield eng
    eng.dispose()


def counts(engine) -> tuple[int, int]:
    with engine.connect() as conn:
        return (conn.execute(select(func.count()).select_from(t.news_document)).scalar_one(),
                conn.execute(select(func.count()).select_from(t.news_proposal)).scalar_one())


def test_ingest_review_and_commit_with_a_recorder(engine):
    from datetime import date

    uow = UnitOfWork(engine, write=True)
    report = ingest_news(uow, TEXT.encode(), "jv.txt", date(2025, 9, 8), actor="test")
    assert report.created
    doc = report.document
    assert doc.published == "2025-09-08" and doc.status == "in_review"
    n_docs, n_props = counts(engine)
    assert n_docs == 1 and n_props == len(doc.proposals) > 10
    again = ingest_news(uow, ("  " + TEXT.replace(" ", "  ")).encode(), "copy.txt", date(2025, 9, 8))
    assert not again.created and again.document.id == doc.id
    assert counts(engine) == (n_docs, n_props)

    calls: list[dict] = []

    def recorder(u, draft, *, actor):
        calls.append({"draft": draft, "actor": actor})
        return f"agreement-{len(calls)}"

    with pytest.raises(Conflict, match="still pending"):
        commit_document(uow, doc.id[:8], actor="ana", add_agreement=recorder)
    assert calls == []
    by_field = {}
    for p in doc.proposals:
        by_field.setdefault((p.agreement_no, p.field), []).append(p)
    for p in doc.proposals:
        if p.agreement_no == 2:
            review_proposal(uow, p.id, "reject", reviewer="ana")
        elif p.field == "source":
            review_proposal(uow, p.id, "edit", {"publisher": "Dawn", "url": None, "date": "2025-09-08",
                                                "evidence": None}, reviewer="ana")
        elif p.field == "country":
            review_proposal(uow, p.id, "reject", reviewer="ana")
        else:
            review_proposal(uow, p.id, "accept", reviewer="ana")
    ids = commit_document(uow, doc.id[:8], actor="ana", add_agreement=recorder)
    assert ids == ["agreement-1"]
    [call] = calls
    draft = call["draft"]
    assert call["actor"] == "ana"
    assert draft["kind"] == "joint_venture" and draft["signed"] == "2025-09-02"
    assert draft["title"] == "Joint venture between Zarkon Mining Company Ltd and Pakistan Mineral Development Corporation"
    assert [p["organisation_id"] for p in draft["parties"]] == [None, "pmdc"]
    assert draft["place"] == "Prime Minister House" and draft["minerals"] == ["antimony"]
    assert (draft["amount"], draft["currency"]) == (1.2e8, "USD")
    assert "countries" not in draft  # rejected: nothing unreviewed or rejected reaches the registry
    assert draft["sources"][0]["publisher"] == "Dawn"
    assert draft["sources"][0]["evidence"].startswith("ISLAMABAD: Zarkon Mining")
    stored = show_document(UnitOfWork(engine), doc.id)
    assert stored.status == "committed" and stored.committed_by == "ana"
    assert stored.agreement_ids == {"1": "agreement-1"}
    with pytest.raises(Conflict, match="was committed"):
        commit_document(uow, doc.id, actor="ana", add_agreement=recorder)
    with pytest.raises(Conflict, match="already committed"):
        review_proposal(uow, doc.proposals[0].id, "reject", reviewer="bo")


def test_a_failed_registry_write_leaves_the_document_open_and_resumable(engine):
    from datetime import date

    uow = UnitOfWork(engine, write=True)
    doc = ingest_news(uow, TEXT.encode(), "jv.txt", date(2025, 9, 8)).document
    for p in doc.proposals:
        review_proposal(uow, p.id, "accept", reviewer="ana")
    added: list[str] = []

    def flaky(u, draft, *, actor):
        if draft["kind"] == "trade_deal" and not added[1:]:
            added.append("failed")
            raise Conflict("agreement id taken")
        added.append(draft["kind"])
        return draft["kind"]

    with pytest.raises(Conflict, match="id taken"):
        commit_document(uow, doc.id, actor="ana", add_agreement=flaky)
    stored = show_document(UnitOfWork(engine), doc.id)
    assert stored.status == "in_review" and stored.agreement_ids == {"1": "joint_venture"}
    assert commit_document(uow, doc.id, actor="ana", add_agreement=flaky) == ["joint_venture", "trade_deal"]
    assert added == ["joint_venture", "failed", "trade_deal"]


def test_cli_ingest_json_dedupe_review_and_commit_refused_while_pending(copy_cli, tmp_path):
    f = tmp_path / "jv.txt"
    f.write_text(TEXT, encoding="utf-8")
    data = copy_cli.json("ingest", "news", f, "--published", "2025-09-08")
    assert data["created"] is True and data["published_from"] == "given"
    kinds = [[x["value"] for x in a["fields"] if x["field"] == "kind"] for a in data["agreements"]]
    assert kinds == [["joint_venture"], ["trade_deal"]]
    first = data["agreements"][0]["fields"][0]
    assert first["field"] == "title" and first["evidence"][0] == {
        "text": "joint venture", "start": TEXT.index("joint venture"), "end": TEXT.index("joint venture") + 13}
    again = copy_cli.json("ingest", "news", f, "--published", "2025-09-08")
    assert again["created"] is False and again["id"] == data["id"]
    code, out, _ = copy_cli("ingest", "news", f)
    assert code == 0 and "Already read" in out and "nothing new was created" in out
    listed = copy_cli.json("news", "list")
    assert listed["count"] == 1 and listed["items"][0]["counts"]["pending"] == len(
        [x for a in data["agreements"] for x in a["fields"]])
    code, out, err = copy_cli("news", "review", first["id"], "edit", "--value", "JV on antimony", "--reviewer", "ana")
    assert code == 0 and "edited by ana: JV on antimony" in out
    code, _, err = copy_cli("news", "review", first["id"], "maybe")
    assert code == 2 and "decision must be one of accept, edit, reject" in err
    code, _, err = copy_cli("news", "review", "99999", "accept")
    assert code == 2 and "Unknown proposal '99999'" in err
    code, out, _ = copy_cli("news", "show", data["id"][:10])
    assert code == 0 and "JV on antimony" in out and "Zarkon Mining Company Ltd" in out
    code, _, err = copy_cli("news", "commit", data["id"][:10])
    assert code == 3 and "pending" in err  # nothing enters the registry while fields await review
    code, _, err = copy_cli("news", "show", "abc")
    assert code == 2 and "at least 6 characters" in err


@pytest.mark.parametrize("content, message", [
    (b"", "the file is empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "looks like a binary file (NUL byte at offset 8)"),
    (b"<html><script>alert('x')</script><style>p{}</style></html>", "no text left once the HTML markup"),
])
def test_cli_bad_files_are_refused_and_nothing_is_written(copy_cli, tmp_path, content, message):
    f = tmp_path / "bad.txt"
    f.write_bytes(content)
    code, out, err = copy_cli("ingest", "news", f)
    assert code == 2 and message in err and "Traceback" not in out + err
    assert copy_cli.json("news", "list")["count"] == 0


def test_cli_bad_published_date_and_missing_file(copy_cli, tmp_path):
    f = tmp_path / "a.txt"
    f.write_text(TEXT)
    code, _, err = copy_cli("ingest", "news", f, "--published", "8/9/2025")
    assert code == 2 and "--published: '8/9/2025' is not a date (YYYY-MM-DD)" in err
    code, _, err = copy_cli("ingest", "news", tmp_path / "nope.txt")
    assert code == 2 and "cannot read it" in err


def test_cli_other_language_warns_and_unresolved_fields_show(copy_cli, tmp_path):
    f = tmp_path / "fr.txt"
    f.write_text("Le Pakistan et les États-Unis ont signé un protocole d'accord sur les minerais critiques "
                 "lundi à Islamabad, selon un communiqué.", encoding="utf-8")
    data = copy_cli.json("ingest", "news", f)
    assert data["language"] == "not-en"
    assert any("does not look like English" in w for w in data["warnings"])
    assert any("no publication date" in w for w in data["warnings"])
    g = tmp_path / "u.txt"
    g.write_text("USSM and FWO signed an MoU on Monday worth 500 million.", encoding="utf-8")
    data = copy_cli.json("ingest", "news", g)
    fields = {x["field"]: x for x in data["agreements"][0]["fields"]}
    assert fields["signed"]["value"] is None and fields["signed"]["note"].startswith("unresolved")
    assert fields["amount"]["value"] == {"amount": 5e8, "currency": None}
    code, _, err = copy_cli("news", "review", fields["signed"]["id"], "accept")
    assert code == 2 and "unresolved: edit it with a value or reject it" in err


def test_cli_real_article(copy_cli):
    path = shared_file("texts", "2025-09-08-ussm-fwo-mou.txt")
    data = copy_cli.json("ingest", "news", path, "--published", "2025-09-08")
    mou = {x["field"]: x["value"] for x in data["agreements"][0]["fields"] if x["field"] != "party"}
    assert mou["kind"] == "mou" and mou["signed"] == "2025-09-08" and mou["place"] == "Prime Minister House"
    assert "text" not in data


def test_two_concurrent_ingests_of_the_same_text_store_one_document(engine):
    from concurrent.futures import ThreadPoolExecutor
    from datetime import date

    def ingest(name):
        return ingest_news(UnitOfWork(engine, write=True), TEXT.encode(), name, date(2025, 9, 8)).created

    with ThreadPoolExecutor(2) as pool:
        created = list(pool.map(ingest, ["a.txt", "b.txt"]))
    assert sorted(created) == [False, True]
    assert counts(engine)[0] == 1


def test_cli_html_with_scripts_reads_only_the_article(copy_cli, tmp_path):
    f = tmp_path / "page.html"
    f.write_text("""<!doctype html><html><head><meta name="date" content="2025-09-08">
    <meta property="og:site_name" content="Dawn"><link rel="canonical" href="https://www.dawn.com/news/1">
    <script>window.deal = "Barrick Gold loan of $900 million";</script></head><body>
    <!-- Zarkon Mining Company --><article><p>The MoU was signed between USSM and FWO on Monday.</p></article>
    <script>track("Reko Diq")</script></body></html>""", encoding="utf-8")
    data = copy_cli.json("ingest", "news", f)
    assert data["format"] == "html" and data["published"] == "2025-09-08" and data["published_from"] == "html meta"
    texts = [m["text"] for m in data["mentions"]]
    assert texts == ["MoU", "USSM", "FWO", "on Monday"]
    fields = {x["field"]: x["value"] for x in data["agreements"][0]["fields"] if x["field"] != "party"}
    assert fields["signed"] == "2025-09-08"
    assert fields["source"] == {"publisher": "Dawn", "url": "https://www.dawn.com/news/1", "date": "2025-09-08",
                                "evidence": "The MoU was signed between USSM and FWO on Monday."}
    shown = copy_cli.json("news", "show", data["id"], "--text")
    assert shown["text"] == "The MoU was signed between USSM and FWO on Monday."


def test_cli_review_ranges_are_all_or_nothing(copy_cli, tmp_path):
    f = tmp_path / "u.txt"
    f.write_text("USSM and FWO signed an MoU on Monday worth 500 million.", encoding="utf-8")
    data = copy_cli.json("ingest", "news", f)
    ids = [x["id"] for x in data["agreements"][0]["fields"]]
    unresolved = [x["id"] for x in data["agreements"][0]["fields"] if x["value"] is None
                  or x["field"] == "amount"]
    code, _, err = copy_cli("news", "review", f"{ids[0]}-{ids[-1]}", "accept")
    assert code == 2 and "unresolved" in err
    shown = copy_cli.json("news", "show", data["id"])
    assert shown["counts"]["pending"] == len(ids)  # nothing half-written
    ok = [i for i in ids if i not in unresolved]
    done = copy_cli.json("news", "review", ",".join(map(str, ok)), "accept", "--reviewer", "ana")
    assert done["count"] == len(ok) and {p["status"] for p in done["items"]} == {"accepted"}
    code, _, err = copy_cli("news", "review", "3-x", "reject")
    assert code == 2 and "give ids like 4, 1-9 or 1-9,12" in err
    code, _, err = copy_cli("news", "review", f"{ids[0]},{ids[1]}", "edit", "--value", "x")
    assert code == 2 and "edit one proposal at a time" in err
