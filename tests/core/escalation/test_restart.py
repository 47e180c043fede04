"""Redis restarted (killed, then started again from its append-only file) with escalations pending."""

from __future__ import annotations

import asyncio
import time

from bot.core.escalation.records import ACKNOWLEDGED, PAGING
from tests.core.escalation.conftest import Harness


async def test_escalations_survive_a_redis_crash_and_restart(make_private_redis, make_harness) -> None:  # type: ignore[no-untyped-def]
    server = make_private_redis(appendonly=True)  # appendonly yes, appendfsync always
    esc: Harness = await make_harness(url=server.url)
    ids = []
    for i in range(60):
        await esc.raise_(user=f"U0BOOT{i:04d}")
        ids.append(await esc.open_id(user=f"U0BOOT{i:04d}"))
    await esc.drain()  # the first 60 cards go out
    acked = ids[:10]
    for esc_id in acked:
        assert (await esc.service.acknowledge(esc.person("amy"), esc_id)).ok
    # 20 more raised and not yet delivered: their pages wait in the outbox when Redis dies.
    for i in range(60, 80):
        await esc.raise_(user=f"U0BOOT{i:04d}")
        ids.append(await esc.open_id(user=f"U0BOOT{i:04d}"))

    server.stop()  # SIGKILL: no chance to save anything more
    server.start()

    for esc_id in ids:
        rec = await esc.service.records.load(esc_id)
        assert rec is not None, esc_id
        assert rec.state == (ACKNOWLEDGED if esc_id in acked else PAGING)
        assert await esc.service.due.score(esc_id) == rec.due_ms
    await esc.drain()  # the consumer group and its entries came back too
    assert len(esc.slack.cards(esc.dm("amy"))) == 80
    assert await esc.advance(10) == [PAGING] * 70  # every unacknowledged one moves on, once
    assert len(esc.slack.cards(esc.dm("dee"))) == 70


async def test_running_worker_rides_out_a_redis_restart(make_private_redis, make_harness) -> None:  # type: ignore[no-untyped-def]
    server = make_private_redis(appendonly=True)
    esc: Harness = await make_harness(url=server.url)
    esc.worker.tick_seconds = 0.05
    esc.worker.reclaim_seconds = 0.2
    esc.worker.reclaim_idle_ms = 500
    esc.worker.block_ms = 100
    stop = asyncio.Event()
    task = asyncio.create_task(esc.worker.run(stop))
    try:
        for i in range(20):
            await esc.raise_(user=f"U0RIDE{i:04d}")
        server.stop()
        await asyncio.sleep(0.5)  # the loops see Redis gone and keep trying
        server.start()
        for i in range(20, 40):
            await esc.raise_(user=f"U0RIDE{i:04d}")
        deadline = time.monotonic() + 30
        while len(esc.slack.cards(esc.dm("amy"))) < 40:
            assert time.monotonic() < deadline, len(esc.slack.cards(esc.dm("amy")))
            await asyncio.sleep(0.05)
        assert not task.done()
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)
    keys = [m["metadata"]["event_payload"]["key"] for m in esc.slack.cards(esc.dm("amy"))]
    assert len(keys) == len(set(keys)) == 40
