"""The bundled source catalogue (maadan/data/sources.yaml): every publication the bundled records
cite, once, with its publisher, page and publication date. A record cites it per claim as
{ref: ID, quote: "the supporting words", supports: [...]}, which `expand` turns into a full source."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from maadan.errors import InvalidInput
from maadan.evidence import fields
from maadan.ingest.yamlfile import YamlFile, read

ENTRY_KEYS = ("publisher", "url", "date", "undated", "title", "note")
CITE_KEYS = ("ref", "quote", "supports")


def undated_sources(path: Path, label: str) -> set[str]:
    """The urls of the catalogue's pages that carry no date (reference databases, mirrors), declared so."""
    doc: YamlFile = read(path, label)
    return {str(e.get("url")) for e in (doc.data.get("sources") or {}).values() if e.get("undated") is True}


def load_catalogue(path: Path, label: str) -> dict[str, dict[str, Any]]:
    """id -> {publisher, url, date}; each entry needs all three, or `undated: true` with a note."""
    doc: YamlFile = read(path, label)
    entries = doc.data.get("sources") if isinstance(doc.data, dict) else None
    if not isinstance(entries, dict):
        raise doc.error([], "must hold a mapping under 'sources' (id -> publisher, url, date)")
    out: dict[str, dict[str, Any]] = {}
    for ident, entry in entries.items():
        steps: list[str | int] = ["sources", str(ident)]
        try:
            item = fields.keys(entry, str(ident), ENTRY_KEYS)
            url = fields.text(item.get("url"), f"{ident}.url", required=True, limit=1000) or ""
            if not url.startswith(("https://", "http://")):
                raise fields.bad(f"{ident}.url", f"{url!r} must be an http:// or https:// address")
            date = fields.partial_date(item.get("date"), f"{ident}.date")
            undated = item.get("undated") is True
            if date is None and not undated:
                raise fields.bad(f"{ident}.date", "is required (the publication date, as precise as the page gives "
                                                  "it), or undated: true with a note for a page that has none")
            if undated and (date is not None or not item.get("note")):
                raise fields.bad(f"{ident}.undated", "an undated page has no date and needs a note saying what it is")
            out[str(ident)] = {"publisher": fields.text(item.get("publisher"), f"{ident}.publisher", required=True,
                                                        limit=300),
                               "url": url, "date": date}
        except InvalidInput as exc:
            key = str((exc.details or {}).get("field") or ident).split(".", 1)[-1]
            raise doc.error([*steps, key], exc.message, key=key) from None
    return out


def expand(value: Any, catalogue: dict[str, dict[str, Any]], doc: YamlFile, steps: list[str | int]) -> Any:
    """`value` with every {ref, quote, supports} replaced by a full source {publisher, url, date,
    evidence, supports}; an unknown ref or a citation without a quote names the file and line."""
    if isinstance(value, list):
        return [expand(v, catalogue, doc, [*steps, i]) for i, v in enumerate(value)]
    if not isinstance(value, dict):
        return value
    if "ref" not in value:
        return {k: expand(v, catalogue, doc, [*steps, k]) for k, v in value.items()}
    unknown = sorted(str(k) for k in value if k not in CITE_KEYS)
    if unknown:
        raise doc.error(steps, f"unknown key(s) {', '.join(unknown)} in a citation (allowed: {', '.join(CITE_KEYS)})",
                        key=unknown[0])
    ref = str(value.get("ref"))
    if ref not in catalogue:
        raise doc.error([*steps, "ref"], f"unknown source {ref!r} (not in data/sources.yaml)", key="ref")
    quote = value.get("quote")
    if not isinstance(quote, str) or not quote.strip():
        raise doc.error([*steps, "quote"], f"the citation of {ref!r} needs the quoted words that support the claim",
                        key="quote")
    out = dict(catalogue[ref]) | {"evidence": quote.strip()}
    if value.get("supports") is not None:
        out["supports"] = value["supports"]
    return out
