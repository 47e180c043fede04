"""Escalation latency: from "Talk to someone" to the lead's card arriving at the (fake) Slack API.

    python -m benchmarks.escalation [--escalations 1000] [--workers 2] [--concurrency 10]

Practitioners walk the real engine (start -> Not sure -> Talk to someone) against Redis
(``REDIS_URL``, default 127.0.0.1:6379, under a fresh key prefix removed afterwards). The clock
starts just before the "Talk to someone" turn is handed to the engine; it stops when the fake
Slack Web API (in this process, on 127.0.0.1) receives the ``chat.postMessage`` carrying that
escalation's card. In between: the engine turn, the durable write (one Lua script), the outbox
stream, a ``canishare worker``-equivalent process reading it (``--workers`` separate processes,
the real EscalationWorker and slack_sdk client), and the HTTP call. Prints p50/p90/p99/max and
throughput. Figures, not assertions.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

ROOT = Path(__file__).resolve().parents[1]
HASH_KEY = "bench-hash-key"
SEALER_KEY = "bench-escalation-key"
LEAD_SLACK = "U0BENCHLEAD"

CONFIG: dict[str, Any] = {
    "rota": {
        "people": [
            {"id": "lead", "name": "Bench Lead", "role": "safeguarding_lead", "slack_user_id": LEAD_SLACK},
            {"id": "deputy", "name": "Bench Deputy", "role": "deputy", "slack_user_id": "U0BENCHDEP"},
        ],
        "layers": [{"slot": "lead", "people": ["lead"], "start": "2020-01-06"},
                   {"slot": "deputy", "people": ["deputy"], "start": "2020-01-06"}],
        "fallback": {"people": ["deputy"]},
    },
    # One practitioner may raise many in the benchmark: lift the per-practitioner limit.
    "escalation": {"rate_limit_count": 100},
}


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


class ArrivalSlack:
    """The smallest Slack Web API the worker needs, noting when each card arrives."""

    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}
        self.count = 0
        self.server: TestServer | None = None
        self.url = ""
        self.loop = asyncio.new_event_loop()

    def start(self) -> None:
        """Serve from a thread of its own, so the practitioners' turns don't delay its clock."""
        ready = threading.Event()

        async def serve() -> None:
            app = web.Application()
            app.router.add_route("*", "/api/{method}", self.handle)
            self.server = TestServer(app, host="127.0.0.1")
            await self.server.start_server()
            self.url = str(self.server.make_url("/api/"))

        def run() -> None:
            asyncio.set_event_loop(self.loop)
            self.loop.run_until_complete(serve())
            ready.set()
            self.loop.run_forever()

        threading.Thread(target=run, daemon=True, name="fake-slack").start()
        ready.wait(10)

    def stop(self) -> None:
        if self.server is not None:
            asyncio.run_coroutine_threadsafe(self.server.close(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)

    async def handle(self, request: web.Request) -> web.Response:
        now = time.monotonic()
        method = request.match_info["method"]
        body = await request.json() if request.content_type == "application/json" else {}
        if method == "chat.postMessage":
            self.count += 1
            key = ((body.get("metadata") or {}).get("event_payload") or {}).get("key", "")
            if key.endswith(":1:person:lead|slack") and body.get("blocks", [{}])[0].get("type") == "header":
                self.arrived.setdefault(key.split(":", 1)[0], now)
            return web.json_response({"ok": True, "channel": "D" + str(body.get("channel", ""))[1:],
                                      "ts": f"{time.time():.6f}"})
        return web.json_response({"ok": True, "channel": {"id": "D0"}, "messages": []})


async def worker_main(spec: dict[str, Any]) -> None:
    from bot.app.escalation_worker import EscalationWorker
    from bot.channels.slack.escalation_delivery import SlackDelivery
    from bot.core.config import OrgConfig
    from bot.core.escalation.delivery import Deliverer
    from bot.core.escalation.handle import Sealer
    from bot.core.escalation.rota import RotaView
    from bot.core.escalation.service import EscalationService
    from bot.storage.escalation import RedisEscalationBackend
    from bot.storage.redis_store import RedisStore

    config = OrgConfig.model_validate(CONFIG)
    assert config.rota is not None
    store = RedisStore.from_url(spec["redis_url"], spec["prefix"])
    service = EscalationService(RedisEscalationBackend(store.client, store.prefix), config, RotaView(config.rota),
                                sealer=Sealer(SEALER_KEY),
                                hash_key=HASH_KEY, store=store)
    worker = EscalationWorker(service, Deliverer(service, {"slack": SlackDelivery("xoxb-bench", spec["slack_url"])}),
                              consumer=spec["consumer"], store=store)
    await service.outbox.ensure_group()
    print("ready", flush=True)
    await worker.run(asyncio.Event())


async def practitioner(engine: Any, service: Any, n: int, started: dict[str, float],
                       answered: dict[str, float]) -> None:
    from bot.core.identity import user_hash
    from dialogs.messages import Question
    from dialogs.turn import Turn

    user = f"U0P{n:07d}"
    replies = await engine.handle(Turn("slack", user, text="start"))
    question = next(r for r in replies if isinstance(r, Question))
    replies = await engine.handle(Turn("slack", user, action="not_sure", ref=question.ref))
    question = next(r for r in replies if isinstance(r, Question))
    t0 = time.monotonic()
    await engine.handle(Turn("slack", user, action="talk", ref=question.ref))
    t1 = time.monotonic()
    esc_id = await service.records.open_for(user_hash(HASH_KEY, "slack", user))
    if esc_id:
        started[esc_id] = t0
        answered[esc_id] = t1


async def main(escalations: int, workers: int, concurrency: int) -> None:
    import redis

    from bot.core.config import OrgConfig
    from bot.core.engine import Engine
    from bot.core.escalation.handle import Sealer
    from bot.core.escalation.rota import RotaView
    from bot.core.escalation.service import EscalationService
    from bot.core.parts import build_parts
    from bot.storage.escalation import RedisEscalationBackend
    from bot.storage.redis_store import RedisStore

    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    prefix = f"bench-esc-{uuid.uuid4().hex[:8]}"
    slack = ArrivalSlack()
    slack.start()
    config = OrgConfig.model_validate(CONFIG)
    assert config.rota is not None
    store = RedisStore.from_url(redis_url, prefix)
    service = EscalationService(RedisEscalationBackend(store.client, store.prefix), config, RotaView(config.rota),
                                sealer=Sealer(SEALER_KEY),
                                hash_key=HASH_KEY, store=store)
    await service.outbox.ensure_group()
    engine = Engine(build_parts(config), store, HASH_KEY, escalator=service)
    procs = []
    try:
        for i in range(workers):
            spec = {"redis_url": redis_url, "prefix": prefix, "slack_url": slack.url, "consumer": f"bench-{i}"}
            proc = subprocess.Popen([sys.executable, "-m", "benchmarks.escalation", "--worker", json.dumps(spec)],
                                    cwd=ROOT, stdout=subprocess.PIPE, text=True)
            assert proc.stdout is not None
            await asyncio.to_thread(proc.stdout.readline)
            procs.append(proc)
        started: dict[str, float] = {}
        answered: dict[str, float] = {}
        gate = asyncio.Semaphore(concurrency)

        async def one(n: int) -> None:
            async with gate:
                await practitioner(engine, service, n, started, answered)

        begin = time.monotonic()
        await asyncio.gather(*(one(n) for n in range(escalations)))
        deadline = time.monotonic() + 120
        while len(slack.arrived) < len(started) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        elapsed = time.monotonic() - begin
        latencies = [(slack.arrived[i] - t0) * 1000 for i, t0 in started.items() if i in slack.arrived]
        lost = len(started) - len(latencies)
        print(f"escalations: {len(started)} raised, {len(latencies)} cards arrived, {lost} missing; "
              f"{workers} worker process(es); {concurrency} practitioners at a time")
        if latencies:
            print(f"'Talk to someone' -> lead's card at the Slack API (ms): p50 {percentile(latencies, 50):.1f}  "
                  f"p90 {percentile(latencies, 90):.1f}  p99 {percentile(latencies, 99):.1f}  "
                  f"max {max(latencies):.1f}")
            turn = [(answered[i] - t0) * 1000 for i, t0 in started.items()]
            after = [(slack.arrived[i] - answered[i]) * 1000 for i in started if i in slack.arrived]
            print(f"  of which the engine turn (durable write, practitioner told): p50 {percentile(turn, 50):.1f}  "
                  f"p99 {percentile(turn, 99):.1f}; from the reply to the card: p50 {percentile(after, 50):.1f}  "
                  f"p99 {percentile(after, 99):.1f}")
        print(f"throughput: {len(latencies) / elapsed:.0f} escalations/s end to end ({elapsed:.1f} s)")
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=10)
        await store.close()
        slack.stop()
        client = redis.Redis.from_url(redis_url)
        keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
        for start in range(0, len(keys), 500):
            client.delete(*keys[start:start + 500])
        client.close()


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--escalations", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=10, help="practitioners talking at the same time")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        asyncio.run(worker_main(json.loads(args.worker)))
        return
    asyncio.run(main(args.escalations, args.workers, args.concurrency))


if __name__ == "__main__":
    cli()
