"""The Redis store on a real Redis Cluster (3 masters, started by .ci/redis-topologies): every Lua
script and multi-key command the storage layer sends stays within one hash slot (a cross-slot one
would fail with CROSSSLOT), and the cluster URL form parses as documented."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from benchmarks.failover import CLUSTER_URL, ensure_topology
from bot.core.store import Snapshot, conversation_key
from bot.storage.quiz_backend import RedisTeamBackend
from bot.storage.redis_store import RedisStore, parse_cluster_url

HOUR = 3600


def test_cluster_url_forms() -> None:
    nodes, kwargs = parse_cluster_url("redis+cluster://:s3cret@10.0.0.1:7000,10.0.0.2,[::1]:7002/?socket_timeout=2")
    assert nodes == [("10.0.0.1", 7000), ("10.0.0.2", 6379), ("::1", 7002)]
    assert kwargs["password"] == "s3cret" and kwargs["socket_timeout"] == 2.0
    assert parse_cluster_url("rediss+cluster://h:1")[1]["ssl"] is True
    with pytest.raises(ValueError, match="database 0"):
        parse_cluster_url("redis+cluster://h:1/3")
    with pytest.raises(ValueError):
        RedisStore.from_url("memcached://h:1", "p")


@pytest_asyncio.fixture
async def cluster_store() -> AsyncIterator[RedisStore]:
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is not on PATH: install Redis (see README 'Running the tests')")
    ensure_topology("cluster")
    store = RedisStore.from_url(CLUSTER_URL, f"slots-{uuid.uuid4().hex[:8]}")
    try:
        yield store
    finally:
        async for key in store.client.scan_iter(match=store.prefix + ":*", count=1000):
            await store.client.delete(key)
        await store.close()


@pytest.mark.slow
async def test_every_storage_command_is_slot_safe_on_a_cluster(cluster_store: RedisStore) -> None:
    store = cluster_store
    users = [f"{n:02x}" * 8 for n in range(12)]  # enough users to land on every master
    for user in users:
        key = conversation_key(user, "dm")
        assert await store.save(key, {"node": "q1"}, 0, HOUR) == 1  # the compare-and-set script
        assert await store.save(key, {"node": "q2"}, 0, HOUR) is None  # stale version refused
        assert await store.load(key) == Snapshot({"node": "q1"}, 1)
        assert await store.claim_event(f"Ev-{user}", HOUR) is True
        assert await store.claim_event(f"Ev-{user}", HOUR) is False
    assert await store.forget_user(users[0]) == [conversation_key(users[0], "dm")]  # SCAN on every master

    # Statistics: one pipeline over several keys, PFCOUNT over several days (one {s} slot).
    await store.stats_add("2026-11-21", {"questions": 2}, {"ack_seconds": 0.5}, {"users": "h1"}, HOUR)
    await store.stats_add("2026-11-22", {"questions": 1}, {}, {"users": "h2"}, HOUR)
    days = await store.stats_read(["2026-11-21", "2026-11-22"], ["ack_seconds"])
    assert len(days) == 2
    assert await store.stats_unique(["2026-11-21", "2026-11-22"], "users") == 2

    # Team quiz: the answer script reads and writes three keys of one question.
    quiz = RedisTeamBackend(store)
    await quiz.put_json("quizteam:{q1}:meta", {"q": 1}, HOUR)
    assert await quiz.answer("q1", "member-a", "A", HOUR) == "added"
    assert await quiz.answer("q1", "member-a", "B", HOUR) == "again"
    assert await quiz.answers("q1") == {"member-a": "A"}
