"""Stable delivery-consumer names: a restarted worker succeeds its dead predecessor at once."""

from __future__ import annotations

import pytest
import redis.asyncio as aioredis

from bot.app.worker_slots import SlotLease


@pytest.fixture
def prefix(new_redis_prefix) -> str:  # type: ignore[no-untyped-def]
    return new_redis_prefix()


async def test_slots_are_stable_and_taken_over_from_the_dead(redis_url: str, prefix: str,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CANISHARE_WORKER_SLOT", raising=False)
    monkeypatch.delenv("DYNO", raising=False)
    client = aioredis.Redis.from_url(redis_url)
    living = {101, 102}
    try:
        a = await SlotLease.claim(client, prefix, host="h", pid=101, alive=living.__contains__)
        b = await SlotLease.claim(client, prefix, host="h", pid=102, alive=living.__contains__)
        assert (a.consumer, b.consumer) == ("h-1", "h-2")  # two live workers: two names
        living.discard(101)  # worker 1 is killed; its replacement gets its name at once
        c = await SlotLease.claim(client, prefix, host="h", pid=103, alive=living.__contains__)
        assert c.consumer == "h-1"
        # A restarted container: the new worker has the same PID as the one that died.
        d = await SlotLease.claim(client, prefix, host="h", pid=102, alive=lambda pid: True)
        assert d.consumer == "h-2"
        assert 0 < await client.ttl(SlotLease.slot_key(prefix, "h", 1)) <= 30
        await c.refresh()
        monkeypatch.setenv("DYNO", "worker.1")
        e = await SlotLease.claim(client, prefix, pid=104, alive=living.__contains__)
        assert e.consumer == "worker.1-1"
    finally:
        await client.aclose()
