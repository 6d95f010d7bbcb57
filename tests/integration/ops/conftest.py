"""A populated registry for the operations tests (issue 18): the seeded database plus a small
synthetic cadastre, filings, decisions, a granted title, rent invoices, a payment, an agreement, a
news document read into proposals, and a signed checkpoint. Built through the CLI, as an authority
would fill it."""

from __future__ import annotations

import contextlib
import io
import json
import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests.conftest import Database

JV = ["--holder", "US Strategic Metals=60:US:foreign", "--holder", "Frontier Works Organisation=40:PK:state-owned"]
NEWS = ("ISLAMABAD: Zarkon Mining Company Ltd and Pakistan Mineral Development Corporation signed a joint "
        "venture on Tuesday to explore antimony in Balochistan, worth $120 million, the minister said.\n")


def square(x: float, y: float, d: float = 0.1) -> dict:
    return {"type": "Polygon", "coordinates": [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]]}


def maadan(url: str, *args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    """Run `maadan ARGS` in-process against `url`; returns (exit code, standard output)."""
    from maadan.cli.app import main

    saved = {k: os.environ.get(k) for k in ("MAADAN_DATABASE_URL", *(env or {}))}
    os.environ.update({"MAADAN_DATABASE_URL": url, **(env or {})})
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            code = main([str(a) for a in args])
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return code, out.getvalue()


def maadan_json(url: str, *args: str, env: dict[str, str] | None = None):
    code, out = maadan(url, *args, "--json", env=env)
    assert code == 0, (args, out)
    return json.loads(out)


def populate(url: str, work: Path, key: Path) -> dict:
    """Fill the (seeded) database at `url`; returns what was made."""
    env = {"MAADAN_REGISTER_KEY": str(key)}
    maadan_json(url, "demo", "cadastre", "--titles", "12", "--seed", "3")
    base = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(days=3)
    numbers = []
    for i, (x, y) in enumerate([(64.0, 28.8), (64.3, 28.8), (64.6, 28.8), (64.9, 28.8)]):
        area = work / f"area-{i}.geojson"
        shape = square(x, y)
        if i == 3:  # one that is not a rectangle along the axes (an L: the flag `rectangle` is false)
            shape["coordinates"][0][2:4] = [[x + 0.1, y + 0.05], [x + 0.05, y + 0.05], [x + 0.05, y + 0.1], [x, y + 0.1]]
        area.write_text(json.dumps(shape))
        filed = maadan_json(url, "cadastre", "apply", area, "--type", "EL", "--mineral", "copper", *JV,
                            "--received-at", (base + timedelta(minutes=i)).isoformat())
        numbers.append(filed["number"])
    for action in ("accept", "review", "offer", "grant"):
        granted = maadan_json(url, "cadastre", "decide", numbers[0], action, "--actor", "officer:amina")
    maadan_json(url, "cadastre", "decide", numbers[1], "accept", "--actor", "officer:amina")
    maadan_json(url, "cadastre", "decide", numbers[2], "reject-incomplete", "--actor", "officer:amina",
                "--reason", "no proof of payment of the fee")
    due = maadan_json(url, "cadastre", "due", "--within", "0d")
    rent = next(i for i in due["items"] if i["kind"] == "rent" and i["ref"] == granted["title"])
    invoice = int(rent["note"].split()[1].rstrip(";"))
    maadan_json(url, "cadastre", "pay", invoice, round(rent["amount"] / 2, 2), "--reference", "HBL-7")
    maadan_json(url, "agreements", "add", "--title", "Test offtake", "--kind", "offtake", "--signed",
                "2025-12-01", "--party", "US Strategic Metals:offtaker:ussm", "--party",
                "Frontier Works Organisation:other:fwo", "--mineral", "antimony", "--amount", "1000000",
                "--currency", "usd", "--source", "https://example.org/news/1")
    text = work / "news.txt"
    text.write_text(NEWS, encoding="utf-8")
    maadan_json(url, "ingest", "news", text, "--published", "2025-09-08")
    maadan(url, "audit", "keygen", "--keep-existing", env=env)
    maadan_json(url, "audit", "checkpoint", env=env)
    return {"applications": numbers, "title": granted["title"], "invoice": invoice}


@pytest.fixture(scope="module")
def registry(seeded_db, tmp_path_factory):
    """A populated copy of the seeded database (one per backend), shared by a module's tests: they
    must not change it (copy it with `Database(backend, tmp, template=registry)`)."""
    work = tmp_path_factory.mktemp("registry")
    db = Database(seeded_db.backend, work, template=seeded_db)
    db.key = work / "register-key.pem"
    db.made = populate(db.url, work, db.key)
    yield db
    db.close()
