"""The read side of news reading: documents and proposals as plain JSON-ready dicts (the CLI's
--json, the REST API and the web pages share them; only officers and admins see them), the list
line of a document, and how a reviewer's typed value is read: JSON when it parses, else the text."""

from __future__ import annotations

import json
from typing import Any

from maadan.news.review import NewsDocument, Proposal


def proposal_json(p: Proposal) -> dict[str, Any]:
    return {"id": p.id, "field": p.field, "value": p.value, "evidence": p.evidence, "note": p.note,
            "status": p.status, "reviewed_value": p.reviewed_value, "reviewer": p.reviewer,
            "reviewed_at": p.reviewed_at}


def document_json(doc: NewsDocument, *, created: bool | None = None, text: bool = False) -> dict[str, Any]:
    agreements: dict[int, list[dict]] = {}
    for p in doc.proposals:
        agreements.setdefault(p.agreement_no, []).append(proposal_json(p))
    out: dict[str, Any] = {"id": doc.id, "filename": doc.filename, "format": doc.format, "encoding": doc.encoding,
                           "published": doc.published, "published_from": doc.published_from,
                           "language": doc.language, "warnings": doc.warnings, "status": doc.status,
                           "counts": doc.counts(), "ingested_at": doc.ingested_at, "ingested_by": doc.ingested_by,
                           "committed_at": doc.committed_at, "committed_by": doc.committed_by,
                           "agreement_ids": doc.agreement_ids,
                           "agreements": [{"no": no, "fields": fields} for no, fields in sorted(agreements.items())],
                           "mentions": doc.extraction.get("mentions", []),
                           "projects": doc.extraction.get("projects", [])}
    if created is not None:
        out = {"created": created, **out}
    if text:
        out["text"] = doc.text
    return out



def parse_value(raw: str | None) -> Any:
    """A value typed by a reviewer: JSON ('{"amount": 5, ...}', '12') when it parses, else the text."""
    if raw is None:
        return None
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        return raw


def document_row(d: NewsDocument) -> dict[str, Any]:
    """A document as a line of the list of documents read so far."""
    return {"id": d.id, "filename": d.filename, "published": d.published, "status": d.status,
            "language": d.language, "ingested_at": d.ingested_at, "counts": d.counts(),
            "agreement_ids": d.agreement_ids}
