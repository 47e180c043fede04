"""Two small Redis work queues: due times with leases, and an outbound stream.

**Due times** (research note §4.3, the arq/SAQ pattern in ~40 lines): ``<p>:{esc}:due`` is a
sorted set, member = escalation id, score = due time in ms. :meth:`DueQueue.claim` is one Lua
script that takes the members due now and re-scores each to ``now + lease``: the lease. A worker
that dies after claiming simply lets the lease run out, and the next claim hands the item to
another worker. Claiming decides nothing: the worker then runs the record's compare-and-set
transition (records.py), so a late or duplicate claim is harmless. A purpose-built queue rather
than SAQ/arq because the only delayed work is "poke escalation X at T", cancel-on-ack is a ZADD
inside the transition script, and the fencing lives in the record — no framework in between.

**Outbound messages**: ``<p>:{esc}:outbox`` is a Redis Stream read with the consumer group
``delivery``. An entry stays in the group's pending list until the platform call succeeded and
it is XACKed (then XDELed, so relayed text does not linger). A worker reads its own pending
entries first after a restart, then new ones; :meth:`Outbox.reclaim` uses XAUTOCLAIM to take
over entries a dead worker left idle, and parks entries delivered too often in the dead-letter
stream ``<p>:{esc}:dead``. ``NOGROUP`` (after a FLUSHALL or a failover to an empty replica)
recreates the group instead of failing in a loop.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from redis import exceptions as rexc
from redis.asyncio import Redis

from bot.core.escalation.records import Keys, event

log = logging.getLogger("canishare.escalation")

GROUP = "delivery"
MAX_DELIVERIES = 5

_SAFE = re.compile(r"^[A-Za-z0-9_:.\-]{0,60}$")
_APPEND_IF_RECORD = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('XADD', KEYS[2], '*', 'v', '-', 'e', ARGV[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl > 0 then redis.call('PEXPIRE', KEYS[2], ttl) end
return 1
"""

_CLAIM = """
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
for _, id in ipairs(ids) do
  redis.call('ZADD', KEYS[1], ARGV[2], id)
end
return ids
"""


class DueQueue:
    def __init__(self, client: Redis, keys: Keys) -> None:
        self.client = client
        self.keys = keys
        self._claim = client.register_script(_CLAIM)

    async def claim(self, now_ms: int, lease_ms: int, limit: int = 50) -> list[str]:
        ids = await self._claim(keys=[self.keys.due], args=[int(now_ms), int(now_ms + lease_ms), int(limit)])
        return [i.decode() for i in ids]

    async def score(self, esc_id: str) -> float | None:
        return await self.client.zscore(self.keys.due, esc_id)

    async def remove(self, esc_id: str) -> None:
        await self.client.zrem(self.keys.due, esc_id)

    async def size(self) -> int:
        return int(await self.client.zcard(self.keys.due))


@dataclass(frozen=True)
class Entry:
    id: str  # stream entry id
    message: dict[str, Any]
    deliveries: int = 1


def _entries(raw: list[Any]) -> list[Entry]:
    out = []
    for entry_id, fields in raw:
        if fields is None:  # deleted while pending
            continue
        try:
            message = json.loads(fields[b"m"])
        except (KeyError, ValueError):
            message = {"k": "invalid"}
        out.append(Entry(entry_id.decode(), message))
    return out


