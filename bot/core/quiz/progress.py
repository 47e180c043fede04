"""Spaced-repetition progress for the personal quiz: the user state slot ``qp``, per hashed user.

The quiz dialog is pure; it sees the person's progress under ``"qp"`` while it runs (see
:mod:`dialogs.state`). The engine loads it only for turns that concern the quiz and writes it back
(with its own TTL, ``quiz.progress_days``) only once the conversation itself was saved.

Key: ``quizp:{<user hash>}``. The hash sits in braces like every per-user key, so ``canishare
forget`` removes it with the rest.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot.core import stats
from bot.core.config import OrgConfig
from bot.core.store import JSON, Store
from dialogs.quiz import PROGRESS


def progress_key(user_hash: str) -> str:
    return f"quizp:{{{user_hash}}}"


class QuizProgress:
    """The ``qp`` user state slot (a :class:`bot.core.user_state.UserStateSlot`)."""

    name = PROGRESS

    def __init__(self, config: OrgConfig) -> None:
        self.config = config

    def key(self, user_hash: str) -> str:
        return progress_key(user_hash)

    def ttl_seconds(self) -> int:
        return self.config.quiz.progress_seconds

    def decode(self, data: JSON) -> Any:
        return data.get("p", {})

    def encode(self, value: Any) -> JSON:
        return {"p": value}

    async def changed(self, store: Store, user_hash: str, before: Any, after: Any, now: dt.datetime | None) -> None:
        """Count each newly answered item for the leads' report."""
        old = before or {}
        for item, value in (after or {}).items():
            if old.get(item) != value and isinstance(value, list) and value:
                await stats.quiz_answered(store, user_hash, correct=value[0] > 0, now=now)
