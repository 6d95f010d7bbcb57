"""Documents the authority issues (issue 16 item 3): one template each, as PDF and HTML, parsed back;
each document's SHA-256 in the register; the same event always gives the same bytes; who may have which."""

from __future__ import annotations

import hashlib
import io
from datetime import date, datetime, timedelta, timezone

import pytest
from pypdf import PdfReader

from maadan.audit.service import verify_register
from maadan.cadastre import documents
from maadan.cadastre import service as cadastre
from maadan.documents.render import latin1, to_html, to_pdf
from tests.integration.web.conftest import square

pytestmark = pytest.mark.slow


def pdf_text(body: bytes) -> str:
    reader = PdfReader(io.BytesIO(body))
    return "\n".join(page.extract_text() for page in reader.pages)


def events_of(web, kind: str):
    with web.uow() as uow:
        return [e for e in uow.cadastre.events() if e.kind == kind]


def granted(web, area=None):
    """An application filed, accepted, reviewed, offered and granted; (application, title)."""
    app = web.apply(area=area or square(66.5, 28.0),
                    now=datetime.now(timezone.utc) - timedelta(days=2))
    for action in ("accept", "review", "offer"):
        cadastre.decide(web.uow(True), "PK-BA", app.number, action, "user:officer")
    _, title = cadastre.decide(web.uow(True), "PK-BA", app.number, "grant", "user:officer")
    return app, title


