"""The pieces of the news adapters that are not wiring: the text cut at evidence spans, the date field."""

from __future__ import annotations

from datetime import date

import pytest

from maadan.errors import InvalidInput
from maadan.news.review import Proposal


def _p(field: str, *spans: tuple[int, int]) -> Proposal:
    return Proposal(id=0, document_id="d", agreement_no=1, position=0, field=field, value=None,
                    evidence=[{"start": a, "end": b, "text": ""} for a, b in spans], note=None)


def test_segments_cover_the_text_once_and_name_the_fields():
    from maadan.web.news import segments

    text = "abcdefghij"
    got = segments(text, [_p("kind", (2, 5)), _p("title", (4, 8), (40, 50)), _p("source", (0, 10))])
    assert got == [("ab", []), ("cd", ["kind"]), ("e", ["kind", "title"]), ("fgh", ["title"]), ("ij", [])]
    assert "".join(piece for piece, _ in got) == text  # out-of-range spans are ignored
    assert segments("", []) == [] and segments("abc", []) == [("abc", [])]


def test_published_date():
    from maadan.news.service import published_date

    assert published_date(" 2025-09-08 ") == date(2025, 9, 8) and published_date("") is None
    for bad in ("8 September 2025", "2025-02-30", "2025-9-8x"):
        with pytest.raises(InvalidInput, match="published"):
            published_date(bad)
