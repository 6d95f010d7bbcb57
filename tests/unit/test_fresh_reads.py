"""store/loop_reads.py: `AwaitedReads.fresh`, the reads of one value that concurrent callers share on
PostgreSQL. The database is a stand-in here (a counter the test moves between reads); the same reads
against a real server are in tests/integration/ops/test_database_down.py."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import create_engine
from sqlalchemy.exc import OperationalError

from maadan.store.loop_reads import AwaitedReads


class Stand:
    """A database of one number: each read sees `committed` as it was when the read began, and
    takes one turn of the loop per `turns` to answer (the round trip to the server)."""

    def __init__(self, turns: int = 3):
        self.committed = 0
        self.began: list[int] = []  # the value each read saw, in order
        self.turns = turns
        self.fail_next = False

    async def value(self, sql: str, parameters: tuple = ()) -> int:
        seen = self.committed
        self.began.append(seen)
        for _ in range(self.turns):
            await asyncio.sleep(0)
        if self.fail_next:
            self.fail_next = False
            raise OperationalError(sql, parameters, Exception("the server went away"))
        return seen


def reads_on(stand: Stand) -> AwaitedReads:
    reads = AwaitedReads(create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none"))  # never connects here
    reads.value = stand.value  # type: ignore[method-assign]
    return reads


def test_callers_asking_at_once_share_one_read():
    stand = Stand()
    reads = reads_on(stand)

    async def scenario():
        return await asyncio.gather(*(reads.register_size() for _ in range(6)))

    assert asyncio.run(scenario()) == [0] * 6
    assert stand.began == [0]


def test_a_caller_never_takes_a_read_sent_before_it_asked():
    """A commit lands while a read is under way; a caller asking after the commit must see it, so it
    waits for the next read (shared with everyone else who asked meanwhile), not the one in flight."""
    stand = Stand(turns=4)
    reads = reads_on(stand)

    async def scenario():
        first = asyncio.ensure_future(reads.register_size())
        await asyncio.sleep(0)
        await asyncio.sleep(0)  # the first read is sent and waits for its answer
        assert stand.began == [0]
        stand.committed = 1  # a filing commits in another worker
        later = [asyncio.ensure_future(reads.register_size()) for _ in range(3)]
        return await first, await asyncio.gather(*later)

    first, later = asyncio.run(scenario())
    assert first == 0
    assert later == [1, 1, 1]
    assert stand.began == [0, 1]  # two reads for four callers, the second begun after the commit


def test_a_lone_caller_has_a_read_of_its_own_each_time():
    stand = Stand()
    reads = reads_on(stand)

    async def scenario():
        seen = []
        for n in range(3):
            stand.committed = n
            seen.append(await reads.register_size())
        return seen

    assert asyncio.run(scenario()) == [0, 1, 2]
    assert stand.began == [0, 1, 2]


def test_different_statements_and_parameters_are_read_apart():
    stand = Stand()
    reads = reads_on(stand)

    async def scenario():
        return await asyncio.gather(reads.register_size(), reads.spatial_version("PK-BA"),
                                    reads.spatial_version("PK-BA"), reads.spatial_version("PK-KP"))

    assert asyncio.run(scenario()) == [0, 0, 0, 0]
    assert len(stand.began) == 3  # the register, PK-BA once for two callers, PK-KP


def test_an_error_goes_to_every_caller_of_that_read_and_the_next_read_works():
    stand = Stand()
    reads = reads_on(stand)
    stand.fail_next = True

    async def scenario():
        failed = await asyncio.gather(*(reads.register_size() for _ in range(3)), return_exceptions=True)
        return failed, await reads.register_size()

    failed, after = asyncio.run(scenario())
    assert all(isinstance(e, OperationalError) and "went away" in str(e) for e in failed)
    assert after == 0
    assert len(stand.began) == 2


def test_a_caller_cancelled_leaves_the_read_to_the_others():
    stand = Stand(turns=5)
    reads = reads_on(stand)

    async def scenario():
        gone = asyncio.ensure_future(reads.register_size())
        stays = asyncio.ensure_future(reads.register_size())
        await asyncio.sleep(0)
        gone.cancel()  # its client hung up
        with pytest.raises(asyncio.CancelledError):
            await gone
        return await stays

    assert asyncio.run(scenario()) == 0
    assert stand.began == [0]


def test_the_loop_closing_mid_read_leaves_no_caller_waiting_and_a_new_loop_reads_afresh():
    stand = Stand(turns=1_000)
    reads = reads_on(stand)

    async def abandoned():
        waiter = asyncio.ensure_future(reads.register_size())
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        for task in asyncio.all_tasks() - {asyncio.current_task()}:
            task.cancel()  # as the loop does at shutdown
        with pytest.raises(asyncio.CancelledError):
            await waiter

    asyncio.run(abandoned())
    stand.turns = 1
    stand.committed = 7
    assert asyncio.run(reads.register_size()) == 7  # another loop: its own reads, nothing left over
