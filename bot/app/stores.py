"""Choose the conversation store for this process: Redis when ``REDIS_URL`` is set, else memory."""

from __future__ import annotations

from bot.core.settings import Settings
from bot.core.store import Store
from bot.storage.memory import MemoryStore
from bot.storage.redis_store import RedisStore


def build_store(settings: Settings) -> Store:
    if settings.redis_url:
        # Imported here so the terminal and pure-logic tests never need redis-py loaded.

        return RedisStore.from_url(settings.redis_url, settings.key_prefix)
    return MemoryStore()
