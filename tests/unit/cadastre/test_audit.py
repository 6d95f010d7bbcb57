from dataclasses import replace

from maadan.cadastre.audit import GENESIS, Event, document_from_bytes, seal, verify


def chain(n: int) -> list[Event]:
    events, prev = [], GENESIS
    for i in range(1, n + 1):
        ev = seal(Event(seq=i, at=f"2026-01-0{i}T00:00:00+00:00", actor="officer", kind="application.received",
                        subject=f"application PK-BA/A{i}", data={"i": i},
                        documents=(document_from_bytes("form.pdf", b"%PDF " + bytes([i])),), prev_hash=prev))
        events.append(ev)
        prev = ev.hash
    return events


def test_intact_chain_verifies():
    v = verify(chain(5))
    assert v.ok and v.events == 5


def test_edited_event_is_named():
    events = chain(5)
    events[2] = replace(events[2], data={"i": 999})
    v = verify(events)
    assert not v.ok and v.first_bad_seq == 3 and "edited" in v.reason


def test_deleted_event_is_named():
    events = chain(5)
    del events[1]
    v = verify(events)
    assert not v.ok and v.first_bad_seq == 2


def test_reordered_events_are_named():
    events = chain(5)
    events[1], events[2] = events[2], events[1]
    v = verify(events)
    assert not v.ok and v.first_bad_seq == 2


def test_edit_with_recomputed_hash_breaks_the_next_link():
    events = chain(5)
    events[2] = seal(replace(events[2], actor="intruder"))
    v = verify(events)
    assert not v.ok and v.first_bad_seq == 4


def test_documents_are_hashed():
    d = document_from_bytes("lease.pdf", b"abc")
    assert d.sha256 == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
