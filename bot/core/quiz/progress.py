"""Spaced-repetition progress for the personal quiz, kept per hashed user in the store.

The quiz dialog is pure, so the engine lends it the person's progress for one turn: it loads the
progress key into the conversation state under ``"qp"`` before routing, takes it out again after,
and writes it back (with its own TTL, ``quiz.progress_days``) only once the conversation itself was
saved, so an answer refused as stale or as a double click never counts.

Key: ``quizp:{<user hash>}``. The hash sits in braces like every per-user key, so ``canishare
forget`` removes it with the rest.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any

from bot.core import stats
from bot.core.config import OrgConfig
from bot.core.store import Store, StoreUnavailable
from dialogs import intents
from dialogs.quiz import PROGRESS, STATE, is_quiz_choice

log = logging.getLogger("canishare.quiz")

State = dict[str, Any]


def progress_key(user_hash: str) -> str:
    return f"quizp:{{{user_hash}}}"


def concerns_quiz(action: str | None, text: str, state: Mapping[str, Any]) -> bool:
    """Worth loading the progress for: a quiz button, "quiz", or any input while a quiz runs."""
    if action is not None:
        return is_quiz_choice(action)
    return STATE in state or intents.intent_of(text or "") == intents.QUIZ


async def lend(store: Store, user_hash: str, action: str | None, text: str, state: State) -> State:
    """The state to route with: ``state`` plus the user's progress when the turn concerns the quiz."""
    if not concerns_quiz(action, text, state):
        return state
    try:
        snap = await store.load(progress_key(user_hash))
    except StoreUnavailable:
        return state  # the quiz still runs; it just can't use (or keep) what was learnt before
    return {**state, PROGRESS: snap.data.get("p", {})}


def take(lent: Mapping[str, Any], routed: State) -> tuple[State, dict[str, Any] | None]:
    """(the state to save, without the progress; the new progress if the turn changed it, else None)."""
    if PROGRESS not in routed:
        return routed, None
    clean = {k: v for k, v in routed.items() if k != PROGRESS}
    after = routed[PROGRESS]
    return clean, (after if after != lent.get(PROGRESS) else None)


async def keep(store: Store, user_hash: str, before: Mapping[str, Any], progress: dict[str, Any] | None,
               config: OrgConfig, now: dt.datetime | None = None) -> None:
    """Write changed progress back (best effort) and count the answer for the leads' report."""
    if progress is None:
        return
    try:
        await store.put(progress_key(user_hash), {"p": progress}, config.quiz.progress_seconds)
    except StoreUnavailable:
        log.warning("quiz progress not kept: store unavailable")
    old = before.get(PROGRESS) or {}
    for item, value in progress.items():
        if old.get(item) != value and isinstance(value, list) and value:
            await stats.quiz_answered(store, user_hash, correct=value[0] > 0, now=now)
