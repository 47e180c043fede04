"""Team quiz storage in Redis (the memory version is :class:`bot.storage.memory.MemoryTeamBackend`).

Redis layout (``<p>`` is the deployment's key prefix; every key has a TTL)::

    <p>:quizteam:{<qid>}:meta     JSON: the question (item, channel, close time, message id)
    <p>:quizteam:{<qid>}:ans      hash: member (hashed user id) -> option; HSETNX, so a second
                                  answer from the same person is never counted
    <p>:quizteam:{<qid>}:closed   set once, by whoever closes the question (SET NX)
    <p>:quizteam:open             sorted set: qid -> close time, for the worker's sweep
    <p>:quizteam:chan:<ck>        the question open in a channel (one at a time, SET NX)
    <p>:quizchan:<ck>:<field>     JSON: per-channel state, one key per field (lb: leaderboard opt-in,
                                  recent: items asked lately, ref: Teams channel reference)
    <p>:quizlb:<ck>:<week>        sorted set: pseudonym -> points this ISO week
    <p>:quizslot:<schedule>:<at>  a scheduled slot already fired (SET NX: two workers fire it once)

``<ck>`` is a keyed hash of the platform and channel id. The three keys of one question share the
``{<qid>}`` hash tag, so the answer script, which reads the closed flag and writes the answer in
one step, works on Redis Cluster too.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from bot.core.quiz.backend import OPEN_KEY, OPEN_TTL, AnswerResult, answers_key, closed_key, meta_key
from bot.core.store import StoreUnavailable
from bot.storage.redis_errors import UNAVAILABLE_ERRORS

# KEYS: meta, answers, closed flag. ARGV: member, option, ttl seconds.
_ANSWER_SCRIPT = """
if redis.call('EXISTS', KEYS[3]) == 1 then return -1 end
if redis.call('EXISTS', KEYS[1]) == 0 then return -2 end
local added = redis.call('HSETNX', KEYS[2], ARGV[1], ARGV[2])
redis.call('EXPIRE', KEYS[2], ARGV[3])
return added
"""
_ANSWER_CODES: dict[int, AnswerResult] = {1: "added", 0: "again", -1: "closed", -2: "missing"}


class RedisTeamBackend:
    """Over a :class:`bot.storage.redis_store.RedisStore`'s client and prefix (errors become StoreUnavailable)."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self.client = store.client
        self._answer = self.client.register_script(_ANSWER_SCRIPT)

    def k(self, key: str) -> str:
        return self.store.key(key)

    async def _call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        try:
            return await fn(*args, **kwargs)
        except UNAVAILABLE_ERRORS as exc:
            raise StoreUnavailable(f"Redis unavailable: {type(exc).__name__}") from exc

    async def get_json(self, key: str) -> dict[str, Any] | None:
        raw = await self._call(self.client.get, self.k(key))
        if raw is None:
            return None
        try:
            data = json.loads(raw)
        except ValueError:
            return None
        return data if isinstance(data, dict) else None

    async def put_json(self, key: str, data: dict[str, Any], ttl: int) -> None:
        await self._call(self.client.set, self.k(key), json.dumps(data, separators=(",", ":")), ex=max(1, ttl))

    async def claim(self, key: str, value: str, ttl: int) -> bool:
        return bool(await self._call(self.client.set, self.k(key), value, nx=True, ex=max(1, ttl)))

    async def get(self, key: str) -> str | None:
        raw = await self._call(self.client.get, self.k(key))
        return raw.decode() if isinstance(raw, bytes) else raw

    async def delete(self, key: str) -> None:
        await self._call(self.client.delete, self.k(key))

    async def answer(self, qid: str, member: str, option: str, ttl: int) -> AnswerResult:
        keys = [self.k(meta_key(qid)), self.k(answers_key(qid)), self.k(closed_key(qid))]
        code = await self._call(self._answer, keys=keys, args=[member, option, max(1, ttl)])
        return _ANSWER_CODES[int(code)]

    async def answers(self, qid: str) -> dict[str, str]:
        raw = await self._call(self.client.hgetall, self.k(answers_key(qid)))
        return {k.decode(): v.decode() for k, v in raw.items()}

    async def schedule_close(self, qid: str, at: float, ttl: int) -> None:
        pipe = self.client.pipeline(transaction=False)
        pipe.zadd(self.k(OPEN_KEY), {qid: at})
        pipe.expire(self.k(OPEN_KEY), max(ttl, OPEN_TTL))
        await self._call(pipe.execute)

    async def unschedule(self, qid: str) -> None:
        await self._call(self.client.zrem, self.k(OPEN_KEY), qid)

    async def due(self, now: float, limit: int = 100) -> list[str]:
        raw = await self._call(self.client.zrangebyscore, self.k(OPEN_KEY), "-inf", now, start=0, num=limit)
        return [r.decode() for r in raw]

    async def add_points(self, board: str, member: str, points: int, ttl: int) -> None:
        pipe = self.client.pipeline(transaction=False)
        pipe.zincrby(self.k(board), points, member)
        pipe.expire(self.k(board), max(1, ttl))
        await self._call(pipe.execute)

    async def top(self, board: str, count: int) -> list[tuple[str, int]]:
        raw = await self._call(self.client.zrevrange, self.k(board), 0, count - 1, withscores=True)
        return [(m.decode(), int(s)) for m, s in raw]


__all__ = ["RedisTeamBackend"]
