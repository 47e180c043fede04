"""Process-local implementations of the core's storage ports: for the terminal, a dev server and tests."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from bot.core.quiz.backend import OPEN_KEY, AnswerResult, TeamBackend, closed_key, meta_key
from bot.core.store import JSON, DayStats, Snapshot


class MemoryStore:
    """A process-local store for the terminal and for tests of pure logic."""

    def __init__(self, clock: Any = time.monotonic) -> None:
        self._clock = clock
        self._items: dict[str, tuple[JSON, int, float]] = {}
        self._events: dict[str, float] = {}
        self._stats: dict[str, tuple[DayStats, dict[str, set[str]], float]] = {}

    def _live(self, key: str) -> tuple[JSON, int, float] | None:
        item = self._items.get(key)
        if item is None:
            return None
        if item[2] <= self._clock():
            del self._items[key]
            return None
        return item

    async def load(self, key: str) -> Snapshot:
        item = self._live(key)
        if item is None:
            return Snapshot({}, 0)
        return Snapshot(_copy(item[0]), item[1])

    async def save(self, key: str, data: JSON, expected_version: int, ttl_seconds: int) -> int | None:
        item = self._live(key)
        current = item[1] if item else 0
        if current != expected_version:
            return None
        version = current + 1
        self._items[key] = (_copy(data), version, self._clock() + ttl_seconds)
        return version

    async def put(self, key: str, data: JSON, ttl_seconds: int) -> None:
        item = self._live(key)
        self._items[key] = (_copy(data), (item[1] if item else 0) + 1, self._clock() + ttl_seconds)

    async def delete(self, key: str) -> None:
        self._items.pop(key, None)

    async def claim_and_load(self, event_id: str, ttl_seconds: int, key: str) -> tuple[bool | None, Snapshot]:
        return await self.claim_event(event_id, ttl_seconds), await self.load(key)

    async def claim_event(self, event_id: str, ttl_seconds: int) -> bool:
        now = self._clock()
        expiry = self._events.get(event_id)
        if expiry is not None and expiry > now:
            return False
        self._events[event_id] = now + ttl_seconds
        return True

    async def forget_user(self, user_hash: str) -> list[str]:
        marker = f"{{{user_hash}}}"
        removed = sorted(k for k in self._items if marker in k)
        for key in removed:
            del self._items[key]
        return removed

    async def ping(self) -> bool:
        return True

    def team_backend(self) -> TeamBackend:
        """A team quiz backend for this process only (each call a new one, as before)."""
        return MemoryTeamBackend()

    async def close(self) -> None:
        self._items.clear()

    # -- statistics (bot/core/stats.py) ------------------------------------------------------------------

    def _day(self, day: str) -> tuple[DayStats, dict[str, set[str]], float] | None:
        item = self._stats.get(day)
        if item is not None and item[2] <= self._clock():
            del self._stats[day]
            return None
        return item

    async def stats_add(self, day: str, counts: Mapping[str, int], samples: Mapping[str, float],
                        uniques: Mapping[str, str], ttl_seconds: int) -> None:
        item = self._day(day)
        stats, sets = (item[0], item[1]) if item else (DayStats(), {})
        for name, n in counts.items():
            stats.counts[name] = stats.counts.get(name, 0) + int(n)
        for name, value in samples.items():
            stats.samples.setdefault(name, []).append(float(value))
        for name, member in uniques.items():
            sets.setdefault(name, set()).add(member)
        # Like Redis EXPIRE on every write: a day lives ``ttl_seconds`` after its last update.
        self._stats[day] = (stats, sets, self._clock() + ttl_seconds)

    async def stats_read(self, days: Sequence[str], sample_names: Sequence[str] = ()) -> dict[str, DayStats]:
        out: dict[str, DayStats] = {}
        for day in days:
            item = self._day(day)
            if item is not None:
                samples = {k: list(v) for k, v in item[0].samples.items() if k in sample_names}
                out[day] = DayStats(dict(item[0].counts), samples)
        return out

    async def stats_unique(self, days: Sequence[str], name: str) -> int:
        members: set[str] = set()
        for day in days:
            item = self._day(day)
            if item is not None:
                members |= item[1].get(name, set())
        return len(members)


def _copy(data: JSON) -> JSON:
    # State is small JSON; a deep copy keeps callers from mutating what is "stored".
    return json.loads(json.dumps(data))


class MemoryTeamBackend:
    """The same semantics in one process (``canishare serve`` without REDIS_URL, for trying it out)."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self.values: dict[str, tuple[Any, float]] = {}
        self.hashes: dict[str, dict[str, str]] = {}
        self.zsets: dict[str, dict[str, float]] = {}

    def _live(self, key: str) -> Any:
        item = self.values.get(key)
        if item is None or item[1] <= self.clock():
            self.values.pop(key, None)
            return None
        return item[0]

    async def get_json(self, key: str) -> dict[str, Any] | None:
        value = self._live(key)
        return json.loads(value) if value is not None else None

    async def put_json(self, key: str, data: dict[str, Any], ttl: int) -> None:
        self.values[key] = (json.dumps(data), self.clock() + ttl)

    async def claim(self, key: str, value: str, ttl: int) -> bool:
        if self._live(key) is not None:
            return False
        self.values[key] = (value, self.clock() + ttl)
        return True

    async def get(self, key: str) -> str | None:
        return self._live(key)

    async def delete(self, key: str) -> None:
        self.values.pop(key, None)

    async def answer(self, qid: str, member: str, option: str, ttl: int) -> AnswerResult:
        if self._live(closed_key(qid)) is not None:
            return "closed"
        if self._live(meta_key(qid)) is None:
            return "missing"
        answers = self.hashes.setdefault(qid, {})
        if member in answers:
            return "again"
        answers[member] = option
        return "added"

    async def answers(self, qid: str) -> dict[str, str]:
        return dict(self.hashes.get(qid, {}))

    async def schedule_close(self, qid: str, at: float, ttl: int) -> None:
        self.zsets.setdefault(OPEN_KEY, {})[qid] = at

    async def unschedule(self, qid: str) -> None:
        self.zsets.get(OPEN_KEY, {}).pop(qid, None)

    async def due(self, now: float, limit: int = 100) -> list[str]:
        items = sorted(self.zsets.get(OPEN_KEY, {}).items(), key=lambda kv: kv[1])
        return [qid for qid, at in items if at <= now][:limit]

    async def add_points(self, board: str, member: str, points: int, ttl: int) -> None:
        zset = self.zsets.setdefault(board, {})
        zset[member] = zset.get(member, 0) + points

    async def top(self, board: str, count: int) -> list[tuple[str, int]]:
        items = sorted(self.zsets.get(board, {}).items(), key=lambda kv: (-kv[1], kv[0]))
        return [(m, int(s)) for m, s in items[:count]]
