"""Redis memory per live conversation, for ``benchmarks/turns.py --store redis``.

``MEMORY USAGE`` counts the key, the value and Redis's per-key bookkeeping, which is what one
more live conversation costs.
"""

from __future__ import annotations

import secrets
import statistics

from bot.core.store import JSON, conversation_key
from bot.storage.redis_store import RedisStore


def typical_state(answers: int = 7) -> JSON:
    """A flowchart conversation some way in: the answers given, the path back, the last message."""
    nodes = [f"q{i}_{name}" for i, name in enumerate(
        ("clear_reason", "personal_info", "consent_possible", "public_interest", "legal_duty",
         "safe_secure", "proportionate", "record", "timely", "necessary"), start=1)]  # fmt: skip
    given = [[nodes[i % len(nodes)], ("yes", "no", "not_sure")[i % 3]] for i in range(answers)]
    return {
        "dialog": "flowchart",
        "node": nodes[answers % len(nodes)],
        "edition": "current",
        "answers": given,
        "history": [node for node, _ in given],
        "msg": "1731000000.123456",
        "started": 1731000000,
        "turn": answers + 2,
    }


async def bytes_per_key(store: RedisStore, keys: list[str]) -> list[int]:
    """``MEMORY USAGE`` of each (unprefixed) key that exists."""
    sizes = [await store.client.memory_usage(store.key(key), samples=0) for key in keys]
    return [int(size) for size in sizes if size is not None]


async def live_conversation_bytes(store: RedisStore) -> float:
    """Mean bytes per conversation key currently under the store's prefix (after a benchmark run)."""
    keys = [
        raw.decode()[len(store.prefix) + 1 :]
        async for raw in store.client.scan_iter(match=f"{store.prefix}:conv:*", count=1000)
    ]
    sizes = await bytes_per_key(store, keys)
    return statistics.fmean(sizes) if sizes else 0.0


async def memory_per_conversation(store: RedisStore, n: int = 100, state: JSON | None = None) -> float:
    """Write ``n`` conversations (``typical_state()`` unless given), measure, delete; mean bytes."""
    state = state if state is not None else typical_state()
    keys = [conversation_key(secrets.token_hex(16), "dm") for _ in range(n)]
    try:
        for key in keys:
            await store.save(key, state, 0, 3600)
        return statistics.fmean(await bytes_per_key(store, keys))
    finally:
        await store.client.delete(*(store.key(key) for key in keys))
