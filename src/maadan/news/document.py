"""Bytes to clean text: decoding, HTML cleaning (scripts, styles and comments dropped), refusing empty
or binary files, a language check and a publication date found in the text or the HTML meta tags.

Every offset Maadan reports for a news text is an offset into the cleaned text returned here."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser

from maadan.errors import InvalidInput
from maadan.news.byline import published_from_text, publisher_from_text

# A short list of very frequent English function words. In English prose they make up roughly 35-50% of
# the words; a text where they are under 12% (of at least 8 words) is taken to be in another language.
ENGLISH_STOP_WORDS = frozenset("""
a an the and or but of to in on at by for with from as is are was were be been has have had it its this
that these those which who will would said says not no than then there their they he she his her we our
you your i after before about into over under between also more most such can could may
""".split())
MIN_STOP_WORD_RATIO = 0.12
MAX_BYTES = 5_000_000  # a news article is tens of kilobytes; larger files are not articles

_BLOCK_TAGS = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table",
               "section", "article", "header", "footer", "blockquote", "title", "figcaption", "pre", "hr"}
_SKIP_TAGS = {"script", "style", "noscript", "template", "svg", "head"}
_DATE_META = ("article:published_time", "og:published_time", "datepublished", "date", "pubdate",
              "publishdate", "dc.date", "dc.date.issued", "sailthru.date", "parsely-pub-date")


@dataclass
class ReadDocument:
    text: str  # cleaned, NFC, newlines normalised; offsets refer to this
    content_hash: str  # SHA-256 of the text with whitespace runs collapsed
    format: str  # "text" | "html"
    encoding: str
    published: date | None = None
    published_from: str | None = None  # "given" | "html meta" | "text"
    published_evidence: str | None = None
    language: str = "en"  # "en" or "not-en"
    publisher: str | None = None  # HTML <meta property="og:site_name">, else a byline or credit line
    publisher_from: str | None = None  # "html meta" or "text: <the credit read>"
    url: str | None = None  # HTML <link rel="canonical"> or <meta property="og:url">
    warnings: list[str] = field(default_factory=list)


class _Cleaner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        self.meta: dict[str, str] = {}
        self.times: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag in _SKIP_TAGS:
            self.skip += 1
        if tag == "meta":
            key = (a.get("property") or a.get("name") or a.get("itemprop") or "").lower()
            if key and a.get("content"):
                self.meta.setdefault(key, a["content"])
        if tag == "link" and "canonical" in a.get("rel", "").lower().split() and a.get("href"):
            self.meta.setdefault("canonical", a["href"])
        if tag == "time" and a.get("datetime"):
            self.times.append(a["datetime"])
        if tag in _BLOCK_TAGS and not self.skip:
            self.parts.append("\n")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in _SKIP_TAGS:
            self.skip -= 1

    def handle_endtag(self, tag):
        if tag in _SKIP_TAGS and self.skip:
            self.skip -= 1
        elif tag in _BLOCK_TAGS and not self.skip:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)

    def handle_comment(self, data):  # comments never reach the text
        pass


def _decode(raw: bytes, filename: str) -> tuple[str, str, list[str]]:
    if not raw or not raw.strip():
        raise InvalidInput(f"{filename}: the file is empty", details={"field": "file"})
    if len(raw) > MAX_BYTES:
        raise InvalidInput(f"{filename}: {len(raw):,} bytes is more than a news article "
                           f"(at most {MAX_BYTES:,})", details={"field": "file"})
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16"), "utf-16", []
        except UnicodeDecodeError as exc:
            raise InvalidInput(f"{filename}: not valid UTF-16 at byte {exc.start}", details={"offset": exc.start}) from None
    head = raw[:8192]
    nul = head.find(b"\x00")
    if nul >= 0:
        raise InvalidInput(f"{filename}: looks like a binary file (NUL byte at offset {nul}); "
                           "give a plain-text or HTML article", details={"field": "file", "offset": nul})
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    if controls > max(2, len(head) // 50):
        raise InvalidInput(f"{filename}: looks like a binary file ({controls} control bytes in the first "
                           f"{len(head)}); give a plain-text or HTML article", details={"field": "file"})
    try:
        return raw.decode("utf-8-sig"), "utf-8", []
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError:
        raise InvalidInput(f"{filename}: not UTF-8 (invalid byte at offset {first_bad}) and not Windows-1252; "
                           "save the article as UTF-8", details={"field": "file", "offset": first_bad}) from None
    return text, "cp1252", [f"not UTF-8 (invalid byte at offset {first_bad}); decoded as Windows-1252"]


def _looks_like_html(text: str) -> bool:
    head = text[:2000].lower()
    return bool(re.search(r"<(!doctype html|html|body|p|div|article|head|script|meta)\b", head))


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = re.sub(r"[ \t\u00a0]+", " ", text)
    text = re.sub(r" *\n *", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def content_hash(text: str) -> str:
    """SHA-256 of the text with every whitespace run made one space: the same article read from a
    differently wrapped file, or from HTML, gets the same hash."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()


