"""The public leaf: private fields redacted and committed to, a fixed byte form, strict reading."""

import json

import pytest

from maadan.audit.events import Document, Event
from maadan.audit.leaf import LeafError, commitment, leaf_line, opens, parse_leaf, private_part, split_data

SALT = "ab" * 32


def event(**changes) -> Event:
    base = dict(seq=7, at="2026-12-01T10:00:00.000000+00:00", actor="user:amina", kind="application.received",
                subject="application PK-BA/A7",
                data={"holders": [["US Strategic Metals", 60.0], ["Frontier Works Organisation", 40.0]],
                      "beneficial_owners": {"US Strategic Metals": ["J. Doe"]}, "applicant_org": "ussm",
                      "area_km2": 108.25, "nested": [{"reference": "HBL-1", "amount": 5}]},
                documents=(Document("passport-of-j-doe.pdf", "cd" * 32),), reason="Überprüft", salt=SALT)
    return Event(**(base | changes))


def test_private_parts_are_not_in_the_leaf():
    line = leaf_line(event())
    for secret in (b"J. Doe", b"ussm", b"HBL-1", b"amina", b"passport"):
        assert secret not in line
    leaf = parse_leaf(line)
    assert leaf["data"] == {"holders": [["US Strategic Metals", 60.0], ["Frontier Works Organisation", 40.0]],
                            "area_km2": 108.25, "nested": [{"amount": 5}]}
    assert leaf["redacted"] == ["/applicant_org", "/beneficial_owners", "/nested/0/reference"]
    assert leaf["documents"] == ["cd" * 32] and leaf["reason"] == "Überprüft"


def test_the_commitment_opens_only_with_the_salt_and_the_true_private_part():
    ev = event()
    leaf = parse_leaf(leaf_line(ev))
    private = private_part(ev)
    assert private["actor"] == "user:amina" and private["data"]["/nested/0/reference"] == "HBL-1"
    assert opens(leaf, SALT, private)
    assert not opens(leaf, "cd" * 32, private)
    assert not opens(leaf, SALT, private | {"actor": "user:someone-else"})
    # Another salt, another commitment: guessing the actor and hashing it does not reveal it.
    assert parse_leaf(leaf_line(event(salt="00" * 32)))["private"] != leaf["private"]


def test_one_byte_form_ascii_and_no_newline():
    line = leaf_line(event())
    assert line == leaf_line(event()) and b"\n" not in line and b'": ' not in line and b", " not in line
    line.decode("ascii")
    assert json.loads(line)["reason"] == "Überprüft"
    # Keys in another order, the same leaf.
    assert leaf_line(event(data=dict(reversed(list(event().data.items()))))) == line


def test_keys_split_at_any_depth_with_json_pointer_escapes():
    public, private = split_data({"a/b": {"email": "x@y"}, "m~n": [{"phone": "1"}], "keep": 1})
    assert public == {"a/b": {}, "m~n": [{}], "keep": 1}
    assert private == {"/a~1b/email": "x@y", "/m~0n/0/phone": "1"}


def test_changing_any_public_field_changes_the_leaf():
    line = leaf_line(event())
    for change in ({"seq": 8}, {"at": "2026-12-01T10:00:00.000001+00:00"}, {"kind": "application.grant"},
                   {"reason": None}, {"documents": ()}, {"data": {}}, {"actor": "user:other"}):
        assert leaf_line(event(**change)) != line, change


@pytest.mark.parametrize("line, message", [
    (b'{"v":1', "not JSON"),
    (b"[1]", "not a JSON object"),
    (b'{"v":2}', "version 2"),
    (b'{"v":1,"seq":1}', "missing field"),
    (b'{"v":1,"v":1}', "appears twice"),
    (b"\xff", "not UTF-8"),
])
def test_bad_leaves_say_what(line, message):
    with pytest.raises(LeafError, match=message):
        parse_leaf(line)


def test_commitment_is_tagged_sha256():
    assert len(commitment(SALT, {"actor": "a", "document_names": [], "data": {}})) == 64
