"""WAL positions as read-your-writes uses them: what a client sends back is parsed strictly (a cookie or
header value that is not an LSN is ignored, never an error or a query)."""

import pytest

from maadan.store.replicas import format_lsn, parse_lsn


def test_lsn_round_trip_and_order():
    assert parse_lsn("0/0") == 0
    assert parse_lsn("16/B374D848") == (0x16 << 32) + 0xB374D848
    assert format_lsn(parse_lsn("16/B374D848")) == "16/B374D848"
    assert parse_lsn("1/0") > parse_lsn("0/FFFFFFFF")


@pytest.mark.parametrize("bad", [None, "", "16", "16/", "/1", "G/1", "1/2/3", "123456789/1", " 1/2", "1/2\n",
                                 "1/2; DROP TABLE x", "١/٢"])
def test_anything_else_is_no_position(bad):
    assert parse_lsn(bad) is None
