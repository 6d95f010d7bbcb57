"""Mineral pages right (issue 16 item 7): every chart labelled by its own series and year, no chart
of unknowns, Pakistan's figures and deposits for the mineral, and why each list names it critical."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.slow


def test_copper_charts_are_labelled_by_their_own_series_and_none_is_all_unknown(read_web):
    page = read_web.client.get("/minerals/copper").text
    titles = re.findall(r"<figcaption><strong>([^<]+)</strong>", page)
    assert titles, "no chart"
    assert any(t.startswith("Mine production, recoverable copper content 2023 by country") for t in titles)
    assert any(t.startswith("Refinery production, copper 2023 by country") for t in titles)
    assert any(t.startswith("Reserves 2024 by country") and "recoverable copper content" in t for t in titles)
    # The old mislabels: a production chart titled by another series, and a reserves chart of 16 unknowns.
    assert not any("Mine production" in t and "Refinery" in t for t in titles)
    assert not any(t.startswith("Reserves") and "Refinery" in t for t in titles)
    assert "Not drawn, because nothing in them is a number: Reserves 2024 by country" in page


def test_copper_page_speaks_of_pakistan_and_why_copper_is_critical(read_web):
    page = read_web.client.get("/minerals/copper").text
    assert "Copper in Pakistan" in page
    assert 'href="/projects/reko-diq"' in page  # its deposits, linked
    assert "Why this list names minerals critical" in page
    assert "single point of failure" in page and "OFR 2025-1047" in page.replace("Open-File Report ", "OFR ")
