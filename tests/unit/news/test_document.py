"""Reading bytes into clean text: encodings, HTML, bad files, language, publication date."""

from datetime import date

import pytest

from maadan.errors import InvalidInput
from maadan.news.document import content_hash, language_of, read_document


def test_empty_file_is_refused_with_its_name():
    for raw in (b"", b"  \n\t\n"):
        with pytest.raises(InvalidInput, match="story.txt: the file is empty"):
            read_document(raw, "story.txt")


def test_oversized_file_is_refused():
    with pytest.raises(InvalidInput, match=r"big.txt: 5,000,001 bytes is more than a news article"):
        read_document(b"a" * 5_000_001, "big.txt")


def test_binary_file_is_refused_with_the_offset():
    raw = b"%PDF-1.7\n" + bytes(range(256)) * 4
    with pytest.raises(InvalidInput, match=r"binary file \(NUL byte at offset 9\)") as info:
        read_document(raw, "scan.pdf")
    assert info.value.details["offset"] == 9


def test_utf8_with_bom_and_windows_1252_fallback():
    doc = read_document("\ufeffPakistan and the US signed an MoU.".encode("utf-8"), "a.txt")
    assert doc.text.startswith("Pakistan") and doc.encoding == "utf-8" and doc.warnings[-1].startswith("no publication")
    doc = read_document("The Chargé d’Affaires said it was signed.".encode("cp1252"), "b.txt")
    assert doc.encoding == "cp1252" and "Chargé d’Affaires" in doc.text
    assert any("decoded as Windows-1252" in w for w in doc.warnings)


def test_utf16_with_bom():
    doc = read_document("USSM and FWO signed an MoU.".encode("utf-16"), "u16.txt")
    assert (doc.text, doc.encoding) == ("USSM and FWO signed an MoU.", "utf-16")


def test_html_drops_scripts_styles_and_comments_and_reads_meta_date():
    html = b"""<!doctype html><html><head><title>t</title>
    <meta property="article:published_time" content="2025-09-08T10:00:00+05:00">
    <style>p { color: red }</style><script>var deal = "Barrick Gold MoU $900 million";</script></head>
    <body><!-- Frontier Works Organisation --><p>US Strategic Metals signed an MoU &amp; more.</p>
    <script type="text/javascript">alert("Reko Diq")</script><p>Second paragraph.</p></body></html>"""
    doc = read_document(html, "page.html")
    assert doc.format == "html"
    assert doc.text == "US Strategic Metals signed an MoU & more.\n\nSecond paragraph."
    for hidden in ("Barrick", "Reko Diq", "Frontier", "color", "var deal"):
        assert hidden not in doc.text
    assert doc.published == date(2025, 9, 8) and doc.published_from == "html meta"


def test_given_date_wins_and_dateline_is_found():
    text = b"ISLAMABAD, September 8, 2025: The MoU was signed on Monday."
    assert read_document(text, "a.txt").published == date(2025, 9, 8)
    assert read_document(text, "a.txt").published_from == "text"
    doc = read_document(text, "a.txt", date(2025, 9, 9))
    assert doc.published == date(2025, 9, 9) and doc.published_from == "given"


def test_same_text_differently_wrapped_has_the_same_hash():
    a = read_document(b"Pakistan signed an MoU\nwith the US.", "a.txt")
    b = read_document(b"Pakistan  signed an MoU with\r\nthe US.  ", "b.txt")
    assert a.content_hash == b.content_hash == content_hash("Pakistan signed an MoU with the US.")


def test_other_languages_are_detected_and_said():
    urdu = "پاکستان اور امریکہ نے اہم معدنیات کے شعبے میں تعاون کی مفاہمت کی یادداشت پر دستخط کیے"
    lang, why = language_of(urdu)
    assert lang == "not-en" and "Arabic script" in why
    french = ("Le Pakistan et les États-Unis ont signé un protocole d'accord sur les minerais critiques "
              "lundi à Islamabad, selon un communiqué de l'ambassade.")
    lang, why = language_of(french)
    assert lang == "not-en" and "English function words" in why
    assert language_of("Pakistan and the United States have signed a memorandum of understanding on minerals.")[0] == "en"
    doc = read_document(french.encode(), "fr.txt")
    assert doc.language == "not-en" and any("does not look like English" in w for w in doc.warnings)
