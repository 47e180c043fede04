"""Everything the escalation core keeps in Redis, behind :class:`bot.core.escalation.ports.EscalationBackend`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from redis.asyncio import Redis

from bot.core.escalation.readiness import heartbeat_key
from bot.storage.escalation_queue import DueQueue, Outbox
from bot.storage.escalation_records import Records


class RedisEscalationBackend:
    def __init__(self, client: Redis, prefix: str) -> None:
        self.client = client
        self.prefix = prefix
        self.records = Records(client, prefix)
        self.keys = self.records.keys
        self.due = DueQueue(client, self.keys)
        self.outbox = Outbox(client, self.keys)

    async def covers(self, now_ms: int) -> list[bytes]:
        pipe = self.client.pipeline(transaction=True)
        pipe.zremrangebyscore(self.keys.covers, "-inf", now_ms)
        pipe.zrange(self.keys.covers, 0, -1)
        _, current = await pipe.execute()
        return list(current)

    def configure(self, *, clock: Callable[[], float], retention_seconds: int, open_ttl: int) -> None:
        self.outbox.clock = clock
        self.outbox.retention_seconds = retention_seconds
        self.records.open_ttl = open_ttl

    async def add_cover(self, entry: str, end_ms: int, ttl_seconds: int) -> None:
        pipe = self.client.pipeline(transaction=True)
        pipe.zadd(self.keys.covers, {entry: end_ms})
        # The set can expire a day after the newest cover would have ended.
        pipe.expire(self.keys.covers, ttl_seconds)
        await pipe.execute()

    async def drop_ended_covers(self, now_ms: int) -> None:
        await self.client.zremrangebyscore(self.keys.covers, "-inf", now_ms)

    async def has_inbox(self, user_hash: str) -> bool:
        return bool(await self.client.exists(self.keys.inbox(user_hash)))

    async def escalation_ids(self) -> list[str]:
        """Every escalation still held (open, or resolved within the retention)."""
        ids = set()
        async for key in self.client.scan_iter(match=self.keys.rec("*"), count=500):
            ids.add((key.decode() if isinstance(key, bytes) else key).rsplit(":", 1)[-1])
        return sorted(ids)

    async def publish_heartbeat(self, value: str, ttl_seconds: int) -> None:
        await self.client.set(heartbeat_key(self.prefix), value, ex=ttl_seconds)

    async def latest_heartbeat(self) -> str | bytes | None:
        return await self.client.get(heartbeat_key(self.prefix))

    async def count_request(self, user_hash: str, window_ms: int) -> int:
        key = self.keys.rate(user_hash)
        pipe = self.client.pipeline(transaction=True)
        pipe.incr(key)
        pipe.pexpire(key, window_ms, nx=True)
        count, _ = await pipe.execute()
        return int(count)

    async def uncount_request(self, user_hash: str) -> None:
        await self.client.decr(self.keys.rate(user_hash))

    async def clear_open_for(self, user_hash: str) -> None:
        await self.client.delete(self.keys.who(user_hash))

    async def drop_open(self, esc_id: str) -> None:
        await self.client.srem(self.keys.open, esc_id)

    async def push_inbox(self, user_hash: str, sealed: str, ttl_seconds: int) -> None:
        key = self.keys.inbox(user_hash)
        await self.client.rpush(key, sealed)
        await self.client.expire(key, ttl_seconds)

    async def take_inbox(self, user_hash: str, limit: int) -> list[str]:
        key = self.keys.inbox(user_hash)
        pipe = self.client.pipeline(transaction=True)
        pipe.lrange(key, 0, limit - 1)
        pipe.ltrim(key, limit, -1)
        raw, _ = await pipe.execute()
        return [r.decode() for r in raw]

    async def claim_send(self, esc_id: str, n: Any, target: str, marker: str, ttl_seconds: int) -> str | None:
        key = self.keys.sent(esc_id, n, target)
        if await self.client.set(key, marker, nx=True, ex=ttl_seconds):
            return None
        return (await self.client.get(key) or b"").decode()

    async def mark_sent(self, esc_id: str, n: Any, target: str, ttl_seconds: int) -> None:
        await self.client.set(self.keys.sent(esc_id, n, target), "done", ex=ttl_seconds)

    async def mark_sending(self, esc_id: str, n: Any, target: str, marker: str, ttl_seconds: int) -> None:
        await self.client.set(self.keys.sent(esc_id, n, target), marker, xx=True, ex=ttl_seconds)

    async def release_send(self, esc_id: str, n: Any, target: str) -> None:
        await self.client.delete(self.keys.sent(esc_id, n, target))
