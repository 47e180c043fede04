"""/healthz and /metrics over real HTTP, against the real Redis (and one that goes away)."""

from __future__ import annotations

import time
from collections.abc import Callable

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from bot.app import ops
from bot.core import metrics, stats
from bot.storage.redis_store import RedisStore
from bot.testing.redis import PrivateRedis
from tests.channels.web.conftest import WebServer
from tests.conftest import new_prefix


async def get_json(url: str) -> tuple[int, dict[str, str]]:
    async with aiohttp.ClientSession() as client, client.get(url) as resp:
        return resp.status, await resp.json()


async def test_health_without_redis_is_not_configured(web_server: WebServer) -> None:
    base = await web_server()
    assert await get_json(base + "/healthz") == (200, {"redis": "not configured", "worker": "unknown"})


async def test_health_follows_the_workers_auditor(web_server: WebServer, redis_store: RedisStore,
                                                  redis_url: str) -> None:
    base = await web_server(store=redis_store, redis_url=redis_url)
    assert await get_json(base + "/healthz") == (200, {"redis": "ok", "worker": "unknown"})
    await ops.auditor_ran(redis_store)
    assert await get_json(base + "/healthz") == (200, {"redis": "ok", "worker": "fresh"})
    await ops.auditor_ran(redis_store, now=time.time() - ops.WORKER_FRESH_SECONDS - 60)
    assert await get_json(base + "/healthz") == (503, {"redis": "ok", "worker": "stale"})


async def test_health_reports_redis_down_and_back(web_server: WebServer,
                                                  make_private_redis: Callable[..., PrivateRedis]) -> None:
    server = make_private_redis()
    store = RedisStore.from_url(server.url, new_prefix())
    base = await web_server(store=store, redis_url=server.url)
    await ops.auditor_ran(store)
    assert await get_json(base + "/healthz") == (200, {"redis": "ok", "worker": "fresh"})
    server.stop()
    assert await get_json(base + "/healthz") == (503, {"redis": "down", "worker": "unknown"})
    server.start()  # a fresh, empty server: Redis is back, no worker has reported to it yet
    assert await get_json(base + "/healthz") == (200, {"redis": "ok", "worker": "unknown"})


async def test_metrics_parse_and_carry_no_personal_data(web_server: WebServer, redis_store: RedisStore,
                                                        redis_url: str) -> None:
    base = await web_server(store=redis_store, redis_url=redis_url)
    await stats.add(redis_store, {"outcome:share": 3, "esc:raised": 2, "questions": 5})
    marker = "Zebedee-Quixote"
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as client:
        async with client.post(base + "/api/chat", json={"text": f"ask can I share with {marker}?"}) as resp:
            assert resp.status == 200
        session = next(c.value for c in client.cookie_jar if c.key == "canishare_web_session")
        async with client.get(base + "/metrics") as resp:
            assert resp.status == 200
            assert resp.headers["Content-Type"].startswith("text/plain; version=")
            text = await resp.text()

    families = {f.name: f for f in text_string_to_metric_families(text)}
    # Turns, outcomes by kind, escalations by state, time to acknowledge, guard hits, errors.
    for metric in (metrics.TURNS, metrics.OUTCOMES, metrics.ESCALATIONS, metrics.ACK_SECONDS, metrics.GUARD_HITS,
                   metrics.ERRORS):
        assert metric._name in families, metric._name
    web_turns = [s.value for s in families["canishare_turns"].samples
                 if s.name == "canishare_turns_total" and s.labels == {"channel": "web"}]
    assert web_turns and web_turns[0] >= 1
    today = {s.labels["outcome"]: s.value for s in families["canishare_today_outcomes"].samples}
    assert today["share"] == 3
    escalations = {s.labels["state"]: s.value for s in families["canishare_today_escalations"].samples}
    assert escalations["raised"] == 2
    questions = families["canishare_today_questions"].samples[0].value
    assert questions >= 5
    assert marker not in text and session not in text
