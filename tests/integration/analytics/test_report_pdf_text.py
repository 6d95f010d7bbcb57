"""The PDF reports as `maadan report` and GET /api/analytics/reports/... produce them (embedded
Unicode fonts, compressed streams), read back with pypdf: the text is the report's text, and
characters outside Latin-1 (km², the en dash) come back as themselves, not as '?'."""

from __future__ import annotations

import io

import pypdf
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine

from maadan.analytics import document, service
from maadan.api.app import create_app
from maadan.config import load_settings
from maadan.store.uow import UnitOfWork


@pytest.fixture
def read_client(seeded_db):
    with TestClient(create_app(load_settings({"MAADAN_DATABASE_URL": seeded_db.url}))) as client:
        yield client


def pdf_text(pdf: bytes) -> str:
    """The text of every page, whitespace collapsed (lines wrap anywhere in a table cell)."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_cli_pdf_is_compressed_and_reads_back_as_the_report(acli, tmp_path):
    path = tmp_path / "copper.pdf"
    code, _, err = acli("report", "mineral", "copper", "--pdf", str(path))
    assert code == 0, err
    pdf = path.read_bytes()
    assert b"/Filter /FlateDecode" in pdf  # compressed streams: the page text cannot be grepped from the file
    assert b"/ToUnicode" in pdf  # embedded font with a map back to characters
    text = pdf_text(pdf)
    for fragment in ("Supply risk: Copper", "World production HHI", "Chile", "Sources", "MCS2025_World_Data.csv"):
        assert fragment in text, fragment


def test_http_pdf_reads_back_as_the_report(read_client):
    r = read_client.get("/api/analytics/reports/project/reko-diq.pdf")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    text = pdf_text(r.content)
    for fragment in ("Project: Reko Diq", "Barrick", "NPV @8%", "Sensitivities", "Parameters not verified",
                     "dawn.com/news/1719891"):
        assert fragment in text, fragment


def test_characters_outside_latin1_survive_the_pdf(acli):
    engine = create_engine(acli.url)
    doc = service.report_mineral(UnitOfWork(engine), "copper")
    engine.dispose()
    doc.blocks.append(document.Paragraph("Gunga barytes lease: 1.28 km² (316 acres), 1974–2033 – Khuzdar."))
    doc.blocks.append(document.TableBlock(headers=["Area", "Term"], rows=[["30 km²", "2021–2051"]]))
    text = pdf_text(document.to_pdf(doc))  # the defaults the CLI and the API use
    assert "1.28 km² (316 acres), 1974–2033 – Khuzdar." in text
    assert "30 km²" in text and "2021–2051" in text
    assert "?" not in text.replace("?f=", "")  # nothing replaced by the Latin-1 fallback
