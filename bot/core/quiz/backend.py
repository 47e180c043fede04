"""The team quiz's storage port and key layout; implementations are in :mod:`bot.storage`.

Keys are relative to the deployment's prefix; the three keys of one question share the ``{<qid>}``
hash tag (see :mod:`bot.storage.quiz_backend` for the Redis layout).
"""

from __future__ import annotations

from typing import Any, Literal, Protocol

AnswerResult = Literal["added", "again", "closed", "missing"]


class TeamBackend(Protocol):
    async def get_json(self, key: str) -> dict[str, Any] | None: ...
    async def put_json(self, key: str, data: dict[str, Any], ttl: int) -> None: ...
    async def claim(self, key: str, value: str, ttl: int) -> bool:
        """SET NX: True for exactly one caller while the key lives."""
    async def get(self, key: str) -> str | None: ...
    async def delete(self, key: str) -> None: ...
    async def answer(self, qid: str, member: str, option: str, ttl: int) -> AnswerResult: ...
    async def answers(self, qid: str) -> dict[str, str]: ...
    async def schedule_close(self, qid: str, at: float, ttl: int) -> None: ...
    async def unschedule(self, qid: str) -> None: ...
    async def due(self, now: float, limit: int = 100) -> list[str]: ...
    async def add_points(self, board: str, member: str, points: int, ttl: int) -> None: ...
    async def top(self, board: str, count: int) -> list[tuple[str, int]]: ...


def meta_key(qid: str) -> str:
    return f"quizteam:{{{qid}}}:meta"


def answers_key(qid: str) -> str:
    return f"quizteam:{{{qid}}}:ans"


def closed_key(qid: str) -> str:
    return f"quizteam:{{{qid}}}:closed"


OPEN_KEY = "quizteam:open"
OPEN_TTL = 8 * 86400  # refreshed by every question opened; a question is never open this long
