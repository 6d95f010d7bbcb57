"""Reader for the bundled agreements (maadan/data/agreements/*.yaml): each file holds
`agreements: [...]` in the registry's draft schema; errors name the file, the entry and the field."""

from __future__ import annotations

from pathlib import Path

import yaml

from maadan.agreements.model import Agreement, References, parse_agreement
from maadan.errors import DataFileError, InvalidInput
from maadan.ingest.reference import rel, data_dir


def load_agreements(refs: References, folder: Path | None = None) -> list[Agreement]:
    folder = folder or data_dir() / "agreements"
    out: list[Agreement] = []
    seen: dict[str, str] = {}
    for path in sorted(folder.glob("*.yaml")):
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            raise DataFileError(rel(path), f"not valid YAML: {getattr(exc, 'problem', exc)}",
                                line=mark.line + 1 if mark else None) from None
        if not isinstance(doc, dict) or not isinstance(doc.get("agreements"), list):
            raise DataFileError(rel(path), "must hold a list under 'agreements'")
        for i, draft in enumerate(doc["agreements"]):
            label = f"agreements[{i}]" + (f" ({draft.get('id')})" if isinstance(draft, dict) and draft.get("id") else "")
            if not isinstance(draft, dict) or not draft.get("id"):
                raise DataFileError(rel(path), f"{label}: a bundled agreement needs an explicit id")
            try:
                agreement = parse_agreement(draft, refs)
            except InvalidInput as exc:
                raise DataFileError(rel(path), f"{label}: {exc.message}") from None
            if agreement.id in seen:
                raise DataFileError(rel(path), f"{label}: id {agreement.id!r} is also used in {seen[agreement.id]}")
            seen[agreement.id] = rel(path)
            out.append(agreement)
    return out