def test_receipt_pdf_and_html_carry_the_application_and_their_hash_is_in_the_register(web):
    web.user("amina", "applicant", "chagai-minerals")
    app = web.apply()
    assert web.login("amina").status_code == 303
    pdf = web.client.get(f"/documents/receipt/PK-BA/A{app.number}.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = pdf_text(pdf.content)
    assert "Application receipt" in text and f"PK-BA/A{app.number}" in text
    assert "Chagai Minerals (Pvt) Ltd" in text and "100%" in text
    assert "PKT (UTC+05:00)" in text  # the jurisdiction's time, its zone named
    assert "UTM zone 42N" in text or "UTM 42N" in text
    html = web.client.get(f"/documents/receipt/PK-BA/A{app.number}.html")
    assert html.status_code == 200 and "default-src 'none'" in html.headers["content-security-policy"]
    assert "<svg" in html.text and "Chagai Minerals (Pvt) Ltd" in html.text
    # The register holds both hashes, in a document.issued event about the application.
    issued = events_of(web, "document.issued")
    assert len(issued) == 1
    ev = issued[0]
    assert ev.subject == f"PK-BA/A{app.number}"
    assert {d.sha256 for d in ev.documents} == {hashlib.sha256(pdf.content).hexdigest(),
                                                hashlib.sha256(html.content).hexdigest()}
    assert pdf.headers["x-document-sha256"] == hashlib.sha256(pdf.content).hexdigest()
    # Asking again serves the same bytes and issues nothing more.
    assert web.client.get(f"/documents/receipt/PK-BA/A{app.number}.pdf").content == pdf.content
    assert len(events_of(web, "document.issued")) == 1
    assert verify_register(web.uow()).ok


def test_the_same_event_renders_the_same_bytes(web):
    app = web.apply()
    with web.uow() as uow:
        src = documents.source(uow, "receipt", f"PK-BA/A{app.number}")
        first = documents.render(src)
        second = documents.render(documents.source(uow, "receipt", f"PK-BA/A{app.number}"))
    assert first == second
    paper = src.build()
    assert to_pdf(paper) == to_pdf(paper) and to_html(paper) == to_html(paper)


def test_offer_refusal_certificate_invoice_and_payment(web):
    app, title = granted(web)
    ref = f"PK-BA/A{app.number}"
    web.user("officer1", "officer")
    assert web.login("officer1").status_code == 303
    offer = web.client.get(f"/documents/offer/{ref}.pdf")
    assert offer.status_code == 200 and "Offer letter" in pdf_text(offer.content)
    # No refusal was recorded for a granted application.
    assert web.client.get(f"/documents/refusal/{ref}.pdf").status_code == 404
    cert = web.client.get(f"/documents/certificate/{title.number}.pdf")
    text = pdf_text(cert.content)
    for expected in ("Title certificate", title.number, "Chagai Minerals (Pvt) Ltd", "100%", "Obligations",
                     "Legal basis", "Latitude", "Easting", "/cadastre/titles/" + title.number):
        assert expected in text, expected
    grant = [e for e in events_of(web, "application.grant") if e.subject == ref][0]
    assert grant.hash in text  # the register's event hash is printed on the certificate
    html = web.client.get(f"/documents/certificate/{title.number}.html").text
    assert 'aria-label="QR code: http' in html and "Vertices in WGS 84" in html
    # The first year's rent invoice, then a payment against it and its receipt.
    with web.uow() as uow:
        inv = uow.cadastre.invoices(title_number=title.number)[0]
    invoice = pdf_text(web.client.get(f"/documents/invoice/{inv.id}.pdf").content)
    assert "Invoice" in invoice and f"{inv.currency} {inv.amount:,.2f}" in invoice
    cadastre.record_payment(web.uow(True), inv.id, min(inv.amount, 1000.0), "user:officer1", "BANK-REF-1")
    pay = events_of(web, "payment.recorded")[-1]
    receipt = pdf_text(web.client.get(f"/documents/payment/{pay.seq}.pdf").content)
    assert "Payment receipt" in receipt and "BANK-REF-1" not in receipt  # the reference stays private
    kinds = {e.data["kind"] for e in events_of(web, "document.issued")}
    assert kinds == {"offer", "certificate", "invoice", "payment"}


def test_refusal_notice_carries_the_reasons(web):
    app = web.apply()
    cadastre.decide(web.uow(True), "PK-BA", app.number, "accept", "user:officer")
    cadastre.decide(web.uow(True), "PK-BA", app.number, "review", "user:officer")
    cadastre.decide(web.uow(True), "PK-BA", app.number, "refuse", "user:officer",
                    reason="The work programme does not meet rule 23: no drilling is planned.")
    doc = documents.issue(web.uow(True), "refusal", f"PK-BA/A{app.number}", "cli:test", everything=True)
    text = pdf_text(doc.pdf)
    assert "Refusal notice" in text and "no drilling is planned" in text
    assert "Reasons" in doc.html.decode()


def test_who_may_have_which_document(web):
    app, title = granted(web, square(66.7, 28.2))
    ref = f"PK-BA/A{app.number}"
    # The public: the certificate (titles are public), nothing addressed to the applicant.
    assert web.client.get(f"/documents/certificate/{title.number}.pdf").status_code == 200
    for path in (f"/documents/receipt/{ref}.pdf", f"/documents/offer/{ref}.html"):
        assert web.client.get(path, headers={"Accept": "application/json"}).status_code == 404
    # Another organisation's applicant: not theirs either.
    web.user("other", "applicant", "someone-else")
    web.login("other")
    assert web.client.get(f"/documents/receipt/{ref}.pdf", headers={"Accept": "application/json"}).status_code == 404
    # Bad names answer 404, never a path.
    for path in ("/documents/receipt/PK-BA/A1.exe", "/documents/nope/PK-BA/A1.pdf", "/documents/receipt/..%2f..%2fetc.pdf",
                 "/documents/invoice/99999999.pdf", "/documents/payment/1.pdf"):
        assert web.client.get(path, headers={"Accept": "application/json"}).status_code == 404, path


def test_a_copy_is_checked_against_the_register(web):
    app, title = granted(web, square(66.9, 28.4))
    cert = web.client.get(f"/documents/certificate/{title.number}.pdf").content
    page = web.client.get("/register/documents", params={"sha256": hashlib.sha256(cert).hexdigest()})
    assert page.status_code == 200 and "Genuine" in page.text and title.number in page.text
    altered = cert.replace(b"Title certificate", b"Title certificatf")
    upload = web.client.post("/register/documents", files={"copy": ("cert.pdf", altered, "application/pdf")})
    assert upload.status_code == 200 and "Not found" in upload.text
    upload = web.client.post("/register/documents", files={"copy": ("cert.pdf", cert, "application/pdf")})
    assert "Genuine" in upload.text
    bad = web.client.get("/register/documents", params={"sha256": "xyz"})
    assert bad.status_code == 422 and "64 hexadecimal" in bad.text


def test_notice_of_default_before_revocation(web):
    app, title = granted(web, square(67.1, 28.6))
    # Nothing is in default yet (the first rent falls due on the day of grant, obligations later).
    with pytest.raises(Exception) as exc:
        documents.default_notice(web.uow(True), title.number, "user:officer", "rent unpaid", today=date.today())
    assert "not in default" in str(exc.value)
    later = date.today() + timedelta(days=400)
    doc = documents.default_notice(web.uow(True), title.number, "user:officer", "Rent for year 1 is unpaid.",
                                   days=45, today=later)
    text = pdf_text(doc.pdf)
    assert "Notice of default before revocation" in text and "Rent for year 1 is unpaid." in text
    assert (later + timedelta(days=45)).isoformat() in text and "Unpaid invoices" in text
    web.user("officer2", "officer")
    web.login("officer2")
    page = web.client.get(f"/cadastre/titles/{title.number}")
    assert "Give notice of default" in page.text and f"/documents/certificate/{title.number}.pdf" in page.text


def test_unicode_names_embed_a_font_and_latin_names_do_not():
    from maadan.documents.model import Paper, Text

    at = datetime(2026, 12, 4, tzinfo=timezone.utc)
    plain = Paper("receipt", "X/1", "Receipt", "Authority", at, "Asia/Karachi", (Text("Chagai Minerals"),))
    urdu = Paper("receipt", "X/1", "Receipt", "Authority", at, "Asia/Karachi", (Text("چاغی منرلز"),))
    assert latin1(plain) and not latin1(urdu)
    assert b"DejaVu" in to_pdf(urdu) and b"DejaVu" not in to_pdf(plain)