def language_of(text: str) -> tuple[str, str | None]:
    """("en", None) or ("not-en", why). Two signals: the share of letters outside the Latin script and
    the share of English stop words among the words."""
    letters = [c for c in text if c.isalpha()]
    if letters:
        latin = sum(1 for c in letters if c.isascii() or "LATIN" in unicodedata.name(c, ""))  # ASCII letters are Latin
        if latin / len(letters) < 0.7:
            scripts: dict[str, int] = {}
            for c in letters:
                name = unicodedata.name(c, "UNKNOWN").split()[0]
                scripts[name] = scripts.get(name, 0) + 1
            main = max(scripts, key=scripts.get).title()
            return "not-en", f"mostly {main} script ({100 - 100 * latin // len(letters)}% non-Latin letters)"
    words = re.findall(r"[a-zA-Z\u00c0-\u024f']+", text.lower())
    if len(words) >= 8:
        ratio = sum(1 for w in words if w in ENGLISH_STOP_WORDS) / len(words)
        if ratio < MIN_STOP_WORD_RATIO:
            return "not-en", f"only {ratio:.0%} English function words (expected at least {MIN_STOP_WORD_RATIO:.0%})"
    return "en", None


def _published_from_meta(meta: dict[str, str], times: list[str]) -> tuple[date, str] | None:
    for key in _DATE_META:
        value = meta.get(key)
        if value and (m := re.match(r"\s*(\d{4})-(\d{2})-(\d{2})", value)):
            try:
                return date(int(m[1]), int(m[2]), int(m[3])), f'<meta {key}="{value}">'
            except ValueError:
                continue
    for value in times:
        if m := re.match(r"\s*(\d{4})-(\d{2})-(\d{2})", value):
            try:
                return date(int(m[1]), int(m[2]), int(m[3])), f'<time datetime="{value}">'
            except ValueError:
                continue
    return None


def read_document(raw: bytes, filename: str = "text", published: date | None = None) -> ReadDocument:
    """Decode and clean an article. Raises InvalidInput for empty, binary or undecodable files."""
    text, encoding, warnings = _decode(raw, filename)
    fmt = "text"
    found = publisher = url = None
    if _looks_like_html(text):
        fmt = "html"
        cleaner = _Cleaner()
        cleaner.feed(text)
        cleaner.close()
        text = "".join(cleaner.parts)
        found = _published_from_meta(cleaner.meta, cleaner.times)
        found_from = "html meta"
        publisher = (cleaner.meta.get("og:site_name") or "").strip() or None
        url = (cleaner.meta.get("canonical") or cleaner.meta.get("og:url") or "").strip()
        url = url if re.match(r"https?://", url) else None
    text = _normalise(text)
    if not text:
        raise InvalidInput(f"{filename}: no text left once the HTML markup, scripts and styles are removed",
                           details={"field": "file"})
    publisher_from = "html meta" if publisher else None
    if found is None:
        day, evidence, warning = published_from_text(text)
        found, found_from = ((day, evidence) if day else None), "text"
        if warning:
            warnings.append(warning)
    if publisher is None:
        publisher, credit = publisher_from_text(text)
        publisher_from = f"text: {credit}" if publisher else None
    doc = ReadDocument(text=text, content_hash=content_hash(text), format=fmt, encoding=encoding,
                       warnings=warnings, publisher=publisher, url=url, publisher_from=publisher_from)
    if published is not None:
        doc.published, doc.published_from = published, "given"
    elif found is not None:
        doc.published, doc.published_from, doc.published_evidence = found[0], found_from, found[1]
    elif not any("without a year" in w for w in doc.warnings):
        doc.warnings.append("no publication date given or found: relative dates stay unresolved")
    doc.language, why = language_of(text)
    if why:
        doc.warnings.append(f"the text does not look like English ({why}); the rules are written for "
                            "English, so expect few or wrong proposals")
    return doc