class Outbox:
    def __init__(self, client: Redis, keys: Keys, max_deliveries: int = MAX_DELIVERIES, *,
                 clock: Callable[[], float] = time.time, retention_seconds: int = 30 * 86400) -> None:
        self.client = client
        self.keys = keys
        self.max_deliveries = max_deliveries
        self.clock = clock
        self.retention_seconds = retention_seconds
        self._append = client.register_script(_APPEND_IF_RECORD)

    async def add(self, messages: list[dict[str, Any]]) -> None:
        """Queue messages that belong to no escalation (the weekly rota-gap message)."""
        pipe = self.client.pipeline(transaction=True)
        for message in messages:
            pipe.xadd(self.keys.outbox, {"m": json.dumps(message, separators=(",", ":"))})
        await pipe.execute()

    async def ensure_group(self) -> None:
        try:
            await self.client.xgroup_create(self.keys.outbox, GROUP, id="0", mkstream=True)
        except rexc.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    async def _guard(self, call: Any) -> Any:
        try:
            return await call()
        except rexc.ResponseError as exc:
            if "NOGROUP" not in str(exc):
                raise
            log.warning("delivery consumer group missing (Redis flushed or failed over): recreating it")
            await self.ensure_group()
            return await call()

    async def read(self, consumer: str, count: int = 20, block_ms: int | None = 1000,
                   pending: bool = False) -> list[Entry]:
        """New entries (or, with ``pending``, this consumer's own unacknowledged ones)."""
        async def call() -> Any:
            return await self.client.xreadgroup(GROUP, consumer, {self.keys.outbox: "0" if pending else ">"},
                                                count=count,
                                                block=None if pending or not block_ms else block_ms)
        raw = await self._guard(call)
        if not raw:
            return []
        return _entries(raw[0][1])

    async def reclaim(self, consumer: str, min_idle_ms: int, count: int = 100) -> list[Entry]:
        """Take over entries idle longer than ``min_idle_ms`` (a dead worker's); dead-letter the hopeless."""
        async def call() -> Any:
            return await self.client.xautoclaim(self.keys.outbox, GROUP, consumer, min_idle_ms, "0-0", count=count)
        raw = await self._guard(call)
        claimed = _entries(raw[1])
        for deleted in raw[2] if len(raw) > 2 else []:
            await self.client.xack(self.keys.outbox, GROUP, deleted)
        if not claimed:
            return []
        counts = await self.deliveries([e.id for e in claimed])
        out = []
        for entry in claimed:
            n = counts.get(entry.id, 1)
            if n > self.max_deliveries:
                await self.dead_letter(entry, "too_many_deliveries")
                continue
            out.append(Entry(entry.id, entry.message, n))
        return out

    async def deliveries(self, ids: list[str]) -> dict[str, int]:
        out: dict[str, int] = {}
        for entry_id in ids:
            rows = await self.client.xpending_range(self.keys.outbox, GROUP, min=entry_id, max=entry_id, count=1)
            if rows:
                out[entry_id] = int(rows[0]["times_delivered"])
        return out

    async def ack(self, entry_id: str) -> None:
        pipe = self.client.pipeline(transaction=True)
        pipe.xack(self.keys.outbox, GROUP, entry_id)
        pipe.xdel(self.keys.outbox, entry_id)
        await pipe.execute()

    async def dead_letter(self, entry: Entry, reason: str) -> None:
        """Park an entry that cannot be delivered; operators look at ``<p>:{esc}:dead``."""
        message = dict(entry.message)
        message.pop("text", None)  # relayed text is not kept beyond its delivery attempts
        pipe = self.client.pipeline(transaction=True)
        pipe.xadd(self.keys.dead, {"m": json.dumps(message), "reason": reason, "entry": entry.id},
                  maxlen=10000, approximate=True)
        pipe.expire(self.keys.dead, self.retention_seconds)
        pipe.xack(self.keys.outbox, GROUP, entry.id)
        pipe.xdel(self.keys.outbox, entry.id)
        await pipe.execute()
        esc_id = str(message.get("id", ""))
        if esc_id:  # the escalation's own story says a message never arrived
            target = str(message.get("to", "")).removeprefix("person:")
            ev = event("dead_lettered", int(self.clock() * 1000), message=str(message.get("k", "?"))[:20],
                       reason=reason[:40], target=target if _SAFE.match(target) else "")
            await self._append(keys=[self.keys.rec(esc_id), self.keys.log(esc_id)],
                               args=[json.dumps(ev, separators=(",", ":"))])
        log.error("escalation message dead-lettered: %s (%s)", message.get("k"), reason)

    async def trim_dead(self) -> int:
        """Drop dead letters older than the records retention (the auditor calls this)."""
        oldest_ms = int((self.clock() - self.retention_seconds) * 1000)
        try:
            return int(await self.client.xtrim(self.keys.dead, minid=f"{max(oldest_ms, 0)}-0"))
        except rexc.ResponseError:
            return 0

    async def pending_count(self) -> int:
        info = await self.client.xpending(self.keys.outbox, GROUP)
        return int(info["pending"]) if info else 0

    async def length(self) -> int:
        return int(await self.client.xlen(self.keys.outbox))
