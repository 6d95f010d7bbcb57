from maadan.cli.common import counted


def test_the_noun_agrees_with_the_count():
    assert counted(1, "event") == "1 event"
    assert counted(0, "event") == "0 events"
    assert counted(2, "event") == "2 events"
    assert counted(1204, "hash", "hashes") == "1,204 hashes"
    assert counted(1, "hash", "hashes") == "1 hash"
