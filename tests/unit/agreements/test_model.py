"""Validation of agreement drafts: every bad value is refused with the field named."""

from __future__ import annotations

import pytest

from maadan.agreements.model import References, apply_changes, before, make_id, parse_agreement, parse_partial_date
from maadan.errors import InvalidInput

SOURCE = [{"publisher": "app.com.pk 2025-09-08"}]


def draft(**fields):
    return {"title": "USSM–FWO MoU", "kind": "mou", "sources": SOURCE} | fields


def refused(d, refs=None) -> str:
    with pytest.raises(InvalidInput) as exc:
        parse_agreement(d, refs)
    return exc.value.message


def test_a_minimal_draft_gets_an_id_from_its_date_and_title():
    a = parse_agreement(draft(signed="2025-09-08"))
    assert a.id == "2025-09-08-ussm-fwo-mou"
    assert a.date == "2025-09-08" and a.year == 2025
    assert a.binding is None and a.status is None and a.parties == ()
    assert parse_agreement(draft()).id == "ussm-fwo-mou"


def test_shares_over_100_are_refused_per_party_and_in_sum():
    assert refused(draft(parties=[{"name": "A", "role": "company"}, {"name": "B", "share": 120}])) \
        == "parties[1].share: 120 is above 100"
    message = refused(draft(kind="joint_venture", parties=[{"name": "A", "share": 60}, {"name": "B", "share": 50}]))
    assert message == "parties: shares sum to 110, above 100"
    ok = parse_agreement(draft(kind="joint_venture", parties=[{"name": "A", "share": 50}, {"name": "B", "share": 50}]))
    assert [p.share for p in ok.parties] == [50, 50]


def test_effective_before_signed_is_refused_at_the_common_precision():
    assert refused(draft(signed="2025-09-08", effective="2025-08")) == "effective: 2025-08 is before signed 2025-09-08"
    assert refused(draft(effective="2025-09-08", expiry="2025-09-01")) \
        == "expiry: 2025-09-01 is before effective 2025-09-08"
    # same month at month precision: not before
    assert parse_agreement(draft(signed="2025-09-08", effective="2025-09")).effective == "2025-09"
    assert before("2025-08", "2025-09-08") and not before("2025-09", "2025-09-08")


def test_an_unknown_key_is_named():
    assert refused(draft(signatories=["x"])).startswith("unknown key(s) signatories")
    assert refused(draft(parties=[{"name": "A", "stake": 5}])).startswith("parties[0]: unknown key(s) stake")
    assert refused(draft(sources=[{"publisher": "x", "link": "y"}])).startswith("sources[0]: unknown key(s) link")


def test_a_bad_kind_status_role_or_stage_is_named():
    assert refused(draft(kind="treaty")).startswith("kind: 'treaty' is not one of mou, framework")
    assert refused(draft(kind=None)) == "kind: is required"
    assert refused(draft(status="rumoured")).startswith("status: 'rumoured' is not one of")
    assert refused(draft(parties=[{"name": "A", "role": "boss"}])).startswith("parties[0].role: 'boss'")
    assert refused(draft(stages=["smelting"])).startswith("stages[0]: 'smelting'")
    assert parse_agreement(draft(kind="Joint venture")).kind == "joint_venture"


def test_an_amount_without_currency_is_refused():
    assert refused(draft(amount=500_000_000)) == "currency: is required when an amount is given"
    assert refused(draft(amount="lots", currency="USD")) == "amount: 'lots' is not a number"
    assert refused(draft(amount=5, currency="dollars")).startswith("currency: 'dollars' is not an ISO 4217")
    assert refused(draft(amount_basis="reported")) == "amount_basis: is given without an amount"
    a = parse_agreement(draft(amount="500,000,000", currency="usd", amount_basis="reported"))
    assert (a.amount, a.currency, a.amount_basis) == (500_000_000.0, "USD", "reported")


def test_dates_must_be_partial_iso_and_real():
    assert parse_partial_date("2025", "signed") == "2025"
    assert parse_partial_date("2025-04", "signed") == "2025-04"
    for bad, message in (("2025-13", "month 13"), ("2025-02-29", "day 29"), ("8 Sep 2025", "is not a date"),
                         ("2025/09/08", "is not a date")):
        with pytest.raises(InvalidInput, match=message):
            parse_partial_date(bad, "signed")
    assert parse_partial_date("2024-02-29", "signed") == "2024-02-29"


def test_sources_are_required_and_urls_must_be_http():
    assert refused(draft(sources=[])) == "sources: at least one source is required"
    assert refused(draft(sources=[{"publisher": "x", "url": "javascript:alert(1)"}])).startswith("sources[0].url")
    a = parse_agreement(draft(sources=["geo.tv 622638", {"publisher": "Dawn", "url": "https://dawn.com/news/1"}]))
    assert [s.publisher for s in a.sources] == ["geo.tv 622638", "Dawn"]


def test_references_are_checked_when_given():
    refs = References(minerals=frozenset({"antimony"}), organisations=frozenset({"ussm"}),
                      projects=frozenset({"reko-diq"}))
    assert refused(draft(minerals=["unobtainium"]), refs) == "minerals[0]: unknown mineral id 'unobtainium'"
    assert refused(draft(parties=[{"name": "X", "organisation_id": "nobody"}]), refs) \
        == "parties[0].organisation_id: unknown organisation id 'nobody'"
    assert refused(draft(projects=["atlantis"]), refs) == "projects[0]: unknown project id 'atlantis'"
    a = parse_agreement(draft(minerals=["antimony", "critical-minerals"], countries=["pk", "US", "PK"]), refs)
    assert a.minerals == ("antimony", "critical-minerals") and a.countries == ("PK", "US")


def test_an_edit_is_validated_as_a_whole_and_keeps_the_id():
    a = parse_agreement(draft(signed="2025-09-08", parties=[{"name": "A", "share": 50}]))
    b = apply_changes(a, {"status": "signed", "effective": "2025-10"})
    assert (b.id, b.status, b.effective, b.signed) == (a.id, "signed", "2025-10", "2025-09-08")
    with pytest.raises(InvalidInput, match="effective: 2025-01 is before signed"):
        apply_changes(a, {"effective": "2025-01"})
    with pytest.raises(InvalidInput, match=r"parties\[0\].share: 101 is above 100"):
        apply_changes(a, {"parties": [{"name": "A", "share": 101}]})
    with pytest.raises(InvalidInput, match="id: cannot be changed"):
        apply_changes(a, {"id": "other"})
    with pytest.raises(InvalidInput, match="unknown key"):
        apply_changes(a, {"colour": "red"})


def test_make_id_is_ascii_and_bounded():
    assert make_id("Reko Diq — €1bn Ünïcode deal!", "2025-04") == "2025-04-reko-diq-1bn-unicode-deal"
    assert len(make_id("x" * 500, None)) <= 90


def test_control_characters_are_refused():
    assert refused(draft(title="a\x00b")) == "title: contains the control character U+0000"
    assert refused(draft(sources=[{"publisher": "p", "evidence": "x\x1by"}])).startswith("sources[0].evidence")
    assert parse_agreement(draft(notes="line one\nline two")).notes == "line one\nline two"
