"""Reading a news text in a real browser: an officer uploads an article, sees the evidence marked in
the text, accepts every proposed field one by one, commits, and follows the link to the new agreement."""

from __future__ import annotations

import pytest

from .conftest import OFFICER, SLOW_ACTION_MS

pytestmark = pytest.mark.slow

ARTICLE = ("ISLAMABAD, 4 March 2026: Frontier Works Organisation signed a memorandum of understanding with "
           "Kestrel Graphite Company to explore graphite in Chagai. Officials said the deal would bring new "
           "investment.\n")


def test_officer_reads_reviews_and_commits_a_news_text(visitor, own_site, tmp_path):
    path = tmp_path / "kestrel.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    v = visitor("news", on=own_site)  # it commits an agreement: its own database
    v.login(OFFICER)
    v.page.get_by_role("link", name="News", exact=True).click()
    v.page.wait_for_url("**/news")
    v.page.get_by_label("Article file").set_input_files(str(path))
    v.page.get_by_label("Published on").fill("2026-03-04")
    v.page.get_by_role("button", name="Read the text").click(timeout=SLOW_ACTION_MS)  # the language pipeline
    v.page.wait_for_url("**/news/*", timeout=SLOW_ACTION_MS)
    assert v.page.get_by_role("heading", name="Proposed agreement 1").is_visible()
    assert v.page.locator(".news-text mark", has_text="memorandum of understanding").count() == 1
    v.shot("1-proposals")

    buttons = v.page.locator('button[data-action="accept"]')
    fields = buttons.count()
    for accepted in range(1, fields + 1):
        with v.page.expect_navigation():
            buttons.first.click()  # an accepted field offers Reject and Edit, no Accept
        assert v.page.locator("p.error").count() == 0, v.page.locator("p.error").inner_text()
        assert v.page.get_by_text(f"{fields - accepted} pending,").is_visible(), accepted
    assert fields >= 8 and buttons.count() == 0 and "0 pending" in v.page.locator("dl.facts").inner_text()
    v.page.get_by_role("button", name="Commit reviewed agreements").click()
    status = v.page.locator("#commit [role=status]")
    status.wait_for()
    assert "Committed" in status.inner_text()
    v.shot("2-committed")
    status.get_by_role("link").first.click()
    v.page.wait_for_url("**/agreements/*")
    assert v.page.get_by_text("Kestrel Graphite Company").first.is_visible()
    v.shot("3-agreement")
    assert v.errors == [] and v.foreign_requests() == []
