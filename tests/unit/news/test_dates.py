"""Dates resolved against the publication date; unresolvable ones kept with their span, not guessed."""

from datetime import date

from maadan.news.dates import find_dates

PUB = date(2025, 9, 8)  # a Monday


def values(text, published=PUB):
    return {(m.text, m.value) for m in find_dates(text, published)}


def test_absolute_dates():
    assert values("It was signed on 8 September 2025 and again on September 9, 2025.") >= {
        ("8 September 2025", "2025-09-08"), ("September 9, 2025", "2025-09-09")}
    assert ("2025-07-31", "2025-07-31") in values("Deal of 2025-07-31.")
    assert ("June 2025", "2025-06") in values("approved in June 2025")


def test_relative_dates_against_publication():
    v = values("signed on Monday; talks on Friday; yesterday; today; last month; next Monday; two weeks ago")
    assert ("on Monday", "2025-09-08") in v  # publication day is a Monday: the same day
    assert ("on Friday", "2025-09-05") in v
    assert ("yesterday", "2025-09-07") in v and ("today", "2025-09-08") in v
    assert ("last month", "2025-08") in v
    assert ("next Monday", "2025-09-15") in v
    assert ("two weeks ago", "2025-08-25") in v


def test_bare_months_are_the_latest_on_or_before_publication():
    v = values("hostilities in May after an April attack; talks since November")
    assert ("May", "2025-05") in v and ("April", "2025-04") in v and ("November", "2024-11") in v


def test_unresolvable_dates_are_unresolved_with_span():
    found = find_dates("The MoU was signed on Monday, in recent months.", None)
    by_text = {m.text: m for m in found}
    monday = by_text["on Monday"]
    assert monday.value is None and not monday.resolved and monday.start == 19 and monday.end == 28
    assert "no publication date" in monday.note
    vague = by_text["in recent months"]
    assert vague.value is None and vague.note == "unresolved: vague"
    bad = find_dates("signed on 31 February 2025", PUB)
    assert [(m.value, m.note) for m in bad if m.text == "31 February 2025"] == [(None, "unresolved: not a calendar date")]


def test_dates_across_a_year_boundary():
    january = values("talks in December; signed last month; approved in January; more next month", date(2026, 1, 15))
    assert {("December", "2025-12"), ("last month", "2025-12"), ("January", "2026-01"),
            ("next month", "2026-02")} <= january
    new_year = values("yesterday; two weeks ago; on Wednesday; on Friday; last year", date(2026, 1, 1))  # a Thursday
    assert {("yesterday", "2025-12-31"), ("two weeks ago", "2025-12-18"), ("on Wednesday", "2025-12-31"),
            ("on Friday", "2025-12-26"), ("last year", "2025")} <= new_year
    eve = values("tomorrow; next month; next Monday", date(2025, 12, 31))
    assert {("tomorrow", "2026-01-01"), ("next month", "2026-01"), ("next Monday", "2026-01-05")} <= eve
