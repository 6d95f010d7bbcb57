import pytest

from maadan.cadastre import lifecycle as lc
from maadan.cadastre.model import Holder, validate_holders
from maadan.errors import Conflict, InvalidInput


def test_the_whole_application_path():
    state = lc.RECEIVED
    for action in ("accept", "review", "offer", "grant"):
        state = lc.next_state(lc.APPLICATION_MOVES, "application", state, action)
    assert state == lc.GRANTED


def test_illegal_transition_names_the_current_state():
    with pytest.raises(Conflict) as err:
        lc.next_state(lc.APPLICATION_MOVES, "application", lc.RECEIVED, "grant")
    assert "received" in err.value.message and "accept" in err.value.message


def test_the_same_transition_twice_is_refused():
    state = lc.next_state(lc.APPLICATION_MOVES, "application", lc.OFFERED, "grant")
    with pytest.raises(Conflict) as err:
        lc.next_state(lc.APPLICATION_MOVES, "application", state, "grant")
    assert "granted" in err.value.message and "final" in err.value.message


def test_unknown_action():
    with pytest.raises(Conflict) as err:
        lc.next_state(lc.TITLE_MOVES, "title", lc.ACTIVE, "sell")
    assert "unknown action" in err.value.message


def test_title_moves():
    assert lc.next_state(lc.TITLE_MOVES, "title", lc.ACTIVE, "renew") == lc.ACTIVE
    assert lc.next_state(lc.TITLE_MOVES, "title", lc.ACTIVE, "revoke") == lc.REVOKED
    with pytest.raises(Conflict):
        lc.next_state(lc.TITLE_MOVES, "title", lc.REVOKED, "renew")


@pytest.mark.parametrize("holders, fragment", [
    ([], "at least one"),
    ([Holder("A", -10), Holder("B", 110)], "positive"),
    ([Holder("A", 60), Holder("B", 30)], "sum to 90%"),
    ([Holder("A", 50), Holder("a", 50)], "twice"),
    ([Holder("A", 100, kind="alien")], "kind"),
    ([Holder("A", 100, country="Pakistan")], "alpha-2"),
    ([Holder("A", float("nan"))], "positive"),
])
def test_bad_holders(holders, fragment):
    with pytest.raises(InvalidInput) as err:
        validate_holders(holders)
    assert fragment in err.value.message


def test_joint_venture_shares():
    jv = [Holder("US Strategic Metals", 60, "US", "foreign"), Holder("Frontier Works Organisation", 40, "PK", "state-owned")]
    assert validate_holders(jv) == jv
