"""Daily statistics in Redis for :mod:`bot.core.stats`: counts, samples and distinct estimates, no ids.

A mixin of :class:`bot.storage.redis_store.RedisStore` (it uses the store's client, prefix and outage
handling), kept apart so the conversation store stays one job per module.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from bot.core.store import DayStats


def check_ttl(ttl_seconds: int) -> int:
    """Every key the bot writes expires: refuse a missing or zero TTL."""
    ttl = int(ttl_seconds)
    if ttl < 1:
        raise ValueError("every key needs a TTL of at least one second")
    return ttl


class RedisStatsMixin:
    _p: str
    _client: Any
    _call: Callable[..., Awaitable[Any]]

    # Daily aggregates, no ids and no text:
    #   <p>:stats:{s}:<day>             HASH         counters
    #   <p>:stats:{s}:<day>:s:<name>    LIST         numeric samples (seconds to acknowledge)
    #   <p>:stats:{s}:<day>:u:<name>    HyperLogLog  distinct-count estimates (keeps no members)
    # The ``{s}`` hash tag keeps every statistics key in one Cluster slot, so PFCOUNT can take the
    # union of several days; it cannot match a user's ``{<hex hash>}`` in ``forget_user``.
    STATS_SAMPLES_MAX = 10_000  # per day and name: far more escalations than any service has

    def _stats_key(self, day: str, *rest: str) -> str:
        for part in (day, *rest):
            if not re.fullmatch(r"[A-Za-z0-9_.:\-]+", part):
                raise ValueError(f"bad statistics key part {part!r}")
        return self._p + "stats:{s}:" + ":".join((day, *rest))

    async def stats_add(self, day: str, counts: Mapping[str, int], samples: Mapping[str, float],
                        uniques: Mapping[str, str], ttl_seconds: int) -> None:
        ttl = check_ttl(ttl_seconds)
        pipe = self._client.pipeline(transaction=False)
        if counts:
            key = self._stats_key(day)
            for name, n in counts.items():
                pipe.hincrby(key, name, int(n))
            pipe.expire(key, ttl)
        for name, value in samples.items():
            key = self._stats_key(day, "s", name)
            pipe.rpush(key, repr(float(value)))
            pipe.ltrim(key, -self.STATS_SAMPLES_MAX, -1)
            pipe.expire(key, ttl)
        for name, member in uniques.items():
            key = self._stats_key(day, "u", name)
            pipe.pfadd(key, member)
            pipe.expire(key, ttl)
        if len(pipe):
            await self._call(pipe.execute)

    async def stats_read(self, days: Sequence[str], sample_names: Sequence[str] = ()) -> dict[str, DayStats]:
        pipe = self._client.pipeline(transaction=False)
        for day in days:
            pipe.hgetall(self._stats_key(day))
            for name in sample_names:
                pipe.lrange(self._stats_key(day, "s", name), 0, -1)
        results = iter(await self._call(pipe.execute))
        out: dict[str, DayStats] = {}
        for day in days:
            stats = DayStats({k.decode(): int(v) for k, v in next(results).items()}, {})
            for name in sample_names:
                values = next(results)
                if values:
                    stats.samples[name] = [float(v) for v in values]
            if stats.counts or stats.samples:
                out[day] = stats
        return out

    async def stats_unique(self, days: Sequence[str], name: str) -> int:
        if not days:
            return 0
        keys = [self._stats_key(day, "u", name) for day in days]
        return int(await self._call(self._client.pfcount, *keys))
