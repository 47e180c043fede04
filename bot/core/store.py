"""The store interface and the in-memory store.

Conversation state lives in a store, never in a handler's memory, so any process can serve the
next turn of any conversation (DESIGN.md). Every saved value carries a version: a save based on
an old version is refused, which is how two clicks on one button can never both apply.

Keys are built by :func:`conversation_key` and friends. The user part is always a keyed hash
(:mod:`bot.core.identity`), never a platform id, and sits inside ``{...}`` so every key of one user
lands in one Redis Cluster slot.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

JSON = dict[str, Any]


class StoreUnavailable(RuntimeError):
    """The backing store cannot be reached. Callers degrade; they never crash."""


@dataclass(frozen=True)
class Snapshot:
    data: JSON
    version: int  # 0 means "no saved value"


@dataclass
class DayStats:
    """One day's statistics (bot/core/stats.py): counters and numeric samples. No ids, no text."""

    counts: dict[str, int] = field(default_factory=dict)
    samples: dict[str, list[float]] = field(default_factory=dict)


def conversation_key(user_hash: str, scope: str) -> str:
    return f"conv:{{{user_hash}}}:{scope}"


def record_key(user_hash: str, record_id: str) -> str:
    return f"record:{{{user_hash}}}:{record_id}"


def user_key_pattern(user_hash: str) -> str:
    """Glob matching every key held about one user (for ``canishare forget``)."""
    return f"*:{{{user_hash}}}*"


@runtime_checkable
class Store(Protocol):
    async def load(self, key: str) -> Snapshot:
        """The saved value, or ``Snapshot({}, 0)`` when there is none."""

    async def save(self, key: str, data: JSON, expected_version: int, ttl_seconds: int) -> int | None:
        """Compare-and-set: write if the stored version equals ``expected_version``.

        Returns the new version, or ``None`` if another writer got there first.
        """

    async def put(self, key: str, data: JSON, ttl_seconds: int) -> None:
        """Unconditional write (records the user asked to keep)."""

    async def delete(self, key: str) -> None: ...

    async def claim_event(self, event_id: str, ttl_seconds: int) -> bool:
        """True the first time an event id is seen (platform retries are then ignored)."""

    async def claim_and_load(self, event_id: str, ttl_seconds: int, key: str) -> tuple[bool | None, Snapshot]:
        """:meth:`claim_event` and :meth:`load` at once (one round trip for a networked store).

        The claim is ``None`` when it could not be made (the store refused or failed it); raises
        :class:`StoreUnavailable` only when the load failed.
        """

    async def forget_user(self, user_hash: str) -> list[str]:
        """Delete everything held about a user; returns the keys removed."""

    async def ping(self) -> bool: ...

    async def close(self) -> None: ...

    # Statistics (bot/core/stats.py): daily aggregates only, each day's keys expire after ``ttl_seconds``.
    async def stats_add(self, day: str, counts: Mapping[str, int], samples: Mapping[str, float],
                        uniques: Mapping[str, str], ttl_seconds: int) -> None:
        """Add to a day's counters, append samples, and note members of distinct-count sets."""

    async def stats_read(self, days: Sequence[str], sample_names: Sequence[str] = ()) -> dict[str, DayStats]:
        """Counters (and the named sample lists) of each day that has any."""

    async def stats_unique(self, days: Sequence[str], name: str) -> int:
        """How many distinct members ``name`` had over ``days`` (may be an estimate)."""


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
