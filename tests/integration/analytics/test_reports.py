"""`maadan report mineral|project|screening`: self-contained HTML and a PDF of the same content."""

import re

import pytest

from maadan.analytics import document


def _pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", pdf))


def _self_contained(page: str) -> None:
    assert "<script" not in page and "<link" not in page
    assert not re.search(r'src="(?!data:image/png;base64,)', page)  # images only as data URIs
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "") and "https://" not in page


def test_project_report_html_and_pdf(acli, tmp_path):
    code, _, err = acli("report", "project", "reko-diq", "--out", str(tmp_path), "--paths", "2000")
    assert code == 0, err
    page = (tmp_path / "project-reko-diq.html").read_text(encoding="utf-8")
    _self_contained(page)
    assert page.count("data:image/png;base64,") == 1 and page.count("<svg") == 1  # cash flows + tornado
    for text in ("NPV @8%", "Barrick", "Sensitivities", "Monte Carlo", "P10", "Parameters not verified",
                 "<h2>Sources</h2>", "dawn.com/news/1890305", "data/fiscal/cases/reko-diq.yaml"):
        assert text in page, text
    pdf = (tmp_path / "project-reko-diq.pdf").read_bytes()
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF") and _pages(pdf) >= 3
    assert pdf.count(b"/Subtype /Image") >= 2


def test_pdf_text_is_the_report_text(acli, tmp_path):
    from sqlalchemy import create_engine

    from maadan.analytics import service
    from maadan.store.uow import UnitOfWork

    engine = create_engine(acli.url)
    doc = service.report_mineral(UnitOfWork(engine), "copper")
    engine.dispose()
    pdf = document.to_pdf(doc, unicode=False, compress=False)
    assert pdf.startswith(b"%PDF-")
    for text in (b"Supply risk: Copper", b"World production HHI", b"Chile", b"Sources", b"MCS2025_World_Data.csv"):
        assert text in pdf, text
    html = document.to_html(doc)
    assert html.count("data:image/png;base64,") == 1 and "GeoPolRisk" in html and "0.023" in html  # §1, §2e
    assert "GOV_WGI_PV.EST" in html and "unavailable" not in html


def test_mineral_without_data_and_screening_reports(acli, tmp_path):
    html, pdf = tmp_path / "ce.html", tmp_path / "ce.pdf"
    code, _, err = acli("report", "mineral", "cerium", "--html", str(html), "--pdf", str(pdf))
    assert code == 0, err
    page = html.read_text(encoding="utf-8")
    assert "Missing data: world production by country" in page and pdf.read_bytes().startswith(b"%PDF-")
    code, _, err = acli("report", "screening", "--out", str(tmp_path / "s"))
    assert code == 0, err
    page = (tmp_path / "s" / "screening-us-investor.html").read_text(encoding="utf-8")
    _self_contained(page)
    assert "Reko Diq" in page and "Profile weights" in page and "arabnews.pk/node/2633290" in page
    assert (tmp_path / "s" / "screening-us-investor.pdf").read_bytes().startswith(b"%PDF-")


def test_report_bad_input(acli, tmp_path):
    code, _, err = acli("report", "project", "reko-diq")
    assert code == 2 and "--out DIR" in err
    code, _, err = acli("report", "mineral", "unobtainium", "--out", str(tmp_path))
    assert code == 2 and "Unknown mineral" in err
    assert list(tmp_path.iterdir()) == []  # nothing half-written
    f = tmp_path / "file"
    f.write_text("x")
    code, _, err = acli("report", "screening", "--out", str(f))
    assert code == 2 and "not a directory" in err


def test_project_without_case(acli, tmp_path):
    code, _, _ = acli("report", "project", "duddar", "--html", str(tmp_path / "s.html"))
    assert code == 0
    page = (tmp_path / "s.html").read_text(encoding="utf-8")
    assert "No economics case exists" in page and "Duddar" in page


pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
