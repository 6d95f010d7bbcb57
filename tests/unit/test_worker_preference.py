"""Which worker `maadan serve --workers N` hands the next connection to (http/workers.preference):
a ready one before one still starting, then the fewest open connections, then the next in turn."""

from maadan.http.workers import preference


def test_fewest_open_first_then_in_turn():
    assert preference([3, 1, 2], [True] * 3, turn=0) == [1, 2, 0]
    assert preference([0, 0, 0], [True] * 3, turn=0) == [0, 1, 2]
    assert preference([0, 0, 0], [True] * 3, turn=2) == [2, 0, 1]  # ties go round from the turn


def test_eight_connections_at_once_split_evenly():
    handed, turn = [0, 0], 0
    for _ in range(8):
        i = preference(handed, [True, True], turn)[0]
        handed[i] += 1
        turn = (i + 1) % 2
    assert handed == [4, 4]


def test_a_worker_still_starting_comes_last_however_idle():
    assert preference([5, 0], [True, False], turn=1) == [0, 1]
    assert preference([5, 0], [False, False], turn=0) == [1, 0]  # none ready: fewest open still first
