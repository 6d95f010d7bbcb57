"""Reader for the bundled agreements (maadan/data/agreements/*.yaml): each file holds
`agreements: [...]` in the registry's draft schema, its sources cited per claim from the source
catalogue (data/sources.yaml); errors name the file, the line, the entry and the field."""

from __future__ import annotations

from pathlib import Path

from maadan.agreements.model import Agreement, References, parse_agreement
from maadan.errors import InvalidInput
from maadan.ingest.citations import expand, load_catalogue
from maadan.ingest.reference import _rel, data_dir
from maadan.ingest.yamlfile import read


def source_catalogue(path: Path | None = None) -> dict[str, dict]:
    path = path or data_dir() / "sources.yaml"
    return load_catalogue(path, _rel(path))


def load_agreements(refs: References, folder: Path | None = None,
                    catalogue: dict[str, dict] | None = None) -> list[Agreement]:
    folder = folder or data_dir() / "agreements"
    catalogue = source_catalogue() if catalogue is None else catalogue
    out: list[Agreement] = []
    seen: dict[str, str] = {}
    for path in sorted(folder.glob("*.yaml")):
        doc = read(path, _rel(path))
        if not isinstance(doc.data, dict) or not isinstance(doc.data.get("agreements"), list):
            raise doc.error([], "must hold a list under 'agreements'")
        for i, draft in enumerate(doc.data["agreements"]):
            steps: list[str | int] = ["agreements", i]
            label = f"agreements[{i}]" + (f" ({draft.get('id')})" if isinstance(draft, dict) and draft.get("id") else "")
            if not isinstance(draft, dict) or not draft.get("id"):
                raise doc.error(steps, f"{label}: a bundled agreement needs an explicit id", key="id")
            try:
                agreement = parse_agreement(expand(draft, catalogue, doc, steps), refs)
            except InvalidInput as exc:
                if exc.details.get("path"):  # already placed in the file (a citation)
                    raise
                raise doc.refuse(steps, exc, label) from None
            if agreement.id in seen:
                raise doc.error([*steps, "id"], f"{label}: id {agreement.id!r} is also used in {seen[agreement.id]}",
                                key="id")
            seen[agreement.id] = doc.label
            out.append(agreement)
    return out
