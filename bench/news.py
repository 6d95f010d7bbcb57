"""Figures for reading news texts: throughput on 1,000 SYNTHETIC news-length texts (texts/s, median of
--runs), and precision/recall per mention kind on the real article (../shared/texts, when present,
against tests/data/news) and on the synthetic set.

Throughput is measured three ways in the same run: the baseline (spaCy tokenizer, sentencizer and the
gazetteer's EntityRuler only, no rules), the full extraction, and the full ingest (cleaning, extraction,
content hash and the database writes of every proposal) into a fresh SQLite database.

Usage: .venv/bin/python bench/news.py [--texts 1000] [--runs 3] [--seed 2025]"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from maadan.config import load_settings
from maadan.news.document import read_document
from maadan.news.evaluate import KINDS, score
from maadan.news.pipeline import build_nlp, extract
from maadan.news.service import ingest_news
from maadan.news.synthetic import generate
from maadan.store.database import create_db_engine
from maadan.store.migrate import upgrade
from maadan.store.uow import UnitOfWork

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "texts" / "2025-09-08-ussm-fwo-mou.txt"
GOLD = ROOT / "tests" / "data" / "news" / "gold-2025-09-08-ussm-fwo-mou.json"


def rate(fn, n: int, runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return n / statistics.median(times)


def ingest_all(texts, tmp: Path) -> float:
    engine = create_db_engine(load_settings({"MAADAN_DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite'}"}))
    upgrade(engine)
    uow = UnitOfWork(engine, write=True)
    t = time.perf_counter()
    for i, s in enumerate(texts):
        ingest_news(uow, s.text.encode(), f"synthetic-{i}.txt", s.published, actor="bench")
    elapsed = time.perf_counter() - t
    engine.dispose()
    return elapsed


def table(title: str, scores) -> None:
    print(f"\n{title}\n")
    print("| kind | found right | found wrong | missed | precision | recall |")
    print("|---|---:|---:|---:|---:|---:|")
    for k in KINDS:
        s = scores[k]
        p = "—" if s.precision is None else f"{s.precision:.2f}"
        r = "—" if s.recall is None else f"{s.recall:.2f}"
        print(f"| {k} | {s.tp} | {s.fp} | {s.fn} | {p} | {r} |")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--texts", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=2025)
    args = ap.parse_args()

    texts = generate(args.texts, seed=args.seed)
    words = statistics.median(len(s.text.split()) for s in texts)
    nlp = build_nlp()
    extract("Warm-up: USSM signed an MoU on Monday.", date(2025, 9, 8))  # dateparser and caches loaded once

    base = rate(lambda: [nlp(s.text) for s in texts], len(texts), args.runs)
    full = rate(lambda: [extract(read_document(s.text.encode(), "s.txt", s.published).text, s.published)
                         for s in texts], len(texts), args.runs)
    with tempfile.TemporaryDirectory() as tmp:
        stored = [len(texts) / ingest_all(texts, Path(tmp) / str(i)) for i in range(args.runs)
                  if (Path(tmp) / str(i)).mkdir() is None]
    print(f"Throughput on {len(texts)} synthetic texts (median {words:.0f} words), median of {args.runs} runs:\n")
    print("| stage | texts/s | ratio to baseline |")
    print("|---|---:|---:|")
    print(f"| baseline: spaCy tokenizer + sentencizer + EntityRuler | {base:,.0f} | 1.00 |")
    print(f"| full extraction (cleaning, rules, proposals) | {full:,.0f} | {full / base:.2f} |")
    ingest = statistics.median(stored)
    print(f"| full ingest into SQLite (extraction + hash + writes) | {ingest:,.0f} | {ingest / base:.2f} |")

    if REAL.exists():
        gold = json.loads(GOLD.read_text())
        doc = read_document(REAL.read_bytes(), REAL.name, date.fromisoformat(gold["published"]))
        table(f"Real article {REAL.name} (hand-annotated values in {GOLD.relative_to(ROOT)})",
              score([(extract(doc.text, doc.published), gold["expected"])]))
    else:
        print(f"\n(real article not found at {REAL}: its table is skipped)")
    table(f"Synthetic set: {len(texts)} texts, seed {args.seed}",
          score([(extract(s.text, s.published), s.expected) for s in texts]))


if __name__ == "__main__":
    main()
