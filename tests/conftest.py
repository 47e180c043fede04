"""Shared test fixtures. Each block below belongs to one area; add new fixtures in their own block."""

from __future__ import annotations

# ---------------------------------------------------------------------------------------------
# Redis fixtures. Real Redis only, never a mock.
#   redis_url      the shared test server (CANISHARE_TEST_REDIS_URL, default 127.0.0.1:6379/0)
#   redis_store    a RedisStore on that server with its own random key prefix, cleaned up after
#   private_redis  a redis-server of the test's own on a free port, to stop and restart at will
#   make_private_redis  factory for more of those (appendonly=True to keep data over a restart,
#                       tls=(cert, key) for a TLS-only server); all stopped after the test
#   new_redis_prefix    factory of fresh key prefixes on redis_url, all deleted after the test
# ---------------------------------------------------------------------------------------------
import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
import redis

from bot.storage.redis_store import RedisStore
from bot.testing.redis import PrivateRedis

DEFAULT_TEST_REDIS_URL = "redis://127.0.0.1:6379/0"
START_REDIS_HINT = (
    "start one with `redis-server --daemonize yes --port 6379 --save '' --appendonly no` "
    "(see README 'Running the tests'), or point CANISHARE_TEST_REDIS_URL at one"
)


@pytest.fixture(scope="session")
def redis_url() -> str:
    url = os.environ.get("CANISHARE_TEST_REDIS_URL", DEFAULT_TEST_REDIS_URL)
    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
    except (redis.ConnectionError, redis.TimeoutError, OSError) as exc:
        pytest.fail(f"No Redis at {url} ({type(exc).__name__}): {START_REDIS_HINT}", pytrace=False)
    finally:
        client.close()
    return url


def delete_prefix(url: str, prefix: str) -> int:
    """Delete every key under ``prefix:`` (test clean-up)."""
    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=5)
    try:
        keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
        for start in range(0, len(keys), 500):
            client.delete(*keys[start : start + 500])
        return len(keys)
    finally:
        client.close()


def new_prefix() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def new_redis_prefix(redis_url: str) -> Iterator[Callable[[], str]]:
    made: list[str] = []

    def make() -> str:
        made.append(new_prefix())
        return made[-1]

    yield make
    for prefix in made:
        delete_prefix(redis_url, prefix)


@pytest_asyncio.fixture
async def redis_store(redis_url: str) -> AsyncIterator[RedisStore]:
    store = RedisStore.from_url(redis_url, new_prefix())
    try:
        yield store
    finally:
        await store.close()
        delete_prefix(redis_url, store.prefix)


@pytest.fixture
def make_private_redis(tmp_path: Path) -> Iterator[Callable[..., PrivateRedis]]:
    servers: list[PrivateRedis] = []

    def make(*, appendonly: bool = False, tls: tuple[Path, Path] | None = None, start: bool = True) -> PrivateRedis:
        server = PrivateRedis(tmp_path / f"redis-{len(servers)}", appendonly=appendonly, tls=tls)
        servers.append(server)
        if start:
            server.start()
        return server

    try:
        yield make
    finally:
        for server in servers:
            server.stop()


@pytest.fixture
def private_redis(make_private_redis: Callable[..., PrivateRedis]) -> PrivateRedis:
    return make_private_redis()


# ------------------------------------------------------------------------- end of Redis fixtures


# ---------------------------------------------------------------------------------------------
# Engine fixtures: the real engine over the memory store, with a fixed clock.
#   parts          knowledge, router, matcher and guard, built once per session
#   memory_engine  an Engine over a fresh MemoryStore
# ---------------------------------------------------------------------------------------------
import datetime as _dt  # noqa: E402

from bot.core.config import OrgConfig  # noqa: E402
from bot.core.engine import Engine  # noqa: E402
from bot.core.parts import Parts, build_parts  # noqa: E402
from bot.storage.memory import MemoryStore  # noqa: E402

FIXED_NOW = _dt.datetime(2026, 11, 21, 14, 5, tzinfo=_dt.UTC)
TEST_HASH_KEY = "test-hash-key"


@pytest.fixture(scope="session")
def parts() -> Parts:
    return build_parts(OrgConfig())


@pytest.fixture
def memory_engine(parts: Parts) -> Engine:
    return Engine(parts, MemoryStore(), TEST_HASH_KEY, clock=lambda: FIXED_NOW)
