"""The store interface: the port the core keeps conversations, records and report figures behind.

Conversation state lives in a store, never in a handler's memory, so any process can serve the
next turn of any conversation (DESIGN.md). Every saved value carries a version: a save based on
an old version is refused, which is how two clicks on one button can never both apply.

Keys are built by :func:`conversation_key` and friends. The user part is always a keyed hash
(:mod:`bot.core.identity`), never a platform id, and sits inside ``{...}`` so every key of one user
lands in one Redis Cluster slot.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from bot.core.quiz.backend import TeamBackend

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

    def team_backend(self) -> TeamBackend:
        """Storage for team quizzes next to this store (shared by every process when the store is)."""

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
